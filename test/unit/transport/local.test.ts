import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalTransport } from '../../../src/core/transport/local';
import { MonitorError } from '../../../src/core/transport/types';

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
    expect(await local.exec(['sh', '-c', 'printf out; printf err >&2; exit 3'])).toEqual({ stdout: 'out', stderr: 'err', code: 3 });
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
    const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(stale)}, () => console.log('up'))`]);
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
      buildSync({ entryPoints: [join(__dirname, '../../../src/core/transport/local.ts')], bundle: true, platform: 'node', format: 'esm', outfile: bundle, logLevel: 'silent' });
      chmodSync(bundle, 0o644);
      const code = `import { LocalTransport } from ${JSON.stringify(bundle)};
        new LocalTransport().openUnixSocket(${JSON.stringify(guarded)}).then(
          () => console.log(JSON.stringify({ connected: true })),
          (e) => console.log(JSON.stringify({ code: e.code, message: e.message })));`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', code], { uid: 65534, gid: 65534, cwd: '/' });
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
    expect(Object.fromEntries(r.links)).toEqual({ [join(dir, 'dangling')]: '/nonexistent/target', [join(dir, 'to-cmdline')]: 'cmdline' });
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
});
