// The throttling window on dm-limited's counters at chosen moments (fixtures/snapshots/cfsRun.ts); the expected
// shares are computed by hand from the counters.
import { describe, expect, it } from 'vitest';
import { THROTTLE_WINDOW_SECONDS, ThrottleWindow } from '../../../src/core/analyze/throttleWindow';
import type { ContainerInfo, Snapshot, ThrottledWindow } from '../../../src/core/model';
import { CFS_CONTAINER, cfsSnapshot, runnable } from '../fixtures/snapshots/cfsRun';
import type { CfsReading } from '../fixtures/snapshots/cfsRun';
import { containerNamed } from '../fixtures/snapshots/machine';

const windowOf = (s: Snapshot): ThrottledWindow | null => containerNamed(s, CFS_CONTAINER).cpu.throttledWindow;

/** Each reading through one window, in order; `change` alters the container of the reading at that index. */
function windows(readings: CfsReading[], change: Record<number, (c: ContainerInfo) => void> = {}) {
  const w = new ThrottleWindow();
  return readings.map((r, i) => windowOf(w.apply(cfsSnapshot(r, change[i]))));
}

describe('ThrottleWindow', () => {
  it('is the share since the oldest reading of the last 60 s, and the seconds that spans', () => {
    // 4 throttled periods a second for the first 40 s, none after.
    const got = windows(runnable(90, 10, (t) => Math.min(t, 40) * 4));
    expect(THROTTLE_WINDOW_SECONDS).toBe(60);
    expect(got[0]).toBeNull();
    expect(got[1]).toEqual({ percent: 40, seconds: 10 });
    // t = 60: from t = 0, exactly 60 s old and kept: 160 of 600.
    expect(got[6]!.seconds).toBe(60);
    expect(got[6]!.percent).toBeCloseTo((160 / 600) * 100, 9);
    // t = 90: t = 0..20 are trimmed; from t = 30: (40 - 30) x 4 = 40 of 600.
    expect(got[9]!.seconds).toBe(60);
    expect(got[9]!.percent).toBeCloseTo((40 / 600) * 100, 9);
  });

  it('trims by time, not by count: a reading 61 s old is gone, the next one starts the window', () => {
    const got = windows([
      { t: 0, periods: 0, throttled: 0 },
      { t: 30, periods: 300, throttled: 300 },
      { t: 61, periods: 610, throttled: 300 },
    ]);
    expect(got[2]).toEqual({ percent: 0, seconds: 31 });
    // Refreshes more than a window apart leave nothing to compare with: unknown, not 0 %.
    expect(
      windows([
        { t: 0, periods: 0, throttled: 0 },
        { t: 70, periods: 700, throttled: 0 },
      ]),
    ).toEqual([null, null]);
  });

  it('starts over when the container restarted (another startedAt)', () => {
    const restarted = (c: ContainerInfo) => (c.startedAt = '2026-11-25T13:40:00.000000000Z');
    const got = windows(
      [
        { t: 0, periods: 0, throttled: 0 },
        { t: 10, periods: 100, throttled: 100 },
        { t: 20, periods: 50, throttled: 0 },
        { t: 30, periods: 150, throttled: 10 },
      ],
      { 2: restarted, 3: restarted },
    );
    expect(got).toEqual([null, { percent: 100, seconds: 10 }, null, { percent: 10, seconds: 10 }]);
  });

  it('starts over when a counter goes backwards under the same run (a reset)', () => {
    const got = windows([
      { t: 0, periods: 100, throttled: 50 },
      { t: 10, periods: 200, throttled: 60 },
      // periods grew past the first reading's, throttled went back below the last one's.
      { t: 20, periods: 300, throttled: 55 },
      { t: 30, periods: 400, throttled: 75 },
    ]);
    expect(got).toEqual([null, { percent: 10, seconds: 10 }, null, { percent: 20, seconds: 10 }]);
  });

  it('is 0 % when no period elapsed (idle, or no quota), null while the counters are unknown', () => {
    const got = windows([
      { t: 0, periods: 30, throttled: 3 },
      { t: 10, periods: 30, throttled: 3 },
      // A refresh that did not read cpu.stat: the readings before it still count.
      { t: 20, periods: null, throttled: null },
      { t: 30, periods: 130, throttled: 13 },
    ]);
    expect(got).toEqual([null, { percent: 0, seconds: 10 }, null, { percent: 10, seconds: 30 }]);
  });

  it('forgets a container that leaves the snapshot: back under the same run, it starts over', () => {
    const w = new ThrottleWindow();
    w.apply(cfsSnapshot({ t: 0, periods: 0, throttled: 0 }));
    const gone = cfsSnapshot({ t: 10, periods: 100, throttled: 0 });
    gone.containers = gone.containers.filter((c) => c.name !== CFS_CONTAINER);
    w.apply(gone);
    const back = cfsSnapshot({ t: 20, periods: 200, throttled: 100 });
    expect(windowOf(w.apply(back))).toBeNull();
    expect(windowOf(w.apply(cfsSnapshot({ t: 30, periods: 300, throttled: 100 })))).toEqual({
      percent: 0,
      seconds: 10,
    });
  });

  it('starts over after a reboot, and leaves the snapshot it is given unchanged', () => {
    const w = new ThrottleWindow();
    w.apply(cfsSnapshot({ t: 0, periods: 0, throttled: 0 }));
    const rebooted = cfsSnapshot({ t: 10, periods: 100, throttled: 0 });
    rebooted.host.bootTime += 3600;
    expect(windowOf(w.apply(rebooted))).toBeNull();
    const next = cfsSnapshot({ t: 20, periods: 200, throttled: 0 });
    next.host.bootTime += 3600;
    expect(windowOf(w.apply(next))).toEqual({ percent: 0, seconds: 10 });
    expect(windowOf(next)).toBeNull();
  });
});
