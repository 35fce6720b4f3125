// The sample a Metrics chart plots for a host, a container or a process, from one snapshot. Pure.
import type { Snapshot } from '../model';
import type { MetricsSample } from '../../shared/protocol';

/** The sample a metrics chart plots, for each level. */
export function sampleOf(
  s: Snapshot,
  subject: { kind: 'host' | 'container' | 'process'; id: string },
): MetricsSample | null {
  const t = Date.parse(s.collectedAt);
  if (subject.kind === 'host') {
    const physical = s.host.interfaces.filter((i) => i.kind === 'physical');
    const sum = (pick: (i: (typeof physical)[number]) => number | null) =>
      physical.length === 0 || physical.some((i) => pick(i) === null)
        ? null
        : physical.reduce((a, i) => a + (pick(i) ?? 0), 0);
    return {
      t,
      cpuPercent: s.host.cpuPercent?.busy ?? null,
      memoryBytes: s.host.memory.usedBytes,
      memoryLimitBytes: s.host.memory.totalBytes,
      rxBytesPerSec: sum((i) => i.rxBytesPerSec),
      txBytesPerSec: sum((i) => i.txBytesPerSec),
      readBytesPerSec: null,
      writeBytesPerSec: null,
      throttledPercent: null,
    };
  }
  if (subject.kind === 'container') {
    const c = s.containers.find((x) => x.id === subject.id);
    if (!c) return null;
    return {
      t,
      cpuPercent: c.cpu.percent,
      memoryBytes: c.memory.usageBytes,
      memoryLimitBytes: c.memory.limitBytes,
      rxBytesPerSec: c.network.rxBytesPerSec,
      txBytesPerSec: c.network.txBytesPerSec,
      readBytesPerSec: c.blockIo.readBytesPerSec,
      writeBytesPerSec: c.blockIo.writeBytesPerSec,
      throttledPercent: c.cpu.throttledPercent,
    };
  }
  const p = s.processes.find((x) => String(x.pid) === subject.id);
  if (!p) return null;
  return {
    t,
    cpuPercent: p.cpuPercent,
    memoryBytes: p.rssBytes,
    memoryLimitBytes: null,
    rxBytesPerSec: null,
    txBytesPerSec: null,
    readBytesPerSec: null,
    writeBytesPerSec: null,
    throttledPercent: null,
  };
}
