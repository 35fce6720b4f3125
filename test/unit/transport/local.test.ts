import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBatchScript, parseBatchOutput } from '../../../src/core/transport/batchScript';
import { LocalTransport } from '../../../src/core/transport/local';
import { MonitorError } from '../../../src/core/errors';
import type { BatchPlan, BatchResult } from '../../../src/core/transport/types';

const local = new LocalTransport();

async function rejection(p: Promise<unknown>): Promise<MonitorError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MonitorError);
  expect((e as MonitorError).message).not.toContain('\n');
  return e as MonitorError;
}

describe('LocalTransport identity', () => {
  it('is the local transport', async () => {
    expect(local.kind).toBe('local');
    expect(local.label).toBe('local');
    await expect(local.close()).resolves.toBeUndefined();
  });
});

describe('LocalTransport.exec', () => {
  it('returns stdout, stderr and the exit code', async () => {
    expect(await local.exec(['sh', '-c', 'printf out; printf err >&2; exit 3'])).toEqual({
      stdout: 'out',
      stderr: 'err',
      code: 3,
    });
  });
  it('passes arguments without a shell', async () => {
    const args = ['$(id)', '*', ';', "a'b", '`x`', '$HOME'];
    const r = await local.exec(['printf', '%s|', ...args]);
    expect(r.stdout).toBe(`${args.join('|')}|`);
  });
  it('feeds stdin, a large one too', async () => {
    expect((await local.exec(['cat'], { stdin: 'hello\nworld' })).stdout).toBe('hello\nworld');
    const big = 'x'.repeat(2 * 1024 * 1024);
    expect((await local.exec(['wc', '-c'], { stdin: big })).stdout.trim()).toBe(String(big.length));
  });
  it('survives a command that exits without reading its stdin', async () => {
    expect((await local.exec(['true'], { stdin: 'y'.repeat(4 * 1024 * 1024) })).code).toBe(0);
  });
  it('reports a signal death as code null', async () => {
    expect((await local.exec(['sh', '-c', 'kill -9 $$'])).code).toBeNull();
  });
  it('kills a command that outlives its timeout', async () => {
    const marker = `9.${process.pid}`;
    const started = Date.now();
    const e = await rejection(local.exec(['sleep', marker], { timeoutMs: 200 }));
    expect(e.code).toBe('timeout');
    expect(e.message).toContain('sleep');
    expect(Date.now() - started).toBeLessThan(3000);
    // The process is gone, not left running.
    const alive = readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .some((d) => {
        try {
          return readFileSync(`/proc/${d}/cmdline`, 'utf8') === `sleep\0${marker}\0`;
        } catch {
          return false;
        }
      });
    expect(alive).toBe(false);
  });
  it('says when the command does not exist', async () => {
    const e = await rejection(local.exec(['/nonexistent/dm-command', 'x']));
    expect(e.code).toBe('not-found');
    expect(e.message).toContain('/nonexistent/dm-command');
  });
  it('rejects an empty command, NUL bytes and a bad timeout', async () => {
    expect((await rejection(local.exec([]))).code).toBe('bad-argument');
    expect((await rejection(local.exec(['echo', 'a\0b']))).code).toBe('bad-argument');
    expect((await rejection(local.exec(['true'], { timeoutMs: -1 }))).code).toBe('bad-argument');
  });
});

describe('LocalTransport.openUnixSocket', () => {
  let dir = '';
  let server: Server;
  const sock = () => join(dir, 'echo.sock');
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dm-sock-'));
    chmodSync(dir, 0o755);
    server = createServer((s) => s.pipe(s));
    await new Promise<void>((resolve) => server.listen(sock(), resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects and carries bytes both ways', async () => {
    const s = await local.openUnixSocket(sock());
    const reply = new Promise<string>((resolve) => s.once('data', (d: Buffer) => resolve(d.toString())));
    s.write('ping');
    expect(await reply).toBe('ping');
    s.destroy();
  });
  it('names the socket when there is none', async () => {
    const e = await rejection(local.openUnixSocket(join(dir, 'missing.sock')));
    expect(e.code).toBe('docker-unavailable');
    expect(e.message).toContain(join(dir, 'missing.sock'));
  });
  it('reports a socket nobody listens on as unavailable', async () => {
    // A listener killed with SIGKILL leaves its socket file behind: connecting to it is ECONNREFUSED.
    const stale = join(dir, 'stale.sock');
    const child = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(stale)}, () => console.log('up'))`,
    ]);
    await new Promise((resolve) => child.stdout.once('data', resolve));
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const e = await rejection(local.openUnixSocket(stale));
    expect(e.code).toBe('docker-unavailable');
    expect(e.message).toContain(stale);
  });
  it('rejects an empty path', async () => {
    expect((await rejection(local.openUnixSocket(''))).code).toBe('bad-argument');
  });

  const isRoot = process.getuid?.() === 0;
  describe.skipIf(!isRoot)('as an unprivileged user (needs root to switch to nobody)', () => {
    it('reports a socket it may not use as docker-denied', async () => {
      const guarded = join(dir, 'guarded.sock');
      const srv = createServer((s) => s.end());
      await new Promise<void>((resolve) => srv.listen(guarded, resolve));
      chmodSync(guarded, 0o600);
      // The transport bundled to plain JS, run by node as nobody.
      const bundle = join(dir, 'local.mjs');
      buildSync({
        entryPoints: [join(__dirname, '../../../src/core/transport/local.ts')],
        bundle: true,
        platform: 'node',
        format: 'esm',
        outfile: bundle,
        logLevel: 'silent',
      });
      chmodSync(bundle, 0o644);
      const code = `import { LocalTransport } from ${JSON.stringify(bundle)};
        new LocalTransport().openUnixSocket(${JSON.stringify(guarded)}).then(
          () => console.log(JSON.stringify({ connected: true })),
          (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
        uid: 65534,
        gid: 65534,
        cwd: '/',
      });
      await new Promise((resolve) => srv.close(resolve));
      const r = JSON.parse(out.toString()) as { code?: string; message?: string };
      expect(r.code).toBe('docker-denied');
      expect(r.message).toContain(guarded);
    });
  });
});

describe('LocalTransport.readBatch', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dm-local-'));
    mkdirSync(join(dir, 'many'));
    for (let i = 0; i < 300; i++) writeFileSync(join(dir, 'many', `f${i}`), `content ${i}\n`);
    writeFileSync(join(dir, 'cmdline'), 'sleep\u0000100\u0000');
    mkdirSync(join(dir, 'adir'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    symlinkSync('/nonexistent/target', join(dir, 'dangling'));
    symlinkSync('cmdline', join(dir, 'to-cmdline'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads more files than its concurrency, all of them', async () => {
    const r = await local.readBatch({ files: [`${dir}/many/*`], links: [], statfs: [] });
    expect(r.files.size).toBe(300);
    for (let i = 0; i < 300; i++) expect(r.files.get(join(dir, 'many', `f${i}`))).toBe(`content ${i}\n`);
    expect(r.durationMs).toBeGreaterThan(0);
  });
  it('drops one trailing NUL, as the script must', async () => {
    const r = await local.readBatch({ files: [`${dir}/cmdline`], links: [], statfs: [] });
    expect(r.files.get(join(dir, 'cmdline'))).toBe('sleep\u0000100');
  });
  it('leaves out missing files, directories, FIFOs and dangling links, and reads through good links', async () => {
    const r = await local.readBatch({ files: [`${dir}/*`, `${dir}/missing`], links: [], statfs: [] });
    expect([...r.files.keys()].sort()).toEqual([join(dir, 'cmdline'), join(dir, 'to-cmdline')]);
  });
  it('reads link targets and leaves out what is not a link', async () => {
    const r = await local.readBatch({ files: [], links: [`${dir}/*`, `${dir}/missing`], statfs: [] });
    expect(Object.fromEntries(r.links)).toEqual({
      [join(dir, 'dangling')]: '/nonexistent/target',
      [join(dir, 'to-cmdline')]: 'cmdline',
    });
  });
  it('statfs agrees with df and leaves out missing paths', async () => {
    const r = await local.readBatch({ files: [], links: [], statfs: [dir, join(dir, 'missing')] });
    const cols = execFileSync('df', ['-P', '-k', dir]).toString().trim().split('\n')[1].split(/\s+/);
    expect([...r.statfs.keys()]).toEqual([dir]);
    expect(r.statfs.get(dir)?.totalBytes).toBe(Number(cols[1]) * 1024);
    const st = r.statfs.get(dir);
    expect(st && st.availableBytes <= st.freeBytes && st.freeBytes <= st.totalBytes).toBe(true);
  });
  it('rejects a plan the script would reject', async () => {
    const e = await rejection(local.readBatch({ files: ['/tmp/$(id)'], links: [], statfs: [] }));
    expect(e.code).toBe('bad-argument');
  });
  it('reads an empty file as the empty string', async () => {
    writeFileSync(join(dir, 'empty'), '');
    const r = await local.readBatch({ files: [join(dir, 'empty')], links: [], statfs: [] });
    expect(r.files.get(join(dir, 'empty'))).toBe('');
  });
  it('reads a file larger than one read, with characters split across reads, whole', async () => {
    // 3-byte UTF-8 characters: some straddle every power-of-two read boundary; a NUL inside stays.
    const text = `${'€'.repeat(70_000)}\u0000middle\n${'ß'.repeat(50_000)}`;
    writeFileSync(join(dir, 'big'), text);
    const r = await local.readBatch({ files: [join(dir, 'big')], links: [], statfs: [] });
    expect(r.files.get(join(dir, 'big'))).toBe(readFileSync(join(dir, 'big'), 'utf8'));
    expect(r.files.get(join(dir, 'big'))).toBe(text);
  });
  it('lets the event loop turn while it reads a large batch', async () => {
    mkdirSync(join(dir, 'lots'));
    for (let i = 0; i < 2000; i++) writeFileSync(join(dir, 'lots', `g${i}`), `${i}`);
    let turns = 0;
    let done = false;
    const spin = (): void => {
      if (done) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const r = await local.readBatch({ files: [`${dir}/lots/*`], links: [`${dir}/lots/*`], statfs: [] });
    done = true;
    expect(r.files.size).toBe(2000);
    expect(r.files.get(join(dir, 'lots', 'g1999'))).toBe('1999');
    expect(r.links.size).toBe(0);
    // 2000 reads, 2000 readlinks: a read that never let go of the loop would count 0 or 1 turns.
    expect(turns).toBeGreaterThanOrEqual(5);
  });
  it('lists directories afresh for every batch', async () => {
    mkdirSync(join(dir, 'grow'));
    writeFileSync(join(dir, 'grow', 'a'), 'a');
    const plan = { files: [`${dir}/grow/*`], links: [], statfs: [] };
    expect([...(await local.readBatch(plan)).files.keys()]).toEqual([join(dir, 'grow', 'a')]);
    writeFileSync(join(dir, 'grow', 'b'), 'b');
    expect([...(await local.readBatch(plan)).files.keys()].sort()).toEqual([
      join(dir, 'grow', 'a'),
      join(dir, 'grow', 'b'),
    ]);
  });
  it('sees the same directory listing through several patterns of one batch', async () => {
    const r = await local.readBatch({
      files: [`${dir}/many/f1*`, `${dir}/many/f2?`, `${dir}/many/f1`],
      links: [],
      statfs: [],
    });
    const expected = readdirSync(join(dir, 'many')).filter((n) => /^f1/.test(n) || /^f2.$/.test(n));
    expect([...r.files.keys()].sort()).toEqual(expected.map((n) => join(dir, 'many', n)).sort());
  });
});

/** The same plan through the sh batch script, run here as the SSH transport runs it remotely (`sh -s`). */
function viaScript(plan: BatchPlan): BatchResult {
  return parseBatchOutput(execFileSync('sh', ['-s'], { input: buildBatchScript(plan), timeout: 20_000 }), 0);
}

describe('LocalTransport.readBatch second stages', () => {
  let dir = '';
  let sibling: ChildProcess | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dm-stages-'));
  });
  afterAll(() => {
    sibling?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** Our own cgroup paths, third field onwards of each /proc/self/cgroup line, read here without the transport. */
  const ownCgroups = (): string[] => [
    ...new Set(
      readFileSync(`/proc/${process.pid}/cgroup`, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(':').slice(2).join(':')),
    ),
  ];

  it('reads cgroup files under the root and under every hierarchy below it, for matching paths only', async () => {
    const root = join(dir, 'cg');
    const expected: Record<string, string> = {
      [`/proc/${process.pid}/cgroup`]: readFileSync(`/proc/${process.pid}/cgroup`, 'utf8'),
    };
    for (const [i, cg] of ownCgroups().entries()) {
      // As the script builds them: root + path + '/' + file, and root + '/*' + path + '/' + file.
      mkdirSync(join(root, cg), { recursive: true });
      writeFileSync(`${root}${cg}/metric.x`, `unified ${i}\n`);
      mkdirSync(join(root, 'ctl', cg), { recursive: true });
      writeFileSync(`${root}/ctl${cg}/metric.x`, `v1 ${i}\n`);
      expected[`${root}${cg}/metric.x`] = `unified ${i}\n`;
      expected[`${root}/ctl${cg}/metric.x`] = `v1 ${i}\n`;
      // Files below a subdirectory and glob file names, in one hierarchy only.
      mkdirSync(`${root}/ctl${cg}/sub`, { recursive: true });
      writeFileSync(`${root}/ctl${cg}/sub/deep`, `deep ${i}\n`);
      writeFileSync(`${root}/ctl${cg}/glob.a`, '');
      expected[`${root}/ctl${cg}/sub/deep`] = `deep ${i}\n`;
      expected[`${root}/ctl${cg}/glob.a`] = '';
    }
    const files = [`/proc/${process.pid}/cgroup`];
    const cgFiles = ['metric.x', 'absent', 'sub/deep', 'sub/absent', 'glob.*'];
    const plan: BatchPlan = { files, links: [], statfs: [], cgroups: { root, pattern: '^/', files: cgFiles } };
    const r = await local.readBatch(plan);
    expect(Object.fromEntries(r.files)).toEqual(expected);
    expect(Object.fromEntries(viaScript(plan).files)).toEqual(expected);
    const none = await local.readBatch({
      files,
      links: [],
      statfs: [],
      cgroups: { root, pattern: '^/no-such-cgroup$', files: ['metric.x'] },
    });
    expect([...none.files.keys()]).toEqual(files);
  });

  it('reads per-namespace files through the lowest PID of each network namespace', async () => {
    sibling = spawn('sleep', ['60'], { stdio: 'ignore' });
    const other = sibling.pid ?? 0;
    expect(readlinkSync(`/proc/${other}/ns/net`)).toBe(readlinkSync(`/proc/${process.pid}/ns/net`));
    const lowest = Math.min(other, process.pid);
    const highest = Math.max(other, process.pid);
    const plan: BatchPlan = {
      files: [],
      links: [`/proc/${process.pid}/ns/net`, `/proc/${other}/ns/net`],
      statfs: [],
      perNetns: ['net/dev', 'net/no-such-file'],
    };
    const r = await local.readBatch(plan);
    const script = viaScript(plan);
    expect([...script.files.keys()]).toEqual([...r.files.keys()]);
    expect(Object.fromEntries(script.links)).toEqual(Object.fromEntries(r.links));
    expect(r.links.get(`/proc/${lowest}/ns/net`)).toBe(readlinkSync(`/proc/${lowest}/ns/net`));
    expect([...r.files.keys()]).toEqual([`/proc/${lowest}/net/dev`]);
    expect(r.files.get(`/proc/${lowest}/net/dev`)).toMatch(/^Inter-\|/);
    expect(r.files.has(`/proc/${highest}/net/dev`)).toBe(false);
  });
});

const asRoot = process.getuid?.() === 0;
describe.skipIf(!asRoot)('LocalTransport.readBatch as an unprivileged user (needs root to switch to nobody)', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dm-perm-'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'public'), 'open\n', { mode: 0o644 });
    writeFileSync(join(dir, 'secret'), 'closed\n', { mode: 0o600 });
    mkdirSync(join(dir, 'private'), { mode: 0o700 });
    writeFileSync(join(dir, 'private', 'inside'), 'hidden\n', { mode: 0o644 });
    symlinkSync('/somewhere', join(dir, 'private', 'link'));
    symlinkSync('/elsewhere', join(dir, 'visible-link'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves out what it may not read or list, and reads the rest', () => {
    const bundle = join(dir, 'local.mjs');
    buildSync({
      entryPoints: [join(__dirname, '../../../src/core/transport/local.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      logLevel: 'silent',
    });
    chmodSync(bundle, 0o644);
    const plan = {
      files: [`${dir}/public`, `${dir}/secret`, `${dir}/private/inside`, `${dir}/private/*`],
      links: [`${dir}/private/link`, `${dir}/private/*`, `${dir}/visible-*`],
      statfs: [dir],
    };
    const code = `import { LocalTransport } from ${JSON.stringify(bundle)};
      const r = await new LocalTransport().readBatch(${JSON.stringify(plan)});
      console.log(JSON.stringify({ files: Object.fromEntries(r.files), links: Object.fromEntries(r.links), statfs: [...r.statfs.keys()] }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], {
      uid: 65534,
      gid: 65534,
      cwd: '/',
    });
    const r = JSON.parse(out.toString()) as {
      files: Record<string, string>;
      links: Record<string, string>;
      statfs: string[];
    };
    expect(r.files).toEqual({ [`${dir}/public`]: 'open\n' });
    expect(r.links).toEqual({ [`${dir}/visible-link`]: '/elsewhere' });
    expect(r.statfs).toEqual([dir]);
  });
});
