// Against real key files made by OpenSSH's ssh-keygen (skipped where it is not installed).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { passphraseOpensKey } from '../../../src/core/targets/credentials/keyCheck';

const hasKeygen = spawnSync('ssh-keygen', ['-?']).error === undefined;

describe.skipIf(!hasKeygen)('passphraseOpensKey (needs ssh-keygen)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dm-keys-'));
  const keygen = (file: string, passphrase: string, type: string) => {
    const r = spawnSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-f', join(dir, file), '-C', 'test'], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    return join(dir, file);
  };

  it.each([['ed25519'], ['ecdsa'], ['rsa']])(
    'accepts the right passphrase of a %s key and refuses a wrong one',
    async (type) => {
      const key = keygen(`k_${type}`, 'correct horse', type);
      expect(await passphraseOpensKey(key, 'correct horse')).toBe(true);
      expect(await passphraseOpensKey(key, 'wrong')).toBe(false);
    },
  );

  it('says no for a missing file', async () => {
    expect(await passphraseOpensKey(join(dir, 'missing'), 'x')).toBe(false);
  });
});
