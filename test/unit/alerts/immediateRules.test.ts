// The event rules (OOM kill, non-zero exit, restart loop, unhealthy) on the event stream recorded from the real
// daemon (fixtures/docker/events-alerts.ndjson, README there), and on synthetic events for the edges. Expected
// values come from the recorded events themselves (names, times, exit codes), never from the code under test.
import { describe, expect, it } from 'vitest';
import { AlertEngine } from '../../../src/core/alerts/engine';
import { parseAlertSettings } from '../../../src/core/alerts/settings';
import type { AlertTransition } from '../../../src/core/alerts/types';
import { ID, T0, ev, iso, recordedEvents, snap } from './helpers';

function replay(engine: AlertEngine, events = recordedEvents()): AlertTransition[] {
  return events.flatMap((e) => engine.onEvent(e, e.timeNano / 1e6 + 50));
}

const eventsOf = (name: string, action: string) =>
  recordedEvents().filter((e) => e.Actor.Attributes?.name === name && e.Action === action);

describe('the recorded stream', () => {
  const transitions = replay(new AlertEngine({ targetId: 'local' }));
  const of = (name: string) => transitions.filter((t) => t.alert.subject.name === name).map((t) => t.alert);

  it('every alert is one start, already ended at its start (immediate)', () => {
    expect(transitions.length).toBeGreaterThan(0);
    for (const t of transitions) {
      expect(t.type).toBe('start');
      expect(t.alert.endedAt).toBe(t.alert.startedAt);
    }
  });

  it('the OOM kill: one oom-killed alert at the oom event time, and no exited-nonzero for its 137', () => {
    const [oom] = eventsOf('dm-alrec-oom', 'oom');
    const [die] = eventsOf('dm-alrec-oom', 'die');
    expect(die.Actor.Attributes?.exitCode).toBe('137');
    expect(of('dm-alrec-oom')).toEqual([
      expect.objectContaining({
        rule: 'oom-killed',
        severity: 'critical',
        targetId: 'local',
        subject: { kind: 'container', id: oom.Actor.ID, name: 'dm-alrec-oom' },
        startedAt: iso(oom.timeNano / 1e6),
      }),
    ]);
  });

  it('the restart loop: exited-nonzero for each die until the third restart, then one restart-loop alert', () => {
    const starts = eventsOf('dm-alrec-loop', 'start');
    const dies = eventsOf('dm-alrec-loop', 'die');
    expect(dies.every((d) => d.Actor.Attributes?.exitCode === '1')).toBe(true);
    const alerts = of('dm-alrec-loop');
    // starts[0] is the first start; starts[3] the third restart.
    expect(alerts.map((a) => a.rule)).toEqual(['exited-nonzero', 'exited-nonzero', 'exited-nonzero', 'restart-loop']);
    expect(alerts.slice(0, 3).map((a) => a.startedAt)).toEqual(dies.slice(0, 3).map((d) => iso(d.timeNano / 1e6)));
    expect(alerts[3].startedAt).toBe(iso(starts[3].timeNano / 1e6));
    expect(alerts[3].evidence).toMatchObject({ restarts: 3, threshold: 3, windowSeconds: 300 });
    expect(alerts[0].evidence.exitCode).toBe(1);
  });

  it('docker stop (kill 15, kill 9, die 137) and docker kill / rm -f raise nothing', () => {
    expect(eventsOf('dm-alrec-stop', 'die')[0].Actor.Attributes?.exitCode).toBe('137');
    expect(of('dm-alrec-stop')).toEqual([]);
  });

  it('unhealthy once per start of the health-checked container (killed by a person in between: no exit alert)', () => {
    const unhealthy = eventsOf('dm-alrec-health', 'health_status: unhealthy');
    expect(unhealthy).toHaveLength(2);
    expect(of('dm-alrec-health').map((a) => [a.rule, a.startedAt])).toEqual(
      unhealthy.map((e) => ['unhealthy', iso(e.timeNano / 1e6)]),
    );
  });

  it('a rule turned off raises nothing', () => {
    const off = parseAlertSettings({ rules: { 'oom-killed': false, 'restart-loop': { enabled: false } } });
    const t = replay(new AlertEngine({ targetId: 'local', settings: off }));
    expect(t.some((x) => x.alert.rule === 'oom-killed' || x.alert.rule === 'restart-loop')).toBe(false);
    expect(t.some((x) => x.alert.rule === 'exited-nonzero')).toBe(true);
  });
});

describe('restart loop counting', () => {
  /** die (exit 1) then start, `n` times, at the given seconds after T0. */
  const loop = (engine: AlertEngine, seconds: number[]) =>
    [engine.onEvent(ev('start', T0 - 1000), T0 - 1000)].concat(
      seconds.map((s) => [
        ...engine.onEvent(ev('die', T0 + s * 1000 - 500, { exitCode: '1' }), T0 + s * 1000 - 500),
        ...engine.onEvent(ev('start', T0 + s * 1000), T0 + s * 1000),
      ]),
    );
  const loops = (t: AlertTransition[][]) => t.flat().filter((x) => x.alert.rule === 'restart-loop');

  it('3 restarts within 5 minutes: the alert at the third', () => {
    const t = loop(new AlertEngine({ targetId: 'l' }), [0, 120, 240]);
    expect(loops(t).map((x) => x.alert.startedAt)).toEqual([iso(T0 + 240_000)]);
  });

  it('3 restarts spanning exactly 5 minutes: the first is out of the window, no alert', () => {
    expect(loops(loop(new AlertEngine({ targetId: 'l' }), [0, 150, 300]))).toEqual([]);
  });

  it('one alert while the loop goes on; again after it fell below the threshold', () => {
    const t = loop(new AlertEngine({ targetId: 'l' }), [0, 1, 2, 3, 4, 5, 1000, 1001, 1002]);
    expect(loops(t).map((x) => x.alert.startedAt)).toEqual([iso(T0 + 2000), iso(T0 + 1_002_000)]);
  });

  it('dies inside a running loop are not reported again as exits', () => {
    const t = loop(new AlertEngine({ targetId: 'l' }), [0, 1, 2, 3, 4]).flat();
    expect(t.filter((x) => x.alert.rule === 'exited-nonzero')).toHaveLength(3);
  });

  it('docker restart by a person (kill, die 143, stop, start, restart) three times is no loop', () => {
    const engine = new AlertEngine({ targetId: 'l' });
    const t = [0, 10, 20].flatMap((s) => {
      const at = T0 + s * 1000;
      return [
        ev('kill', at, { signal: '15' }),
        ev('die', at + 100, { exitCode: '143' }),
        ev('stop', at + 150),
        ev('start', at + 300),
        ev('restart', at + 310),
      ].flatMap((e) => engine.onEvent(e, e.timeNano / 1e6));
    });
    expect(t).toEqual([]);
  });

  it('a custom threshold and window', () => {
    const settings = parseAlertSettings({ rules: { 'restart-loop': { threshold: 2, windowSeconds: 10 } } });
    expect(loops(loop(new AlertEngine({ targetId: 'l', settings }), [0, 11, 30]))).toEqual([]);
    expect(loops(loop(new AlertEngine({ targetId: 'l', settings }), [0, 9]))).toHaveLength(1);
  });
});

describe('exits', () => {
  it('exit 0 and a die without an exit code raise nothing; exit 2 does', () => {
    const engine = new AlertEngine({ targetId: 'l' });
    expect(engine.onEvent(ev('die', T0, { exitCode: '0' }), T0)).toEqual([]);
    expect(engine.onEvent(ev('die', T0 + 1), T0 + 1)).toEqual([]);
    const [t] = engine.onEvent(ev('die', T0 + 2, { exitCode: '2' }), T0 + 2);
    expect(t.alert).toMatchObject({ rule: 'exited-nonzero', message: 'dm-x exited with code 2' });
  });

  it('a kill before the die marks it as a person’s, until the next start', () => {
    const engine = new AlertEngine({ targetId: 'l' });
    engine.onEvent(ev('kill', T0, { signal: '9' }), T0);
    expect(engine.onEvent(ev('die', T0 + 100, { exitCode: '137' }), T0 + 100)).toEqual([]);
    engine.onEvent(ev('start', T0 + 200), T0 + 200);
    expect(engine.onEvent(ev('die', T0 + 300, { exitCode: '137' }), T0 + 300)).toHaveLength(1);
  });

  it('events of other types or without a container id are ignored', () => {
    const engine = new AlertEngine({ targetId: 'l' });
    expect(engine.onEvent({ ...ev('oom', T0), Type: 'network' }, T0)).toEqual([]);
    expect(engine.onEvent({ ...ev('oom', T0, {}, 'nope'), id: 'nope' }, T0)).toEqual([]);
  });
});

describe('OOM: the event and the cgroup counter are one kill', () => {
  const withKills = (at: number, n: number | null) =>
    snap(at, (_s, c) => {
      const x = c('dm-limited');
      x.id = ID;
      x.memory.oomKills = n;
    });
  const ooms = (t: AlertTransition[]) => t.filter((x) => x.alert.rule === 'oom-killed');

  it('the event first, then a refresh whose counter rose by one: one alert (from the event)', () => {
    const engine = new AlertEngine({ targetId: 'l' });
    engine.onSnapshot(withKills(T0, 0));
    const a = ooms(engine.onEvent(ev('oom', T0 + 1000), T0 + 1000));
    const b = ooms(engine.onSnapshot(withKills(T0 + 15_000, 1)));
    expect(a.map((x) => x.alert.evidence.source)).toEqual(['event']);
    expect(b).toEqual([]);
  });

  it('the counter first, then the late event: one alert (from the counter)', () => {
    const engine = new AlertEngine({ targetId: 'l' });
    engine.onSnapshot(withKills(T0, 0));
    const a = ooms(engine.onSnapshot(withKills(T0 + 15_000, 1)));
    const b = ooms(engine.onEvent(ev('oom', T0 + 15_200), T0 + 15_200));
    expect(a.map((x) => [x.alert.evidence.source, x.alert.evidence.kills, x.alert.subject.name])).toEqual([
      ['counter', 1, 'dm-limited'],
    ]);
    expect(b).toEqual([]);
  });

  it('two kills, one event: the counter tells of the other', () => {
    const engine = new AlertEngine({ targetId: 'l' });
    engine.onSnapshot(withKills(T0, 3));
    expect(ooms(engine.onEvent(ev('oom', T0 + 1000), T0 + 1000))).toHaveLength(1);
    const b = ooms(engine.onSnapshot(withKills(T0 + 15_000, 5)));
    expect(b.map((x) => x.alert.evidence.kills)).toEqual([1]);
  });

  it('the first refresh is a baseline; a lower counter (a new cgroup) is a new baseline; null is skipped', () => {
    const engine = new AlertEngine({ targetId: 'l' });
    expect(ooms(engine.onSnapshot(withKills(T0, 7)))).toEqual([]);
    expect(ooms(engine.onSnapshot(withKills(T0 + 15_000, 0)))).toEqual([]);
    expect(ooms(engine.onSnapshot(withKills(T0 + 30_000, null)))).toEqual([]);
    expect(ooms(engine.onSnapshot(withKills(T0 + 45_000, 1)))).toHaveLength(1);
  });

  it('an event whose kill the next refresh did not count (cgroup gone) is not matched by a later rise', () => {
    const engine = new AlertEngine({ targetId: 'l' });
    engine.onSnapshot(withKills(T0, 0));
    engine.onEvent(ev('oom', T0 + 1000), T0 + 1000);
    engine.onSnapshot(withKills(T0 + 15_000, 0));
    expect(ooms(engine.onSnapshot(withKills(T0 + 30_000, 1)))).toHaveLength(1);
  });
});

describe('unhealthy', () => {
  it('once per turn to unhealthy: a repeat is not a new alert; healthy re-arms it', () => {
    const engine = new AlertEngine({ targetId: 'l' });
    const t = [
      'health_status: unhealthy',
      'health_status: unhealthy',
      'health_status: healthy',
      'health_status: unhealthy',
    ].flatMap((a, i) => engine.onEvent(ev(a, T0 + i * 1000), T0 + i * 1000));
    expect(t.map((x) => x.alert.startedAt)).toEqual([iso(T0), iso(T0 + 3000)]);
  });
});
