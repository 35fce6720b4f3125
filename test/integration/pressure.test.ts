// PSI on the real machine, checked against the kernel's files read another way (awk and cat, at about the same
// moment): the collector's host pressure and a busy, CPU-limited container's cpu.pressure, locally and over SSH.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pressure, PressureSet, Snapshot } from '../../src/core/model';
import { Collector } from '../../src/core/collect/collector';
import { LocalTransport } from '../../src/core/transport/local';
import { openTransport, parseTarget } from '../../src/core/transport/target';
import type { Transport } from '../../src/core/transport/types';
import { TEST_LABEL, dockerReady, dockerSkipReason, makeSshHome, run, sshReady, sshSkipReason } from './env';

const RESOURCES = ['cpu', 'memory', 'io'] as const;
const KINDS = ['some', 'full'] as const;
const AVGS = { avg10: 10, avg60: 60, avg300: 300 } as const;
/** psi.c's PSI_FREQ: the averages are recomputed every 2 s, the totals on every task state change. */
const AVG_PERIOD_S = 2;
const hasPsi = existsSync('/proc/pressure/cpu');

/** `kind field value` rows of PSI files, split by awk: the oracle shares no code with the parser. */
type Fields = Map<string, number>;
function awkFields(files: Record<string, string>): Fields {
  const out = new Map<string, number>();
  for (const [name, path] of Object.entries(files)) {
    if (!existsSync(path)) continue;
    const rows = execFileSync(
      'awk',
      ['{ for (i = 2; i <= NF; i++) { split($i, kv, "="); print $1, kv[1], kv[2] } }', path],
      {
        encoding: 'utf8',
      },
    );
    for (const row of rows.trim().split('\n')) {
      const [kind, field, value] = row.split(' ');
      out.set(`${name} ${kind} ${field}`, Number(value));
    }
  }
  return out;
}

/**
 * Ours against reads taken before and after it: a total is monotonic, so it lies between the two; an average
 * equals one of them when at most one recomputation fell between, and moves by at most 100 × (1 − e^(−2/window))
 * per recomputation otherwise.
 */
function checkBetween(set: PressureSet | null, before: Fields, after: Fields, spanS: number): number {
  expect(set).not.toBeNull();
  let checked = 0;
  for (const r of RESOURCES) {
    const p: Pressure | null = set![r];
    if (!before.has(`${r} some total`)) {
      expect(p).toBeNull();
      continue;
    }
    for (const kind of KINDS) {
      const line = kind === 'some' ? p!.some : p!.full;
      const key = (f: string): string => `${r} ${kind} ${f}`;
      if (!before.has(key('total'))) continue;
      expect(line, key('')).not.toBeNull();
      expect(line!.totalUs, key('total')).toBeGreaterThanOrEqual(before.get(key('total'))!);
      expect(line!.totalUs, key('total')).toBeLessThanOrEqual(after.get(key('total'))!);
      const recomputations = Math.floor(spanS / AVG_PERIOD_S) + 1;
      for (const [f, window] of Object.entries(AVGS)) {
        const step = recomputations > 1 ? recomputations * 100 * (1 - Math.exp(-AVG_PERIOD_S / window)) : 0;
        const [a, b] = [before.get(key(f))!, after.get(key(f))!];
        const got = line![f as keyof typeof AVGS];
        expect(got, key(f)).toBeGreaterThanOrEqual(Math.min(a, b) - step - 1e-9);
        expect(got, key(f)).toBeLessThanOrEqual(Math.max(a, b) + step + 1e-9);
      }
      checked++;
    }
  }
  return checked;
}

const HOST_FILES = Object.fromEntries(RESOURCES.map((r) => [r, `/proc/pressure/${r}`]));

/** The container's PSI directory found by listing, not by the collector: v1's unified tree, or v2's own. */
function psiDir(id: string): string {
  const dirs = [
    `/sys/fs/cgroup/unified/docker/${id}`,
    `/sys/fs/cgroup/docker/${id}`,
    `/sys/fs/cgroup/system.slice/docker-${id}.scope`,
  ];
  const dir = dirs.find((d) => existsSync(`${d}/cpu.pressure`));
  if (!dir) throw new Error(`no cpu.pressure for ${id} in ${dirs.join(', ')}`);
  return dir;
}

/** The same through `cat` piped to our own split: `cat` reads what any tool would. */
function catFields(dir: string): Fields {
  const out = new Map<string, number>();
  for (const r of RESOURCES) {
    const text = execFileSync('cat', [`${dir}/${r}.pressure`], { encoding: 'utf8' });
    for (const line of text.trim().split('\n')) {
      const [kind, ...pairs] = line.split(' ');
      for (const pair of pairs) out.set(`${r} ${kind} ${pair.split('=')[0]}`, Number(pair.split('=')[1]));
    }
  }
  return out;
}

const BUSY = `dm-psi-${process.pid}-${Date.now().toString(36)}`;
let busyId = '';

function suite(label: string, open: () => Promise<Transport>): void {
  describe(label, () => {
    let collector: Collector;
    beforeAll(async () => {
      collector = new Collector(await open());
    });
    afterAll(() => collector?.close());

    it('host pressure lies between two reads of /proc/pressure by awk, and so does its stall rate', async () => {
      const a = awkFields(HOST_FILES);
      const tA = performance.now();
      const first = await collector.sample();
      const b = awkFields(HOST_FILES);
      const tB = performance.now();
      expect(checkBetween(first.host.pressure, a, b, (tB - tA) / 1000)).toBeGreaterThanOrEqual(RESOURCES.length);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const c = awkFields(HOST_FILES);
      const tC = performance.now();
      const second: Snapshot = await collector.sample();
      const d = awkFields(HOST_FILES);
      const tD = performance.now();
      checkBetween(second.host.pressure, c, d, (tD - tC) / 1000);
      // Δ total over the interval, from the outermost and innermost pairs of reads and of wall-clock times.
      const key = 'cpu some total';
      const low = (c.get(key)! - b.get(key)!) / ((tD - tA) * 1000);
      const high = (d.get(key)! - a.get(key)!) / ((tC - tB) * 1000);
      const got = second.host.pressure!.cpu!.some.totalPercent!;
      expect(got).toBeGreaterThanOrEqual(Math.min(100, low * 100) - 1e-9);
      expect(got).toBeLessThanOrEqual(Math.min(100, high * 100) + 1e-9);
    });

    it('a busy container held at --cpus 0.2: its cpu.pressure as cat reads it, memory and io present', async () => {
      const dir = psiDir(busyId);
      const before = catFields(dir);
      const t0 = performance.now();
      const s = await collector.sample();
      const after = catFields(dir);
      const c = s.containers.find((x) => x.id === busyId);
      expect(c, BUSY).toBeDefined();
      expect(checkBetween(c!.pressure, before, after, (performance.now() - t0) / 1000)).toBe(
        RESOURCES.length * KINDS.length,
      );
      // The stall is real: a loop that never sleeps, allowed a fifth of a CPU, waits the rest of the time.
      expect(c!.pressure!.cpu!.some.totalUs).toBeGreaterThan(0);
    });
  });
}

describe.skipIf(!dockerReady || !hasPsi)(`PSI (${!hasPsi ? 'no /proc/pressure' : dockerSkipReason})`, () => {
  beforeAll(async () => {
    busyId = run('docker', [
      'run',
      '-d',
      '--cpus',
      '0.2',
      '--label',
      TEST_LABEL,
      '--name',
      BUSY,
      'dm-busybox:test',
      'sh',
      '-c',
      'while :; do :; done',
    ]).trim();
    // Until the kernel has recorded some stall for it (a throttled period counts as one).
    const dir = psiDir(busyId);
    for (let i = 0; i < 50 && !((catFields(dir).get('cpu some total') ?? 0) > 0); i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
  }, 30_000);
  afterAll(() => {
    if (busyId) run('docker', ['rm', '-f', busyId]);
  });

  suite('local', async () => new LocalTransport());
  describe.skipIf(!sshReady)(`SSH (${sshSkipReason})`, () => {
    suite('through the test sshd', async () => openTransport(parseTarget('dmtest'), { home: makeSshHome().home }));
  });
});
