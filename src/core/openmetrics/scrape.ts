// One scrape's text: every target's latest refresh as families (health, host, containers, correlation, gaps,
// alerts, processes), each family once with the samples of every target, each sample labelled with its target.
import { addContainers } from './containerFamilies';
import { addAlerts, addContainerInfo, addFindings, addProcesses, addTargetHealth } from './dmFamilies';
import type { ServedTarget } from './dmFamilies';
import { FamilySet, render } from './exposition';
import type { ExpositionFormat, Labels } from './exposition';
import { addHost } from './hostFamilies';

export interface ScrapeOptions {
  /** Per-process series for the busiest this many processes of each target (0: none). */
  processes: number;
  /** The serving process itself (its CPU seconds and memory): process_* as every client library exports them. */
  self?: { cpuSeconds: number; residentBytes: number; startTimeSeconds: number };
}

export function scrapeText(targets: readonly ServedTarget[], options: ScrapeOptions, format: ExpositionFormat): string {
  const set = new FamilySet();
  const label = (t: ServedTarget): Labels => [['target', t.name]];
  for (const t of targets) addTargetHealth(set, label(t), t);
  for (const t of targets) if (t.snapshot) addHost(set, label(t), t.snapshot.host);
  for (const t of targets)
    if (t.snapshot) addContainers(set, label(t), t.snapshot.containers, Date.parse(t.snapshot.collectedAt) / 1000);
  for (const t of targets) if (t.snapshot) addContainerInfo(set, label(t), t.snapshot);
  for (const t of targets) addFindings(set, label(t), t.findings);
  for (const t of targets) addAlerts(set, label(t), t.alerts);
  for (const t of targets) if (t.snapshot) addProcesses(set, label(t), t.snapshot, options.processes);
  if (options.self) {
    const { cpuSeconds, residentBytes, startTimeSeconds } = options.self;
    set.family(
      'process_cpu_seconds',
      'counter',
      'Total user and system CPU time spent in seconds (this server).',
    )([], cpuSeconds);
    set.family(
      'process_resident_memory_bytes',
      'gauge',
      'Resident memory size in bytes (this server).',
    )([], residentBytes);
    set.family(
      'process_start_time_seconds',
      'gauge',
      'Start time of the process since unix epoch in seconds.',
    )([], startTimeSeconds);
  }
  return render(set.list(), format);
}
