// Every target's history, one file each in a folder (the extension's global storage): loaded when a target
// first reports, recorded on each new snapshot, flushed on shutdown. Snapshots that arrive while a file loads
// wait for it, so that the file's older points are in place before newer ones. Pure Node (no vscode).
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { Snapshot } from '../model';
import { HistoryFile } from './historyFile';
import type { Report } from './historyFile';
import { batchOf } from './targetHistory';
import type { SampleBatch, TargetHistory } from './targetHistory';

/** Snapshots held while a file loads (a load takes well under a second; this is a bound, not a budget). */
const MAX_PENDING = 100;

/** A file older than this holds no point the history still shows (a day of minutes, plus an hour). */
const STALE_MS = 25 * 3_600_000;
/** A file set aside as corrupt stays a week, for whoever reads the output channel's report of it. */
const CORRUPT_KEPT_MS = 7 * 24 * 3_600_000;

interface Entry {
  file: HistoryFile | null;
  pending: SampleBatch[];
  loading: Promise<HistoryFile>;
}

/** A file name from a target id: readable, and unique through a hash (ids may hold `@`, `:` or `/`). */
function historyFileName(targetId: string): string {
  const readable = targetId.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
  const hash = createHash('sha256').update(targetId).digest('hex').slice(0, 10);
  return `${readable}-${hash}.dmh`;
}

export class HistoryStore {
  private readonly entries = new Map<string, Entry>();
  private ready: Promise<void> | null = null;

  constructor(
    readonly dir: string,
    private maxBytesPerTarget: number,
    private readonly report: Report,
  ) {}

  setMaxBytes(maxBytes: number): void {
    this.maxBytesPerTarget = maxBytes;
    for (const e of this.entries.values()) e.file?.setMaxBytes(maxBytes);
  }

  private mkdir(): Promise<void> {
    this.ready ??= fs.mkdir(this.dir, { recursive: true }).then(
      () => undefined,
      (e: unknown) => this.report(`History folder ${this.dir}: ${e instanceof Error ? e.message : String(e)}`),
    );
    return this.ready;
  }

  /** Starts loading a target's file (at activation and at first connection); the same promise after. */
  load(targetId: string): Promise<TargetHistory> {
    let e = this.entries.get(targetId);
    if (!e) {
      const entry: Entry = {
        file: null,
        pending: [],
        loading: this.mkdir().then(() =>
          HistoryFile.open(join(this.dir, historyFileName(targetId)), this.maxBytesPerTarget, this.report),
        ),
      };
      entry.loading = entry.loading.then((file) => {
        entry.file = file;
        for (const b of entry.pending.splice(0)) file.record(b);
        return file;
      });
      this.entries.set(targetId, entry);
      e = entry;
    }
    return e.loading.then((f) => f.history);
  }

  /** Records a target's new snapshot (the same snapshot twice is ignored by time). */
  record(targetId: string, snapshot: Snapshot, label: string): void {
    const batch = batchOf(snapshot, label);
    if (!batch) return;
    void this.load(targetId);
    const e = this.entries.get(targetId)!;
    if (e.file) e.file.record(batch);
    else if (e.pending.length < MAX_PENDING) e.pending.push(batch);
  }

  /** The target's history if its file has loaded (panels opened before that get it with a later message). */
  loaded(targetId: string): TargetHistory | null {
    return this.entries.get(targetId)?.file?.history ?? null;
  }

  /**
   * Deletes a removed target's file once its queued writes are done. Later snapshots of the same id start a new
   * file: the caller stops recording first (a refresh may still be on its way when the target is removed).
   */
  async forget(targetId: string): Promise<void> {
    const e = this.entries.get(targetId);
    this.entries.delete(targetId);
    if (e) await e.loading.then((f) => f.flush());
    const path = join(this.dir, historyFileName(targetId));
    await Promise.all([path, `${path}.tmp`].map((p) => this.unlink(p)));
  }

  /**
   * Deletes the files not written for longer than the history keeps (a day, plus an hour for clocks): every point
   * in them is past, so nothing is lost. Files of targets removed from the settings by hand end this way; files
   * set aside as corrupt after a week.
   */
  async removeStale(now = Date.now()): Promise<string[]> {
    await this.mkdir();
    const names = await fs.readdir(this.dir).catch(() => [] as string[]);
    // Asked again for each file: a target added while this runs starts loading its file meanwhile.
    const loaded = (file: string) => [...this.entries.keys()].some((id) => historyFileName(id) === file);
    const removed: string[] = [];
    for (const name of names) {
      const m = /^(.+\.dmh)(\.tmp|\.corrupt-[\w-]+)?$/.exec(name);
      if (!m) continue;
      const corrupt = m[2]?.startsWith('.corrupt') ?? false;
      const path = join(this.dir, name);
      const stat = await fs.stat(path).catch(() => null);
      if (!stat?.isFile() || stat.mtimeMs >= now - (corrupt ? CORRUPT_KEPT_MS : STALE_MS)) continue;
      if (!corrupt && loaded(m[1])) continue;
      if (await this.unlink(path)) removed.push(name);
    }
    return removed;
  }

  private async unlink(path: string): Promise<boolean> {
    try {
      await fs.unlink(path);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
        this.report(`History ${path}: not deleted (${e instanceof Error ? e.message : String(e)})`);
      return false;
    }
  }

  /** Waits until every queued write is on disk. */
  async flush(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.loading.then((f) => f.flush())));
  }
}
