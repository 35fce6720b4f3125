import { describe, expect, it } from 'vitest';
import { containerPickItems, processPickItems, targetPickItems } from '../../../src/core/present/quickPicks';
import type { PickItem } from '../../../src/core/present/quickPicks';
import { loadErrors, loadSnapshot, localTarget, sshTarget } from './load';

/** What VS Code matches typed text against with matchOnDescription and matchOnDetail. */
const searchable = (i: PickItem<unknown>): string => `${i.label}\n${i.description}\n${i.detail}`;

describe('containerPickItems', () => {
  const s = loadSnapshot('local-2');
  const items = containerPickItems(s);

  it('has one item per container, valued by full id', () => {
    expect(items.map((i) => i.value).sort()).toEqual(s.containers.map((c) => c.id).sort());
  });

  it('finds a container by name, full id, short id and image', () => {
    for (const c of s.containers) {
      const item = items.find((i) => i.value === c.id)!;
      const text = searchable(item);
      expect(text).toContain(c.name);
      expect(text).toContain(c.id);
      expect(item.description.startsWith(c.id.slice(0, 12))).toBe(true);
      expect(text).toContain(c.image);
    }
  });

  it('lists live containers first, then by name, with a state icon', () => {
    const live = new Set(['running', 'paused', 'restarting']);
    const order = items.map((i) => s.containers.find((c) => c.id === i.value)!);
    const firstStopped = order.findIndex((c) => !live.has(c.state));
    expect(firstStopped).toBeGreaterThan(0);
    expect(order.slice(firstStopped).every((c) => !live.has(c.state))).toBe(true);
    const liveNames = order.slice(0, firstStopped).map((c) => c.name);
    expect(liveNames).toEqual([...liveNames].sort());
    const limited = items.find((i) => i.label.endsWith(' dm-limited'))!;
    expect(limited.label).toBe('$(vm-running) dm-limited');
    const exited = items.find((i) => i.label.endsWith(' dmtree-exited'))!;
    expect(exited.label).toBe('$(vm-outline) dmtree-exited');
  });

  it('gives state, health, live figures and compose project in the detail', () => {
    const db = s.containers.find((c) => c.name === 'dmtree-shop-db')!;
    const item = items.find((i) => i.value === db.id)!;
    expect(item.detail).toContain(db.status);
    expect(item.detail).toContain('unhealthy');
    expect(item.detail).toContain('compose shop/db');
    expect(item.detail).toMatch(/CPU \d+\.\d% · memory /);
    const exited = items.find((i) => i.label.endsWith(' dmtree-exited'))!;
    expect(exited.detail).not.toContain('CPU');
  });
});

describe('processPickItems', () => {
  const s = loadSnapshot('local-2');
  const items = processPickItems(s);

  it('has one item per process, valued by PID, start ticks and container', () => {
    expect(items).toHaveLength(s.processes.length);
    for (const p of s.processes) {
      const item = items.find((i) => i.value.pid === p.pid)!;
      expect(item.value).toEqual({ pid: p.pid, startTicks: p.startTicks, containerId: p.containerId });
    }
  });

  it('lists the busiest first', () => {
    const cpu = items.map((i) => s.processes.find((p) => p.pid === i.value.pid)!.cpuPercent ?? -1);
    expect(cpu).toEqual([...cpu].sort((a, b) => b - a));
  });

  it('finds a process by PID, name and its container name and image', () => {
    const limited = s.containers.find((c) => c.name === 'dm-limited')!;
    for (const ref of limited.processes) {
      const item = items.find((i) => i.value.pid === ref.hostPid)!;
      expect(item.description).toBe(`PID ${ref.hostPid} → ${ref.containerPid} · dm-limited (${limited.image})`);
      expect(item.label).toBe(`$(server-process) ${ref.name}`);
    }
    const host = s.processes.find((p) => p.containerId === null && p.pid === 1)!;
    const item = items.find((i) => i.value.pid === 1)!;
    expect(item.description).toBe('PID 1 · host');
    expect(item.detail).toContain(host.command);
  });
});

describe('targetPickItems', () => {
  it('shows each target by name with its state, valued by target id', () => {
    const s = loadSnapshot('local-2');
    const e = loadErrors().find((x) => x.code === 'auth-failed')!;
    const items = targetPickItems(
      [localTarget(s), sshTarget(null, 'error', e), sshTarget(null, 'connecting')],
      'ignored-when-sampled',
    );
    expect(items.map((i) => i.value)).toEqual(['local', 'ssh:lab', 'ssh:lab']);
    expect(items[0].label).toBe(`$(vm) Local (${s.host.hostname})`);
    const running = s.containers.filter((c) => c.state === 'running').length;
    expect(items[0].detail).toContain(`${running}/${s.containers.length} containers running`);
    expect(items[0].detail).toContain('CPU 40.5%');
    expect(items[1].label).toBe('$(error) lab');
    expect(items[1].description).toBe('root@127.0.0.1:2222 · cannot connect');
    expect(items[1].detail).toBe(e.message);
    expect(items[2].description).toBe('root@127.0.0.1:2222 · connecting…');
    expect(items[2].detail).toBe('no sample yet');
  });
});
