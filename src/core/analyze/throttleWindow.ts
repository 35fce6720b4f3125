// CFS throttling over the minute that PSI's avg60 averages. The interval's throttledPercent (rates.ts) covers only
// the last refresh: a container throttled hard half a minute ago, which is what put its avg60 up, reads 0 % there.
// So each container's cumulative counters are kept for that minute and the share is taken over what they span.
import type { ContainerInfo, Snapshot, ThrottledWindow } from '../model';
import { comparableElapsed, counterDelta, sameRun, throttledShare } from './rates';
import type { SampleClock } from './rates';

/** The window of PSI's avg60. */
export const THROTTLE_WINDOW_SECONDS = 60;

interface Reading {
  /** sampleUptime of the snapshot. */
  t: number;
  periods: number;
  throttled: number;
}

interface Track {
  startedAt: string | null;
  /** Oldest first, none older than the window. */
  readings: Reading[];
}

/** One per collector: it must see every snapshot of its target, in order. */
export class ThrottleWindow {
  private readonly tracks = new Map<string, Track>();
  private clock: SampleClock | null = null;

  /** `s` with each container's cpu.throttledWindow filled; remembers its counters for the next snapshots. */
  apply(s: Snapshot): Snapshot {
    // Another boot (counters from zero, a new uptime clock) or another target: nothing kept applies.
    if (comparableElapsed(this.clock, s) === null) this.tracks.clear();
    this.clock = { target: s.target, sampleUptime: s.sampleUptime, host: { bootTime: s.host.bootTime } };
    const containers = s.containers.map((c) => ({
      ...c,
      cpu: { ...c.cpu, throttledWindow: this.observe(c, s.sampleUptime) },
    }));
    const present = new Set(s.containers.map((c) => c.id));
    for (const id of this.tracks.keys()) if (!present.has(id)) this.tracks.delete(id);
    return { ...s, containers };
  }

  private observe(c: ContainerInfo, now: number): ThrottledWindow | null {
    let track = this.tracks.get(c.id);
    if (!track || !sameRun(track, c)) {
      track = { startedAt: c.startedAt, readings: [] };
      this.tracks.set(c.id, track);
    }
    const from = now - THROTTLE_WINDOW_SECONDS;
    const kept = track.readings.findIndex((r) => r.t >= from);
    track.readings = kept < 0 ? [] : track.readings.slice(kept);
    // A refresh that did not read cpu.stat leaves the older readings valid: the counters are cumulative.
    const { periods, throttledPeriods: throttled } = c.cpu;
    if (periods === null || throttled === null) return null;
    const last = track.readings.at(-1);
    if (last && (counterDelta(last.periods, periods) === null || counterDelta(last.throttled, throttled) === null))
      track.readings = [];
    const first = track.readings[0];
    track.readings.push({ t: now, periods, throttled });
    if (!first) return null;
    const percent = throttledShare(counterDelta(first.periods, periods), counterDelta(first.throttled, throttled));
    return percent === null ? null : { percent, seconds: now - first.t };
  }
}
