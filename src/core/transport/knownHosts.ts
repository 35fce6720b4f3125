// known_hosts checking as OpenSSH does it (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"), because ssh2 accepts any
// host key unless told otherwise. Keys compare as the public key blob the server presents.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFile, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { matchPatternList } from './sshPattern';

export type HostKeyStatus = 'match' | 'unknown' | 'changed' | 'revoked';

export interface HostKeyCheck {
  status: HostKeyStatus;
  /** 1-based line of the entry that matched, was revoked, or holds the other key ('changed'); else null. */
  line: number | null;
  /** For 'changed': the key type that line holds (it may differ from the presented key's type). */
  knownKeyType?: string;
  /**
   * For 'revoked': the names of the @revoked line when none of the lines revoking the key names this host
   * (`[host]:port`, or `host` for port 22). OpenSSH may then accept the key (it applies @revoked to the names on
   * the line, and to a port-less name only when no line for `[host]:port` matches); we refuse it for every host.
   */
  revokedFor?: string;
}

interface Entry {
  line: number;
  marker: 'revoked' | 'cert-authority' | null;
  hosts: string;
  keyType: string;
  blob: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Entries of a known_hosts text; comments, blank and malformed lines are skipped, as ssh does. */
function parseEntries(text: string): Entry[] {
  const entries: Entry[] = [];
  text.split('\n').forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: Entry['marker'] = null;
    if (fields[0].startsWith('@')) {
      if (fields[0] === '@revoked') marker = 'revoked';
      else if (fields[0] === '@cert-authority') marker = 'cert-authority';
      else return;
      fields.shift();
    }
    const [hosts, keyType, b64] = fields;
    if (hosts === undefined || keyType === undefined || b64 === undefined || !BASE64.test(b64)) return;
    const blob = Buffer.from(b64, 'base64');
    if (keyTypeOf(blob) !== keyType) return;
    entries.push({ line: i + 1, marker, hosts, keyType, blob });
  });
  return entries;
}

/** The name known_hosts stores for a host: `host`, or `[host]:port` when the port is not 22. Lowercase. */
export function knownHostsName(host: string, port: number): string {
  const h = host.toLowerCase();
  return port === 22 ? h : `[${h}]:${port}`;
}

function hostsMatch(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    // As OpenSSH's host_hash(): a 20-byte salt, and the whole field equal to `|1|salt|hash` re-encoded, so
    // nothing may follow the hash (`|1|s|h,other` names nobody; Buffer.from would drop the tail and match).
    const [, , salt, hash] = hosts.split('|');
    if (salt === undefined || hash === undefined) return false;
    const saltBytes = Buffer.from(salt, 'base64');
    if (saltBytes.length !== 20) return false;
    const want = Buffer.from(hosts);
    const got = Buffer.from(
      `|1|${saltBytes.toString('base64')}|${createHmac('sha1', saltBytes).update(name).digest('base64')}`,
    );
    return want.length === got.length && timingSafeEqual(want, got);
  }
  // OpenSSH's match_hostname(): a negated match rules the line out. `name` is lower case already (knownHostsName).
  return matchPatternList(name, hosts, true);
}

export interface KnownHostsText {
  file: string;
  text: string;
}

export interface HostKeyVerdict extends HostKeyCheck {
  /** The file of `line`, when there is one. */
  file: string | null;
}

/**
 * Looks a presented key up in every known_hosts file at once, as OpenSSH loads them into one set. A key listed
 * under @revoked is refused whatever host the line names (it is compromised); @cert-authority lines are not host
 * keys and are ignored. A match anywhere wins; otherwise a line for this host holding another key, of any type,
 * makes it 'changed': OpenSSH 9.2 refuses a host known only by an ECDSA key that presents an ED25519 one
 * ("REMOTE HOST IDENTIFICATION HAS CHANGED") in every StrictHostKeyChecking mode, so must we. For a non-22
 * port that is otherwise unknown, a matching port-22 entry is accepted ("checking without port identifier").
 */
export function verifyHostKey(files: KnownHostsText[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const parsed = files.map((f) => ({ file: f.file, entries: parseEntries(f.text) }));
  const name = knownHostsName(host, port);
  const revoked = parsed.flatMap(({ file, entries }) =>
    entries.filter((e) => e.marker === 'revoked' && e.blob.equals(key)).map((e) => ({ file, e })),
  );
  if (revoked.length > 0) {
    const here = revoked.find(({ e }) => hostsMatch(e.hosts, name));
    const { file, e } = here ?? revoked[0];
    return {
      status: 'revoked',
      line: e.line,
      file,
      ...(here ? {} : { revokedFor: e.hosts.startsWith('|1|') ? 'a hashed name' : e.hosts }),
    };
  }
  const type = keyTypeOf(key);
  const verdict = (name: string): HostKeyVerdict => {
    const forHost = parsed.flatMap(({ file, entries }) =>
      entries.filter((e) => e.marker === null && hostsMatch(e.hosts, name)).map((e) => ({ file, e })),
    );
    const same = forHost.find(({ e }) => e.blob.equals(key));
    if (same) return { status: 'match', line: same.e.line, file: same.file };
    // Report a line of the presented type when there is one: that is the key the user will recognise.
    const other = forHost.find(({ e }) => e.keyType === type) ?? forHost[0];
    if (other) return { status: 'changed', line: other.e.line, file: other.file, knownKeyType: other.e.keyType };
    return { status: 'unknown', line: null, file: null };
  };
  const exact = verdict(knownHostsName(host, port));
  if (exact.status !== 'unknown' || port === 22) return exact;
  const portless = verdict(knownHostsName(host, 22));
  return portless.status === 'match' ? portless : exact;
}

/** verifyHostKey on the text of one file. */
export function findHostKey(knownHostsText: string, host: string, port: number, key: Buffer): HostKeyCheck {
  const { file: _file, ...check } = verifyHostKey([{ file: '', text: knownHostsText }], host, port, key);
  return check;
}

export function checkHostKey(knownHostsText: string, host: string, port: number, key: Buffer): HostKeyStatus {
  return findHostKey(knownHostsText, host, port, key).status;
}

/** Key types known for a host, in file order: lets the client ask the server for a key it can verify. */
export function knownHostKeyTypes(knownHostsText: string, host: string, port: number): string[] {
  const name = knownHostsName(host, port);
  const types = parseEntries(knownHostsText)
    .filter((e) => e.marker === null && hostsMatch(e.hosts, name))
    .map((e) => e.keyType);
  return [...new Set(types)];
}

/**
 * The 1-based line of a RevokedHostKeys text file (public keys, `type base64 [comment]`, # comments) that lists
 * `key`, or null. A binary KRL (`SSHKRL` magic) is not read here: the caller refuses it.
 */
export function revokedKeyLine(text: string, key: Buffer): number | null {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const [type, b64] = lines[i].trim().split(/\s+/);
    if (type === undefined || type.startsWith('#') || b64 === undefined || !BASE64.test(b64)) continue;
    const blob = Buffer.from(b64, 'base64');
    if (keyTypeOf(blob) === type && blob.equals(key)) return i + 1;
  }
  return null;
}

/** The key type named inside an SSH public key blob (its first length-prefixed string), or null. */
export function keyTypeOf(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const len = blob.readUInt32BE(0);
  if (len === 0 || len > 64 || blob.length < 4 + len) return null;
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** `SHA256:` + unpadded base64 of the blob's SHA-256, as `ssh-keygen -l -E sha256` prints. */
export function fingerprintSha256(key: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(key).digest('base64').replace(/=+$/, '');
}

/** The known_hosts line for a host key; hashed (`|1|salt|hmac`) when asked, as HashKnownHosts does. */
export function knownHostsLine(host: string, port: number, key: Buffer, options: { hash?: boolean } = {}): string {
  const type = keyTypeOf(key);
  if (type === null) throw new Error('not an SSH public key blob');
  const name = knownHostsName(host, port);
  let hosts = name;
  if (options.hash) {
    const salt = randomBytes(20); // 20 bytes (a SHA-1 digest), as ssh-keygen -H makes
    hosts = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  return `${hosts} ${type} ${key.toString('base64')}`;
}

/** Appends a line, creating the folder (0700) and the file (0600) if needed, on a line of its own. */
export async function appendKnownHost(file: string, line: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  let needsNewline = false;
  const fh = await open(file, 'a+', 0o600);
  try {
    const { size } = await fh.stat();
    if (size > 0) {
      const last = Buffer.alloc(1);
      await fh.read(last, 0, 1, size - 1);
      needsNewline = last[0] !== 0x0a;
    }
  } finally {
    await fh.close();
  }
  await appendFile(file, `${needsNewline ? '\n' : ''}${line}\n`);
}
