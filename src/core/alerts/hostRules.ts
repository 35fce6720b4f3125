// The sustained rules on the host, from one snapshot (disk, memory available, PSI), and the target itself (could
// it be read?). PSI rules stay quiet where the host has no /proc/pressure (HostInfo.pressure null).
import type { PressureSet, Snapshot } from '../model';
import type { AlertRuleId, AlertSettings, AlertSubject } from './types';
import type { Observation } from './sustained';
import { round1 } from './alert';

const PRESSURE_RULES: readonly [AlertRuleId, keyof PressureSet][] = [
  ['host-pressure-cpu', 'cpu'],
  ['host-pressure-memory', 'memory'],
  ['host-pressure-io', 'io'],
];

export function hostObservations(s: Snapshot, settings: AlertSettings, targetId: string): Observation[] {
  const host = s.host;
  const subject: AlertSubject = { kind: 'host', id: targetId, name: host.hostname || s.target };
  const out: Observation[] = [];
  const add = (
    rule: AlertRuleId,
    holds: (threshold: number) => boolean,
    o: (threshold: number) => Partial<Observation>,
  ) => {
    const { enabled, threshold, windowSeconds } = settings[rule];
    if (!enabled) return;
    const more = o(threshold);
    out.push({
      rule,
      subject,
      holds: holds(threshold),
      windowMs: windowSeconds * 1000,
      message: `${subject.name}: ${more.message ?? ''}`,
      evidence: { ...more.evidence, threshold, windowSeconds },
      ...(more.part ? { part: more.part } : {}),
    });
  };
  const paths = new Set<string>();
  for (const d of host.disks) {
    // The Docker data root is often on the root filesystem under another path: one alert per path read.
    if (paths.has(d.path) || !Number.isFinite(d.usedPercent)) continue;
    paths.add(d.path);
    add(
      'host-disk-full',
      (th) => d.usedPercent >= th,
      (th) => ({
        part: d.path,
        message: `${d.role === 'docker' ? 'Docker data root' : 'root filesystem'} ${d.path} ${round1(d.usedPercent)} % used (alert at ${th} %)`,
        evidence: { path: d.path, role: d.role, usedPercent: round1(d.usedPercent), availableBytes: d.availableBytes },
      }),
    );
  }
  const mem = host.memory;
  if (mem.totalBytes > 0) {
    const available = (mem.availableBytes / mem.totalBytes) * 100;
    add(
      'host-memory-low',
      (th) => available < th,
      (th) => ({
        message: `memory available ${round1(available)} % (alert below ${th} %)`,
        evidence: {
          availablePercent: round1(available),
          availableBytes: mem.availableBytes,
          totalBytes: mem.totalBytes,
        },
      }),
    );
  }
  for (const [rule, resource] of PRESSURE_RULES) {
    const line = host.pressure?.[resource]?.some;
    if (!line || !Number.isFinite(line.avg60)) continue;
    add(
      rule,
      (th) => line.avg60 > th,
      (th) => ({
        message: `${resource} pressure some avg60 ${round1(line.avg60)} % (alert above ${th} %)`,
        evidence: { avg10: line.avg10, avg60: line.avg60, avg300: line.avg300 },
      }),
    );
  }
  return out;
}

export function targetObservation(
  settings: AlertSettings,
  target: AlertSubject,
  reachable: boolean,
  reason: string | null,
): Observation[] {
  const { enabled, windowSeconds } = settings['target-unreachable'];
  if (!enabled) return [];
  return [
    {
      rule: 'target-unreachable',
      subject: target,
      holds: !reachable,
      windowMs: windowSeconds * 1000,
      // A refresh that succeeds is proof enough: the alert ends with it.
      clearMs: 0,
      message: `${target.name} could not be read for ${windowSeconds} s${reason ? `: ${reason}` : ''}`,
      evidence: { reason, windowSeconds },
    },
  ];
}
