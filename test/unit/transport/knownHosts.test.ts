// known_hosts checking against real keys made by ssh-keygen, and hashed entries hashed by OpenSSH itself.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import {
  appendKnownHost,
  checkHostKey,
  findHostKey,
  fingerprintSha256,
  keyTypeOf,
  knownHostKeyTypes,
  knownHostsLine,
  revokedKeyLine,
  verifyHostKey,
} from '../../../src/core/transport/knownHosts';

const hasKeygen = spawnSync('ssh-keygen', ['-?']).error === undefined;
const dir = mkdtempSync(join(tmpdir(), 'dm-knownhosts-'));

interface TestKey {
  pub: string; // "type base64" as in a .pub file, without the comment
  blob: Buffer;
  path: string;
}

function makeKey(name: string, type: string): TestKey {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', path]);
  const [t, b64] = readFileSync(`${path}.pub`, 'utf8').trim().split(/\s+/);
  return { pub: `${t} ${b64}`, blob: Buffer.from(b64, 'base64'), path };
}

function write(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

describe.skipIf(!hasKeygen)('known_hosts (needs ssh-keygen from openssh-client)', () => {
  const a = hasKeygen ? makeKey('a', 'ed25519') : (null as never);
  const b = hasKeygen ? makeKey('b', 'ed25519') : (null as never);
  const e = hasKeygen ? makeKey('e', 'ecdsa') : (null as never);

  it('compares the same blob ssh2 parses from the line', () => {
    const parsed = ssh2.utils.parseKey(a.pub);
    if (parsed instanceof Error) throw parsed;
    expect(parsed.getPublicSSH().equals(a.blob)).toBe(true);
    expect(keyTypeOf(a.blob)).toBe('ssh-ed25519');
    expect(keyTypeOf(e.blob)).toBe('ecdsa-sha2-nistp256');
  });

  it('fingerprints like ssh-keygen -l -E sha256', () => {
    for (const k of [a, e]) {
      const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${k.path}.pub`], { encoding: 'utf8' });
      expect(fingerprintSha256(k.blob)).toBe(out.split(/\s+/)[1]);
    }
  });

  it('matches [host]:port only on that port, and a plain host on 22 or as the fallback for other ports', () => {
    const text = `127.0.0.1 ${a.pub}\n[127.0.0.1]:2222 ${b.pub}\n`;
    expect(checkHostKey(text, '127.0.0.1', 22, a.blob)).toBe('match');
    expect(checkHostKey(text, '127.0.0.1', 2222, b.blob)).toBe('match');
    expect(checkHostKey(text, '127.0.0.1', 2222, a.blob)).toBe('changed');
    // OpenSSH's "checking without port identifier": an unknown [host]:port falls back to the port-22 entry.
    expect(checkHostKey(text, '127.0.0.1', 2223, a.blob)).toBe('match');
    expect(checkHostKey(text, '127.0.0.1', 2223, b.blob)).toBe('unknown');
    expect(checkHostKey(text, '127.0.0.2', 22, a.blob)).toBe('unknown');
  });

  it('matches any name of a comma list, case-insensitively', () => {
    const text = `# comment\n\nweb.example.com,Db.Example.com,10.0.0.5 ${a.pub} some comment\n`;
    expect(checkHostKey(text, 'db.example.com', 22, a.blob)).toBe('match');
    expect(checkHostKey(text, '10.0.0.5', 22, a.blob)).toBe('match');
    expect(findHostKey(text, 'WEB.example.com', 22, a.blob)).toEqual({ status: 'match', line: 3 });
    expect(checkHostKey(text, 'example.com', 22, a.blob)).toBe('unknown');
  });

  it('honours * and ? wildcards and !negation', () => {
    const text = `*.example.com,!bad.example.com ${a.pub}\nhost?.lan ${b.pub}\n`;
    expect(checkHostKey(text, 'db.example.com', 22, a.blob)).toBe('match');
    expect(checkHostKey(text, 'bad.example.com', 22, a.blob)).toBe('unknown');
    expect(checkHostKey(text, 'example.com', 22, a.blob)).toBe('unknown');
    expect(checkHostKey(text, 'host1.lan', 22, b.blob)).toBe('match');
    expect(checkHostKey(text, 'host12.lan', 22, b.blob)).toBe('unknown');
  });

  it('reads entries hashed by ssh-keygen -H', () => {
    const f = write('hashed', `db.example.com ${a.pub}\n[127.0.0.1]:2222 ${b.pub}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', f], { stdio: 'ignore' }); // also leaves f.old behind
    const text = readFileSync(f, 'utf8');
    expect(text).not.toContain('example.com');
    expect(text.split('\n').filter((l) => l.startsWith('|1|'))).toHaveLength(2);
    expect(checkHostKey(text, 'db.example.com', 22, a.blob)).toBe('match');
    expect(checkHostKey(text, '127.0.0.1', 2222, b.blob)).toBe('match');
    expect(checkHostKey(text, '127.0.0.1', 2222, a.blob)).toBe('changed');
    expect(checkHostKey(text, '127.0.0.1', 22, b.blob)).toBe('unknown');
    expect(checkHostKey(text, 'web.example.com', 22, a.blob)).toBe('unknown');
  });

  it('reports a different key of the same type as changed, with its line', () => {
    const text = `other.example ${b.pub}\nserver.example ${a.pub}\n`;
    expect(findHostKey(text, 'server.example', 22, b.blob)).toEqual({
      status: 'changed',
      line: 2,
      knownKeyType: 'ssh-ed25519',
    });
    // A host known by a key of another type has changed: OpenSSH 9.2 says "REMOTE HOST IDENTIFICATION HAS
    // CHANGED" in every StrictHostKeyChecking mode (the integration suite shows it with the real ssh client).
    expect(findHostKey(text, 'server.example', 22, e.blob)).toEqual({
      status: 'changed',
      line: 2,
      knownKeyType: 'ssh-ed25519',
    });
    expect(knownHostKeyTypes(text, 'server.example', 22)).toEqual(['ssh-ed25519']);
    expect(knownHostKeyTypes(text, 'nowhere.example', 22)).toEqual([]);
  });

  it('treats all files as one set: a match anywhere wins, otherwise another key anywhere is a change', () => {
    const user = { file: '/u/known_hosts', text: `server.example ${e.pub}\n` };
    const global = { file: '/etc/ssh/ssh_known_hosts', text: `# comment\nserver.example ${a.pub}\n` };
    expect(verifyHostKey([user, global], 'server.example', 22, a.blob)).toEqual({
      status: 'match',
      line: 2,
      file: global.file,
    });
    expect(verifyHostKey([user, global], 'server.example', 22, b.blob)).toEqual({
      status: 'changed',
      line: 2,
      file: global.file,
      knownKeyType: 'ssh-ed25519',
    });
    expect(verifyHostKey([user], 'server.example', 22, a.blob)).toMatchObject({
      status: 'changed',
      file: user.file,
      line: 1,
    });
    expect(verifyHostKey([user, global], 'elsewhere.example', 22, a.blob)).toEqual({
      status: 'unknown',
      line: null,
      file: null,
    });
  });

  it('checks a non-22 port against the port-22 entry only when the port entry says nothing', () => {
    const portless = { file: '/u/kh', text: `server.example ${a.pub}\n` };
    expect(verifyHostKey([portless], 'server.example', 2222, a.blob)).toMatchObject({ status: 'match', line: 1 });
    // A different key under the bare name does not make [host]:port changed: it stays unknown, as in OpenSSH.
    expect(verifyHostKey([portless], 'server.example', 2222, b.blob).status).toBe('unknown');
    const both = { file: '/u/kh', text: `server.example ${a.pub}\n[server.example]:2222 ${b.pub}\n` };
    expect(verifyHostKey([both], 'server.example', 2222, a.blob)).toMatchObject({ status: 'changed', line: 2 });
  });

  it('compares a hashed field whole, with a 20-byte salt, as OpenSSH does', () => {
    const hashed = (salt: Buffer, name: string): string =>
      `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
    const good = hashed(Buffer.alloc(20, 1), '[127.0.0.1]:2222');
    expect(checkHostKey(`${good} ${a.pub}\n`, '127.0.0.1', 2222, a.blob)).toBe('match');
    // Anything after the hash (Buffer.from would ignore it) makes the field name nobody.
    expect(checkHostKey(`${good},[127.0.0.1]:2222 ${a.pub}\n`, '127.0.0.1', 2222, a.blob)).toBe('unknown');
    expect(checkHostKey(`${good}x ${a.pub}\n`, '127.0.0.1', 2222, a.blob)).toBe('unknown');
    expect(
      checkHostKey(`${hashed(Buffer.from('abc'), '[127.0.0.1]:2222')} ${a.pub}\n`, '127.0.0.1', 2222, a.blob),
    ).toBe('unknown');
  });

  it('says when the only @revoked line for a key names another host', () => {
    const text = `@revoked other.example ${a.pub}\n[127.0.0.1]:2222 ${a.pub}\n`;
    expect(verifyHostKey([{ file: 'f', text }], '127.0.0.1', 2222, a.blob)).toEqual({
      status: 'revoked',
      line: 1,
      file: 'f',
      revokedFor: 'other.example',
    });
    const here = `@revoked other.example ${a.pub}\n@revoked [127.0.0.1]:2222 ${a.pub}\n`;
    expect(verifyHostKey([{ file: 'f', text: here }], '127.0.0.1', 2222, a.blob)).toEqual({
      status: 'revoked',
      line: 2,
      file: 'f',
    });
  });

  it('finds a key in a RevokedHostKeys text list', () => {
    const list = `# revoked\n\n${b.pub} old\n  ${a.pub}\nssh-rsa ${a.pub.split(' ')[1]}\n`;
    expect(revokedKeyLine(list, a.blob)).toBe(4);
    expect(revokedKeyLine(list, b.blob)).toBe(3);
    expect(revokedKeyLine(list, e.blob)).toBeNull();
    expect(revokedKeyLine(`ssh-rsa ${a.pub.split(' ')[1]}\n`, a.blob)).toBeNull();
  });

  it('refuses a @revoked key even where another line matches it', () => {
    const text = `server.example ${a.pub}\n@revoked * ${a.pub}\n`;
    expect(findHostKey(text, 'server.example', 22, a.blob)).toEqual({ status: 'revoked', line: 2 });
    expect(checkHostKey(text, 'server.example', 22, b.blob)).toBe('changed');
  });

  it('does not take @cert-authority lines for host keys', () => {
    const text = `@cert-authority *.example.com ${a.pub}\n`;
    expect(checkHostKey(text, 'db.example.com', 22, a.blob)).toBe('unknown');
  });

  it('skips malformed lines and a blob whose type disagrees with the line', () => {
    const [, b64] = a.pub.split(' ');
    const text = `server.example ssh-rsa ${b64}\nserver.example\n@bogus server.example ${a.pub}\nserver.example ssh-ed25519 !!!\n`;
    expect(checkHostKey(text, 'server.example', 22, a.blob)).toBe('unknown');
  });

  it('writes lines that ssh-keygen -F finds, plain and hashed', () => {
    const plain = knownHostsLine('127.0.0.1', 2222, a.blob);
    expect(plain).toBe(`[127.0.0.1]:2222 ${a.pub}`);
    expect(knownHostsLine('Server.Example', 22, a.blob)).toBe(`server.example ${a.pub}`);
    const hashed = knownHostsLine('db.example.com', 22, b.blob, { hash: true });
    expect(hashed).toMatch(/^\|1\|[A-Za-z0-9+/=]+\|[A-Za-z0-9+/=]+ ssh-ed25519 /);
    const f = write('written', `${plain}\n${hashed}\n`);
    const found = (host: string) => spawnSync('ssh-keygen', ['-F', host, '-f', f], { encoding: 'utf8' });
    expect(found('[127.0.0.1]:2222').status).toBe(0);
    expect(found('db.example.com').status).toBe(0);
    expect(found('other.example.com').status).not.toBe(0);
    expect(checkHostKey(readFileSync(f, 'utf8'), 'db.example.com', 22, b.blob)).toBe('match');
  });

  it('appends on a new line, creating the folder 0700 and the file 0600', async () => {
    const home = mkdtempSync(join(tmpdir(), 'dm-kh-home-'));
    const file = join(home, '.ssh', 'known_hosts');
    await appendKnownHost(file, knownHostsLine('h1.example', 22, a.blob));
    expect(statSync(join(home, '.ssh')).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    writeFileSync(file, readFileSync(file, 'utf8') + '# no newline at the end');
    await appendKnownHost(file, knownHostsLine('h2.example', 22, b.blob));
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toEqual([`h1.example ${a.pub}`, '# no newline at the end', `h2.example ${b.pub}`, '']);
    expect(checkHostKey(lines.join('\n'), 'h2.example', 22, b.blob)).toBe('match');
  });
});
