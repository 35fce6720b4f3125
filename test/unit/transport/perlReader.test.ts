// The perl reader run locally (real perl, real files, real /proc) through the same PersistentShell framing SSH
// uses, against LocalTransport on plans over a directory of awkward names: globs, dot files, classes, a FIFO,
// NULs in contents, forged markers, a cgroup-like tree; and the request encoding and start-up failures.
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PersistentShell } from '../../../src/core/transport/batchSession';
import type { ShellChannel } from '../../../src/core/transport/batchSession';
import { parseBatchOutput } from '../../../src/core/transport/batchScript';
import { LocalTransport } from '../../../src/core/transport/local';
import { PERL_BOOT, PERL_READER } from '../../../src/core/transport/perlReader';
import { PYTHON_BOOT, PYTHON_READER } from '../../../src/core/transport/pythonReader';
import { encodeReaderRequest, readerRequest } from '../../../src/core/transport/readerRequest';
import { startReader } from '../../../src/core/transport/remoteReader';
import { MonitorError } from '../../../src/core/errors';
import type { BatchPlan, BatchResult } from '../../../src/core/transport/types';

const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function channel(argv: string[]): ShellChannel {
  const child = spawn(argv[0], argv.slice(1), { stdio: 'pipe' });
  children.push(child);
  return {
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    onEnd: (listener) =>
      child.once('close', (code, signal) => listener(signal ? `killed by ${signal}` : `exit code ${code}`)),
    close: () => child.stdin.end(),
  };
}

const PERL = ['env', 'LC_ALL=C', 'perl', '-e', PERL_BOOT];
const KINDS = {
  perl: { argv: PERL, program: PERL_READER },
  python3: { argv: ['env', 'LC_ALL=C', 'python3', '-c', PYTHON_BOOT], program: PYTHON_READER },
};

function reader(kind: keyof typeof KINDS, onStart?: (pid: number) => void): PersistentShell {
  return new PersistentShell(
    async () => {
      const c = channel(KINDS[kind].argv);
      // Started before onStart?.(): an optional call would skip evaluating its argument.
      const pid = await startReader(c, KINDS[kind].program, kind, 10_000);
      onStart?.(pid);
      return c;
    },
    `local-${kind}`,
    () => undefined,
    { encode: readerRequest, what: `${kind} reader` },
  );
}

async function viaPerl(shell: PersistentShell, plan: BatchPlan): Promise<BatchResult> {
  const reply = await shell.run(encodeReaderRequest(plan), 10_000);
  if (!reply) throw new Error('no perl reader');
  return parseBatchOutput(reply.output, reply.ms);
}

function expectSame(a: BatchResult, b: BatchResult): void {
  expect([...a.files].sort()).toEqual([...b.files].sort());
  expect([...a.links].sort()).toEqual([...b.links].sort());
  // Free space moves with other work on this machine; the size does not.
  expect([...a.statfs].map(([k, v]) => [k, v.totalBytes]).sort()).toEqual(
    [...b.statfs].map(([k, v]) => [k, v.totalBytes]).sort(),
  );
}

/** A directory of awkward entries; returns its path (plan characters only, as mkdtemp makes it). */
function awkwardTree(): string {
  const d = mkdtempSync(join(tmpdir(), 'dm-perl-'));
  const w = (rel: string, content: string | Buffer): void => writeFileSync(join(d, rel), content);
  mkdirSync(join(d, 'sub'));
  mkdirSync(join(d, 'sub', 'deeper'));
  w('plain', 'hello\n');
  w('.hidden', 'dot file\n');
  w('empty', '');
  w('nul-end', 'a\0b\0');
  w('nuls', '\0\0x\0\0');
  w('only-nul', '\0');
  w('with space', 'space\n');
  w('new\nline', 'newline name\n');
  w('forged', '\0END\0\0DM-DONE-0123456789abcdef0123456789abcdef\0\0F\0/etc/shadow\0x\0');
  w('big', Buffer.alloc(200_000, 'z'));
  w('utf8-é', 'été\n');
  w('sub/1', 'one');
  w('sub/22', 'two');
  w('sub/a3', 'three');
  w('sub/deeper/x', 'deep');
  symlinkSync('plain', join(d, 'link-to-plain'));
  symlinkSync('/nonexistent/target with space', join(d, 'dangling'));
  spawn('mkfifo', [join(d, 'fifo')]);
  return d;
}

describe.each(['perl', 'python3'] as const)('the %s reader, locally', (kind) => {
  const shell = reader(kind);
  afterAll(() => shell.close());
  const d = awkwardTree();

  it('ends each answer with its own CPU time so far, which its /proc/PID/stat read here agrees with', async () => {
    let pid = 0;
    const own = reader(kind, (p) => (pid = p));
    const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));
    // utime, stime, cutime, cstime: fields 14 to 17 of /proc/PID/stat.
    const cpu = (): number => {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const v = f.slice(f.lastIndexOf(')') + 2).split(' ');
      return [11, 12, 13, 14].reduce((a, i) => a + Number(v[i]), 0) / hz;
    };
    const plan: BatchPlan = { files: ['/proc/[0-9]*/stat', '/proc/[0-9]*/status'], links: [], statfs: [] };
    try {
      let last = -1;
      for (let i = 0; i < 8; i++) {
        const r = await viaPerl(own, plan);
        expect(r.readerCpuSeconds).toBeGreaterThanOrEqual(last);
        last = r.readerCpuSeconds!;
      }
      const before = cpu();
      const r = await viaPerl(own, plan);
      const after = cpu();
      expect(r.readerCpuSeconds).toBeGreaterThan(0);
      expect(r.readerCpuSeconds).toBeGreaterThanOrEqual(before - 1 / hz);
      expect(r.readerCpuSeconds).toBeLessThanOrEqual(after + 1 / hz);
      // The section is the reader's own: it never appears among the files read.
      expect([...r.files.keys()].some((k) => !k.startsWith('/proc/'))).toBe(false);
    } finally {
      own.close();
    }
  });

  it('reads globs, dot files, classes, NULs, forged markers, big files and odd names as LocalTransport does, and skips a FIFO', async () => {
    await new Promise((r) => setTimeout(r, 100)); // mkfifo
    const plan: BatchPlan = {
      files: [
        `${d}/*`,
        `${d}/.h*`,
        `${d}/sub/[0-9]`,
        `${d}/sub/[a-z]*`,
        `${d}/sub/[[:digit:]]?`,
        `${d}/sub/*/x`,
        `${d}/missing`,
        `${d}/sub`,
      ],
      links: [`${d}/*`, `${d}/plain`],
      statfs: [d, `${d}/nowhere`, '/'],
    };
    const p = await viaPerl(shell, plan);
    const l = await new LocalTransport().readBatch(plan);
    expectSame(p, l);
    expect(p.files.get(`${d}/nul-end`)).toBe('a\0b');
    expect(p.files.get(`${d}/nuls`)).toBe('\0\0x\0');
    expect(p.files.get(`${d}/only-nul`)).toBe('');
    expect(p.files.get(`${d}/new\nline`)).toBe('newline name\n');
    expect(p.files.get(`${d}/big`)?.length).toBe(200_000);
    expect(p.files.get(`${d}/forged`)).toContain('DM-DONE-');
    expect(p.files.has('/etc/shadow')).toBe(false);
    expect(p.files.has(`${d}/fifo`)).toBe(false);
    expect(p.files.has(`${d}/.hidden`)).toBe(true);
    expect([...p.files.keys()].filter((k) => k.startsWith(`${d}/sub/`)).sort()).toEqual([
      `${d}/sub/1`,
      `${d}/sub/22`,
      `${d}/sub/a3`,
      `${d}/sub/deeper/x`,
    ]);
    expect(p.links.get(`${d}/dangling`)).toBe('/nonexistent/target with space');
    expect(p.statfs.get(d)?.totalBytes).toBeGreaterThan(0);
  });

  it('reads the cgroup stage (known paths, new paths, newPathFiles, cached listings) as LocalTransport does', async () => {
    // Our own /proc/PID/cgroup lines name paths such as `/`; a tree under `root` answers for them.
    const root = join(d, 'cg');
    for (const dir of ['', 'memory', 'cpu', 'memory/known', 'known']) mkdirSync(join(root, dir), { recursive: true });
    for (const dir of ['', 'memory', 'cpu', 'memory/known', 'known']) {
      writeFileSync(join(root, dir, 'usage'), `usage of ${dir}\n`);
      writeFileSync(join(root, dir, 'limit'), `limit of ${dir}\n`);
    }
    const plan: BatchPlan = {
      files: [`/proc/${process.pid}/cgroup`],
      links: [],
      statfs: [],
      cgroups: { root, pattern: '.', files: ['usage', 'absent', 'u*'], paths: ['/known'], newPathFiles: ['limit'] },
    };
    const local = new LocalTransport();
    for (let i = 0; i < 2; i++) {
      const p = await viaPerl(shell, plan);
      expectSame(p, await local.readBatch(plan));
      expect(p.files.get(`${root}/memory/known/usage`)).toBe('usage of memory/known\n');
      expect(p.files.has(`${root}/memory/known/limit`)).toBe(false); // a known path: no newPathFiles
    }
  });

  it('skips the facts of known processes and reads those of a PID whose start time differs', async () => {
    const me = process.pid;
    const stat = (
      await new LocalTransport().readBatch({ files: [`/proc/${me}/stat`], links: [], statfs: [] })
    ).files.get(`/proc/${me}/stat`)!;
    const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    const plan = (known: Array<[number, number]>): BatchPlan => ({
      files: [`/proc/${me}/stat`],
      links: [],
      statfs: [],
      processFacts: { files: ['cmdline'], links: ['exe'], known },
    });
    const skipped = await viaPerl(shell, plan([[me, start]]));
    expect(skipped.files.has(`/proc/${me}/cmdline`)).toBe(false);
    expect(skipped.links.has(`/proc/${me}/exe`)).toBe(false);
    const read = await viaPerl(shell, plan([[me, start + 1]]));
    expect(read.files.get(`/proc/${me}/cmdline`)).toBe(readFileSync(`/proc/${me}/cmdline`, 'utf8').replace(/\0$/, ''));
    expect(read.links.get(`/proc/${me}/exe`)).toBe(process.execPath);
  });

  it('answers an ERR, not a crash, for a pattern perl cannot compile, and keeps serving', async () => {
    // validateBatchPlan refuses what is not a JS regex; a request written by hand reaches perl with code in it.
    expect(() =>
      encodeReaderRequest({
        files: [],
        links: [],
        statfs: [],
        cgroups: { root: '/x', pattern: '(?<a>x)(?<a>y)|[', files: ['x'] },
      }),
    ).toThrow(MonitorError);
    const reply = await shell.run(
      `F\0Lproc\0Luptime\nCR\0/x\nCP\0(?{ system("touch /tmp/dm-perl-eval") })\nCF\0Lx\n`,
      10_000,
    );
    expect(() => parseBatchOutput(reply!.output, 0)).toThrow(
      kind === 'perl'
        ? /the batch read failed on the target: perl reader: Eval-group not allowed/
        : /the batch read failed on the target: python3 reader: /,
    );
    expect(existsSync('/tmp/dm-perl-eval')).toBe(false);
    expect(
      (await viaPerl(shell, { files: ['/proc/uptime'], links: [], statfs: [] })).files.get('/proc/uptime'),
    ).toMatch(/^\d/);
  });
});

describe('the reader request', () => {
  it('is validated before it is encoded', () => {
    expect(() => encodeReaderRequest({ files: ['/etc/x; rm -rf /'], links: [], statfs: [] })).toThrow(MonitorError);
    expect(() => encodeReaderRequest({ files: ['relative'], links: [], statfs: [] })).toThrow(/absolute/);
  });

  it('carries literal segments as text and wildcard segments as anchored regexes', () => {
    const body = encodeReaderRequest({
      files: ['/proc/[0-9]*/stat'],
      links: [],
      statfs: ['/'],
      processFacts: { files: ['cmdline'], links: [], known: [] },
      perNetns: ['net/dev'],
    });
    expect(body.split('\n')).toEqual([
      'F\0Lproc\0G^(?!\\.)[0-9][^/]*\\z\0Lstat',
      'S\0L',
      'PF\0Lcmdline',
      'K',
      'N\0Lnet\0Ldev',
      '',
    ]);
  });

  it('is framed with its nonce and its length in bytes', () => {
    expect(readerRequest('é\n', 'ab')).toBe('DM-REQ ab 3\né\n');
  });
});

describe('starting a reader', () => {
  it('fails with not-found when the interpreter is missing, and with the reason when it dies', async () => {
    const missing = await startReader(channel(['env', 'LC_ALL=C', 'dm-no-such-perl']), PERL_READER, 'perl', 5000).catch(
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(MonitorError);
    expect((missing as MonitorError).code).toBe('not-found');
    const dies = await startReader(
      channel(['perl', '-e', 'print STDERR "no way\\n"; exit 3']),
      PERL_READER,
      'perl',
      5000,
    ).catch((e: unknown) => e);
    expect((dies as MonitorError).code).toBe('internal');
    expect((dies as MonitorError).message).toMatch(/no way/);
  });

  it('finds the greeting after a login shell has printed its own chatter', async () => {
    const pid = await startReader(
      channel(['sh', '-c', `echo welcome; exec ${PERL.map((a) => `'${a}'`).join(' ')}`]),
      PERL_READER,
      'perl',
      10_000,
    );
    expect(pid).toBeGreaterThan(1);
  });
});
