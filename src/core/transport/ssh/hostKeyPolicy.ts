// Whether to trust a hop's host key, as OpenSSH decides it: known_hosts (user and global files, @revoked,
// HostKeyAlias), RevokedHostKeys, StrictHostKeyChecking (accept-new, or ask, or refuse), HashKnownHosts when a
// key is recorded; and which host key algorithms to ask for so that a known key type is the one presented.
import { readFile } from 'node:fs/promises';
import type { ConnectConfig } from 'ssh2';
import type { KnownHostsText } from '../knownHosts';
import {
  appendKnownHost,
  fingerprintSha256,
  keyTypeOf,
  knownHostKeyTypes,
  knownHostsLine,
  knownHostsName,
  revokedKeyLine,
  verifyHostKey,
} from '../knownHosts';
import type { ResolvedSshTarget } from '../sshConfig';
import type { OpenOptions } from '../targetTypes';
import { MonitorError } from '../../errors';
import type { Asking } from './auth';
import { hostPort } from './names';
import type { Log } from './names';

/** Host key algorithms ssh2 can negotiate for each key type found in known_hosts. */
const HOST_KEY_ALGORITHMS: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

export interface HostKeyPolicy {
  /** ssh2's `algorithms` for this hop: the known key types' algorithms first; undefined when none is known. */
  readonly algorithms: ConnectConfig['algorithms'] | undefined;
  /** Resolves when `key` may be trusted (recorded or confirmed first when the policy says so); rejects with why not. */
  check(key: Buffer, asking: Asking): Promise<void>;
}

async function readKnownHostsFiles(files: string[], log: Log): Promise<KnownHostsText[]> {
  const out: KnownHostsText[] = [];
  for (const file of files) {
    try {
      out.push({ file, text: await readFile(file, 'utf8') });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR')
        log(`ssh: cannot read ${file} (${code ?? (e as Error).message}); skipped`);
    }
  }
  return out;
}

/** Reads the known_hosts and RevokedHostKeys files of `hop` (`where` names it in messages). */
export async function loadHostKeyPolicy(
  hop: ResolvedSshTarget,
  options: OpenOptions,
  where: string,
  log: Log,
): Promise<HostKeyPolicy> {
  const keyHost = hop.hostKeyAlias ?? hop.host;
  const keyPort = hop.hostKeyAlias ? 22 : hop.port;
  const userFiles = await readKnownHostsFiles(hop.knownHostsFiles, log);
  const known = [...userFiles, ...(await readKnownHostsFiles(hop.globalKnownHostsFiles, log))];
  // Ask for the key types known_hosts holds first, so a host known by its ECDSA key is not "unknown" for ed25519.
  // In OpenSSH's default order (ed25519 first), not file order, as its order_hostkeyalgs() does: with both types
  // known and the ECDSA key @revoked, OpenSSH gets the ED25519 key and connects.
  const typeOrder = Object.keys(HOST_KEY_ALGORITHMS);
  const rank = (t: string): number => (typeOrder.includes(t) ? typeOrder.indexOf(t) : typeOrder.length);
  const knownTypes = [...new Set(known.flatMap((k) => knownHostKeyTypes(k.text, keyHost, keyPort)))];
  const preferred = knownTypes.sort((x, y) => rank(x) - rank(y)).flatMap((t) => HOST_KEY_ALGORITHMS[t] ?? []);
  const acceptNew = options.acceptNewHostKey === true || hop.acceptNew;
  // RevokedHostKeys, as OpenSSH: a key listed there is refused in every mode, and a file that cannot be read
  // refuses every key (OpenSSH: "Error checking host key ... in revoked keys file").
  let revokedText: string | null = null;
  if (hop.revokedHostKeys !== undefined) {
    const raw = await readFile(hop.revokedHostKeys).catch((e: NodeJS.ErrnoException) => {
      throw new MonitorError(
        `cannot read RevokedHostKeys file ${hop.revokedHostKeys} (${e.code ?? e.message}): refusing to connect to ${where}`,
        'bad-argument',
      );
    });
    if (raw.subarray(0, 6).toString('latin1') === 'SSHKRL') {
      throw new MonitorError(
        `RevokedHostKeys ${hop.revokedHostKeys} is a binary KRL, which Docker Monitor cannot read: list the revoked public keys in a text file instead`,
        'bad-argument',
      );
    }
    revokedText = raw.toString('utf8');
  }

  const accepted: Buffer[] = [];
  const check = async (key: Buffer, asking: Asking): Promise<void> => {
    if (accepted.some((k) => k.equals(key))) return; // a re-key presents the same key again
    const type = keyTypeOf(key) ?? 'unknown';
    const fingerprint = fingerprintSha256(key);
    const name = hostPort(keyHost, keyPort);
    const revokedLine = revokedText === null ? null : revokedKeyLine(revokedText, key);
    if (revokedLine !== null) {
      throw new MonitorError(
        `the host key of ${name} (${type} ${fingerprint}) is revoked: listed in RevokedHostKeys ${hop.revokedHostKeys} line ${revokedLine}; refusing to connect`,
        'host-key-changed',
      );
    }
    const verdict = verifyHostKey(known, keyHost, keyPort, key);
    if (verdict.status === 'revoked') {
      const scope =
        verdict.revokedFor === undefined
          ? ''
          : ` for ${verdict.revokedFor}, not for ${knownHostsName(keyHost, keyPort)}; a revoked key is refused for every host here ` +
            '(OpenSSH may accept it: it applies @revoked to the names on that line)';
      throw new MonitorError(
        `the host key of ${name} (${type} ${fingerprint}) is marked @revoked in ${verdict.file} line ${verdict.line}${scope}: refusing to connect`,
        'host-key-changed',
      );
    }
    if (verdict.status === 'match') {
      log(`ssh: host key ${type} ${fingerprint} of ${name} matches ${verdict.file} line ${verdict.line}`);
      accepted.push(key);
      return;
    }
    if (verdict.status === 'changed') {
      const knownType = verdict.knownKeyType ?? type;
      const holds =
        knownType === type ? 'a different key' : `a ${knownType} key (the host is known by a key of another type)`;
      throw new MonitorError(
        `HOST KEY CHANGED for ${name}: it presented ${type} ${fingerprint}, but line ${verdict.line} of ${verdict.file} holds ${holds}. ` +
          `Someone could be intercepting the connection (a man-in-the-middle attack), or the host was reinstalled. ` +
          `If you have verified the new key, remove that line (ssh-keygen -R '${name}' -f '${verdict.file}') and connect again.`,
        'host-key-changed',
      );
    }
    const file = hop.knownHostsFiles[0];
    if (file === undefined) {
      // OpenSSH refuses an unknown key it cannot record ("Host key verification failed") in every mode, unasked.
      throw new MonitorError(
        `the host key of ${name} is not known (${type} ${fingerprint}) and UserKnownHostsFile is none, so it cannot be added: refusing to connect`,
        'host-key-unknown',
      );
    }
    const save = async (): Promise<void> => {
      await appendKnownHost(file, knownHostsLine(keyHost, keyPort, key, { hash: hop.hashKnownHosts }));
      log(`ssh: added ${type} ${fingerprint} for ${name} to ${file}`);
    };
    if (acceptNew) {
      await save();
    } else if (options.confirmHostKey && !hop.refuseUnknown) {
      const ok = await asking(() =>
        options.confirmHostKey!({ host: keyHost, port: keyPort, keyType: type, fingerprint }),
      );
      if (!ok)
        throw new MonitorError(`the host key of ${name} (${type} ${fingerprint}) was not accepted`, 'host-key-unknown');
      await save();
    } else {
      throw new MonitorError(
        `the host key of ${name} is not known (${type} ${fingerprint}): check that fingerprint with the host's administrator, ` +
          `then connect again with --accept-new-host-key to add it to ${file}`,
        'host-key-unknown',
      );
    }
    accepted.push(key);
  };
  let algorithms: ConnectConfig['algorithms'] | undefined;
  if (preferred.length > 0) {
    // Regexes, because ssh2 throws on a string it does not support and skips a regex that matches nothing.
    const res = preferred.map((a) => new RegExp(`^${a.replace(/[.+]/g, '\\$&')}$`));
    algorithms = { serverHostKey: { remove: res, prepend: res } as never };
  }
  return { algorithms, check };
}
