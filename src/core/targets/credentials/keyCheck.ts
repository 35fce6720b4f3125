// Whether a passphrase opens a key file: checked before offering to remember it, because a connection can
// succeed by another method (the agent, another key) after a wrong passphrase was typed.
import { readFile } from 'node:fs/promises';
import ssh2 from 'ssh2';

export async function passphraseOpensKey(keyPath: string, passphrase: string): Promise<boolean> {
  let data: Buffer;
  try {
    data = await readFile(keyPath);
  } catch {
    return false;
  }
  const key = ssh2.utils.parseKey(data, passphrase);
  return !(key instanceof Error);
}
