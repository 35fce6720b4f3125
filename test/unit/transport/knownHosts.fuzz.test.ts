// Property tests (fast-check, seeded) for known_hosts: lines this code writes are found again (plain and hashed,
// any port), another key for the same host is 'changed', arbitrary text never throws, and host patterns with many
// `*` stay fast.
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHostKey, knownHostKeyTypes, knownHostsLine, verifyHostKey } from '../../../src/core/transport/knownHosts';

const SEED = 20240908;
const RUNS = 1000;

const TYPES = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ssh-rsa'];
/** A public key blob: its type as the first length-prefixed string, then any bytes. */
const key = fc.tuple(fc.constantFrom(...TYPES), fc.uint8Array({ minLength: 1, maxLength: 48 })).map(([type, body]) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(type.length);
  return Buffer.concat([len, Buffer.from(type), Buffer.from(body)]);
});
const host = fc.oneof(
  fc
    .array(fc.constantFrom('web', 'db', 'Example', 'x-1', 'a', 'COM', 'local', 'h2'), { minLength: 1, maxLength: 4 })
    .map((l) => l.join('.')),
  fc.ipV4(),
  fc.constantFrom('Example.COM', 'localhost', '::1'),
);
const port = fc.oneof(fc.constant(22), fc.integer({ min: 1, max: 65535 }));

describe('known_hosts (fuzz)', () => {
  it('a line written for a host is found again: match for its key, changed for another, unknown elsewhere', () => {
    fc.assert(
      fc.property(
        host,
        port,
        key,
        key,
        fc.boolean(),
        fc.array(fc.string({ maxLength: 30 }), { maxLength: 3 }),
        (h, p, k, other, hash, noise) => {
          fc.pre(!k.equals(other));
          const text = [...noise.map((n) => n.replace(/\n/g, '')), knownHostsLine(h, p, k, { hash })].join('\n') + '\n';
          expect(checkHostKey(text, h, p, k)).toBe('match');
          expect(checkHostKey(text, h.toUpperCase(), p, k)).toBe('match');
          expect(checkHostKey(text, h, p, other)).toBe('changed');
          expect(checkHostKey(text, `x${h}`, p, k)).toBe('unknown');
          expect(knownHostKeyTypes(text, h, p)).toContain(k.subarray(4, 4 + k.readUInt32BE(0)).toString());
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('@revoked refuses the key for any host; @cert-authority lines are never host keys', () => {
    fc.assert(
      fc.property(host, port, key, (h, p, k) => {
        const type = k.subarray(4, 4 + k.readUInt32BE(0)).toString();
        expect(checkHostKey(`@revoked * ${type} ${k.toString('base64')}\n${knownHostsLine(h, p, k)}\n`, h, p, k)).toBe(
          'revoked',
        );
        expect(checkHostKey(`@cert-authority * ${type} ${k.toString('base64')}\n`, h, p, k)).toBe('unknown');
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('arbitrary text never throws, and a verdict names a line of the text', () => {
    const field = fc.oneof(
      fc.constantFrom(
        '@revoked',
        '@cert-authority',
        '*',
        '!*',
        '|1|',
        '|1|a|b',
        '[h]:22',
        'ssh-ed25519',
        'AAAA',
        '#',
        ',',
      ),
      fc.string({ maxLength: 8 }),
    );
    const text = fc
      .array(
        fc.array(field, { maxLength: 5 }).map((f) => f.join(' ')),
        { maxLength: 8 },
      )
      .map((l) => l.join('\n'));
    fc.assert(
      fc.property(text, host, port, key, (t, h, p, k) => {
        const v = verifyHostKey([{ file: 'kh', text: t }], h, p, k);
        expect(['match', 'unknown', 'changed', 'revoked']).toContain(v.status);
        if (v.line !== null) expect(v.line >= 1 && v.line <= t.split('\n').length).toBe(true);
        knownHostKeyTypes(t, h, p);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('hashed entries match exactly the name they were made for ([host]:port when not 22)', () => {
    fc.assert(
      fc.property(host, port, key, fc.uint8Array({ minLength: 20, maxLength: 20 }), (h, p, k, salt) => {
        const name = p === 22 ? h.toLowerCase() : `[${h.toLowerCase()}]:${p}`;
        const hashed = `|1|${Buffer.from(salt).toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
        const type = k.subarray(4, 4 + k.readUInt32BE(0)).toString();
        expect(checkHostKey(`${hashed} ${type} ${k.toString('base64')}\n`, h, p, k)).toBe('match');
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  // Sizes grow step by step first, so that a matcher gone exponential fails on a small case instead of hanging.
  it('host patterns with many * against long names stay fast (growing, then random sizes)', () => {
    const k = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.alloc(32, 7)]);
    const check = (stars: number, len: number): void => {
      const text = `${'*a'.repeat(stars)}b,!${'*a'.repeat(stars)}c ssh-ed25519 ${k.toString('base64')}\n`;
      const started = performance.now();
      expect(checkHostKey(text, 'a'.repeat(len), 22, k)).toBe('unknown');
      expect(performance.now() - started).toBeLessThan(200);
    };
    for (let stars = 1; stars <= 40; stars++) check(stars, 60);
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 250 }), check), {
      seed: SEED,
      numRuns: 60,
    });
  });
});
