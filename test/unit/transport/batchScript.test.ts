import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildBatchScript,
  parseBatchOutput,
  validateBatchPlan,
  withFactsForEveryProcess,
} from '../../../src/core/transport/batchScript';
import { LocalTransport } from '../../../src/core/transport/local';
import { MonitorError } from '../../../src/core/errors';
import type { BatchPlan, BatchResult } from '../../../src/core/transport/types';

/**
 * Runs a script the way the SSH transport does (`sh -s`, script on stdin) and returns its stdout. The shell
 * leads its own process group so that a hang is killed whole instead of outliving the test.
 */
function runSh(script: string, shell = 'sh', timeoutMs = 4000): Promise<{ stdout: Buffer; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const args = shell.endsWith('busybox') ? ['sh', '-s'] : ['-s'];
    const child = spawn(shell, args, { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
    const timer = setTimeout(() => {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      reject(new Error(`${shell} -s did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out), ms: performance.now() - started });
    });
    child.stdin.end(script);
  });
}

/** The batch script run on this machine: test-only, product code runs it through a Transport. */
export async function runBatchScriptLocally(plan: BatchPlan, shell = 'sh'): Promise<BatchResult> {
  const { stdout, ms } = await runSh(buildBatchScript(plan), shell);
  return parseBatchOutput(stdout, ms);
}

const EMPTY: BatchPlan = { files: [], links: [], statfs: [] };

function expectBadArgument(plan: unknown): void {
  let caught: unknown;
  try {
    buildBatchScript(plan as BatchPlan);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(MonitorError);
  expect((caught as MonitorError).code).toBe('bad-argument');
  expect((caught as MonitorError).message).not.toContain('\n');
}

describe('buildBatchScript rejects what could reach the shell', () => {
  const hostile = [
    '/tmp/$(touch /tmp/pwned)',
    '/tmp/`id`',
    '/tmp/a;reboot',
    '/tmp/a b',
    "/tmp/a'b",
    '/tmp/a"b',
    '/tmp/a\nb',
    '/tmp/a|b',
    '/tmp/a&b',
    '/tmp/a>b',
    '/tmp/$HOME',
    '/tmp/{a,b}',
    '/tmp/a\\b',
    '~/x',
    '/tmp/!x',
    '/tmp/a\0b',
    '/proc/[0-9/stat',
    'relative/path',
    '',
  ];
  it.each(hostile)('file %j', (p) => expectBadArgument({ ...EMPTY, files: [p] }));
  it.each(hostile)('link %j', (p) => expectBadArgument({ ...EMPTY, links: [p] }));
  it.each(hostile)('statfs %j', (p) => expectBadArgument({ ...EMPTY, statfs: [p] }));
  it('perNetns paths must be relative and stay under /proc/PID', () => {
    expectBadArgument({ ...EMPTY, perNetns: ['/etc/shadow'] });
    expectBadArgument({ ...EMPTY, perNetns: ['../1/environ'] });
    expectBadArgument({ ...EMPTY, perNetns: ['net/$(id)'] });
  });
  it('cgroup root, files and pattern are checked', () => {
    const ok = { root: '/sys/fs/cgroup', pattern: 'docker', files: ['memory.stat'] };
    expect(() => buildBatchScript({ ...EMPTY, cgroups: ok })).not.toThrow();
    expectBadArgument({ ...EMPTY, cgroups: { ...ok, root: '/sys/fs/*' } });
    expectBadArgument({ ...EMPTY, cgroups: { ...ok, root: 'sys' } });
    expectBadArgument({ ...EMPTY, cgroups: { ...ok, files: ['../../etc/shadow'] } });
    expectBadArgument({ ...EMPTY, cgroups: { ...ok, files: ['a b'] } });
    expectBadArgument({ ...EMPTY, cgroups: { ...ok, pattern: 'a\nb' } });
    expectBadArgument({ ...EMPTY, cgroups: { ...ok, pattern: '(' } });
    expectBadArgument({ ...EMPTY, cgroups: { ...ok, pattern: '' } });
  });
  it('known cgroup paths and new-path files are checked', () => {
    const ok = {
      root: '/sys/fs/cgroup',
      pattern: 'docker',
      files: ['memory.stat'],
      paths: ['/docker/abc'],
      newPathFiles: ['memory.limit_in_bytes'],
    };
    expect(() => buildBatchScript({ ...EMPTY, cgroups: ok })).not.toThrow();
    expectBadArgument({ ...EMPTY, cgroups: { ...ok, paths: ['/docker/*'] } });
    expectBadArgument({ ...EMPTY, cgroups: { ...ok, paths: ['docker/abc'] } });
    expectBadArgument({ ...EMPTY, cgroups: { ...ok, paths: ["/docker/a'b"] } });
    expectBadArgument({ ...EMPTY, cgroups: { ...ok, newPathFiles: ['../x'] } });
  });
  it('processFacts are relative paths and [pid, start ticks] pairs of non-negative integers', () => {
    const ok = { files: ['status'], links: ['ns/*'], known: [[1, 2] as [number, number]] };
    expect(() => buildBatchScript({ ...EMPTY, processFacts: ok })).not.toThrow();
    expectBadArgument({ ...EMPTY, processFacts: { ...ok, files: ['/etc/shadow'] } });
    expectBadArgument({ ...EMPTY, processFacts: { ...ok, links: ['../1/exe'] } });
    expectBadArgument({ ...EMPTY, processFacts: { ...ok, known: [[1, -2]] as never } });
    expectBadArgument({ ...EMPTY, processFacts: { ...ok, known: [[1.5, 2]] as never } });
    expectBadArgument({ ...EMPTY, processFacts: { ...ok, known: [['1; id', 2]] as never } });
    expectBadArgument({ ...EMPTY, processFacts: { ...ok, known: 'x' as never } });
  });
  it('the sh reader reads process facts for every PID (it cannot skip known ones)', () => {
    const script = buildBatchScript({ ...EMPTY, processFacts: { files: ['status'], links: ['exe'], known: [[1, 2]] } });
    expect(script).toContain(`/'proc'/[0-9]*/'status'`);
    expect(script).toContain(`/'proc'/[0-9]*/'exe'`);
  });
  it('rejects a plan that is not one', () => {
    expectBadArgument(null);
    expectBadArgument({ files: '/proc/stat', links: [], statfs: [] });
    expectBadArgument({ files: [42], links: [], statfs: [] });
  });
  it('accepts every allowed character and quotes the non-glob ones', () => {
    const p = '/tmp/A-z_0.9:a@b+c/[0-9]*/?';
    const plan = { ...EMPTY, files: [p] };
    expect(() => validateBatchPlan(plan)).not.toThrow();
    expect(buildBatchScript(plan)).toContain(`set -- /'tmp'/'A-z_0.9:a@b+c'/[0-9]*/?\n`);
  });
});

describe('parseBatchOutput on hand-made output', () => {
  const nul = '\0';
  const mark = (name: string): string => `${nul}${name}${nul}`;
  const frame = (path: string, ...chunks: string[]): string => chunks.map((c) => `${path}${nul}${c}${nul}`).join('');
  const wrap = (body: string): string => `${mark('DM-BATCH-1')}${body}${mark('END')}`;

  it('keeps multi-line content whole', () => {
    const r = parseBatchOutput(wrap(mark('F') + frame('/proc/meminfo', 'MemTotal: 1 kB\nMemFree: 2 kB\n')), 5);
    expect(r.files.get('/proc/meminfo')).toBe('MemTotal: 1 kB\nMemFree: 2 kB\n');
    expect(r.durationMs).toBe(5);
  });
  it('rejoins NUL-separated chunks, empty ones included', () => {
    const r = parseBatchOutput(
      wrap(mark('F') + frame('/proc/1/cmdline', 'sleep', '', '100') + frame('/proc/2/cmdline', 'sh')),
      0,
    );
    expect(r.files.get('/proc/1/cmdline')).toBe('sleep\0\0' + '100');
    expect(r.files.get('/proc/2/cmdline')).toBe('sh');
  });
  it('does not take content that looks like a frame or a marker for one', () => {
    // A file holding "x\0\0END\0/etc/shadow\0secret" reaches us as these chunks from grep -z.
    const chunks = ['x', '', 'END', '/etc/shadow', 'secret'];
    const r = parseBatchOutput(wrap(mark('F') + frame('/tmp/evil', ...chunks) + frame('/proc/stat', 'cpu 1\n')), 0);
    expect(r.files.get('/tmp/evil')).toBe(chunks.join('\0'));
    expect(r.files.has('/etc/shadow')).toBe(false);
    expect(r.files.get('/proc/stat')).toBe('cpu 1\n');
  });
  it('keeps newlines in paths and link targets', () => {
    const r = parseBatchOutput(wrap(mark('F') + frame('/tmp/a\nb', 'v') + mark('L') + `/tmp/l${nul}x\ny${nul}`), 0);
    expect(r.files.get('/tmp/a\nb')).toBe('v');
    expect(r.links.get('/tmp/l')).toBe('x\ny');
  });
  it('records empty files, but never blanks a file that had content in the same read', () => {
    const body = mark('F') + frame('/a', 'text') + mark('E') + `/b${nul}/a${nul}` + mark('F');
    const r = parseBatchOutput(wrap(body), 0);
    expect(r.files.get('/b')).toBe('');
    expect(r.files.get('/a')).toBe('text');
  });
  it('leaves out links whose target could not be read', () => {
    const r = parseBatchOutput(
      wrap(mark('L') + `/proc/1/ns/net${nul}${nul}/proc/2/ns/net${nul}net:[4026531840]${nul}`),
      0,
    );
    expect(r.links.has('/proc/1/ns/net')).toBe(false);
    expect(r.links.get('/proc/2/ns/net')).toBe('net:[4026531840]');
  });
  it('reads df -P -k output, including a filesystem name with spaces', () => {
    const df = (fs: string) =>
      `Filesystem     1024-blocks     Used Available Capacity Mounted on\n${fs}         264212084 23775696  82615216      23% /mnt/x y\n`;
    const r = parseBatchOutput(
      wrap(
        mark('S') + `/${nul}${df('/dev/vda')}${nul}/mnt/x y${nul}${df('map auto home')}${nul}/bad${nul}garbage${nul}`,
      ),
      0,
    );
    const want = {
      totalBytes: 264212084 * 1024,
      freeBytes: (264212084 - 23775696) * 1024,
      availableBytes: 82615216 * 1024,
    };
    expect(r.statfs.get('/')).toEqual(want);
    expect(r.statfs.get('/mnt/x y')).toEqual(want);
    expect(r.statfs.has('/bad')).toBe(false);
  });
  it('skips what a shell rc file printed before the start marker', () => {
    const r = parseBatchOutput(`Welcome!\n${wrap(mark('F') + frame('/proc/stat', 'cpu\n'))}`, 0);
    expect([...r.files.keys()]).toEqual(['/proc/stat']);
  });
  it('accepts a string as well as a Buffer', () => {
    const s = wrap(mark('F') + frame('/x', 'é✓'));
    expect(parseBatchOutput(Buffer.from(s, 'utf8'), 0).files.get('/x')).toBe('é✓');
    expect(parseBatchOutput(s, 0).files.get('/x')).toBe('é✓');
  });
  it("reads a reader's own CPU seconds (section C), and leaves out a value that is not a plain decimal", () => {
    const ok = parseBatchOutput(wrap(mark('F') + frame('/a', 'b') + mark('C') + `12.34${nul}`), 0);
    expect(ok.readerCpuSeconds).toBe(12.34);
    expect([...ok.files.keys()]).toEqual(['/a']);
    for (const bad of ['-1', '1e9', 'NaN', '1.2.3', ' 5'])
      expect(parseBatchOutput(wrap(mark('C') + `${bad}${nul}`), 0).readerCpuSeconds).toBeUndefined();
    expect(parseBatchOutput(wrap(mark('F') + frame('/a', 'b')), 0).readerCpuSeconds).toBeUndefined();
  });
  it('gives empty maps for an empty run', () => {
    const r = parseBatchOutput(wrap(''), 0);
    expect([r.files.size, r.links.size, r.statfs.size]).toEqual([0, 0, 0]);
  });

  const failures: [string, string | Buffer, RegExp][] = [
    ['empty output', '', /printed nothing/],
    ['empty buffer', Buffer.alloc(0), /printed nothing/],
    ['no start marker', 'bash: sh: command not found\n', /no start marker/],
    ['no end marker', `${mark('DM-BATCH-1')}${mark('F')}${frame('/a', 'b')}`, /cut short/],
    ['output cut inside a record', `${mark('DM-BATCH-1')}${mark('F')}/a${nul}partial`, /cut short/],
    [
      'an error from the script',
      `${mark('DM-BATCH-1')}${mark('ERR')}the target lacks GNU grep${nul}`,
      /failed on the target: the target lacks GNU grep/,
    ],
    ['an unknown section', wrap(mark('Q')), /unknown section/],
    ['a record before any section', wrap(frame('/a', 'b')), /outside any section/],
  ];
  it.each(failures)('throws one clear line on %s', (_, out, re) => {
    let caught: unknown;
    try {
      parseBatchOutput(out, 0);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MonitorError);
    expect((caught as MonitorError).message).toMatch(re);
    expect((caught as MonitorError).message).not.toContain('\n');
  });
});

describe('the script on this machine, against LocalTransport', () => {
  let dir = '';
  const contents: Record<string, string | Buffer> = {
    'plain.txt': 'line1\nline2\n',
    'no-newline': 'no newline at the end',
    'nul.bin': 'a\0b\0\0c',
    'ends-nul': 'x\0y\0',
    'only-nul': '\0',
    empty: '',
    'only-newline': '\n',
    'frame-like': '/etc/passwd\0root:x:0:0\n\0DM-BATCH-1\0\0END\0\0F\0/etc/shadow\0',
    utf8: 'héllo ✓\n',
    'bad-utf8': Buffer.from([0xff, 0xfe, 0x41, 0x0a]),
    big: 'x'.repeat(100).concat('\n').repeat(3000),
    'name with\nnewline': 'nl-name',
    '$(touch pwned)': 'cmd-name',
    "quote'd `x` *": 'q',
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dm-batch-'));
    for (const [name, c] of Object.entries(contents)) writeFileSync(join(dir, name), c);
    mkdirSync(join(dir, 'subdir'));
    mkdirSync(join(dir, 'n'));
    for (let i = 0; i < 30; i++) writeFileSync(join(dir, 'n', String(i)), `${i}\n`);
    writeFileSync(join(dir, 'n', 'other'), 'not a digit name');
    // A FIFO nobody writes to: reading it would block forever, so both sides must skip it.
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    symlinkSync('target with\nnewline', join(dir, 'link-nl'));
    symlinkSync('/nonexistent/dangling', join(dir, 'link-dangling'));
    symlinkSync('plain.txt', join(dir, 'link-rel'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const plan = (): BatchPlan => ({
    files: [`${dir}/*`, `${dir}/n/[0-9]*`, `${dir}/missing`, `${dir}/nomatch*`],
    links: [`${dir}/*`, `${dir}/missing-link`],
    statfs: [dir, `${dir}/missing`],
  });

  it('returns the same files and links as LocalTransport, byte for byte', async () => {
    const [script, local] = await Promise.all([runBatchScriptLocally(plan()), new LocalTransport().readBatch(plan())]);
    expect(script.files).toEqual(local.files);
    expect(script.links).toEqual(local.links);
    expect([...script.statfs.keys()]).toEqual([dir]);
    expect([...local.statfs.keys()]).toEqual([dir]);
    expect(script.statfs.get(dir)?.totalBytes).toBe(local.statfs.get(dir)?.totalBytes);
  });

  it('reads every kind of content as the fixture holds it', async () => {
    const r = await runBatchScriptLocally(plan());
    const f = (name: string) => r.files.get(join(dir, name));
    expect(f('plain.txt')).toBe('line1\nline2\n');
    expect(f('no-newline')).toBe('no newline at the end');
    expect(f('nul.bin')).toBe('a\0b\0\0c');
    expect(f('ends-nul')).toBe('x\0y');
    expect(f('only-nul')).toBe('');
    expect(f('empty')).toBe('');
    expect(f('only-newline')).toBe('\n');
    expect(f('frame-like')).toBe(String(contents['frame-like']).slice(0, -1));
    expect(f('utf8')).toBe('héllo ✓\n');
    expect(f('bad-utf8')).toBe('\ufffd\ufffdA\n');
    expect(f('big')).toBe(contents.big);
    expect(f('name with\nnewline')).toBe('nl-name');
    expect(f('$(touch pwned)')).toBe('cmd-name');
    expect(f("quote'd `x` *")).toBe('q');
    expect(r.files.has('/etc/shadow')).toBe(false);
    expect(r.files.has(join(dir, 'subdir'))).toBe(false);
    expect(r.files.has(join(dir, 'fifo'))).toBe(false);
    expect(r.files.has(join(dir, 'missing'))).toBe(false);
    expect(r.files.has(join(dir, 'n', 'other'))).toBe(false);
    expect([...r.files.keys()].filter((k) => k.startsWith(join(dir, 'n/'))).length).toBe(30);
    expect(r.links.get(join(dir, 'link-nl'))).toBe('target with\nnewline');
    expect(r.links.get(join(dir, 'link-dangling'))).toBe('/nonexistent/dangling');
    expect(r.links.get(join(dir, 'link-rel'))).toBe('plain.txt');
    expect(r.links.has(join(dir, 'plain.txt'))).toBe(false);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync('pwned')).toBe(false);
  });

  it('statfs matches df run separately', async () => {
    const r = await runBatchScriptLocally(plan());
    const line = execFileSync('df', ['-P', '-k', dir]).toString().trim().split('\n')[1].split(/\s+/);
    expect(r.statfs.get(dir)?.totalBytes).toBe(Number(line[1]) * 1024);
  });

  it('passes the cgroup pattern to grep as data, never as shell code', async () => {
    const sentinel = join(dir, 'pwned-by-pattern');
    const pattern = `'; touch ${sentinel}; echo '`;
    const r = await runBatchScriptLocally({
      ...plan(),
      cgroups: { root: '/sys/fs/cgroup', pattern, files: ['memory.stat'] },
    });
    expect(existsSync(sentinel)).toBe(false);
    expect(r.files.get(join(dir, 'plain.txt'))).toBe('line1\nline2\n');
  });

  it('runs under dash and bash alike', async () => {
    const shells = ['dash', 'bash'].filter((s) => existsSync(`/bin/${s}`));
    expect(shells.length).toBeGreaterThan(0);
    const results = await Promise.all(shells.map((s) => runBatchScriptLocally(plan(), s)));
    for (const r of results) expect(r.files).toEqual(results[0].files);
  });

  it.skipIf(!existsSync('/bin/busybox'))('reports in one line that BusyBox tools are not enough', async () => {
    // BusyBox sh runs its own applets (find without -printf): the script must say so, not return nothing.
    const { stdout, ms } = await runSh(buildBatchScript(plan()), '/bin/busybox');
    let caught: unknown;
    try {
      parseBatchOutput(stdout, ms);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MonitorError);
    expect((caught as MonitorError).message).toMatch(
      /^the batch read failed on the target: the target lacks GNU grep, GNU find/,
    );
  });

  it('an empty plan reads nothing and does not consume its own script from stdin', async () => {
    const r = await runBatchScriptLocally({
      ...EMPTY,
      cgroups: { root: '/sys/fs/cgroup', pattern: 'x', files: ['a'] },
      perNetns: ['net/dev'],
    });
    expect([r.files.size, r.links.size, r.statfs.size]).toEqual([0, 0, 0]);
  });

  const canUnshare = (() => {
    try {
      execFileSync('unshare', ['--pid', '--fork', 'true'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  describe.skipIf(!canUnshare)('process count (needs unshare --pid: root)', () => {
    // In a fresh PID namespace PIDs are handed out 1, 2, 3...: the last one counts the processes started.
    const processesFor = (files: string[]): number => {
      const script = buildBatchScript({ files, links: files, statfs: [] });
      const out = execFileSync('unshare', ['--pid', '--fork', 'sh', '-c', "sh -s >/dev/null; sh -c 'echo $$'"], {
        input: script,
      });
      return Number(out.toString().trim());
    };
    it('does not grow with the number of files', () => {
      const many = join(dir, 'many');
      mkdirSync(many);
      for (let i = 0; i < 500; i++) writeFileSync(join(many, `f${i}`), String(i));
      const few = processesFor([`${dir}/n/1`]);
      const lots = processesFor([`${many}/*`]);
      expect(lots).toBe(few);
      expect(lots).toBeLessThan(40);
    });
  });
});

describe('withFactsForEveryProcess', () => {
  it('reads every stat once when the plan named some (newFromListing): the named ones are not read twice', () => {
    const plan = withFactsForEveryProcess({
      files: ['/proc/stat', '/proc/1/stat', '/proc/42/stat'],
      links: ['/proc/1/ns/net'],
      statfs: [],
      processFacts: { files: ['cmdline'], links: ['exe'], known: [[1, 5]], newFromListing: true },
    });
    expect(plan.files).toEqual(['/proc/stat', '/proc/[0-9]*/stat', '/proc/[0-9]*/cmdline']);
    expect(plan.links).toEqual(['/proc/1/ns/net', '/proc/[0-9]*/exe']);
    expect(plan.processFacts).toBeUndefined();
  });
});
