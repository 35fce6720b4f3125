// Hostile text end to end through the built CLI: a real container whose labels, compose project and service,
// command line and process name (comm) hold HTML, quotes, ANSI escapes, bidi controls, newlines and 100 KB
// (test/shared/hostileContainer.mjs). Tables, piped and on a terminal, must show every such character as an
// escape and cut the 100 KB; --json is data and must give back the exact strings. Expected values come from
// docker inspect and /proc/PID/{comm,cmdline} read here, and the escaped forms are written out by hand.
import { execFileSync, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMPOSE_PROJECT,
  COMPOSE_SERVICE,
  HOSTILE_ARGS,
  HOSTILE_LABEL_KEY,
  HOSTILE_LABEL_VALUE,
  SHOWN_CHARS,
  removeContainer,
  removeLeftoverHostileContainers,
  startHostileContainer,
  truncationMarker,
} from '../shared/hostileContainer.mjs';
import type { HostileContainer } from '../shared/hostileContainer.mjs';
import { dockerReady, dockerSkipReason, SHARED_FACTOR } from './env';
import { cliOnTty, hasScript } from './tty';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const isRoot = process.getuid?.() === 0;

/** The raw sequences the payloads carry; none may reach a terminal. */
const RAW = ['\x1b[31m', '\x1b[0m', '\x1b[7m', '\x1b[1m', '\x1b]0;', '\x07', '\u202e', '\u2066', '\r'];

/** How the CLI shows them (src/cli/sanitize.ts: ESC as \e), written out by hand rather than computed by it. */
const SHOWN = {
  ansi: '\\e[31mred\\e[0m',
  bidi: 'a\\u202eb',
  newline: 'line1\\nline2',
  comm: '<i>\\e[7m\\u202eZ\\n',
  project: '<img src=x onerror="window.__dmPwned=3">\\u202e',
  service: '<svg onload="window.__dmPwned=4">\\e[1m\\nsvc',
  labelKey: 'dm.<b>key</b>\\e]0;title\\x07',
  labelValue: 'v"<script>window.__dmPwned=5</script>\\u2066\\r',
};

/** A hand-made escape of just the characters the payloads hold, for the cut command line. */
function escapedByHand(text: string): string {
  const map: Record<string, string> = {
    '\x1b': '\\e',
    '\u202e': '\\u202e',
    '\u2066': '\\u2066',
    '\n': '\\n',
    '\r': '\\r',
    '\x07': '\\x07',
  };
  return text.replace(/[\x1b\u202e\u2066\n\r\x07]/g, (ch) => map[ch]);
}

function cli(args: string[]): string {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    input: '',
    maxBuffer: 64 << 20,
    timeout: 60_000 * SHARED_FACTOR,
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

/** No raw control from the payloads, and no line the payloads' newlines would have started. */
function expectInert(out: string): void {
  for (const raw of RAW) expect(out.includes(raw), `raw ${JSON.stringify(raw)} in the output`).toBe(false);
  expect(out).not.toMatch(/^(line2|svc)/m);
  expect(out).not.toContain('x'.repeat(SHOWN_CHARS + 1));
}

/** The value of a "Label   value" line of the CLI's field blocks. */
function field(out: string, label: string): string {
  const line = out.split('\n').find((l) => l.startsWith(`${label} `));
  expect(line, `no "${label}" line`).toBeDefined();
  return line!.slice(label.length).replace(/^ +/, '');
}

describe.skipIf(!dockerReady || !isRoot)(
  `hostile text from a container on the real daemon (${dockerReady ? 'dockerd' : dockerSkipReason})`,
  () => {
    let c: HostileContainer;

    beforeAll(() => {
      execFileSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'pipe' });
      removeLeftoverHostileContainers();
      c = startHostileContainer();
    });
    afterAll(() => {
      if (c) removeContainer(c.name);
    });

    it('the fixture holds what it should, read back from docker inspect and /proc', () => {
      expect(c.labels[HOSTILE_LABEL_KEY]).toBe(HOSTILE_LABEL_VALUE);
      expect(c.labels['com.docker.compose.project']).toBe(COMPOSE_PROJECT);
      expect(c.argv.slice(5)).toEqual(Object.values(HOSTILE_ARGS));
      expect(c.argv.join(' ').length).toBeGreaterThan(100_000);
    });

    it('monitor container, piped: labels, compose, comm and command shown escaped, the 100 KB cut', () => {
      const out = cli(['monitor', 'container', c.name]);
      expectInert(out);
      expect(field(out, 'Compose')).toContain(SHOWN.project);
      expect(field(out, 'Compose')).toContain(SHOWN.service);
      expect(out).toContain(`${SHOWN.labelKey}  ${SHOWN.labelValue}`);
      for (const s of [SHOWN.ansi, SHOWN.bidi, SHOWN.newline, SHOWN.comm, HOSTILE_ARGS.quotes, HOSTILE_ARGS.script])
        expect(field(out, 'Command')).toContain(s);
      expect(field(out, 'Command')).toMatch(/… \[\d+ more characters\]$/);
      const row = out.split('\n').find((l) => new RegExp(`^\\s*${c.pid}\\s+1\\s`).test(l));
      expect(row, `no process row for host PID ${c.pid}`).toContain(SHOWN.comm);
    });

    it('monitor process, piped: the name and the command line as escapes, cut at the documented length', () => {
      const out = cli(['monitor', 'process', String(c.pid)]);
      expectInert(out);
      expect(field(out, 'Name')).toBe(SHOWN.comm);
      const command = c.argv.join(' ');
      expect(field(out, 'Command')).toBe(
        escapedByHand(command.slice(0, SHOWN_CHARS)) + truncationMarker(command.length - SHOWN_CHARS),
      );
    });

    it('monitor all, piped: the container and its process rows are escaped', () => {
      const out = cli(['monitor', 'all']);
      expectInert(out);
      expect(out).toContain(c.name);
      const row = out.split('\n').find((l) => new RegExp(`^\\s*${c.pid}\\s`).test(l));
      expect(row, `no process row for PID ${c.pid}`).toContain('sh -c printf');
      expect(row).toContain(SHOWN.comm);
    });

    it.skipIf(!hasScript)('on a terminal: no raw payload control reaches the screen, the escapes do', async () => {
      for (const args of [
        ['monitor', 'container', c.name],
        ['monitor', 'process', String(c.pid)],
      ]) {
        const { status, screen } = await cliOnTty(args, {}, []);
        expect(status, screen.slice(0, 2000)).toBe(0);
        // The terminal turns each \n into \r\n (onlcr); a \r of the payload would stand alone.
        const text = screen.replace(/\r\n/g, '\n');
        expectInert(text);
        for (const s of [SHOWN.ansi, SHOWN.bidi, SHOWN.newline, SHOWN.comm]) expect(text).toContain(s);
      }
    });

    it('--json keeps every string exact: labels, compose, comm and the whole 100 KB command line', () => {
      const container = JSON.parse(cli(['monitor', 'container', c.name, '--json']));
      expect(container.labels).toEqual(c.labels);
      expect(container.compose).toEqual({ project: COMPOSE_PROJECT, service: COMPOSE_SERVICE });
      expect(container.processes).toContainEqual({ hostPid: c.pid, containerPid: 1, name: c.comm });

      const proc = JSON.parse(cli(['monitor', 'process', String(c.pid), '--json']));
      expect(proc.name).toBe(c.comm);
      // The command is the cmdline's arguments joined by spaces, as ps shows them: read from /proc here.
      expect(proc.command).toBe(c.argv.join(' '));

      const all = JSON.parse(cli(['monitor', 'all', '--json']));
      expect(all.containers.find((x: { id: string }) => x.id === c.id)?.labels).toEqual(c.labels);
      const p = all.processes.find((x: { pid: number }) => x.pid === c.pid);
      expect(p?.name).toBe(c.comm);
      expect(p?.command).toBe(c.argv.join(' '));
    });
  },
);
