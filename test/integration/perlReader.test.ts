// The perl reader (src/core/transport/perlReader.ts) over the real test sshd (scripts/test-env.sh), against
// LocalTransport and the sh batch script on the same /proc, sysfs and cgroups: same answers, skipped facts,
// no fork per refresh (shown with a pids cgroup that forbids one), hostile plans and file names, and a
// target without perl or python3 served by the sh fallback (an sshd of our own with a PATH that has neither).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPlan, buildTieredPlan, PROCESS_FACT_FILES } from '../../src/core/collect/plan';
import { procStatField } from '../../src/core/parse/procPid';
import { LocalTransport } from '../../src/core/transport/local';
import type { SshTransport } from '../../src/core/transport/ssh';
import { openTransport, parseTarget } from '../../src/core/transport/target';
import { MonitorError } from '../../src/core/errors';
import type { BatchPlan, BatchResult } from '../../src/core/transport/types';
import {
  SSHD_DIR,
  dockerReady,
  dockerSkipReason,
  makeSshHome,
  run,
  sshReady,
  sshSkipReason,
  startOwnSshd,
} from './env';

const NAMES = ['dm-limited', 'dm-unlimited', 'dm-hostnet', 'dm-multi'];
const DOCKER_ROOT = '/var/lib/docker';

async function connect(log: string[] = []): Promise<SshTransport> {
  const { home } = makeSshHome();
  return (await openTransport(parseTarget('dmtest'), { home, log: (l) => log.push(l) })) as SshTransport;
}

function procStat(pid: number): string[] {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return s.slice(s.lastIndexOf(')') + 2).split(' ');
}

/** Total forks since boot (`processes` in /proc/stat): every fork on this machine, by anyone. */
function forks(): number {
  return Number(/^processes (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]);
}

/** Host PIDs of each test container's processes, from docker top. */
function containerPids(): Map<string, number[]> {
  return new Map(NAMES.map((n) => [n, run('docker', ['top', n, '-o', 'pid']).split('\n').slice(1).map(Number)]));
}

/** Known [pid, start] pairs and container cgroup paths from a full read, as the collector keeps them. */
function tierFrom(r: BatchResult): { known: Array<[number, number]>; cgroupPaths: string[] } {
  const known: Array<[number, number]> = [];
  const paths = new Set<string>();
  for (const [k, v] of r.files) {
    const m = /^\/proc\/(\d+)\/(stat|cgroup)$/.exec(k);
    if (!m) continue;
    if (m[2] === 'stat') {
      const start = procStatField(v, 22);
      if (start !== null) known.push([Number(m[1]), start]);
    } else {
      for (const line of v.split('\n')) {
        const cg = line.split(':').slice(2).join(':');
        if (/\/docker\/[0-9a-f]{64}$/.test(cg)) paths.add(cg);
      }
    }
  }
  return { known, cgroupPaths: [...paths] };
}

const under = (r: BatchResult, m: 'files' | 'links', prefix: string): string[] =>
  [...r[m].keys()].filter((k) => k.startsWith(prefix)).sort();

describe.skipIf(!sshReady || !dockerReady)(`the perl reader over SSH (${sshSkipReason}; ${dockerSkipReason})`, () => {
  let perl: SshTransport;
  let sh: SshTransport;
  const log: string[] = [];
  const local = new LocalTransport();

  beforeAll(async () => {
    perl = await connect(log);
    sh = await connect();
    sh.remoteReader = false;
  });
  afterAll(async () => {
    await perl?.close();
    await sh?.close();
  });

  /** The same plan through the three readers, close together in time. */
  async function three(plan: BatchPlan): Promise<{ p: BatchResult; l: BatchResult; s: BatchResult }> {
    const p = await perl.readBatch(plan);
    const l = await local.readBatch(plan);
    const s = await sh.readBatch(plan);
    return { p, l, s };
  }

  function expectSameStable(a: BatchResult, b: BatchResult, pids: Map<string, number[]>, what: string): void {
    for (const [name, list] of pids) {
      for (const pid of list) {
        const prefix = `/proc/${pid}/`;
        // Per-process files and links of the containers' processes: same keys; fixed contents equal.
        expect(
          under(a, 'files', prefix).filter((k) => !k.startsWith(`${prefix}net/`)),
          `${what}: files of ${name} pid ${pid}`,
        ).toEqual(under(b, 'files', prefix).filter((k) => !k.startsWith(`${prefix}net/`)));
        for (const f of ['cmdline', 'cgroup'])
          expect(a.files.get(`${prefix}${f}`), `${what}: ${prefix}${f}`).toBe(b.files.get(`${prefix}${f}`));
        const links = under(b, 'links', prefix).filter((k) => !k.startsWith(`${prefix}fd/`));
        expect(
          under(a, 'links', prefix).filter((k) => !k.startsWith(`${prefix}fd/`)),
          `${what}: links of ${name} pid ${pid}`,
        ).toEqual(links);
        for (const k of links) expect(a.links.get(k), k).toBe(b.links.get(k));
      }
    }
    for (const path of [
      '/etc/passwd',
      '/etc/os-release',
      '/proc/sys/kernel/hostname',
      '/sys/fs/cgroup/cgroup.controllers',
    ]) {
      // Another project on this machine may add a user between the two reads: then both must be a file read as
      // it is now or was (the current one is read here again), never anything else.
      if (path === '/etc/passwd' && a.files.get(path) !== b.files.get(path)) {
        const now = readFileSync(path, 'utf8');
        expect(
          [a.files.get(path), b.files.get(path)].filter((t) => t !== now),
          `${what}: ${path} changed meanwhile`,
        ).toHaveLength(1);
        continue;
      }
      expect(a.files.get(path), `${what}: ${path}`).toBe(b.files.get(path));
    }
    for (const name of NAMES) {
      const id = run('docker', ['inspect', '-f', '{{.Id}}', name]);
      const keys = (r: BatchResult) =>
        [...r.files.keys()].filter((k) => k.startsWith('/sys/fs/cgroup/') && k.includes(`/${id}/`)).sort();
      expect(keys(b).length, `${what}: cgroup files of ${name}`).toBeGreaterThan(0);
      expect(keys(a), `${what}: cgroup files of ${name}`).toEqual(keys(b));
      const limit = [...b.files.keys()].find((k) => k.includes(`/${id}/`) && k.endsWith('/memory.limit_in_bytes'));
      if (limit) expect(a.files.get(limit)).toBe(b.files.get(limit));
    }
    // Per-namespace files through the same (lowest) PID of each container namespace.
    const nsKeys = (r: BatchResult) =>
      [...r.files.keys()]
        .filter(
          (k) => /^\/proc\/\d+\/(net|root)\//.test(k) && [...pids.values()].flat().includes(Number(k.split('/')[2])),
        )
        .sort();
    expect(nsKeys(a), `${what}: per-namespace files`).toEqual(nsKeys(b));
    expect([...a.statfs.keys()].sort()).toEqual([...b.statfs.keys()].sort());
    for (const [path, st] of b.statfs) expect(a.statfs.get(path)?.totalBytes, path).toBe(st.totalBytes);
  }

  it('answers the full plan as LocalTransport and the sh script do, with perl', async () => {
    const pids = containerPids();
    const { p, l, s } = await three(buildPlan(DOCKER_ROOT));
    expect(perl.reader).toBe('perl');
    expect(sh.reader).toBe('sh');
    expect(log).toContain('ssh: reading dmtest with perl');
    expect(p.files.get('/proc/stat')).toMatch(/^cpu\s+\d+/);
    expectSameStable(p, l, pids, 'perl vs local');
    expectSameStable(p, s, pids, 'perl vs sh');
    // Whole key sets differ only by processes that came or went between the reads (other work on this machine).
    const alive = (r: BatchResult) => new Set([...r.files.keys()].filter((k) => /^\/proc\/\d+\/stat$/.test(k)));
    const both = [...alive(p)].filter((k) => alive(l).has(k));
    expect(both.length).toBeGreaterThan(alive(p).size * 0.9);
  });

  it('answers tiered plans (fast and slow, with known facts) as LocalTransport does', async () => {
    const pids = containerPids();
    const first = await local.readBatch(buildPlan(DOCKER_ROOT));
    const tier = tierFrom(first);
    for (const slow of [false, true]) {
      const plan = buildTieredPlan(DOCKER_ROOT, {
        slow,
        interfaces: slow,
        stat: 'all',
        containerDetail: true,
        ...tier,
      });
      const p = await perl.readBatch(plan);
      const l = await local.readBatch(plan);
      expectSameStable(p, l, pids, `tiered slow=${slow}`);
      // Known processes' facts are skipped by both.
      const skipped = (r: BatchResult) =>
        [...pids.values()].flat().filter((pid) => !r.files.has(`/proc/${pid}/cmdline`));
      expect(skipped(p).sort()).toEqual(skipped(l).sort());
    }
  });

  it('reads only the named stats for what is shown, and the stat and facts of a process it does not know', async () => {
    const pids = containerPids();
    const tier = tierFrom(await local.readBatch(buildPlan(DOCKER_ROOT)));
    const main = pids.get('dm-multi')!;
    const unknown = pids.get('dm-limited')!;
    // dm-limited's processes play new ones: not in known, not named in the plan.
    const known = tier.known.filter(([pid]) => !unknown.includes(pid));
    const plan = buildTieredPlan(DOCKER_ROOT, {
      slow: false,
      interfaces: false,
      stat: [1, ...main],
      containerDetail: false,
      known,
      cgroupPaths: tier.cgroupPaths,
    });
    expect(plan.processFacts?.newFromListing).toBe(true);
    for (const reader of ['perl', 'python3'] as const) {
      const t = reader === 'perl' ? perl : await connect();
      if (reader === 'python3') t.readerChoice = ['python3'];
      try {
        const r = await t.readBatch(plan);
        expect(t.reader).toBe(reader);
        const l = await local.readBatch(plan);
        const stats = (b: BatchResult) => [...b.files.keys()].filter((k) => /^\/proc\/\d+\/stat$/.test(k));
        for (const pid of [...main, ...unknown])
          expect(r.files.has(`/proc/${pid}/stat`), `${reader}: stat of ${pid}`).toBe(true);
        for (const pid of unknown)
          expect(r.files.get(`/proc/${pid}/cmdline`), `${reader}: facts of ${pid}`).toBe(
            l.files.get(`/proc/${pid}/cmdline`),
          );
        for (const pid of main) expect(r.files.has(`/proc/${pid}/cmdline`), `${reader}: known ${pid}`).toBe(false);
        // A known process the plan does not name is not read at all (dm-unlimited's).
        for (const pid of pids.get('dm-unlimited')!)
          expect(r.files.has(`/proc/${pid}/stat`), `${reader}: ${pid}`).toBe(false);
        expect(stats(r).length).toBeLessThan(stats(l).length + 10);
        // The /proc listing comes back, so the collector learns which known processes are gone.
        const listed = readdirSync('/proc')
          .filter((n) => /^\d+$/.test(n))
          .map(Number);
        expect(r.pids, `${reader}: pids`).toBeDefined();
        for (const pid of [1, ...main, ...unknown]) expect(r.pids, `${reader}: ${pid} listed`).toContain(pid);
        expect(Math.abs(r.pids!.length - listed.length), `${reader}: listing size`).toBeLessThan(20);
        expect(l.pids, 'local: pids').toBeDefined();
        expect(Math.abs(l.pids!.length - listed.length)).toBeLessThan(20);
        expect(stats(r).length).toBeLessThan(known.length / 2);
      } finally {
        if (reader === 'python3') await t.close();
      }
    }
  });

  it('skips the facts of a known (pid, start) and reads them when the start time differs', async () => {
    const pid = containerPids().get('dm-multi')![0];
    const start = Number(procStat(pid)[19]);
    const plan = (known: Array<[number, number]>) =>
      buildTieredPlan(DOCKER_ROOT, {
        slow: false,
        interfaces: false,
        stat: 'all',
        containerDetail: true,
        known,
        cgroupPaths: [],
      });
    const skipped = await perl.readBatch(plan([[pid, start]]));
    expect(skipped.files.get(`/proc/${pid}/stat`)).toMatch(new RegExp(`^${pid} \\(`));
    for (const f of PROCESS_FACT_FILES) expect(skipped.files.has(`/proc/${pid}/${f}`), f).toBe(false);
    expect(skipped.links.has(`/proc/${pid}/exe`)).toBe(false);
    expect(skipped.links.has(`/proc/${pid}/ns/net`)).toBe(true); // a tick link, not a fact
    // Another process, not in `known`, has its facts read.
    expect(skipped.files.has('/proc/1/cmdline')).toBe(true);
    const reused = await perl.readBatch(plan([[pid, start + 1]]));
    for (const f of PROCESS_FACT_FILES) expect(reused.files.has(`/proc/${pid}/${f}`), f).toBe(true);
    expect(reused.links.get(`/proc/${pid}/exe`)).toBeDefined();
    expect(reused.files.get(`/proc/${pid}/cmdline`)).toBe(
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, ''),
    );
  });

  it('forks nothing across refreshes: the same reader answers all of them from a pids cgroup that allows no fork', async () => {
    // Every process's facts (known is empty), interfaces and statfs: all the reader's code paths but the socket tables.
    const plan = buildTieredPlan(DOCKER_ROOT, {
      slow: false,
      interfaces: true,
      stat: 'all',
      containerDetail: true,
      known: [],
      cgroupPaths: [],
    });
    await perl.readBatch(plan);
    const pid = perl.readerPid;
    expect(pid).toBeGreaterThan(1);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toMatch(/^env\0LC_ALL=C\0perl\0|^perl\0/);
    const cg = `/sys/fs/cgroup/pids/dm-perl-reader-test-${process.pid}`;
    mkdirSync(cg);
    try {
      writeFileSync(`${cg}/pids.max`, '1');
      writeFileSync(`${cg}/cgroup.procs`, String(pid));
      const N = 10;
      const before = forks();
      for (let i = 0; i < N; i++) {
        const r = await perl.readBatch(plan);
        expect(r.statfs.size).toBe(2);
        expect(r.files.get('/proc/1/cmdline')).toBeDefined();
      }
      const perlForks = forks() - before;
      expect(perl.readerPid).toBe(pid);
      // No fork was even tried: pids.events counts the forks the limit refused.
      expect(readFileSync(`${cg}/pids.events`, 'utf8')).toMatch(/^max 0$/m);
      expect(readFileSync(`${cg}/cgroup.procs`, 'utf8').trim()).toBe(String(pid));
      // The same refreshes through the sh script fork for every one (grep, find, xargs, sort, df...).
      const shBefore = forks();
      for (let i = 0; i < N; i++) await sh.readBatch(plan);
      const shForks = forks() - shBefore;
      // System-wide counts include other work on this machine, so only the sh figure is asserted; the pids
      // cgroup above is what shows the reader forked nothing.
      console.log(`forks on this machine during ${N} refreshes: perl reader ${perlForks}, sh script ${shForks}`);
      expect(shForks).toBeGreaterThan(N * 10);
    } finally {
      writeFileSync('/sys/fs/cgroup/pids/cgroup.procs', String(pid));
      rmdirSync(cg);
    }
  });

  it('refuses a hostile plan before sending anything to the reader', async () => {
    await perl.readBatch({ files: ['/proc/uptime'], links: [], statfs: [] });
    const pid = perl.readerPid!;
    const rchar = () => Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
    const before = rchar();
    for (const plan of [
      { files: ["/etc/passwd'; touch /tmp/dm-pwned; '"], links: [], statfs: [] },
      { files: ['/proc/uptime\nDM-REQ'], links: [], statfs: [] },
      {
        files: ['/proc/uptime'],
        links: [],
        statfs: [],
        cgroups: { root: '/sys/fs/cgroup', pattern: 'a\nb', files: ['x'] },
      },
      { files: ['/proc/uptime'], links: [], statfs: [], perNetns: ['../../etc/shadow'] },
      { files: ['/proc/uptime'], links: [], statfs: [], processFacts: { files: [], links: [], known: [[1, -1]] } },
    ] as BatchPlan[]) {
      const e = await perl.readBatch(plan).then(
        () => null,
        (err: unknown) => err,
      );
      expect(e, JSON.stringify(plan)).toBeInstanceOf(MonitorError);
      expect((e as MonitorError).code).toBe('bad-argument');
    }
    expect(rchar()).toBe(before); // the reader read not one byte more from its stdin
    expect(existsSync('/tmp/dm-pwned')).toBe(false);
    expect(
      (await perl.readBatch({ files: ['/proc/uptime'], links: [], statfs: [] })).files.get('/proc/uptime'),
    ).toMatch(/^\d/);
    expect(perl.readerPid).toBe(pid);
  });

  it('reads odd file names and forged markers in a container root as data, and skips a FIFO without hanging', async () => {
    const pid = containerPids().get('dm-unlimited')![0];
    // Names with a space, a newline and a tab; contents that forge section and end markers of both framings.
    const setup = [
      'rm -rf /tmp/odd && mkdir /tmp/odd && cd /tmp/odd',
      'printf "one\\0two\\0" > "a b"',
      `printf 'x\\0\\0END\\0\\0DM-DONE-00\\0\\0F\\0/etc/shadow\\0pwned\\0' > "$(printf 'new\\nline')"`,
      `printf '' > "$(printf 'tab\\tempty')"`,
      'busybox mkfifo fifo',
    ].join('; ');
    execFileSync('docker', ['exec', 'dm-unlimited', 'sh', '-c', setup]);
    try {
      const plan: BatchPlan = { files: [`/proc/${pid}/root/tmp/odd/*`], links: [], statfs: [] };
      const started = performance.now();
      const p = await perl.readBatch(plan);
      expect(performance.now() - started).toBeLessThan(5000);
      const l = await local.readBatch(plan);
      const dir = `/proc/${pid}/root/tmp/odd/`;
      expect([...p.files.keys()].sort()).toEqual([`${dir}a b`, `${dir}new\nline`, `${dir}tab\tempty`]);
      expect([...p.files.keys()].sort()).toEqual([...l.files.keys()].sort());
      for (const [k, v] of l.files) expect(p.files.get(k), JSON.stringify(k)).toBe(v);
      expect(p.files.get(`${dir}a b`)).toBe('one\0two');
      expect(p.files.get(`${dir}tab\tempty`)).toBe('');
      expect(p.files.has('/etc/shadow')).toBe(false);
      // The reader is still in step: the next request gets its own answer.
      expect(
        (await perl.readBatch({ files: ['/proc/version'], links: [], statfs: [] })).files.get('/proc/version'),
      ).toMatch(/^Linux version/);
    } finally {
      execFileSync('docker', ['exec', 'dm-unlimited', 'busybox', 'rm', '-rf', '/tmp/odd']);
    }
  });

  it('has a python3 reader that answers the same plans as LocalTransport, for hosts without perl', async () => {
    const py = await connect();
    py.readerChoice = ['python3'];
    try {
      const pids = containerPids();
      const full = buildPlan(DOCKER_ROOT);
      const p = await py.readBatch(full);
      expect(py.reader).toBe('python3');
      expectSameStable(p, await local.readBatch(full), pids, 'python3 vs local, full');
      const tiered = buildTieredPlan(DOCKER_ROOT, {
        slow: false,
        interfaces: false,
        stat: 'all',
        containerDetail: true,
        ...tierFrom(p),
      });
      expectSameStable(await py.readBatch(tiered), await local.readBatch(tiered), pids, 'python3 vs local, tiered');
      const pid = py.readerPid!;
      expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toMatch(/python3/);
      const cg = `/sys/fs/cgroup/pids/dm-python-reader-test-${process.pid}`;
      mkdirSync(cg);
      try {
        writeFileSync(`${cg}/pids.max`, '1');
        writeFileSync(`${cg}/cgroup.procs`, String(pid));
        for (let i = 0; i < 3; i++) expect((await py.readBatch(tiered)).statfs.size).toBe(2);
        expect(readFileSync(`${cg}/pids.events`, 'utf8')).toMatch(/^max 0$/m);
      } finally {
        writeFileSync('/sys/fs/cgroup/pids/cgroup.procs', String(pid));
        rmdirSync(cg);
      }
    } finally {
      await py.close();
    }
  });

  it('starts a new reader when the old one dies', async () => {
    await perl.readBatch({ files: ['/proc/uptime'], links: [], statfs: [] });
    const pid = perl.readerPid!;
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const r = await perl.readBatch({ files: ['/proc/uptime'], links: [], statfs: [] });
    expect(r.files.get('/proc/uptime')).toMatch(/^\d/);
    expect(perl.reader).toBe('perl');
    expect(perl.readerPid).not.toBe(pid);
  });
});

/** A directory of symlinks to what the sh batch script needs, plus `extra` (name -> path): no perl, no python3. */
function restrictedBin(extra: Record<string, string> = {}): string {
  const bin = mkdtempSync(join(tmpdir(), 'dm-shonly-'));
  for (const tool of ['sh', 'env', 'grep', 'find', 'xargs', 'sort', 'cut', 'df', 'true', 'sleep', 'kill', 'cat']) {
    const real = run('sh', ['-c', `command -v ${tool}`]);
    if (real.startsWith('/')) symlinkSync(real, join(bin, tool));
  }
  for (const [name, path] of Object.entries(extra)) symlinkSync(path, join(bin, name));
  return bin;
}

/** An sshd of our own whose sessions see only `bin` on their PATH, and a HOME with alias `restricted` for it. */
async function restrictedTarget(bin: string): Promise<{ sshd: { port: number; stop: () => void }; home: string }> {
  const wrapper = `${bin}-login`;
  // sshd runs ForceCommand through root's login shell; the wrapper then leaves only `bin` on the PATH.
  writeFileSync(wrapper, `#!/bin/sh\nPATH=${bin}\nexport PATH\nexec /bin/sh -c "$SSH_ORIGINAL_COMMAND"\n`, {
    mode: 0o755,
  });
  const sshd = await startOwnSshd((c) => `${c}\nForceCommand ${wrapper}\n`);
  const home = mkdtempSync(join(tmpdir(), 'dm-shonly-home-'));
  mkdirSync(join(home, '.ssh'));
  const hostKey = readFileSync(`${SSHD_DIR}/host_ed25519.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
  writeFileSync(join(home, '.ssh', 'known_hosts'), `[127.0.0.1]:${sshd.port} ${hostKey}\n`);
  writeFileSync(
    join(home, '.ssh', 'config'),
    `Host restricted\n  HostName 127.0.0.1\n  Port ${sshd.port}\n  User root\n  IdentityFile ${SSHD_DIR}/client_ed25519\n` +
      `  UserKnownHostsFile ${join(home, '.ssh', 'known_hosts')}\n  IdentityAgent none\n`,
  );
  return { sshd, home };
}

describe.skipIf(!sshReady)(`targets without perl (${sshSkipReason})`, () => {
  const sshds: Array<{ stop: () => void }> = [];
  afterAll(() => {
    for (const s of sshds) s.stop();
  });

  it('without perl or python3: read through the sh fallback, with the same answer', async () => {
    const bin = restrictedBin();
    expect(run('/bin/sh', ['-c', `PATH=${bin}; command -v perl python3 || echo none`])).toBe('none');
    const { sshd, home } = await restrictedTarget(bin);
    sshds.push(sshd);
    const log: string[] = [];
    const t = (await openTransport(parseTarget('restricted'), { home, log: (l) => log.push(l) })) as SshTransport;
    try {
      const plan = buildPlan(DOCKER_ROOT);
      const r = await t.readBatch(plan);
      expect(t.reader).toBe('sh');
      expect(
        log.some((l) =>
          /no persistent perl reader on restricted .*perl.*; the python3 reader or the sh batch script from now on/.test(
            l,
          ),
        ),
        log.join('\n'),
      ).toBe(true);
      expect(
        log.some((l) =>
          /no persistent python3 reader on restricted .*python3.*; the sh batch script from now on/.test(l),
        ),
        log.join('\n'),
      ).toBe(true);
      expect(log).toContain('ssh: reading restricted with sh');
      expect(r.files.get('/proc/meminfo')).toMatch(/^MemTotal:/);
      expect(r.files.get('/etc/os-release')).toBe(readFileSync('/etc/os-release', 'utf8'));
      expect(r.links.get(`/proc/${process.pid}/ns/net`)).toBe(readlinkSync(`/proc/${process.pid}/ns/net`));
      expect(r.files.get(`/proc/${process.pid}/cmdline`)).toBe(
        readFileSync(`/proc/${process.pid}/cmdline`, 'utf8').replace(/\0$/, ''),
      );
      expect(r.statfs.get('/')?.totalBytes).toBeGreaterThan(0);
      // The next refresh does not try the readers again.
      const opened = log.length;
      await t.readBatch({ files: ['/proc/uptime'], links: [], statfs: [] });
      expect(log.slice(opened).filter((l) => /perl|python/.test(l))).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('with python3 but no perl: read by the python3 reader', async () => {
    const bin = restrictedBin({ python3: '/usr/bin/python3' });
    const { sshd, home } = await restrictedTarget(bin);
    sshds.push(sshd);
    const log: string[] = [];
    const t = (await openTransport(parseTarget('restricted'), { home, log: (l) => log.push(l) })) as SshTransport;
    try {
      const r = await t.readBatch(buildPlan(DOCKER_ROOT));
      expect(t.reader).toBe('python3');
      expect(log).toContain('ssh: reading restricted with python3');
      expect(r.files.get(`/proc/${process.pid}/cmdline`)).toBe(
        readFileSync(`/proc/${process.pid}/cmdline`, 'utf8').replace(/\0$/, ''),
      );
    } finally {
      await t.close();
    }
  });
});
