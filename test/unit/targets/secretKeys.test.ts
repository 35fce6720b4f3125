// Prompt texts are the SSH transport's own (src/core/transport/ssh/auth.ts makeAuth): a change there must show here.
import { describe, expect, it } from 'vitest';
import {
  parsePasswordPrompt,
  passphraseSecretKey,
  passwordSecretKey,
} from '../../../src/core/targets/credentials/secretKeys';

describe('parsePasswordPrompt', () => {
  it('reads the account and attempt of a password prompt', () => {
    expect(parsePasswordPrompt('Password for root@127.0.0.1:2222')).toEqual({
      account: 'root@127.0.0.1:2222',
      attempt: 1,
    });
    expect(parsePasswordPrompt('Password for root@[::1]:2222 (attempt 2 of 3)')).toEqual({
      account: 'root@[::1]:2222',
      attempt: 2,
    });
    expect(parsePasswordPrompt('Password for bob@inner:22 (via gate@bastion:22) (attempt 3 of 3)')).toEqual({
      account: 'bob@inner:22 (via gate@bastion:22)',
      attempt: 3,
    });
  });

  it('does not treat keyboard-interactive prompts (maybe one-time codes) as passwords', () => {
    expect(parsePasswordPrompt('root@127.0.0.1:2222: Password:')).toBeNull();
    expect(parsePasswordPrompt('root@127.0.0.1:2222: Verification code: (attempt 2 of 3)')).toBeNull();
  });

  it('agrees with the prompt text the SSH transport builds', async () => {
    const { readFile } = await import('node:fs/promises');
    const src = await readFile(new URL('../../../src/core/transport/ssh/auth.ts', import.meta.url), 'utf8');
    expect(src).toContain('askPassword!(`Password for ${where}${suffix}`)');
    expect(src).toContain('` (attempt ${attempt} of ${PASSWORD_ATTEMPTS})`');
  });
});

describe('secret keys', () => {
  it('keep passphrases per key file and passwords per account apart', () => {
    expect(passphraseSecretKey('/root/.ssh/id_ed25519')).toBe('dockerMonitor.passphrase:/root/.ssh/id_ed25519');
    expect(passwordSecretKey('root@h:22')).toBe('dockerMonitor.password:root@h:22');
    expect(passphraseSecretKey('x')).not.toBe(passwordSecretKey('x'));
  });
});
