// Names under which remembered secrets live in VS Code's SecretStorage, and how to tell from the transport's
// prompt text which account a password is for. Pure; the secrets themselves never pass through here.

const PREFIX = 'dockerMonitor';

/** A key file's passphrase: one per file, whichever target uses it. */
export function passphraseSecretKey(keyPath: string): string {
  return `${PREFIX}.passphrase:${keyPath}`;
}

/** A password: one per `user@host:port` (a jump host has its own). */
export function passwordSecretKey(account: string): string {
  return `${PREFIX}.password:${account}`;
}

/**
 * The SSH transport asks `Password for <user@host:port>[ (via <hop>)][ (attempt N of M)]` for the password method,
 * and `<where>: <server prompt>` for keyboard-interactive. Only the first kind is a reusable password; the
 * second may be a one-time code, so it is never cached. Null for anything but the first kind.
 */
export function parsePasswordPrompt(prompt: string): { account: string; attempt: number } | null {
  const m = /^Password for (.+?)(?: \(attempt (\d+) of \d+\))?$/.exec(prompt);
  if (!m) return null;
  return { account: m[1], attempt: m[2] === undefined ? 1 : Number(m[2]) };
}
