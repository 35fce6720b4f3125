// Whether a passphrase opens a key file: checked before offering to remember it, because a connection can
// succeed by another method (the agent, another key) after a wrong passphrase was typed.
import { readFile } from 'node:fs/promises';
import { loadSsh2 } from '../../transport/ssh/ssh2Module';

export async function passphraseOpensKey(keyPath: string, passphrase: string): Promise<boolean> {
  let data: Buffer;
  try {
    data = await readFile(keyPath);
  } catch {
    return false;
  }
  const key = (await loadSsh2()).utils.parseKey(data, passphrase);
  return !(key instanceof Error);
}
