import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCmdline, parseProcCgroup, parseProcStat, parseProcStatus } from '../../../src/core/parse/procPid';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

// Garbage every parser must survive without throwing.
const HOSTILE = [
  '',
  '\n',
  '\0\0\0',
  ')))(((',
  '(',
  ')',
  '1 ()',
  'x'.repeat(100_000),
  '\u202e\ud800 \uffff',
  '1e3 (x) S 1 2 3',
  'Infinity (x) S',
  '__proto__: 1\nconstructor: 2',
];

describe('parseProcStat', () => {
  it('reads the fields of a container process (real /proc/PID/stat of dm-multi)', () => {
    expect(parseProcStat(fixture('proc/container-sh.stat'))).toEqual({
      pid: 6014,
      comm: 'sh',
      state: 'S',
      ppid: 5994,
      utime: 0,
      stime: 1,
      startTicks: 23140,
      vsizeBytes: 2322432,
      rssPages: 348,
      numThreads: 1,
      processor: 0,
    });
  });

  it('reads a multi-threaded daemon and a kernel thread', () => {
    const dockerd = parseProcStat(fixture('proc/dockerd.stat'));
    expect(dockerd).toMatchObject({ pid: 4809, comm: 'dockerd', ppid: 1, utime: 16, stime: 17, numThreads: 10 });
    expect(dockerd?.vsizeBytes).toBe(1494380544);
    expect(dockerd?.rssPages).toBe(19483);
    const kthreadd = parseProcStat(fixture('proc/kthreadd.stat'));
    expect(kthreadd).toMatchObject({ pid: 2, comm: 'kthreadd', ppid: 0, vsizeBytes: 0, rssPages: 0, processor: 1 });
  });

  it('splits at the last ")" for a name holding spaces and parentheses (real process "a b) (c")', () => {
    const stat = parseProcStat(fixture('proc/odd-name.stat'));
    expect(stat).toMatchObject({ pid: 9919, comm: 'a b) (c', state: 'S', ppid: 1, startTicks: 50975 });
    expect(stat?.vsizeBytes).toBe(2990080);
    expect(stat?.rssPages).toBe(444);
  });

  it('keeps a newline, a tab and a backslash in the name (real process)', () => {
    const stat = parseProcStat(fixture('proc/newline-name.stat'));
    expect(stat).toMatchObject({ pid: 9931, comm: 'n\nl\\t\tz', state: 'S', ppid: 1, startTicks: 51006 });
  });

  it('is not fooled by a name that imitates the following fields', () => {
    const line =
      '77 (x) R 1 2 3) S 5 77 77 0 -1 4194560 0 0 0 0 3 4 0 0 20 0 2 0 900 4096 10 1 2 3 4 5 6 7 8 9 10 11 12 13 14 1 0\n';
    expect(parseProcStat(line)).toMatchObject({
      pid: 77,
      comm: 'x) R 1 2 3',
      state: 'S',
      ppid: 5,
      utime: 3,
      stime: 4,
      numThreads: 2,
      startTicks: 900,
      processor: 1,
    });
  });

  it('gives processor null when the line stops before field 39', () => {
    const full = fixture('proc/container-sh.stat').trim();
    const fields = full.split(' ');
    const cut = fields.slice(0, 30).join(' ');
    expect(parseProcStat(cut)).toMatchObject({ pid: 6014, rssPages: 348, processor: null });
  });

  it('returns null for every cut before field 25 (so a cut rss is never taken), and never throws', () => {
    const full = fixture('proc/odd-name.stat');
    // Field N starts after the (N - 2)th space following the last ')'.
    let field25 = full.lastIndexOf(')') + 1;
    for (let spaces = 0; spaces < 23; field25++) if (full[field25] === ' ') spaces++;
    for (let n = 0; n <= full.length; n++) {
      const result = parseProcStat(full.slice(0, n));
      if (n <= field25) expect(result, `cut at ${n}`).toBeNull();
      else expect(result?.rssPages, `cut at ${n}`).toBe(444);
    }
  });

  it.each(HOSTILE)('returns null for garbage %#', (text) => {
    expect(parseProcStat(text)).toBeNull();
  });
});

describe('parseProcStatus', () => {
  it('reads a container process: two NSpid levels, host PID first (real, dm-multi PID 1)', () => {
    expect(parseProcStatus(fixture('proc/container-sh.status'))).toEqual({
      name: 'sh',
      uid: 0,
      nsPid: [6014, 1],
      threads: 1,
      vmRssBytes: 1516 * 1024,
    });
  });

  it('reads a host daemon and a kernel thread (no VmRSS line)', () => {
    expect(parseProcStatus(fixture('proc/dockerd.status'))).toEqual({
      name: 'dockerd',
      uid: 0,
      nsPid: [4809],
      threads: 10,
      vmRssBytes: 78000 * 1024,
    });
    expect(parseProcStatus(fixture('proc/kthreadd.status'))).toEqual({
      name: 'kthreadd',
      uid: 0,
      nsPid: [2],
      threads: 1,
      vmRssBytes: null,
    });
  });

  it('unescapes the Name the kernel escaped (real process named "n<LF>l\\\\t<TAB>z")', () => {
    const status = parseProcStatus(fixture('proc/newline-name.status'));
    expect(status?.name).toBe('n\nl\\t\tz');
    // The same name as field 2 of its stat file, which the kernel prints unescaped.
    expect(status?.name).toBe(parseProcStat(fixture('proc/newline-name.stat'))?.comm);
    expect(parseProcStatus(fixture('proc/odd-name.status'))?.name).toBe('a b) (c');
  });

  it('decodes escapes left to right, so an escaped backslash before "n" stays a backslash and an "n"', () => {
    expect(parseProcStatus('Name:\ta\\\\nb\\nc\\x\n')?.name).toBe('a\\nb\nc\\x');
  });

  it('takes the real UID (first of four) and gives [] without NSpid (kernels before 4.1)', () => {
    const text = 'Name:\tapp\nState:\tS (sleeping)\nUid:\t1000\t0\t0\t0\nThreads:\t3\n';
    expect(parseProcStatus(text)).toEqual({ name: 'app', uid: 1000, nsPid: [], threads: 3, vmRssBytes: null });
  });

  it('keeps what it read before a truncation', () => {
    const full = fixture('proc/container-sh.status');
    // Cut inside "NSpid:\t6014\t1": the unfinished line is not read as NSpid [60].
    const cut = full.slice(0, full.indexOf('NSpid:') + 'NSpid:\t60'.length);
    expect(parseProcStatus(cut)).toEqual({ name: 'sh', uid: 0, nsPid: [], threads: null, vmRssBytes: null });
    const upToThreads = full.slice(0, full.indexOf('\n', full.indexOf('Threads:')) + 1);
    expect(parseProcStatus(upToThreads)).toEqual({
      name: 'sh',
      uid: 0,
      nsPid: [6014, 1],
      threads: 1,
      vmRssBytes: 1516 * 1024,
    });
    for (let n = 0; n <= full.length; n += 7) expect(() => parseProcStatus(full.slice(0, n))).not.toThrow();
  });

  it('ignores malformed values', () => {
    const text = 'Name:\tx\nUid:\tabc\nNSpid:\t12\tzz\nThreads:\t-4\nVmRSS:\t12 MB\n';
    expect(parseProcStatus(text)).toEqual({ name: 'x', uid: null, nsPid: [], threads: null, vmRssBytes: null });
  });

  it.each(HOSTILE)('returns null for garbage %#', (text) => {
    expect(parseProcStatus(text)).toBeNull();
  });
});

describe('parseCmdline', () => {
  it('splits NUL-separated arguments (real cmdline of dm-multi PID 1)', () => {
    expect(parseCmdline(fixture('proc/container-sh.cmdline'))).toEqual([
      'sh',
      '-c',
      'httpd -p 8081 -h /www; sleep 100001 & sleep 100002 & yes > /dev/null & wait',
    ]);
    expect(parseCmdline(fixture('proc/odd-name.cmdline'))).toEqual(['/tmp/a b) (c', '300']);
    expect(parseCmdline(fixture('proc/dockerd.cmdline'))).toEqual(['dockerd']);
  });

  it('is empty for a kernel thread and keeps an empty last argument', () => {
    expect(parseCmdline('')).toEqual([]);
    expect(parseCmdline('sh\0-c\0\0')).toEqual(['sh', '-c', '']);
  });

  it('keeps a cmdline rewritten without NULs (setproctitle) and a truncated one', () => {
    expect(parseCmdline('nginx: master process /usr/sbin/nginx')).toEqual(['nginx: master process /usr/sbin/nginx']);
    expect(parseCmdline('sleep\u00001000')).toEqual(['sleep', '1000']);
  });
});

describe('parseProcCgroup', () => {
  it('reads every hierarchy of a container process on this hybrid v1 host (real)', () => {
    const entries = parseProcCgroup(fixture('proc/container-sh.cgroup'));
    const id = '93f3f81604bdb3f94697975482257c242caa29b0fb4afb96b983d2198d556060';
    expect(entries).toHaveLength(10);
    expect(entries[0]).toEqual({ hierarchyId: 9, controllers: ['name=systemd'], path: `/docker/${id}` });
    expect(entries.find((e) => e.controllers.includes('memory'))).toEqual({
      hierarchyId: 4,
      controllers: ['memory'],
      path: `/docker/${id}`,
    });
    expect(entries[9]).toEqual({ hierarchyId: 0, controllers: [], path: `/docker/${id}` });
  });

  it('splits combined controllers and keeps ":" inside the path', () => {
    const text = '10:cpu,cpuacct:/system.slice/a:b.scope\n0::/weird:path:x\n';
    expect(parseProcCgroup(text)).toEqual([
      { hierarchyId: 10, controllers: ['cpu', 'cpuacct'], path: '/system.slice/a:b.scope' },
      { hierarchyId: 0, controllers: [], path: '/weird:path:x' },
    ]);
  });

  it('skips malformed and truncated lines', () => {
    const full = fixture('proc/cgroup-paths/docker-in-docker-v1');
    const cut = full.slice(0, full.indexOf('\n') + 5); // second line cut inside "1:name"
    expect(parseProcCgroup(cut)).toHaveLength(1);
    expect(parseProcCgroup('x:memory:/a\n4:memory\n:cpu:/b\n5:pids:relative\n')).toEqual([]);
  });

  it.each(HOSTILE)('returns [] for garbage %#', (text) => {
    expect(parseProcCgroup(text)).toEqual([]);
  });
});
