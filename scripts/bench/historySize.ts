// Figures for docs/history.md: bytes a refresh adds to a history file per container, and the time to load a
// file holding a full day (host + 10 and host + 50 containers at a 2 s refresh, bound 20 MB). Run from the repo's root:
//   npx esbuild scripts/bench/historySize.ts --bundle --platform=node --outfile=/tmp/historySize.cjs && node /tmp/historySize.cjs
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { HistoryFile } from '../../src/core/history/historyFile';
import { batchOf } from '../../src/core/history/targetHistory';
import type { SampleBatch } from '../../src/core/history/targetHistory';
import { snapshotFromJson } from '../../test/unit/fixtures/snapshotJson';

const MB = 1024 * 1024;
const lines = readFileSync(join('test', 'unit', 'history', 'fixtures', 'watch-all.ndjson'), 'utf8')
  .split('\n')
  .filter(Boolean);
const real = lines.map((l) => batchOf(snapshotFromJson(l), 'local')!);

/** `containers` containers (copies of the recorded ones under other ids) and the host, `n` refreshes. */
function batches(n: number, containers: number, stepMs: number): SampleBatch[] {
  const t0 = Date.parse('2026-12-01T00:00:00Z');
  return Array.from({ length: n }, (_, i) => {
    const r = real[i % real.length];
    const cs = r.entries.slice(1);
    const entries = [r.entries[0]];
    for (let k = 0; k < containers; k++) {
      const c = cs[k % cs.length];
      // The same id for container k in every refresh, whichever recorded container lends it its figures.
      entries.push({ ...c, key: `${'f'.repeat(56)}${String(k).padStart(8, '0')}`, name: `container-${k}` });
    }
    return { t: t0 + i * stepMs, entries };
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'dm-history-size-'));
  // Bytes per refresh: the growth of an append-only file between two refreshes, at 1 and at 10 containers.
  for (const containers of process.argv[2] ? [] : [1, 10]) {
    const path = join(dir, `per-refresh-${containers}.dmh`);
    const f = await HistoryFile.open(path, 20 * MB, console.error);
    const list = batches(101, containers, 2000);
    f.record(list[0]);
    await f.flush();
    const start = statSync(path).size;
    for (const b of list.slice(1)) f.record(b);
    await f.flush();
    const perRefresh = (statSync(path).size - start) / 100;
    console.log(
      `${containers} container(s) + host: ${perRefresh.toFixed(1)} bytes per refresh, ` +
        `${((perRefresh - 19 - 90) / containers).toFixed(1)} per container (a day at 2 s: ${((perRefresh * 43200) / MB).toFixed(1)} MB before compaction)`,
    );
  }
  const days = process.argv[2] ? process.argv[2].split(',').map(Number) : [10, 50];
  for (const containers of days) await day(dir, containers);
}

/**
 * A full day: 43,200 refreshes of the host and `containers` containers, written with the default bound, then
 * loaded back: how big, how long, and whether every subject kept its whole day (the host and 50 containers are what 20 MB promises).
 */
async function day(dir: string, containers: number): Promise<void> {
  const path = join(dir, `day-${containers}.dmh`);
  const f = await HistoryFile.open(path, 20 * MB, console.error);
  const list = batches(43_200, containers, 2000);
  const w0 = process.hrtime.bigint();
  // The longest synchronous stretch of one refresh's record() and its write (a compaction encodes the whole file).
  let longest = 0;
  let largest = 0;
  const writeDelay = monitorEventLoopDelay({ resolution: 1 });
  writeDelay.enable();
  for (let i = 0; i < list.length; i++) {
    const r0 = process.hrtime.bigint();
    f.record(list[i]);
    longest = Math.max(longest, Number(process.hrtime.bigint() - r0) / 1e6);
    await f.flush();
    if (i % 1000 === 999) largest = Math.max(largest, statSync(path).size);
  }
  const writeMs = Number(process.hrtime.bigint() - w0) / 1e6;
  writeDelay.disable();
  const size = statSync(path).size;
  const times: number[] = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let wholeDays = 0;
  for (let k = 0; k < 5; k++) {
    const t0 = process.hrtime.bigint();
    const back = await HistoryFile.open(path, 20 * MB, console.error);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    wholeDays = list[0].entries.filter((e) => (back.history.view(e.key, '24h')?.t.length ?? 0) >= 1400).length;
  }
  delay.disable();
  times.sort((a, b) => a - b);
  console.log(
    `a day, host + ${containers} containers, 2 s refresh: file ${(size / MB).toFixed(2)} MB at the end, ` +
      `${(largest / MB).toFixed(2)} MB at most (bound 20 MB); ${wholeDays} of ${containers + 1} subjects keep the whole day; ` +
      `writing it took ${(writeMs / 1000).toFixed(1)} s for 43,200 refreshes (${(writeMs / 43200).toFixed(3)} ms each); ` +
      `loading it: median ${times[2].toFixed(0)} ms, max ${times[4].toFixed(0)} ms of 5; ` +
      `longest event-loop delay while loading ${(delay.max / 1e6).toFixed(0)} ms (p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms); ` +
      `longest record() call ${longest.toFixed(1)} ms; longest event-loop delay while writing ` +
      `${(writeDelay.max / 1e6).toFixed(0)} ms (a compaction)`,
  );
}

void main();
