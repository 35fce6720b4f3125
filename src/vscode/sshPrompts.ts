// What an SSH connection asks the user: an unknown host key (modal, with its SHA256 fingerprint), a key
// passphrase and a password. Secrets are kept in memory for this VS Code session and go to SecretStorage only
// when the user picks "Remember" after they worked; settings and the log never see them.
import * as vscode from 'vscode';
import type { HostKeyInfo, OpenOptions } from '../core/transport/target';
import { passphraseOpensKey } from '../core/targets/credentials/keyCheck';
import { parsePasswordPrompt, passphraseSecretKey, passwordSecretKey } from '../core/targets/credentials/secretKeys';
import type { Log } from './log';

const ACCEPT = 'Accept and Connect';
const REMEMBER = 'Remember';
const NOT_NOW = 'Not Now';

interface Typed {
  secretKey: string;
  value: string;
  /** What it unlocks, for the "Remember" question. */
  what: string;
  /** Whether it really worked (a connection can succeed by another method after a wrong one). */
  works: () => Promise<boolean>;
}

/** The prompts of one connection attempt. */
export interface PromptAttempt {
  options: Pick<OpenOptions, 'askPassword' | 'askPassphrase' | 'confirmHostKey'>;
  /** The connection worked: offer to remember what was typed. */
  succeeded(): void;
  /** The connection failed: forget passwords typed or reused in this attempt if authentication failed. */
  failed(code: string | null): void;
}

export class SshPrompts {
  /** This session's secrets, by SecretStorage key. */
  private readonly memory = new Map<string, string>();

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: Log,
  ) {}

  /** Prompts for one attempt to connect to the target named `targetName`. */
  begin(targetName: string): PromptAttempt {
    const typed: Typed[] = [];
    const used = new Set<string>();
    const calls = new Map<string, number>();

    /** A remembered value on the first ask; any later ask in the same attempt means it was wrong. */
    const reuse = async (secretKey: string): Promise<string | undefined> => {
      const n = (calls.get(secretKey) ?? 0) + 1;
      calls.set(secretKey, n);
      if (n > 1) {
        await this.forget(secretKey);
        return undefined;
      }
      const known = this.memory.get(secretKey) ?? (await this.secrets.get(secretKey));
      if (known !== undefined) used.add(secretKey);
      return known;
    };

    const ask = async (
      secretKey: string,
      title: string,
      prompt: string,
      what: string,
      works: (value: string) => Promise<boolean>,
    ): Promise<string | undefined> => {
      const value = await vscode.window.showInputBox({ title, prompt, password: true, ignoreFocusOut: true });
      if (value === undefined) return undefined;
      this.memory.set(secretKey, value);
      const i = typed.findIndex((t) => t.secretKey === secretKey);
      if (i >= 0) typed.splice(i, 1);
      typed.push({ secretKey, value, what, works: () => works(value) });
      return value;
    };

    const options: PromptAttempt['options'] = {
      confirmHostKey: (info) => this.confirmHostKey(info, targetName),
      askPassphrase: async (keyPath) => {
        const key = passphraseSecretKey(keyPath);
        return (
          (await reuse(key)) ??
          ask(
            key,
            `Docker Monitor: ${targetName}`,
            `Passphrase for the SSH key ${keyPath}`,
            `the passphrase of ${keyPath}`,
            (v) => passphraseOpensKey(keyPath, v),
          )
        );
      },
      askPassword: async (prompt) => {
        const parsed = parsePasswordPrompt(prompt);
        if (!parsed) {
          // keyboard-interactive: perhaps a one-time code, so asked every time and never kept.
          return vscode.window.showInputBox({
            title: `Docker Monitor: ${targetName}`,
            prompt,
            password: true,
            ignoreFocusOut: true,
          });
        }
        const key = passwordSecretKey(parsed.account);
        // The password method is tried last, so a connection that succeeds after it was asked used it.
        return (
          (await reuse(key)) ??
          ask(key, `Docker Monitor: ${targetName}`, prompt, `the password of ${parsed.account}`, async () => true)
        );
      },
    };

    return {
      options,
      succeeded: () => {
        for (const t of typed) void this.offerToRemember(t);
      },
      failed: (code) => {
        if (code !== 'auth-failed') return;
        // Which secret failed is not known: drop the passwords of this attempt so the next one asks again.
        for (const key of new Set([...used, ...typed.map((t) => t.secretKey)])) {
          if (key.startsWith(passwordSecretKey(''))) void this.forget(key);
        }
      },
    };
  }

  private async confirmHostKey(info: HostKeyInfo, targetName: string): Promise<boolean> {
    const where = info.port === 22 ? info.host : `[${info.host}]:${info.port}`;
    this.log.info(
      `${targetName}: asking whether to trust the ${info.keyType} host key ${info.fingerprint} of ${where}`,
    );
    const pick = await vscode.window.showWarningMessage(
      `Docker Monitor: the authenticity of host ${where} can't be established.`,
      {
        modal: true,
        detail:
          `Target: ${targetName}\nHost: ${where}\nKey type: ${info.keyType}\nFingerprint: ${info.fingerprint}\n\n` +
          "Compare this fingerprint with the one the host's administrator sees (ssh-keygen -lf on the host's key). " +
          `"${ACCEPT}" adds the key to your known_hosts, as ssh does.`,
      },
      ACCEPT,
    );
    const ok = pick === ACCEPT;
    this.log.info(`${targetName}: host key of ${where} ${ok ? 'accepted' : 'not accepted'}`);
    return ok;
  }

  private async offerToRemember(t: Typed): Promise<void> {
    if ((await this.secrets.get(t.secretKey)) === t.value || !(await t.works())) return;
    const pick = await vscode.window.showInformationMessage(
      `Docker Monitor: remember ${t.what} in VS Code's secret storage? Otherwise it is kept until VS Code closes.`,
      REMEMBER,
      NOT_NOW,
    );
    if (pick !== REMEMBER) return;
    await this.secrets.store(t.secretKey, t.value);
    this.log.info(`remembered ${t.what} in the secret storage`);
  }

  private async forget(secretKey: string): Promise<void> {
    this.memory.delete(secretKey);
    if ((await this.secrets.get(secretKey)) !== undefined) {
      await this.secrets.delete(secretKey);
      this.log.info('removed a remembered secret that no longer worked');
    }
  }
}
