// The short forms and orders every surface shows. Docker's own short id is what `docker ps` prints: 12 hex digits.
import { describe, expect, it } from 'vitest';
import { containerLabel, innerPid, shortId, sshAddress } from '../../../src/core/identity';
import type { ProcessInfo } from '../../../src/core/model';
import { busiestFirst, byText } from '../../../src/core/order';

const ID = 'f957ecd75b2d9536529b0ac2b2b1afbba5f30e7550038f3de6494559de62ce90';

describe('identity', () => {
  it('shortId is the first 12 characters, as docker ps prints an id', () => {
    expect(shortId(ID)).toBe('f957ecd75b2d');
  });

  it("containerLabel: the name without the API's leading slash, else the short id", () => {
    expect(containerLabel({ name: '/web-1', id: ID })).toBe('web-1');
    expect(containerLabel({ name: 'web-1', id: ID })).toBe('web-1');
    expect(containerLabel({ name: '', id: ID })).toBe('f957ecd75b2d');
    expect(containerLabel({ name: '/', id: ID })).toBe('f957ecd75b2d');
  });

  it('innerPid: the last NSpid entry, only for a process in a nested PID namespace', () => {
    expect(innerPid([4242])).toBeNull();
    expect(innerPid([4242, 1])).toBe(1);
    expect(innerPid([4242, 17, 1])).toBe(1);
    expect(innerPid([])).toBeNull();
  });
});

describe('busiestFirst (the CLI, the tree and the dashboard sort processes by it)', () => {
  const p = (pid: number, cpuPercent: number | null, rssBytes = 0) => ({ pid, cpuPercent, rssBytes }) as ProcessInfo;

  it('orders by CPU, then RSS, then PID; a process not yet measured comes after every measured one, 0 % included', () => {
    const sorted = [p(5, null, 900), p(4, 0), p(3, 12.5), p(2, 12.5, 10), p(1, null)].sort(busiestFirst);
    expect(sorted.map((x) => x.pid)).toEqual([2, 3, 4, 5, 1]);
  });
});

describe("sshAddress (settings names, the tree, QuickPicks and the SSH transport's messages all use it)", () => {
  it('is what ssh takes: user@host:port, IPv6 in brackets only before a port, :22 left out unless kept', () => {
    expect(sshAddress({ user: 'root', host: 'box', port: 2222 })).toBe('root@box:2222');
    expect(sshAddress({ user: 'root', host: 'box', port: 22 })).toBe('root@box');
    expect(sshAddress({ host: 'box', port: 22 }, { keepDefaultPort: true })).toBe('box:22');
    expect(sshAddress({ host: '::1', port: 2222 })).toBe('[::1]:2222');
    expect(sshAddress({ user: 'me', host: '::1' })).toBe('me@::1');
    expect(sshAddress({ host: 'box' })).toBe('box');
  });
});

describe("byText (the tree, the panels' tables and the snapshot's container and interface lists)", () => {
  it('folds case, then orders by code unit: the same order in every locale', () => {
    expect(['web_2', 'Web-1', 'web-1', 'api', 'Zed', 'éclair'].sort(byText)).toEqual([
      'api',
      'Web-1',
      'web-1',
      'web_2',
      'Zed',
      'éclair',
    ]);
  });
});
