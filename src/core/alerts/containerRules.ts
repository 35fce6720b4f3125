// The sustained rules on each running container, from one snapshot: memory near its limit, CPU throttled, pids
// near their limit. A figure the refresh did not read is "not known" (the condition stays as it was); a container
// without the limit, or not running, has no condition (an alert it had ends).
import type { ContainerInfo, Snapshot } from '../model';
import { containerLabel } from '../identity';
import type { AlertRuleId, AlertSettings } from './types';
import type { Observation } from './sustained';
import { round1 } from './alert';

function observe(
  settings: AlertSettings,
  rule: AlertRuleId,
  c: ContainerInfo,
  value: number | null,
  make: (value: number, threshold: number) => Pick<Observation, 'message' | 'evidence'>,
): Observation[] {
  const { enabled, threshold, windowSeconds } = settings[rule];
  if (!enabled) return [];
  const name = containerLabel(c);
  const known = value !== null && Number.isFinite(value);
  const shown = known ? make(value, threshold) : { message: '', evidence: {} };
  return [
    {
      rule,
      subject: { kind: 'container', id: c.id, name },
      holds: known ? value >= threshold : null,
      windowMs: windowSeconds * 1000,
      message: `${name}: ${shown.message}`,
      evidence: { ...shown.evidence, threshold, windowSeconds },
    },
  ];
}

export function containerObservations(s: Snapshot, settings: AlertSettings): Observation[] {
  const out: Observation[] = [];
  for (const c of s.containers) {
    if (c.state !== 'running') continue;
    const mem = c.memory;
    if (mem.limitBytes !== null && mem.limitBytes > 0) {
      const percent = mem.percent ?? (mem.usageBytes === null ? null : (mem.usageBytes / mem.limitBytes) * 100);
      out.push(
        ...observe(settings, 'memory-near-limit', c, percent, (p, th) => ({
          message: `memory ${round1(p)} % of its limit (alert at ${th} %)`,
          evidence: { memoryPercent: round1(p), usageBytes: mem.usageBytes, limitBytes: mem.limitBytes },
        })),
      );
    }
    // Throttling needs a quota; without one the kernel never throttles and there is nothing to watch.
    if (c.cpu.quotaUs !== null && c.cpu.quotaUs > 0) {
      out.push(
        ...observe(settings, 'cpu-throttled', c, c.cpu.throttledPercent, (p, th) => ({
          message: `CPU throttled in ${round1(p)} % of periods (alert at ${th} %)`,
          evidence: {
            throttledPercent: round1(p),
            limitCpus: c.cpu.limitCpus,
            throttledPeriods: c.cpu.throttledPeriods,
          },
        })),
      );
    }
    const { current, limit } = c.pids;
    if (limit !== null && limit > 0) {
      out.push(
        ...observe(settings, 'pids-near-limit', c, current === null ? null : (current / limit) * 100, (p, th) => ({
          message: `${current} processes, ${round1(p)} % of its pids limit ${limit} (alert at ${th} %)`,
          evidence: { pidsPercent: round1(p), pids: current, pidsLimit: limit },
        })),
      );
    }
  }
  return out;
}
