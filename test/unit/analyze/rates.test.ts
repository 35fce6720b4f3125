import { describe, expect, it } from 'vitest';
import { applyRates, counterDelta, counterRate, hostCpuPercent } from '../../../src/core/analyze/rates';
import type { ContainerInfo, ProcessInfo, Snapshot } from '../../../src/core/model';
import { CAPTURE_ID, captureSnapshot, multiSnapshot } from '../fixtures/snapshots/capture';
import { IDS, machineSnapshot } from '../fixtures/snapshots/machine';

const byId = (s: Snapshot, id: string): ContainerInfo => s.containers.find((c) => c.id === id)!;
const byPid = (s: Snapshot, pid: number): ProcessInfo => s.processes.find((p) => p.pid === pid)!;
const iface = (s: Snapshot, name: string) => s.host.interfaces.find((i) => i.name === name)!;

// rates-capture.txt, by hand: elapsed 528.00 - 526.43 = 1.57 s; cpu line deltas
// user 187, nice 0, system 16, idle 112, iowait 0, irq 0, softirq 1, steal 0 (total 316 jiffies).
const ELAPSED = 528.0 - 526.43;
const TOTAL = 187 + 0 + 16 + 112 + 0 + 0 + 1 + 0;

describe('applyRates on two real samples (--cpus 0.2 container, 1.57 s apart)', () => {
  const prev = captureSnapshot(0);
  const cur = captureSnapshot(1);
  const out = applyRates(prev, cur);

  it('host CPU % is each field’s share of the 8-field delta; busy = 100 - idle - iowait', () => {
    const p = out.host.cpuPercent!;
    expect(p.user).toBeCloseTo((187 / TOTAL) * 100, 9);
    expect(p.system).toBeCloseTo(((16 + 0 + 1) / TOTAL) * 100, 9);
    expect(p.idle).toBeCloseTo((112 / TOTAL) * 100, 9);
    expect(p.iowait).toBe(0);
    expect(p.steal).toBe(0);
    expect(p.busy).toBeCloseTo(100 - (112 / TOTAL) * 100, 9);
    expect(p.user + p.system + p.iowait + p.steal + p.idle).toBeCloseTo(100, 9);
  });

  it('container CPU % = Δ cpuacct.usage / Δ host ns (first 7 fields × 1e9/CLK_TCK) × CPUs × 100', () => {
    const c = byId(out, CAPTURE_ID);
    const hostNs = (187 + 0 + 16 + 112 + 0 + 0 + 1) * (1e9 / 100);
    expect(c.cpu.percent).toBeCloseTo(((961290809 - 649341730) / hostNs) * 2 * 100, 9);
    // Independent check: docker ran it with --cpus 0.2 and `yes` never sleeps, so it sits at its quota.
    expect(Math.abs(c.cpu.percent! - 20)).toBeLessThan(1);
  });

  it('throttled % = Δ nr_throttled / Δ nr_periods × 100', () => {
    expect(byId(out, CAPTURE_ID).cpu.throttledPercent).toBeCloseTo(((47 - 31) / (48 - 32)) * 100, 9);
  });

  it('process CPU % = Δ(utime+stime) / CLK_TCK / elapsed × 100', () => {
    const yes = byPid(out, 10256);
    expect(yes.cpuPercent).toBeCloseTo(((91 + 2 - (63 + 1)) / 100 / ELAPSED) * 100, 9);
    // Same bound as above, seen from /proc/PID/stat instead of the cgroup.
    expect(Math.abs(yes.cpuPercent! - 20)).toBeLessThan(2);
  });

  it('host interface and container network bytes/s from the counters', () => {
    const veth = iface(out, 'veth5ebd62f');
    expect(veth.rxBytesPerSec).toBeCloseTo((12624 - 0) / ELAPSED, 9);
    expect(veth.txBytesPerSec).toBeCloseTo((11322 - 516) / ELAPSED, 9);
    const net = byId(out, CAPTURE_ID).network;
    expect(net.rxBytesPerSec).toBeCloseTo((11322 - 516) / ELAPSED, 9);
    expect(net.txBytesPerSec).toBeCloseTo((12624 - 0) / ELAPSED, 9);
    // An idle interface has a rate of 0, not null.
    expect(iface(out, 'eth0').rxBytesPerSec).toBe(0);
  });

  it('memory % = usage / limit × 100', () => {
    expect(byId(out, CAPTURE_ID).memory.percent).toBeCloseTo(((5345280 - 4292608) / 33554432) * 100, 9);
    expect(byId(out, IDS.unlimited).memory.percent).toBeNull();
  });

  it('does not change its inputs', () => {
    expect(prev).toEqual(captureSnapshot(0));
    expect(cur).toEqual(captureSnapshot(1));
    expect(cur.host.cpuPercent).toBeNull();
  });
});

describe('applyRates on a container spinning one full CPU (dm-multi, 1.01 s apart)', () => {
  const out = applyRates(multiSnapshot(0), multiSnapshot(1));
  it('container and process both show one full core', () => {
    // Δ cpu line: user 102, system 2, idle 98 = 202 jiffies; Δ cpuacct 1006940742 ns.
    expect(byId(out, IDS.multi).cpu.percent).toBeCloseTo(((267367453961 - 266360513219) / (202 * 1e7)) * 2 * 100, 9);
    expect(byPid(out, 6050).cpuPercent).toBeCloseTo(((26734 - 26633) / 100 / (499.58 - 498.57)) * 100, 9);
    expect(Math.abs(byPid(out, 6050).cpuPercent! - 100)).toBeLessThan(1);
  });
  it('a container whose usage did not move has 0 %, not null', () => {
    expect(byId(out, IDS.limited).cpu.percent).toBe(0);
  });
});

describe('applyRates on a first sample', () => {
  const out = applyRates(null, captureSnapshot(1));
  it('leaves every rate null but sets memory %', () => {
    expect(out.host.cpuPercent).toBeNull();
    for (const i of out.host.interfaces) expect([i.rxBytesPerSec, i.txBytesPerSec]).toEqual([null, null]);
    for (const c of out.containers) {
      expect([c.cpu.percent, c.cpu.throttledPercent, c.network.rxBytesPerSec, c.blockIo.readBytesPerSec]).toEqual([
        null,
        null,
        null,
        null,
      ]);
    }
    for (const p of out.processes) expect(p.cpuPercent).toBeNull();
    expect(byId(out, IDS.limited).memory.percent).toBeCloseTo((319488 / 67108864) * 100, 9);
  });
});

describe('applyRates guards', () => {
  it('a reused PID (same pid, other start time) is a new process: null', () => {
    const cur = captureSnapshot(1);
    byPid(cur, 10256).startTicks = 52318 + 4000;
    expect(byPid(applyRates(captureSnapshot(0), cur), 10256).cpuPercent).toBeNull();
  });

  it('a cgroup counter that went backwards gives null, not a negative rate', () => {
    const cur = captureSnapshot(1);
    byId(cur, CAPTURE_ID).cpu.usageNs = 1000;
    byId(cur, CAPTURE_ID).cpu.periods = 2;
    const out = applyRates(captureSnapshot(0), cur);
    expect(byId(out, CAPTURE_ID).cpu.percent).toBeNull();
    expect(byId(out, CAPTURE_ID).cpu.throttledPercent).toBeNull();
  });

  it('a host CPU counter that went backwards nulls host and container CPU %', () => {
    const cur = captureSnapshot(1);
    cur.host.cpuTimes.idle = 10;
    const out = applyRates(captureSnapshot(0), cur);
    expect(out.host.cpuPercent).toBeNull();
    expect(byId(out, CAPTURE_ID).cpu.percent).toBeNull();
    expect(byPid(out, 10256).cpuPercent).not.toBeNull();
  });

  it('an interface counter reset or a re-created interface gives null', () => {
    const cur = captureSnapshot(1);
    iface(cur, 'veth5ebd62f').txBytes = 100;
    iface(cur, 'docker0').ifindex = 99;
    const out = applyRates(captureSnapshot(0), cur);
    expect(iface(out, 'veth5ebd62f').txBytesPerSec).toBeNull();
    expect(iface(out, 'veth5ebd62f').rxBytesPerSec).not.toBeNull();
    expect(iface(out, 'docker0').rxBytesPerSec).toBeNull();
  });

  it('a restarted container (new startedAt) has fresh counters: null', () => {
    const cur = captureSnapshot(1);
    byId(cur, CAPTURE_ID).startedAt = '2026-11-25T13:30:00.000000000Z';
    const c = byId(applyRates(captureSnapshot(0), cur), CAPTURE_ID);
    expect([c.cpu.percent, c.cpu.throttledPercent, c.network.rxBytesPerSec]).toEqual([null, null, null]);
  });

  it('containers and processes present in one snapshot only get null rates, no error', () => {
    const prev = captureSnapshot(0);
    prev.containers = prev.containers.filter((c) => c.id !== CAPTURE_ID);
    prev.processes = prev.processes.filter((p) => p.pid !== 10256);
    const out = applyRates(prev, captureSnapshot(1));
    expect(byId(out, CAPTURE_ID).cpu.percent).toBeNull();
    expect(byPid(out, 10256).cpuPercent).toBeNull();
    // The other way round: gone from cur, simply absent.
    const back = applyRates(captureSnapshot(1), prev);
    expect(back.containers.some((c) => c.id === CAPTURE_ID)).toBe(false);
  });

  it('no elapsed time, another boot or another target: treated as a first sample', () => {
    const same = applyRates(captureSnapshot(1), captureSnapshot(1));
    expect(same.host.cpuPercent).toBeNull();
    const backwards = applyRates(captureSnapshot(1), captureSnapshot(0));
    expect(byId(backwards, CAPTURE_ID).cpu.percent).toBeNull();
    const rebooted = captureSnapshot(1);
    rebooted.host.bootTime += 600;
    expect(applyRates(captureSnapshot(0), rebooted).host.cpuPercent).toBeNull();
    const other = captureSnapshot(1);
    other.target = 'root@127.0.0.1:2222';
    expect(byPid(applyRates(captureSnapshot(0), other), 10256).cpuPercent).toBeNull();
  });

  it('block I/O bytes/s from io_service_bytes-style counters', () => {
    // This VM's virtio disk does not account blkio per cgroup (Total 0), so the counters here follow the
    // kernel's documented blkio.throttle.io_service_bytes Read/Write lines: 4 MiB written in 1.57 s.
    const prev = captureSnapshot(0);
    const cur = captureSnapshot(1);
    byId(prev, CAPTURE_ID).blockIo = { readBytes: 8192, writeBytes: 0, readBytesPerSec: null, writeBytesPerSec: null };
    byId(cur, CAPTURE_ID).blockIo = {
      readBytes: 8192,
      writeBytes: 4194304,
      readBytesPerSec: null,
      writeBytesPerSec: null,
    };
    const io = byId(applyRates(prev, cur), CAPTURE_ID).blockIo;
    expect(io.readBytesPerSec).toBe(0);
    expect(io.writeBytesPerSec).toBeCloseTo(4194304 / ELAPSED, 9);
  });

  it('steal counts in host CPU % but not in the docker CLI’s host CPU time', () => {
    // The capture had no steal; add 50 jiffies of it to the second sample.
    const cur = captureSnapshot(1);
    cur.host.cpuTimes.steal += 50;
    const out = applyRates(captureSnapshot(0), cur);
    expect(out.host.cpuPercent!.steal).toBeCloseTo((50 / (TOTAL + 50)) * 100, 9);
    expect(out.host.cpuPercent!.busy).toBeCloseTo(100 - (112 / (TOTAL + 50)) * 100, 9);
    expect(byId(out, CAPTURE_ID).cpu.percent).toBeCloseTo(((961290809 - 649341730) / (TOTAL * 1e7)) * 2 * 100, 9);
  });

  it('no CPU period elapsed: nothing was throttled (0 %)', () => {
    const out = applyRates(captureSnapshot(0), captureSnapshot(1));
    expect(byId(out, IDS.unlimited).cpu.throttledPercent).toBe(0);
  });
});

describe('counter helpers', () => {
  it('counterDelta / counterRate', () => {
    expect(counterDelta(5, 8)).toBe(3);
    expect(counterDelta(8, 5)).toBeNull();
    expect(counterDelta(null, 5)).toBeNull();
    expect(counterDelta(Number.NaN, 5)).toBeNull();
    expect(counterRate(0, 10, 2)).toBe(5);
    expect(counterRate(0, 10, 0)).toBeNull();
  });
  it('hostCpuPercent is null when no time passed', () => {
    const t = machineSnapshot().host.cpuTimes;
    expect(hostCpuPercent(t, { ...t })).toBeNull();
  });
});
