import { describe, expect, it } from 'vitest';
import { sampleOf } from '../../../src/core/panels/sample';
import { containerNamed, machineSnapshot } from './fixtures/load';

describe('sampleOf on the machine snapshot', () => {
  const s = machineSnapshot();

  it('container: the cgroup figures, time from collectedAt', () => {
    const c = containerNamed(s, 'dm-multi');
    expect(sampleOf(s, { kind: 'container', id: c.id })).toEqual({
      t: Date.parse(s.collectedAt),
      cpuPercent: c.cpu.percent,
      memoryBytes: c.memory.usageBytes,
      memoryLimitBytes: 128 * 1024 * 1024,
      rxBytesPerSec: c.network.rxBytesPerSec,
      txBytesPerSec: c.network.txBytesPerSec,
      readBytesPerSec: c.blockIo.readBytesPerSec,
      writeBytesPerSec: c.blockIo.writeBytesPerSec,
      throttledPercent: c.cpu.throttledPercent,
      cpuPressure: null,
      memoryPressure: null,
      ioPressure: null,
    });
  });

  it('unknown container or PID: null', () => {
    expect(sampleOf(s, { kind: 'container', id: 'nope' })).toBeNull();
    expect(sampleOf(s, { kind: 'process', id: '999999999' })).toBeNull();
  });
});
