// One target's history file: loaded once (up to any damage), then appended to, one record per refresh, with
// async writes queued one behind the other; rewritten from memory (compacted) when it outgrows its bound.
// Damage never throws: a cut-off tail is cut away, a corrupt file is renamed aside and reported.
import { promises as fs } from 'node:fs';
import { METRIC_FIELDS } from '../panels/series';
import { MAGIC, RecordReader, encodeRecord, encodedSize } from './codec';
import type { HistoryRecord } from './codec';
import { TargetHistory } from './targetHistory';
import type { SampleBatch } from './targetHistory';

/** The longest the replay of a file runs before it lets the event loop go on. */
const YIELD_MS = 8;
/** A compacted file aims below this share of the bound, so that appends run a while before the next one. */
const COMPACT_TARGET = 0.75;
/**
 * Each subject's share of the bound. A compacted day of float32 minutes plus 15 minutes of samples at a 2 s refresh
 * is about 229 KB a subject (measured: scripts/bench/historySize.ts); the rest leaves appends about an hour between
 * compactions. 20 MB keeps the host and 50 containers.
 */
const BYTES_PER_SUBJECT = 300 * 1024;

export type Report = (message: string) => void;

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class HistoryFile {
  readonly history: TargetHistory;
  /** Subject key -> index in the file, and the name last written for it. */
  private index = new Map<string, { i: number; name: string }>();
  private nextIndex = 0;
  private queue: Buffer[] = [];
  private size = 0;
  /** The file must be rewritten before the next append (new, damaged, or over its bound). */
  private rewrite = true;
  private chain: Promise<void> = Promise.resolve();
  private scheduled = false;

  private constructor(
    readonly path: string,
    private maxBytes: number,
    private readonly report: Report,
  ) {
    this.history = new TargetHistory(subjectsFor(maxBytes));
  }

  /** A changed setting: applies from the next write (a smaller bound compacts then). */
  setMaxBytes(maxBytes: number): void {
    this.maxBytes = maxBytes;
    this.history.maxSubjects = subjectsFor(maxBytes);
    if (this.size > maxBytes) this.rewrite = true;
  }

  /** Loads the file if there is one; never rejects (what cannot be read is reported and set aside). */
  static async open(path: string, maxBytes: number, report: Report): Promise<HistoryFile> {
    const f = new HistoryFile(path, maxBytes, report);
    let buf: Buffer;
    try {
      buf = await fs.readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') report(`History ${path}: not read (${errText(e)})`);
      return f;
    }
    const reader = new RecordReader(buf);
    const count = await f.replay(reader);
    const d = reader.damage;
    if (!d) {
      f.size = buf.length;
      f.rewrite = buf.length > maxBytes;
      return f;
    }
    if (d.reason === 'truncated') {
      // A crash mid-append: the records before it are whole; appends continue after the last of them.
      report(`History ${path}: the last record is cut off at byte ${d.offset}; read the ${count} before it.`);
      try {
        await fs.truncate(path, reader.goodBytes);
        f.size = reader.goodBytes;
        f.rewrite = reader.goodBytes < MAGIC.length;
      } catch (e) {
        report(`History ${path}: could not cut off the damaged tail (${errText(e)}); it will be rewritten.`);
      }
      return f;
    }
    const aside = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    report(
      `History ${path}: ${d.reason} at byte ${d.offset}; kept the ${count} records before it and set the file aside as ${aside}.`,
    );
    try {
      await fs.rename(path, aside);
    } catch (e) {
      report(`History ${path}: could not set it aside (${errText(e)}); it will be rewritten.`);
    }
    return f;
  }

  /**
   * Replays records into memory; a file written with other fields is read by field name. Yields to the event
   * loop every few milliseconds: a day's file takes most of a second to replay, and the extension host's thread
   * must not stall that long. Returns the number of records read.
   */
  private async replay(reader: RecordReader): Promise<number> {
    let count = 0;
    let slice = Date.now();
    let map: number[] = METRIC_FIELDS.map((_, i) => i);
    const names = new Map<number, { key: string; name: string }>();
    const pick = (col: Array<number | null>) => map.map((j) => (j >= 0 ? (col[j] ?? null) : null));
    for (let r = reader.next(); r; r = reader.next()) {
      count++;
      if (Date.now() - slice > YIELD_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        slice = Date.now();
      }
      if (r.kind === 'fields') map = METRIC_FIELDS.map((f) => r.fields.indexOf(f));
      else if (r.kind === 'subject') {
        names.set(r.index, { key: r.key, name: r.name });
        this.index.set(r.key, { i: r.index, name: r.name });
        this.nextIndex = Math.max(this.nextIndex, r.index + 1);
      } else if (r.kind === 'samples') {
        const entries: SampleBatch['entries'] = [];
        for (const e of r.entries) {
          const s = names.get(e.index);
          if (s) entries.push({ key: s.key, name: s.name, values: pick(e.values) });
        }
        this.history.apply({ t: r.t, entries });
      } else {
        for (const e of r.entries) {
          const s = names.get(e.index);
          if (s)
            this.history.putMinute(s.key, s.name, { t: r.t, min: pick(e.min), avg: pick(e.avg), max: pick(e.max) });
        }
      }
    }
    return count;
  }

  /** Adds a refresh to memory and queues its record; the write happens off this call. */
  record(batch: SampleBatch): void {
    this.history.apply(batch);
    if (this.rewrite) return this.schedule(); // the rewrite writes what memory holds, this refresh included
    const entries: Extract<HistoryRecord, { kind: 'samples' }>['entries'] = [];
    for (const e of batch.entries) {
      if (!this.history.get(e.key)) continue; // over the bound on subjects: not kept
      let known = this.index.get(e.key);
      if (!known || known.name !== e.name) {
        known = { i: known?.i ?? this.nextIndex++, name: e.name };
        // Indexes are u16: a file that has named 65,536 subjects is rewritten, which numbers them afresh.
        if (known.i > 0xffff) {
          this.rewrite = true;
          return this.schedule();
        }
        this.index.set(e.key, known);
        this.queue.push(encodeRecord({ kind: 'subject', index: known.i, key: e.key, name: e.name }));
      }
      entries.push({ index: known.i, values: e.values });
    }
    this.queue.push(encodeRecord({ kind: 'samples', t: batch.t, entries }));
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.chain = this.chain.then(() => {
      this.scheduled = false;
      return this.write();
    });
  }

  /** Resolves when everything queued so far is on disk (or reported as failed). */
  flush(): Promise<void> {
    this.schedule();
    return this.chain;
  }

  private async write(): Promise<void> {
    try {
      if (this.rewrite) return await this.compact();
      if (this.queue.length === 0) return;
      const data = Buffer.concat(this.queue.splice(0));
      await fs.appendFile(this.path, data);
      this.size += data.length;
      if (this.size > this.maxBytes) await this.compact();
    } catch (e) {
      this.report(`History ${this.path}: write failed (${errText(e)}); the file will be rewritten.`);
      this.rewrite = true;
    }
  }

  /**
   * Rewrites the file from memory into a temporary file, then renames it over the old one, so that a crash
   * leaves one whole file or the other. Over the target size even so, it keeps fewer hours of minutes.
   */
  private async compact(): Promise<void> {
    const sizeOf = (rs: HistoryRecord[]) => rs.reduce((n, r) => n + encodedSize(r), MAGIC.length);
    let records = this.history.records();
    const newest = Math.max(...this.history.subjects().map((s) => s.lastSeen), 0);
    for (let hours = 12; sizeOf(records) > this.maxBytes * COMPACT_TARGET && hours >= 0.25; hours /= 2)
      records = this.history.records(newest - hours * 3_600_000);
    // The new file's numbering holds from here, before the first await: refreshes recorded while it is being
    // encoded and written are queued with it and appended after the rename.
    this.queue = [];
    this.rewrite = false;
    this.index.clear();
    this.nextIndex = 0;
    for (const r of records)
      if (r.kind === 'subject') {
        this.index.set(r.key, { i: r.index, name: r.name });
        this.nextIndex = r.index + 1;
      }
    // Encoded in slices: a day of 30 containers is megabytes, which must not stall the extension host's thread.
    const parts: Buffer[] = [MAGIC];
    let slice = Date.now();
    for (const r of records) {
      parts.push(encodeRecord(r));
      if (Date.now() - slice > YIELD_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        slice = Date.now();
      }
    }
    const data = Buffer.concat(parts);
    const tmp = `${this.path}.tmp`;
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, this.path);
    this.size = data.length;
  }
}

/** How many subjects a file of this bound holds whole (the host and the containers seen most recently). */
function subjectsFor(maxBytes: number): number {
  return Math.max(2, Math.floor((maxBytes * COMPACT_TARGET) / BYTES_PER_SUBJECT));
}
