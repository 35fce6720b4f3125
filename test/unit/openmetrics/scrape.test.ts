// A scrape of the project machine's recorded snapshot (fixtures/snapshots/machine.ts: values read there with
// docker inspect and the cgroup files): cAdvisor's and node_exporter's names and labels, what is left out, the
// dm_* series, and a target that is down.
import { describe, expect, it } from 'vitest';
import { scrapeText } from '../../../src/core/openmetrics/scrape';
import type { ServedTarget } from '../../../src/core/openmetrics/dmFamilies';
import { IDS, machineSnapshot } from '../fixtures/snapshots/machine';

function served(over: Partial<ServedTarget> = {}): ServedTarget {
  return {
    name: 'local',
    snapshot: machineSnapshot(),
    up: true,
    reason: null,
    findings: [],
    alerts: [],
    refreshes: 3,
    cpuSeconds: null,
    ...over,
  };
}

/** The lines of `name` (a whole series name) in the text. */
function lines(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

describe('scrapeText', () => {
  const text = scrapeText([served()], { processes: 0 }, 'prometheus');

  it("writes dm-limited's limits under cAdvisor's names and labels (id the cgroup path, name, image)", () => {
    const [limit] = lines(text, 'container_spec_memory_limit_bytes').filter((l) => l.includes('name="dm-limited"'));
    expect(limit).toMatch(
      /^container_spec_memory_limit_bytes\{target="local",id="[^"]+",image="[^"]+",name="dm-limited"\} 67108864$/,
    );
    expect(limit).toContain(IDS.limited);
    // No limit is 0, as cAdvisor writes it.
    expect(lines(text, 'container_spec_memory_limit_bytes').find((l) => l.includes('name="dm-unlimited"'))).toMatch(
      / 0$/,
    );
  });

  it('leaves out the stopped container and the figures nobody read (never a made-up 0)', () => {
    expect(text).not.toContain('name="dm-stopped"} ');
    const rx = lines(text, 'container_network_receive_bytes_total');
    // dm-hostnet shares the host's network: no interface, no series.
    expect(rx.some((l) => l.includes('dm-hostnet'))).toBe(false);
    expect(rx.every((l) => l.includes('interface="eth0"'))).toBe(true);
    expect(lines(text, 'container_pressure_cpu_waiting_seconds_total')).toEqual([]);
  });

  it("writes the host under node_exporter's names, CPU seconds from jiffies", () => {
    const s = machineSnapshot();
    const idle = lines(text, 'node_cpu_seconds_total').find((l) => l.includes('mode="idle"'));
    expect(idle).toBe(
      `node_cpu_seconds_total{target="local",cpu="all",mode="idle"} ${s.host.cpuTimes.idle / s.host.clockTicks}`,
    );
    expect(lines(text, 'node_memory_MemAvailable_bytes')).toEqual([
      `node_memory_MemAvailable_bytes{target="local"} ${s.host.memory.availableBytes}`,
    ]);
    expect(lines(text, 'node_load1')).toEqual([`node_load1{target="local"} ${s.host.loadAverage[0]}`]);
  });

  it("dm_container_info names each container's veth, bridge and main PID, stopped ones too", () => {
    const info = lines(text, 'dm_container_info');
    expect(info).toHaveLength(machineSnapshot().containers.length);
    const limited = info.find((l) => l.includes('name="dm-limited"'))!;
    expect(limited).toMatch(/host_veth="veth[0-9a-f]+"/);
    expect(limited).toContain('bridge="docker0"');
    expect(limited).toMatch(/main_host_pid="\d+"/);
  });

  it('a target that is down has its health with the reason, and no other series', () => {
    const t = scrapeText(
      [served(), served({ name: 'lab', up: false, snapshot: null, reason: 'connect ECONNREFUSED 127.0.0.1:22' })],
      { processes: 0 },
      'openmetrics',
    );
    expect(lines(t, 'dm_target_up')).toEqual([
      'dm_target_up{target="local"} 1',
      'dm_target_up{target="lab",reason="connect ECONNREFUSED 127.0.0.1:22"} 0',
    ]);
    expect(
      t.split('\n').filter((l) => l.includes('target="lab"') && !/^dm_(target_up|refreshes_total)\{/.test(l)),
    ).toEqual([]);
  });

  it('per-process series only when asked, for at most that many processes', () => {
    expect(text).not.toContain('dm_process_');
    const t = scrapeText([served()], { processes: 3 }, 'prometheus');
    expect(lines(t, 'dm_process_cpu_seconds_total')).toHaveLength(3);
    expect(lines(t, 'dm_process_resident_memory_bytes')).toHaveLength(3);
  });
});
