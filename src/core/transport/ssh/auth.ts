// Authentication of one hop: agent, then each IdentityFile (asking for a passphrase), then password or
// keyboard-interactive; what was tried is recorded (never the secrets) for the error message.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type {
  AnyAuthMethod,
  AuthenticationType,
  BaseAgent,
  IdentityCallback,
  KeyboardInteractiveCallback,
  ParsedKey,
  Prompt,
} from 'ssh2';
import type { ResolvedSshTarget } from '../sshConfig';
import type { OpenOptions } from '../targetTypes';
import { MonitorError } from '../../errors';
import type { Log } from './names';
import { loadSsh2 } from './ssh2Module';

const PASSWORD_ATTEMPTS = 3;

/** Runs a prompt with the handshake timer stopped (the user may take a while to answer). */
export type Asking = <T>(fn: () => Promise<T>) => Promise<T>;

export interface Auth {
  next(methodsLeft: AuthenticationType[] | null): Promise<AnyAuthMethod | false>;
  note(message: string): void;
  summary(): string;
  succeeded(): string;
  exhausted: boolean;
}

/**
 * The authentication sequence: agent, then each IdentityFile, then password (or keyboard-interactive) when the
 * server offers it and a prompt is available. Records what was tried (never the secrets) for the error message.
 */
export function makeAuth(hop: ResolvedSshTarget, options: OpenOptions, asking: Asking, where: string, log: Log): Auth {
  const tried: string[] = [];
  const notes: string[] = [];
  let left: AuthenticationType[] | null = null;
  let current = 'none';
  const offered = (m: AuthenticationType): boolean => left === null || left.includes(m);
  const username = hop.user;

  async function* sequence(): AsyncGenerator<AnyAuthMethod, void, void> {
    const agentPath = hop.agentSocket;
    if (agentPath !== null) {
      if (!agentPath.startsWith('\\\\.\\pipe\\') && agentPath !== 'pageant' && !existsSync(agentPath)) {
        notes.push(`agent socket ${agentPath} does not exist`);
      } else if (offered('publickey')) {
        const agent = hop.identitiesOnly ? await identitiesOnlyAgent(agentPath, hop.identityFiles) : agentPath;
        current = `agent (${agentPath})`;
        tried.push('agent');
        yield { type: 'agent', username, agent };
      }
    }
    for (const file of hop.identityFiles) {
      if (!offered('publickey')) break;
      const key = await loadKey(file, hop.defaultIdentityFiles, options, asking, notes);
      if (key === null) continue;
      current = `key ${file}`;
      tried.push(`key ${file}`);
      yield { type: 'publickey', username, key };
    }
    if (!options.askPassword) {
      notes.push('no password prompt available');
      return;
    }
    if (left === null) yield { type: 'none', username }; // learns which methods the server offers
    for (let attempt = 1; attempt <= PASSWORD_ATTEMPTS; attempt++) {
      const suffix = attempt > 1 ? ` (attempt ${attempt} of ${PASSWORD_ATTEMPTS})` : '';
      if (offered('password')) {
        const password = await asking(() => options.askPassword!(`Password for ${where}${suffix}`));
        if (password === undefined) return;
        current = 'password';
        if (attempt === 1) tried.push('password');
        yield { type: 'password', username, password };
      } else if (offered('keyboard-interactive')) {
        current = 'keyboard-interactive';
        if (attempt === 1) tried.push('keyboard-interactive');
        yield {
          type: 'keyboard-interactive',
          username,
          prompt: (
            _name: string,
            _instructions: string,
            _lang: string,
            prompts: Prompt[],
            finish: KeyboardInteractiveCallback,
          ) => {
            void (async () => {
              const answers: string[] = [];
              for (const p of prompts) {
                const a = await asking(() => options.askPassword!(`${where}: ${p.prompt.trim()}${suffix}`));
                if (a === undefined) break;
                answers.push(a);
              }
              finish(answers);
            })();
          },
        };
      } else {
        if (attempt === 1)
          notes.push(`the server offers neither password nor keyboard-interactive (only ${left?.join(', ')})`);
        return;
      }
    }
  }

  const gen = sequence();
  const auth: Auth = {
    exhausted: false,
    async next(methodsLeft) {
      if (methodsLeft !== null) left = methodsLeft;
      const step = await gen.next();
      if (step.done) {
        auth.exhausted = true;
        log(`ssh: authentication to ${where} failed; ${auth.summary()}`);
        throw new MonitorError(`authentication to ${where} failed; ${auth.summary()}`, 'auth-failed');
      }
      if (step.value.type !== 'none') log(`ssh: trying ${current} for ${where}`);
      return step.value;
    },
    note(message) {
      notes.push(message);
    },
    summary() {
      const t = tried.length > 0 ? `tried ${tried.join(', ')}` : 'no method could be tried';
      const s = left !== null ? `; the server accepts ${left.join(', ')}` : '';
      return `${t}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}${s}`;
    },
    succeeded() {
      return current;
    },
  };
  return auth;
}

/** Reads and parses a private key, asking for the passphrase of an encrypted one. Null when it cannot be used. */
async function loadKey(
  file: string,
  isDefault: boolean,
  options: OpenOptions,
  asking: Asking,
  notes: string[],
): Promise<ParsedKey | null> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!(isDefault && code === 'ENOENT'))
      notes.push(`key ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`);
    return null;
  }
  const ssh2 = await loadSsh2();
  let key = ssh2.utils.parseKey(data);
  if (key instanceof Error && /no passphrase given/.test(key.message)) {
    if (!options.askPassphrase) {
      notes.push(`key ${file} is encrypted and no passphrase prompt is available`);
      return null;
    }
    for (let attempt = 1; attempt <= PASSWORD_ATTEMPTS; attempt++) {
      const passphrase = await asking(() => options.askPassphrase!(file));
      if (passphrase === undefined) {
        notes.push(`key ${file}: passphrase not given`);
        return null;
      }
      key = ssh2.utils.parseKey(data, passphrase);
      if (!(key instanceof Error)) break;
    }
    if (key instanceof Error) {
      notes.push(`key ${file}: wrong passphrase`);
      return null;
    }
  }
  if (key instanceof Error) {
    notes.push(`key ${file} is not a usable private key (${key.message})`);
    return null;
  }
  const parsed = Array.isArray(key) ? (key[0] as ParsedKey) : key;
  if (!parsed.isPrivateKey()) {
    notes.push(`key ${file} holds only a public key`);
    return null;
  }
  return parsed;
}

/** IdentitiesOnly: an agent that offers only the keys whose public halves are IdentityFiles (or their .pub). */
async function identitiesOnlyAgent(socket: string, identityFiles: string[]): Promise<BaseAgent> {
  const ssh2 = await loadSsh2();
  const allowed: Buffer[] = [];
  for (const f of identityFiles) {
    for (const candidate of [f, `${f}.pub`]) {
      const text = await readFile(candidate, 'utf8').catch(() => null);
      if (text === null) continue;
      const k = ssh2.utils.parseKey(text);
      if (!(k instanceof Error)) allowed.push((Array.isArray(k) ? (k[0] as ParsedKey) : k).getPublicSSH());
    }
  }
  class FilteredAgent extends ssh2.OpenSSHAgent {
    override getIdentities(cb: IdentityCallback<ParsedKey>): void {
      super.getIdentities((err, keys) => {
        if (err) return cb(err);
        const usable = (keys ?? []).filter(
          (k): k is ParsedKey => 'getPublicSSH' in k && allowed.some((a) => a.equals(k.getPublicSSH())),
        );
        cb(undefined, usable);
      });
    }
  }
  return new FilteredAgent(socket);
}
