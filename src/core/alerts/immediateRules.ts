// The rules that fire on a Docker event (OOM kill, non-zero exit, restart loop, unhealthy), plus the cgroup's OOM
// counter read at each refresh for kills the event stream did not bring. Each container's recent events are kept
// here, since what one event means depends on the ones before it (a kill before a die, a die before a start).
import type { EngineEvent } from '../docker/engineApi';
import { eventAction, eventContainerId } from '../docker/containerEvents';
import type { Snapshot } from '../model';
import { containerLabel } from '../identity';
import type { AlertDraft } from './alert';
import type { AlertSettings } from './types';

/** An OOM event and a counter rise this close are one kill, whichever came first. */
const OOM_MATCH_MS = 60_000;
/** A refresh that began this long after an OOM event has read a counter that includes its kill. */
const COUNTER_SETTLED_MS = 2_000;

interface ContainerTrack {
  name: string;
  /** docker stop / kill / restart sent a signal since the last start: the next die is a person's doing. */
  killedByPerson: boolean;
  oomSinceStart: boolean;
  /** Whether the last die was a person's doing; null before any die (so the first start is no restart). */
  lastDieByPerson: boolean | null;
  /** Times (ms, the daemon's clock) of restarts within the restart-loop window. */
  restarts: number[];
  /** The restart-loop alert fired and the count has not fallen below the threshold since. */
  looping: boolean;
  unhealthy: boolean;
  /** OOM events not yet matched by a counter rise, and counter rises not yet matched by an event (ms, our clock). */
  eventOoms: number[];
  counterOoms: number[];
  oomKills: number | null;
  limitBytes: number | null;
  lastSeen: number;
}

/** When the event happened, by the daemon's clock (ms); `fallback` when it says nothing usable. */
function eventTimeMs(e: Pick<EngineEvent, 'time' | 'timeNano'>, fallback: number): number {
  if (typeof e.timeNano === 'number' && Number.isFinite(e.timeNano) && e.timeNano > 0) return e.timeNano / 1e6;
  if (typeof e.time === 'number' && Number.isFinite(e.time) && e.time > 0) return e.time * 1000;
  return fallback;
}

export class ImmediateRules {
  private readonly tracks = new Map<string, ContainerTrack>();

  constructor(private readonly settings: () => AlertSettings) {}

  onEvent(e: EngineEvent, at: number): AlertDraft[] {
    const id = eventContainerId(e);
    if (id === null) return [];
    const action = eventAction(e);
    const attrs = e.Actor && typeof e.Actor.Attributes === 'object' ? (e.Actor.Attributes ?? {}) : {};
    if (action === 'destroy') {
      this.tracks.delete(id);
      return [];
    }
    const t = this.track(id, typeof attrs.name === 'string' ? attrs.name : '', at);
    const when = eventTimeMs(e, at);
    const rules = this.settings();
    const subject = { kind: 'container' as const, id, name: containerLabel({ id, name: t.name }) };
    const drafts: AlertDraft[] = [];
    const raise = (d: Omit<AlertDraft, 'subject' | 'startedAt'>) => drafts.push({ ...d, subject, startedAt: when });
    switch (action) {
      case 'kill':
        t.killedByPerson = true;
        break;
      case 'oom':
        t.oomSinceStart = true;
        // The counter may have told of this kill already (a refresh between the kill and its event).
        t.counterOoms = t.counterOoms.filter((c) => at - c <= OOM_MATCH_MS);
        if (t.counterOoms.length > 0) {
          t.counterOoms.shift();
          break;
        }
        t.eventOoms.push(at);
        if (rules['oom-killed'].enabled)
          raise({
            rule: 'oom-killed',
            message: `${subject.name} was OOM-killed${limitText(t.limitBytes)}`,
            evidence: { source: 'event', eventTime: new Date(when).toISOString(), limitBytes: t.limitBytes },
          });
        break;
      case 'die': {
        const exitCode = Number(attrs.exitCode);
        t.lastDieByPerson = t.killedByPerson;
        // A person's docker stop/kill (137, 143), an OOM kill (its own alert) and a die inside a restart loop
        // (the loop's alert says it) are not reported again as a failed exit.
        if (
          rules['exited-nonzero'].enabled &&
          Number.isInteger(exitCode) &&
          exitCode !== 0 &&
          !t.killedByPerson &&
          !t.oomSinceStart &&
          !t.looping
        )
          raise({
            rule: 'exited-nonzero',
            message: `${subject.name} exited with code ${exitCode}`,
            evidence: { exitCode, eventTime: new Date(when).toISOString() },
          });
        break;
      }
      case 'start': {
        const wasRestart = t.lastDieByPerson === false;
        t.killedByPerson = false;
        t.oomSinceStart = false;
        t.unhealthy = false;
        if (!wasRestart) break;
        const { threshold, windowSeconds, enabled } = rules['restart-loop'];
        t.restarts = t.restarts.filter((r) => when - r < windowSeconds * 1000);
        t.restarts.push(when);
        if (t.restarts.length < threshold) {
          t.looping = false;
        } else if (!t.looping && enabled) {
          t.looping = true;
          raise({
            rule: 'restart-loop',
            message: `${subject.name} restarted ${t.restarts.length} times in ${durationText(when - t.restarts[0])}`,
            evidence: {
              restarts: t.restarts.length,
              threshold,
              windowSeconds,
              firstRestart: new Date(t.restarts[0]).toISOString(),
            },
          });
        }
        break;
      }
      default:
        if (action === 'health_status') {
          const raw = String(e.Action || e.status || '');
          const status = raw.slice(raw.indexOf(':') + 1).trim();
          if (status !== 'unhealthy') t.unhealthy = false;
          else if (!t.unhealthy) {
            t.unhealthy = true;
            if (rules.unhealthy.enabled)
              raise({
                rule: 'unhealthy',
                message: `${subject.name} turned unhealthy`,
                evidence: { eventTime: new Date(when).toISOString() },
              });
          }
        }
    }
    return drafts;
  }

  /** The OOM counter between refreshes: a rise no event told of is a kill. `at`: when the refresh began. */
  onSnapshot(s: Snapshot, at: number): AlertDraft[] {
    const drafts: AlertDraft[] = [];
    const seen = new Set<string>();
    for (const c of s.containers) {
      seen.add(c.id);
      const t = this.track(c.id, c.name, at);
      t.name = c.name || t.name;
      t.limitBytes = c.memory.limitBytes;
      const now = c.memory.oomKills;
      const before = t.oomKills;
      if (now === null) continue;
      t.oomKills = now;
      t.counterOoms = t.counterOoms.filter((x) => at - x <= OOM_MATCH_MS);
      // Lower than before: a new cgroup (the container was recreated or restarted); this is the new baseline.
      if (before !== null && now > before) {
        let kills = now - before;
        const matched = Math.min(kills, t.eventOoms.length);
        t.eventOoms.splice(0, matched);
        kills -= matched;
        if (kills > 0 && this.settings()['oom-killed'].enabled) {
          for (let i = 0; i < kills; i++) t.counterOoms.push(at);
          const name = containerLabel(c);
          drafts.push({
            rule: 'oom-killed',
            subject: { kind: 'container', id: c.id, name },
            startedAt: Date.parse(s.collectedAt) || at,
            message: `${name}: ${kills === 1 ? 'a process was' : `${kills} processes were`} OOM-killed${limitText(c.memory.limitBytes)}`,
            evidence: { source: 'counter', kills, oomKills: now, limitBytes: c.memory.limitBytes },
          });
        }
      }
      // Events this refresh should have counted and did not (a reset counter, a dead cgroup) match nothing later.
      t.eventOoms = t.eventOoms.filter((x) => at - x < COUNTER_SETTLED_MS);
    }
    // Forget containers gone for longer than a restart loop could span (a missed destroy event).
    const keepMs = this.settings()['restart-loop'].windowSeconds * 1000;
    for (const [id, t] of this.tracks) if (!seen.has(id) && at - t.lastSeen > keepMs) this.tracks.delete(id);
    return drafts;
  }

  private track(id: string, name: string, at: number): ContainerTrack {
    let t = this.tracks.get(id);
    if (!t) {
      t = {
        name,
        killedByPerson: false,
        oomSinceStart: false,
        lastDieByPerson: null,
        restarts: [],
        looping: false,
        unhealthy: false,
        eventOoms: [],
        counterOoms: [],
        oomKills: null,
        limitBytes: null,
        lastSeen: at,
      };
      this.tracks.set(id, t);
    }
    if (name) t.name = name;
    t.lastSeen = at;
    return t;
  }
}

function limitText(limitBytes: number | null): string {
  return limitBytes !== null && limitBytes > 0 ? ` (memory limit ${Math.round(limitBytes / 2 ** 20)} MiB)` : '';
}

function durationText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s} s` : `${Math.round(s / 60)} min`;
}
