// The history file: round trip, a cut-off tail, a flipped byte, the bound on disk, and loading pending snapshots.
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryFile } from '../../../src/core/history/historyFile';
import { HistoryStore } from '../../../src/core/history/store';
import { HOST_KEY, batchOf } from '../../../src/core/history/targetHistory';
import type { SampleBatch } from '../../../src/core/history/targetHistory';
import { MAGIC, decodeFile } from '../../../src/core/history/codec';
import { recordedSnapshots } from './fixtures/load';

const MB = 1024 * 1024;

function dir(): string {
  return mkdtempSync(join(tmpdir(), 'dm-history-'));
}

/** The recorded refreshes, repeated with times moved forward: `n` batches, `stepMs` apart. */
function batches(n: number, stepMs = 2000, start = Date.parse('2026-12-02T10:00:00Z')): SampleBatch[] {
  const real = recordedSnapshots().map((s) => batchOf(s, 'local')!);
  return Array.from({ length: n }, (_, i) => ({ ...real[i % real.length], t: start + i * stepMs }));
}

async function written(path: string, list: SampleBatch[], maxBytes = 20 * MB): Promise<HistoryFile> {
  const reports: string[] = [];
  const f = await HistoryFile.open(path, maxBytes, (m) => reports.push(m));
  for (const b of list) {
    f.record(b);
    await f.flush();
  }
  expect(reports).toEqual([]);
  return f;
}

describe('history file', () => {
  it('round trip: what is read back equals what was recorded, at both resolutions', async () => {
    const path = join(dir(), 't.dmh');
    const list = batches(200, 2000);
    const before = await written(path, list);
    const after = await HistoryFile.open(path, 20 * MB, () => undefined);
    const keys = before.history.subjects().map((s) => s.key);
    // The recording has a container that appears in its last refresh.
    expect(keys.length).toBe(new Set(list.flatMap((b) => b.entries.map((e) => e.key))).size);
    expect(
      after.history
        .subjects()
        .map((s) => s.key)
        .sort(),
    ).toEqual([...keys].sort());
    for (const key of keys)
      for (const range of ['15m', '1h', '24h'] as const)
        expect(after.history.view(key, range)).toEqual(before.history.view(key, range));
    const host = after.history.view(HOST_KEY, '15m')!;
    expect(host.t.at(-1)).toBe(list.at(-1)!.t);
    expect(host.values.cpuPercent.at(-1)).toBe(list.at(-1)!.entries[0].values[0]);
  });

  it('a file cut off mid-record is read up to the damage, cut back, and appended to again', async () => {
    const path = join(dir(), 't.dmh');
    const list = batches(10);
    await written(path, list);
    const size = statSync(path).size;
    truncateSync(path, size - 7);
    const reports: string[] = [];
    const f = await HistoryFile.open(path, 20 * MB, (m) => reports.push(m));
    expect(reports.join('\n')).toMatch(/cut off/);
    const t = f.history.view(HOST_KEY, '15m')!.t;
    expect(t).toEqual(list.slice(0, 9).map((b) => b.t));
    expect(decodeFile(readFileSync(path)).damage).toBeNull();
    f.record(batches(1, 0, list[9].t)[0]);
    await f.flush();
    const again = await HistoryFile.open(path, 20 * MB, () => undefined);
    expect(again.history.view(HOST_KEY, '15m')!.t).toEqual(list.map((b) => b.t));
  });

  it('a flipped byte: the record fails its checksum, the records before it are kept, the file is set aside', async () => {
    const folder = dir();
    const path = join(folder, 't.dmh');
    const list = batches(10);
    await written(path, list);
    const buf = readFileSync(path);
    // The last byte belongs to the last record's payload: only that record is damaged.
    buf[buf.length - 1] ^= 0x01;
    writeFileSync(path, buf);
    const reports: string[] = [];
    const f = await HistoryFile.open(path, 20 * MB, (m) => reports.push(m));
    expect(reports.join('\n')).toMatch(/checksum at byte \d+.*set the file aside/);
    expect(f.history.view(HOST_KEY, '15m')!.t).toEqual(list.slice(0, 9).map((b) => b.t));
    expect(readdirSync(folder).filter((n) => n.startsWith('t.dmh.corrupt-'))).toHaveLength(1);
    // The next write starts a new, whole file from what was kept.
    await f.flush();
    expect(decodeFile(readFileSync(path)).damage).toBeNull();
    expect((await HistoryFile.open(path, 20 * MB, () => undefined)).history.view(HOST_KEY, '15m')!.t).toHaveLength(9);
  });

  it('not a history file: reported and set aside, never thrown', async () => {
    const folder = dir();
    const path = join(folder, 't.dmh');
    writeFileSync(path, 'hello');
    const reports: string[] = [];
    const f = await HistoryFile.open(path, 20 * MB, (m) => reports.push(m));
    expect(reports.join('\n')).toMatch(/not a history file/);
    expect(f.history.subjects()).toEqual([]);
    expect(readdirSync(folder).some((n) => n.startsWith('t.dmh.corrupt-'))).toBe(true);
  });

  it('the bound on disk holds: a day of refreshes never grows the file past it, and the newest points stay', async () => {
    const path = join(dir(), 't.dmh');
    const max = 256 * 1024;
    const reports: string[] = [];
    const f = await HistoryFile.open(path, max, (m) => reports.push(m));
    const list = batches(24 * 60 * 6, 10_000); // 24 h at a 10 s refresh
    let largest = 0;
    for (const b of list) {
      f.record(b);
      await f.flush();
      largest = Math.max(largest, statSync(path).size);
    }
    expect(reports).toEqual([]);
    expect(largest).toBeLessThanOrEqual(max);
    const back = await HistoryFile.open(path, max, () => undefined);
    expect(back.history.view(HOST_KEY, '15m')!.t.at(-1)).toBe(list.at(-1)!.t);
    expect(back.history.view(HOST_KEY, '1h')!.t.length).toBeGreaterThan(50);
  }, 60_000);

  it('refreshes recorded while a compaction is being written are in the file after it', async () => {
    const path = join(dir(), 't.dmh');
    const list = batches(6);
    // A new file is written whole (a compaction) at the first write: it starts in a microtask and then waits on
    // the disk, and no I/O completes within microtasks, so the next five refreshes arrive while it is written.
    const f = await HistoryFile.open(path, 20 * MB, () => undefined);
    f.record(list[0]);
    for (let i = 0; i < 3; i++) await Promise.resolve();
    for (const b of list.slice(1)) f.record(b);
    await f.flush();
    const back = await HistoryFile.open(path, 20 * MB, () => undefined);
    expect(back.history.view(HOST_KEY, '15m')!.t).toEqual(list.map((b) => b.t));
  });

  it('the file starts with the magic and declares its fields first', async () => {
    const path = join(dir(), 't.dmh');
    await written(path, batches(2));
    const buf = readFileSync(path);
    expect(buf.subarray(0, MAGIC.length).equals(MAGIC)).toBe(true);
    expect(decodeFile(buf).records[0].kind).toBe('fields');
  });
});

describe('history store', () => {
  it('snapshots recorded while the file loads are kept, after the loaded ones', async () => {
    const folder = dir();
    const a = new HistoryStore(folder, 20 * MB, () => undefined);
    for (const s of recordedSnapshots().slice(0, 3)) a.record('ssh:me@host:22', s, 'me@host');
    await a.flush();
    const b = new HistoryStore(folder, 20 * MB, () => undefined);
    const later = recordedSnapshots()[3];
    b.record('ssh:me@host:22', later, 'me@host');
    const h = await b.load('ssh:me@host:22');
    await b.flush();
    expect(h.view(HOST_KEY, '15m')!.t).toEqual(
      [...recordedSnapshots().slice(0, 4)].map((s) => Date.parse(s.collectedAt)),
    );
  });

  it('forget deletes the file of a removed target after its queued writes, and leaves the others', async () => {
    const folder = dir();
    const store = new HistoryStore(folder, 20 * MB, () => undefined);
    const [first, second] = recordedSnapshots();
    store.record('ssh:a@host:22', first, 'a@host');
    store.record('ssh:b@host:22', first, 'b@host');
    await store.flush();
    expect(readdirSync(folder)).toHaveLength(2);
    // Not flushed: the append queued for this refresh must not bring the file back after the delete.
    store.record('ssh:a@host:22', second, 'a@host');
    await store.forget('ssh:a@host:22');
    await new Promise((r) => setTimeout(r, 50));
    const left = readdirSync(folder);
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(/^ssh_b_host_22-[0-9a-f]{10}\.dmh$/);
    expect(store.loaded('ssh:a@host:22')).toBeNull();
    // The same target added again starts empty.
    const again = await store.load('ssh:a@host:22');
    expect(again.subjects()).toEqual([]);
  });

  it('removeStale deletes history files unwritten for over a day that no target has loaded, and week-old corrupt ones', async () => {
    const folder = dir();
    const store = new HistoryStore(folder, 20 * MB, () => undefined);
    store.record('local', recordedSnapshots()[0], 'local');
    await store.flush();
    const [loaded] = readdirSync(folder);
    const now = Date.now();
    const hoursAgo = (h: number) => (now - h * 3_600_000) / 1000;
    const files: Record<string, number> = {
      'gone-0123456789.dmh': 26,
      'gone-0123456789.dmh.tmp': 26,
      'recent-0123456789.dmh': 23,
      'bad-0123456789.dmh.corrupt-2026-11-20T10-00-00-000Z': 8 * 24,
      'bad-0123456789.dmh.corrupt-2026-11-30T10-00-00-000Z': 6 * 24,
      'notes.txt': 48,
      [loaded]: 30,
    };
    for (const [name, hours] of Object.entries(files)) {
      if (name !== loaded) writeFileSync(join(folder, name), MAGIC);
      utimesSync(join(folder, name), hoursAgo(hours), hoursAgo(hours));
    }
    const removed = await store.removeStale(now);
    expect(removed.sort()).toEqual([
      'bad-0123456789.dmh.corrupt-2026-11-20T10-00-00-000Z',
      'gone-0123456789.dmh',
      'gone-0123456789.dmh.tmp',
    ]);
    expect(readdirSync(folder).sort()).toEqual(
      [loaded, 'notes.txt', 'recent-0123456789.dmh', 'bad-0123456789.dmh.corrupt-2026-11-30T10-00-00-000Z'].sort(),
    );
    expect(existsSync(join(folder, loaded))).toBe(true);
  });
});
