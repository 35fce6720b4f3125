// Docker's human status ("Up 3 minutes (healthy)", "Exited (0) 2 hours ago") computed from an inspect's State, as
// the daemon's own list computes it (moby container/state.go State.String with go-units HumanDuration): it stays
// live between inspects without asking the daemon again.

/** The parts of an inspect's State that the text depends on. */
export interface StatusClock {
  status: string;
  running: boolean;
  paused: boolean;
  restarting: boolean;
  dead: boolean;
  exitCode: number;
  /** ms since epoch; null for Go's zero time (never). */
  startedAt: number | null;
  finishedAt: number | null;
  health: string | null;
}

const ZERO_TIME = /^0001-01-01T/;

/** Never throws: odd or missing fields read as "not running, never started". */
export function statusClock(state: unknown): StatusClock {
  const s = isObject(state) ? state : {};
  const health =
    isObject(s.Health) && typeof s.Health.Status === 'string' && s.Health.Status !== '' ? s.Health.Status : null;
  return {
    status: typeof s.Status === 'string' ? s.Status : '',
    running: s.Running === true,
    paused: s.Paused === true,
    restarting: s.Restarting === true,
    dead: s.Dead === true,
    exitCode: typeof s.ExitCode === 'number' && Number.isFinite(s.ExitCode) ? s.ExitCode : 0,
    startedAt: goTime(s.StartedAt),
    finishedAt: goTime(s.FinishedAt),
    health,
  };
}

export function statusText(c: StatusClock, nowMs: number): string {
  if (c.running) {
    const up = humanDuration(nowMs - (c.startedAt ?? nowMs));
    if (c.paused) return `Up ${up} (Paused)`;
    if (c.restarting) return `Restarting (${c.exitCode}) ${humanDuration(nowMs - (c.finishedAt ?? nowMs))} ago`;
    // "none" is what a healthcheck switched off in the image reads as: the daemon keeps no Health then.
    if (c.health && c.health !== 'none') return `Up ${up} (${c.health === 'starting' ? 'health: starting' : c.health})`;
    return `Up ${up}`;
  }
  if (c.status === 'removing') return 'Removal In Progress';
  if (c.dead || c.status === 'dead') return 'Dead';
  if (c.startedAt === null) return 'Created';
  if (c.finishedAt === null) return '';
  return `Exited (${c.exitCode}) ${humanDuration(nowMs - c.finishedAt)} ago`;
}

/** go-units HumanDuration: whole seconds and minutes truncated, hours rounded. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = goRound(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

/** Go's math.Round: halves away from zero (JS rounds them up). */
function goRound(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/** RFC 3339 (nanoseconds allowed) to ms; Go's zero time and garbage to null. */
function goTime(v: unknown): number | null {
  if (typeof v !== 'string' || v === '' || ZERO_TIME.test(v)) return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
