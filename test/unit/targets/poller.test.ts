// Polling runs only while a lease is held and not paused; it starts with an immediate tick.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Poller } from '../../../src/core/targets/poller';

describe('Poller', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function make(intervalMs = 1000) {
    const ticks: number[] = [];
    const changes: boolean[] = [];
    const poller = new Poller({
      intervalMs,
      onTick: () => ticks.push(Date.now()),
      onActiveChange: (a) => changes.push(a),
    });
    return { poller, ticks, changes };
  }

  it('does nothing without a lease', () => {
    const { poller, ticks } = make();
    vi.advanceTimersByTime(10_000);
    expect(ticks).toHaveLength(0);
    expect(poller.active).toBe(false);
  });

  it('ticks at once when the first lease is taken, then every interval, and stops with the last lease', () => {
    const { poller, ticks, changes } = make(1000);
    const a = poller.lease('tree');
    expect(ticks).toHaveLength(1);
    const b = poller.lease('panel');
    expect(ticks).toHaveLength(1); // a second lease does not restart the clock
    expect(poller.holders()).toEqual(['tree', 'panel']);
    vi.advanceTimersByTime(3000);
    expect(ticks).toHaveLength(4);
    a.dispose();
    a.dispose(); // harmless twice: must not release b
    vi.advanceTimersByTime(1000);
    expect(ticks).toHaveLength(5);
    b.dispose();
    vi.advanceTimersByTime(5000);
    expect(ticks).toHaveLength(5);
    expect(changes).toEqual([true, false]);
  });

  it('counts two leases of the same holder separately', () => {
    const { poller } = make();
    const a = poller.lease('panel');
    const b = poller.lease('panel');
    a.dispose();
    expect(poller.active).toBe(true);
    b.dispose();
    expect(poller.active).toBe(false);
  });

  it('pauses and resumes; resuming ticks at once', () => {
    const { poller, ticks, changes } = make(1000);
    poller.lease('tree');
    poller.pause();
    expect(poller.paused).toBe(true);
    vi.advanceTimersByTime(5000);
    expect(ticks).toHaveLength(1);
    poller.resume();
    expect(ticks).toHaveLength(2);
    vi.advanceTimersByTime(1000);
    expect(ticks).toHaveLength(3);
    expect(changes).toEqual([true, false, true]);
  });

  it('a lease taken while paused does not start polling', () => {
    const { poller, ticks } = make();
    poller.pause();
    poller.lease('tree');
    vi.advanceTimersByTime(5000);
    expect(ticks).toHaveLength(0);
  });

  it('applies a new interval to the running clock', () => {
    const { poller, ticks } = make(1000);
    poller.lease('tree');
    poller.setInterval(250);
    vi.advanceTimersByTime(1000);
    expect(ticks).toHaveLength(5);
    expect(poller.interval).toBe(250);
  });

  it('stops for good when disposed', () => {
    const { poller, ticks } = make(1000);
    poller.lease('tree');
    poller.dispose();
    poller.lease('again');
    vi.advanceTimersByTime(5000);
    expect(ticks).toHaveLength(1);
  });

  it('with only a background lease ticks at the background interval, and at the foreground one while a view shows', () => {
    const ticks: number[] = [];
    const poller = new Poller({ intervalMs: 1000, backgroundIntervalMs: 15_000, onTick: () => ticks.push(Date.now()) });
    const alerts = poller.lease('alerts', { background: true });
    expect(ticks).toHaveLength(1);
    expect(poller.interval).toBe(15_000);
    vi.advanceTimersByTime(14_999);
    expect(ticks).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(ticks).toHaveLength(2);
    const tree = poller.lease('tree');
    expect(poller.interval).toBe(1000);
    vi.advanceTimersByTime(3000);
    expect(ticks).toHaveLength(5);
    tree.dispose();
    vi.advanceTimersByTime(14_999);
    expect(ticks).toHaveLength(5);
    vi.advanceTimersByTime(1);
    expect(ticks).toHaveLength(6);
    poller.setBackgroundInterval(5000);
    vi.advanceTimersByTime(5000);
    expect(ticks).toHaveLength(7);
    alerts.dispose();
    vi.advanceTimersByTime(60_000);
    expect(ticks).toHaveLength(7);
    expect(poller.active).toBe(false);
  });
});
