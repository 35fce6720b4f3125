// package.json's contributions against what the code registers and what the design asks for: every command
// contributed once with an icon that exists in @vscode/codicons, tree-only commands out of the palette, the
// context menus of each tree row kind, activation on the view and the four panels, and documented settings.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PANEL_VIEW_TYPES } from '../../../src/core/panels/subject';
import { ALL_COMMANDS, PALETTE_COMMANDS, TREE_COMMANDS } from '../../../src/core/present/commandIds';
import { parseTargetSetting } from '../../../src/core/targets/settings/targetConfig';

const root = join(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes;

interface Command {
  command: string;
  title: string;
  category?: string;
  icon?: string;
}
interface MenuItem {
  command: string;
  when?: string;
  group?: string;
}

/**
 * Evaluates the `when` clauses this manifest uses: `a && b`, `!key`, `key`, `key == value`, `key =~ /re/`.
 * Enough to check the menus; an unsupported form fails the test rather than being guessed.
 */
function when(clause: string | undefined, ctx: Record<string, string | boolean>): boolean {
  if (clause === undefined) return true;
  return clause.split('&&').every((raw) => {
    const term = raw.trim();
    let m = /^(!?)([\w.]+)$/.exec(term);
    if (m) return Boolean(ctx[m[2]]) !== (m[1] === '!');
    m = /^([\w.]+) == ([\w.-]+)$/.exec(term);
    if (m) return ctx[m[1]] === m[2];
    m = /^([\w.]+) =~ \/(.*)\/$/.exec(term);
    if (m) return typeof ctx[m[1]] === 'string' && new RegExp(m[2]).test(ctx[m[1]] as string);
    if (term === 'false') return false;
    throw new Error(`unsupported when term: ${term}`);
  });
}

const commands = contributes.commands as Command[];
const itemMenu = contributes.menus['view/item/context'] as MenuItem[];
const titleMenu = contributes.menus['view/title'] as MenuItem[];
const palette = contributes.menus.commandPalette as MenuItem[];

function rowMenu(contextValue: string): string[] {
  const ctx = { view: 'dockerMonitor.targets', viewItem: contextValue };
  return [...new Set(itemMenu.filter((m) => when(m.when, ctx)).map((m) => m.command.replace('dockerMonitor.', '')))];
}

describe('package.json commands', () => {
  it('contributes exactly the commands the extension registers, each once', () => {
    const ids = commands.map((c) => c.command);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...ALL_COMMANDS].sort());
  });

  it('puts every command in the Monitor category with the titles of the issue', () => {
    const title = (id: string) => {
      const c = commands.find((x) => x.command === `dockerMonitor.${id}`)!;
      return `${c.category}: ${c.title}`;
    };
    expect(commands.every((c) => c.category === 'Monitor')).toBe(true);
    expect(title('monitorAll')).toBe('Monitor: All');
    expect(title('monitorHost')).toBe('Monitor: Host');
    expect(title('monitorContainer')).toBe('Monitor: Container...');
    expect(title('monitorProcess')).toBe('Monitor: Process...');
    expect(title('correlate')).toBe('Monitor: Correlate Container...');
    expect(title('gapAnalysis')).toBe('Monitor: Gap Analysis');
    expect(title('addSshTarget')).toBe('Monitor: Add SSH Target...');
  });

  it('gives every command a codicon that @vscode/codicons has', () => {
    const css = readFileSync(join(root, 'node_modules/@vscode/codicons/dist/codicon.css'), 'utf8');
    for (const c of commands) {
      const m = /^\$\(([a-z0-9-]+)\)$/.exec(c.icon ?? '');
      expect(m, `${c.command} icon ${c.icon}`).not.toBeNull();
      expect(css, `${c.command}: no codicon ${m![1]}`).toContain(`.codicon-${m![1]}:before`);
    }
  });

  it('hides the tree-row commands from the palette and keeps the palette ones in it', () => {
    const hidden = palette.filter((m) => m.when === 'false').map((m) => m.command);
    expect([...hidden].sort()).toEqual([...TREE_COMMANDS].sort());
    for (const id of PALETTE_COMMANDS) {
      const entry = palette.find((m) => m.command === id);
      if (entry) expect(entry.when, id).not.toBe('false');
    }
  });

  it('offers pause or resume in the palette and the view title, by the paused context key', () => {
    for (const paused of [false, true]) {
      const ctx = { 'dockerMonitor.paused': paused, view: 'dockerMonitor.targets' };
      const inPalette = (id: string) => when(palette.find((m) => m.command === id)?.when, ctx);
      expect(inPalette('dockerMonitor.pause')).toBe(!paused);
      expect(inPalette('dockerMonitor.resume')).toBe(paused);
      const title = titleMenu
        .filter((m) => m.group?.startsWith('navigation') && when(m.when, ctx))
        .map((m) => m.command);
      expect(title).toEqual([
        'dockerMonitor.refresh',
        paused ? 'dockerMonitor.resume' : 'dockerMonitor.pause',
        'dockerMonitor.addSshTarget',
      ]);
    }
  });
});

describe('context menus of the Targets tree', () => {
  it('container rows: Correlate, Show Metrics, Show Processes (running only), Copy ID, Copy as JSON', () => {
    expect(rowMenu('container.running')).toEqual(
      expect.arrayContaining(['correlate', 'showMetrics', 'showProcesses', 'copyId', 'copyAsJson']),
    );
    expect(rowMenu('container.stopped')).toEqual(
      expect.arrayContaining(['correlate', 'showMetrics', 'copyId', 'copyAsJson']),
    );
    expect(rowMenu('container.stopped')).not.toContain('showProcesses');
  });

  it('process rows: Show Metrics, Reveal Container, Copy PID', () => {
    expect(rowMenu('process').sort()).toEqual(['copyPid', 'revealContainer', 'showMetrics']);
  });

  it('host and target rows: Monitor: All, Gap Analysis, Refresh; Remove only on SSH targets', () => {
    for (const row of ['host', 'target.local', 'target.ssh', 'target.error']) {
      expect(rowMenu(row), row).toEqual(expect.arrayContaining(['monitorAll', 'gapAnalysis', 'refresh']));
    }
    expect(rowMenu('target.ssh')).toContain('removeTarget');
    expect(rowMenu('target.local')).not.toContain('removeTarget');
    expect(rowMenu('host')).not.toContain('removeTarget');
    expect(rowMenu('target.error')).toContain('retryTarget');
  });

  it("shows nothing on rows that are not the tree's context values, and only in this view", () => {
    expect(rowMenu('message')).toEqual([]);
    const other = itemMenu.filter((m) => when(m.when, { view: 'explorer', viewItem: 'container.running' }));
    expect(other).toEqual([]);
  });

  it('every menu entry names a contributed command', () => {
    const ids = new Set(commands.map((c) => c.command));
    for (const list of Object.values(contributes.menus) as MenuItem[][])
      for (const m of list) expect(ids.has(m.command), m.command).toBe(true);
  });
});

describe('views, activation and extension kind', () => {
  it('has the Docker Monitor activity-bar container with the Targets view and its welcome content', () => {
    expect(contributes.viewsContainers.activitybar).toEqual([
      { id: 'dockerMonitor', title: 'Docker Monitor', icon: 'media/activitybar.svg' },
    ]);
    expect(contributes.views.dockerMonitor.map((v: { id: string; name: string }) => [v.id, v.name])).toEqual([
      ['dockerMonitor.targets', 'Targets'],
    ]);
    const welcome = contributes.viewsWelcome as { view: string; when: string; contents: string }[];
    expect(
      welcome.some(
        (w) => w.when === 'dockerMonitor.noTargets' && w.contents.includes('command:dockerMonitor.addSshTarget'),
      ),
    ).toBe(true);
    expect(welcome.some((w) => w.when.includes('dockerMonitor.noReadableTarget'))).toBe(true);
  });

  it('activates on the view and on each panel type (to restore panels after a reload)', () => {
    expect(pkg.activationEvents).toEqual([
      'onView:dockerMonitor.targets',
      ...Object.values(PANEL_VIEW_TYPES).map((t) => `onWebviewPanel:${t}`),
    ]);
    expect(pkg.activationEvents).not.toContain('*');
  });

  it('runs where the containers are (workspace) and declares how it behaves in untrusted workspaces', () => {
    expect(pkg.extensionKind).toEqual(['workspace']);
    expect(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations).toEqual(['dockerMonitor.targets']);
  });

  it('has a 128x128 PNG icon and a monochrome activity-bar icon drawn in currentColor', () => {
    const png = readFileSync(join(root, pkg.icon));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([128, 128]);
    const svg = readFileSync(join(root, 'media/activitybar.svg'), 'utf8');
    expect(svg).toContain('stroke="currentColor"');
    expect(svg).not.toMatch(/#[0-9a-f]{3,6}/i);
  });

  it('packages with vsce from the bundle only', () => {
    expect(pkg.scripts.package).toBe('bash scripts/package.sh');
    const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8');
    expect(ignore.split('\n')[0] === '**' || ignore.includes('\n**\n')).toBe(true);
    expect(ignore).not.toMatch(/^!(src|test|node_modules|scripts)/m);
  });
});

describe('settings', () => {
  const props = contributes.configuration.properties;

  it('documents every setting in sentences, with sensible defaults', () => {
    for (const [key, p] of Object.entries(props) as [
      string,
      { description?: string; markdownDescription?: string },
    ][]) {
      const text = p.markdownDescription ?? p.description ?? '';
      expect(text, key).toMatch(/\.$/);
    }
    expect(props['dockerMonitor.refreshInterval']).toMatchObject({ type: 'number', default: 2, minimum: 0.5 });
    expect(props['dockerMonitor.showLocalTarget']).toMatchObject({
      type: 'boolean',
      default: true,
      scope: 'machine-overridable',
    });
    expect(props['dockerMonitor.targets']).toMatchObject({ type: 'array', default: [], scope: 'machine-overridable' });
  });

  it('describes each target field the settings parser accepts, with a description ending in a period', () => {
    const item = props['dockerMonitor.targets'].items;
    expect(Object.keys(item.properties).sort()).toEqual(['host', 'identityFile', 'jump', 'name', 'port', 'user']);
    for (const [k, v] of Object.entries(item.properties) as [string, { description: string }][])
      expect(v.description, k).toMatch(/\.$/);
    // An entry with every field, as the schema allows, is accepted as it is.
    const full = { name: 'n', host: 'h.example', port: 2222, user: 'u', identityFile: '~/.ssh/k', jump: 'j' };
    expect(parseTargetSetting(full)).toMatchObject(full);
    expect(item.required).toEqual(['host']);
    expect(item.additionalProperties).toBe(false);
  });
});
