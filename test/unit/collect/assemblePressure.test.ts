// PSI through the assembly: the recorded batch (fixtures/batch, a v1 hybrid host) with the same machine's PSI files
// added where the readers put them (/proc/pressure, the unified tree), checked field by field against the files
// as split here, not as the parser reads them.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleSnapshot } from '../../../src/core/collect/assembleSnapshot';
import type { PressureLine, Snapshot } from '../../../src/core/model';
import type { BatchResult } from '../../../src/core/transport/types';
import type { Recorded } from '../fixtures/batch/shape';

const recorded = JSON.parse(readFileSync(new URL('../fixtures/batch/batch.json', import.meta.url), 'utf8')) as Recorded;
const psi = (p: string): string => readFileSync(new URL(`../fixtures/pressure/${p}`, import.meta.url), 'utf8');
/** dm-limited and dm-multi: the ids of the recorded batch, whose unified-tree files the fixtures copied. */
const LIMITED = '0b10df4bcb9161409a302ebed855dcbb4662771bc616bedc9017b18f09ede36c';
const MULTI = 'f086ff12e322a886156d01e89882c3bb79ee1edded09cb142b870dd8a062106a';

function batch(extra: Record<string, string>): BatchResult {
  const b = recorded.batch;
  const files = new Map(b.files);
  for (const [k, v] of Object.entries(extra)) files.set(k, v);
  return { files, links: new Map(b.links), statfs: new Map(b.statfs), durationMs: b.durationMs };
}

const assemble = (extra: Record<string, string>): Promise<Snapshot> =>
  assembleSnapshot('local', batch(extra), structuredClone(recorded.docker), recorded.dockerRoot, 12);

/** The `some` line of a PSI file split on spaces and '='. */
function someOf(text: string): PressureLine {
  const f = Object.fromEntries(
    text
      .split('\n')[0]
      .split(' ')
      .slice(1)
      .map((kv) => [kv.split('=')[0], Number(kv.split('=')[1])]),
  );
  return { avg10: f.avg10, avg60: f.avg60, avg300: f.avg300, totalUs: f.total, totalPercent: null };
}

describe('PSI in the assembled snapshot', () => {
  it('host from /proc/pressure; containers from their unified-tree directory on this v1 host', async () => {
    const extra: Record<string, string> = {};
    for (const r of ['cpu', 'memory', 'io']) {
      extra[`/proc/pressure/${r}`] = psi(`host/${r}`);
      extra[`/sys/fs/cgroup/unified/docker/${LIMITED}/${r}.pressure`] = psi(`unified-dm-limited/${r}.pressure`);
    }
    extra[`/sys/fs/cgroup/unified/docker/${MULTI}/cpu.pressure`] = psi('unified-dm-multi/cpu.pressure');
    const s = await assemble(extra);
    expect(s.host.cgroupVersion).toBe(1);
    expect(s.host.pressure!.cpu!.some).toEqual(someOf(psi('host/cpu')));
    expect(s.host.pressure!.io!.some).toEqual(someOf(psi('host/io')));
    const limited = s.containers.find((c) => c.id === LIMITED)!;
    expect(limited.pressure!.cpu!.some).toEqual(someOf(psi('unified-dm-limited/cpu.pressure')));
    expect(limited.pressure!.memory!.some).toEqual(someOf(psi('unified-dm-limited/memory.pressure')));
    // Only its cpu file was there: memory and io are null, not an error, and its v1 figures are unchanged.
    const multi = s.containers.find((c) => c.id === MULTI)!;
    expect(multi.pressure!.cpu!.some).toEqual(someOf(psi('unified-dm-multi/cpu.pressure')));
    expect([multi.pressure!.memory, multi.pressure!.io]).toEqual([null, null]);
    expect(multi.memory.limitBytes).not.toBeNull();
  });

  it('no PSI file anywhere: pressure null on the host and every container, and no warning about it', async () => {
    const s = await assemble({});
    expect(s.host.pressure).toBeNull();
    expect(s.containers.every((c) => c.pressure === null)).toBe(true);
    expect(s.warnings.filter((w) => /pressure/i.test(w))).toEqual([]);
  });
});
