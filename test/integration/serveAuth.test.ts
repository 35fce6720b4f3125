// `docker-monitor serve` (node dist/cli.js) safe by default: a bearer token or basic auth read from a file that only
// its owner may read, TLS with a certificate made here by openssl, and --allow-remote on 0.0.0.0. Checked with curl,
// an HTTP client that is not the code under test. The local target only (no SSH, no Prometheus needed).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import type { ChildProcessByStdio } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { freeLoopbackPort } from './env';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'dm-serve-auth-'));
const running: Array<ChildProcessByStdio<null, Readable, Readable>> = [];
const haveTools = spawnSync('curl', ['--version']).status === 0 && spawnSync('openssl', ['version']).status === 0;

function secretFile(name: string, text: string, mode = 0o600): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  chmodSync(f, mode);
  return f;
}

/** Starts serve; resolves once it listens. */
async function serve(args: string[]): Promise<void> {
  const child = spawn(process.execPath, [CLI, 'serve', '--interval', '1', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString('utf8')));
  const end = Date.now() + 20_000;
  while (!log.includes('serving http')) {
    if (Date.now() > end || child.exitCode !== null) throw new Error(`serve did not start: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** curl's HTTP status code and body; code 0 when no HTTP answer came (curl itself failed). */
function curl(url: string, ...args: string[]): { code: number; body: string } {
  let out: string;
  try {
    out = execFileSync('curl', ['-s', '-w', '\n%{http_code}', ...args, url], { encoding: 'utf8', timeout: 20_000 });
  } catch (e) {
    out = (e as { stdout?: string }).stdout ?? '\n0';
  }
  const at = out.lastIndexOf('\n');
  return { code: Number(out.slice(at + 1)), body: out.slice(0, at) };
}

afterAll(() => {
  for (const c of running) c.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!haveTools)(
  `serve's authentication and TLS${haveTools ? '' : ' (skipped: needs curl and openssl)'}`,
  () => {
    it('a bearer token from a file: 401 without it or with another, the metrics with it', async () => {
      const port = await freeLoopbackPort();
      await serve(['--listen', `127.0.0.1:${port}`, '--bearer-token-file', secretFile('token', 's3cret-token\n')]);
      const url = `http://127.0.0.1:${port}/metrics`;
      expect(curl(url).code).toBe(401);
      expect(curl(url, '-H', 'Authorization: Bearer wrong').code).toBe(401);
      const ok = curl(url, '-H', 'Authorization: Bearer s3cret-token');
      expect(ok.code).toBe(200);
      // Up, or still connecting (with its reason) this soon after the start.
      expect(ok.body).toMatch(/^dm_target_up\{target="local"(,reason="[^"]*")?\} [01]$/m);
      expect(curl(`http://127.0.0.1:${port}/`, '-H', 'Authorization: Bearer s3cret-token').body).toMatch(
        /<td>local<\/td>/,
      );
    });

    it('basic auth from a file, on 0.0.0.0 with --allow-remote', async () => {
      const port = await freeLoopbackPort();
      await serve([
        '--listen',
        `0.0.0.0:${port}`,
        '--allow-remote',
        '--basic-auth-file',
        secretFile('basic', 'prom:pa:ss word\n'),
      ]);
      const url = `http://127.0.0.1:${port}/metrics`;
      const denied = curl(url, '-D', '-');
      expect(denied.code).toBe(401);
      expect(denied.body).toMatch(/WWW-Authenticate: Basic/i);
      expect(curl(url, '-u', 'prom:wrong').code).toBe(401);
      expect(curl(url, '-u', 'prom:pa:ss word').code).toBe(200);
    });

    it('TLS with a certificate and key: curl trusting that certificate gets the metrics over https', async () => {
      const cert = join(dir, 'cert.pem');
      const key = join(dir, 'key.pem');
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'].concat([
          '-subj',
          '/CN=127.0.0.1',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          key,
          '-out',
          cert,
        ]),
        { stdio: 'ignore' },
      );
      const port = await freeLoopbackPort();
      await serve(['--listen', `127.0.0.1:${port}`, '--tls-cert', cert, '--tls-key', key]);
      const ok = curl(`https://127.0.0.1:${port}/metrics`, '--cacert', cert);
      expect(ok.code).toBe(200);
      expect(ok.body).toMatch(/^# TYPE dm_target_up gauge$/m);
      // Plain HTTP to the TLS port gets no metrics.
      expect(curl(`http://127.0.0.1:${port}/metrics`).body).not.toMatch(/dm_target_up/);
    });

    it('refuses a secret file others may read, an empty one, and a missing one, with one line and status 2', () => {
      for (const [file, message] of [
        [secretFile('open', 'token\n', 0o644), /is readable by others \(mode 644\): chmod 600 it/],
        [secretFile('empty', '\n'), /is empty/],
        [join(dir, 'missing'), /cannot read bearer token file .*: ENOENT/],
      ] as const) {
        const r = spawnSync(process.execPath, [CLI, 'serve', '--listen', '127.0.0.1:0', '--bearer-token-file', file], {
          encoding: 'utf8',
          timeout: 20_000,
        });
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
      }
    });

    it('refuses a certificate or key that is not PEM, with one line and status 2', () => {
      const junk = secretFile('junk.pem', 'not a certificate\n');
      const r = spawnSync(
        process.execPath,
        [CLI, 'serve', '--listen', '127.0.0.1:0', '--tls-cert', junk, '--tls-key', junk],
        { encoding: 'utf8', timeout: 20_000 },
      );
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/--tls-cert\/--tls-key: /);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });

    it('a port in use is one line and status 1, never a stack trace', async () => {
      const blocker = createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
      const port = (blocker.address() as { port: number }).port;
      const r = spawnSync(process.execPath, [CLI, 'serve', '--listen', `127.0.0.1:${port}`], {
        encoding: 'utf8',
        timeout: 20_000,
      });
      blocker.close();
      expect(r.stderr).toMatch(/cannot listen on 127\.0\.0\.1:\d+: EADDRINUSE/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.status).toBe(1);
    });
  },
);
