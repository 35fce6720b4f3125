// The extension's command ids, in one list that the registration (src/vscode/commands.ts, typed against it)
// and the manifest test (package.json contributes) both read, so neither can drift from the other.

/** Commands for the palette (category "Monitor"). */
export const PALETTE_COMMANDS = [
  'dockerMonitor.monitorAll',
  'dockerMonitor.monitorHost',
  'dockerMonitor.monitorContainer',
  'dockerMonitor.monitorProcess',
  'dockerMonitor.correlate',
  'dockerMonitor.gapAnalysis',
  'dockerMonitor.addSshTarget',
  'dockerMonitor.removeTarget',
  'dockerMonitor.refresh',
  'dockerMonitor.pause',
  'dockerMonitor.resume',
  'dockerMonitor.exportSnapshot',
  'dockerMonitor.exportHistory',
] as const;

/** Commands that act on a clicked tree row: hidden from the palette. */
export const TREE_COMMANDS = [
  'dockerMonitor.showMetrics',
  'dockerMonitor.showProcesses',
  'dockerMonitor.copyId',
  'dockerMonitor.copyAsJson',
  'dockerMonitor.revealContainer',
  'dockerMonitor.copyPid',
  'dockerMonitor.retryTarget',
  'dockerMonitor.showAllHostProcesses',
  'dockerMonitor.muteAlert',
  'dockerMonitor.neverAlertForContainer',
] as const;

export type CommandId = (typeof PALETTE_COMMANDS)[number] | (typeof TREE_COMMANDS)[number];

export const ALL_COMMANDS: readonly CommandId[] = [...PALETTE_COMMANDS, ...TREE_COMMANDS];

/** The context key that says refresh is paused (view title toggles pause / resume on it). */
export const CONTEXT_PAUSED = 'dockerMonitor.paused';
/** No target is configured at all (welcome content). */
export const CONTEXT_NO_TARGETS = 'dockerMonitor.noTargets';
/** No target could be read: none configured, or every one failed before its first snapshot (welcome content). */
export const CONTEXT_NO_READABLE_TARGET = 'dockerMonitor.noReadableTarget';
