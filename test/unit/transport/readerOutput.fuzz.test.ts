// Property tests (fast-check, seeded) for the remote readers' framed output: the batch format parseBatchOutput
// reads (NUL-separated sections), the end-marker framing of ShellSession, and the reader's greeting. Replies are
// built from a generated result, so the result is the oracle; they are cut at any byte, split into any chunks,
// and carry forged markers inside file contents.
import { PassThrough, Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseBatchOutput } from '../../../src/core/transport/batchScript';
import { ShellSession } from '../../../src/core/transport/batchSession';
import type { ShellChannel } from '../../../src/core/transport/batchSession';
import { startReader } from '../../../src/core/transport/remoteReader';
import { MonitorError } from '../../../src/core/errors';

const SEED = 20240905;
const RUNS = 1000;

const wellFormed = (s: string): boolean => Buffer.from(s, 'utf8').toString('utf8') === s;
/** Text with the format's own markers likely: NULs, section names, the start and end markers. */
const hostile = fc
  .array(
    fc.oneof(
      fc.constantFrom('\0', '\0END\0', '\0ERR\0', '\0F\0', '\0E\0', '\0DM-BATCH-1\0', 'END', '\n', ' ', 'é'),
      fc.string({ unit: 'binary', maxLength: 6 }),
    ),
    { maxLength: 12 },
  )
  .map((a) => a.join(''))
  .filter(wellFormed);
const path = fc
  .array(
    fc.oneof(
      fc.constantFrom('/proc/1/stat', '/sys/fs/cgroup/a b', 'END', 'F'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }),
    ),
    { minLength: 1, maxLength: 3 },
  )
  .map((a) => `/${a.join('/').replace(/\0/g, '')}`)
  .filter(wellFormed);

interface Generated {
  files: Map<string, string>;
  links: Map<string, string>;
  statfs: Map<string, { totalBytes: number; freeBytes: number; availableBytes: number }>;
  pids: number[] | undefined;
  bytes: Buffer;
}

const df = fc
  .record({
    fs: fc.constantFrom('/dev/sda1', 'overlay', 'my fs', 'tmpfs'),
    total: fc.nat(2 ** 40),
    usedPart: fc.nat(2 ** 40),
    avail: fc.nat(2 ** 40),
    mount: fc.constantFrom('/', '/mnt/a b', '/var/lib/docker'),
  })
  .map(({ fs, total, usedPart, avail, mount }) => {
    const used = usedPart % (total + 1);
    return {
      text: `Filesystem     1024-blocks      Used Available Capacity Mounted on\n${fs} ${total} ${used} ${avail} ${total ? Math.ceil((100 * used) / total) : 0}% ${mount}\n`,
      value: { totalBytes: total * 1024, freeBytes: (total - used) * 1024, availableBytes: avail * 1024 },
    };
  });

/** A batch output for a generated result, as the sh script and the perl and python readers print it. */
const batch: fc.Arbitrary<Generated> = fc
  .record({
    preamble: fc.oneof(
      fc.constant(''),
      fc.string({ maxLength: 20 }).map((s) => s.replace(/\0/g, '')),
    ),
    files: fc.uniqueArray(fc.tuple(path, hostile), { selector: ([p]) => p, maxLength: 6 }),
    links: fc.uniqueArray(
      fc.tuple(
        path,
        hostile.filter((t) => t !== '' && !t.includes('\0')),
      ),
      { selector: ([p]) => p, maxLength: 4 },
    ),
    statfs: fc.uniqueArray(fc.tuple(path, df), { selector: ([p]) => p, maxLength: 3 }),
    pids: fc.option(fc.array(fc.integer({ min: 1, max: 4_194_304 }), { maxLength: 5 })),
  })
  .map(({ preamble, files, links, statfs, pids }) => {
    const out: string[] = [preamble, '\0DM-BATCH-1\0'];
    const result: Generated = {
      files: new Map(),
      links: new Map(),
      statfs: new Map(),
      pids: pids ?? undefined,
      bytes: Buffer.alloc(0),
    };
    let f = '\0F\0';
    let e = '\0E\0';
    for (const [p, raw] of files) {
      const content = raw.endsWith('\0') ? raw.slice(0, -1) : raw; // a final NUL is not represented
      result.files.set(p, content);
      if (content === '') e += `${p}\0`;
      else for (const chunk of content.split('\0')) f += `${p}\0${chunk}\0`;
    }
    out.push(f, e, '\0L\0', ...links.map(([p, t]) => `${p}\0${t}\0`));
    for (const [p, t] of links) result.links.set(p, t);
    out.push('\0S\0', ...statfs.map(([p, d]) => `${p}\0${d.text}\0`));
    for (const [p, d] of statfs) result.statfs.set(p, d.value);
    if (pids) out.push('\0P\0', ...pids.map((n) => `${n}\0`));
    out.push('\0END\0');
    result.bytes = Buffer.from(out.join(''), 'utf8');
    return result;
  });

/** The parse, or null when it threw a MonitorError (anything else is rethrown, failing the property). */
function parsedOrRefused(bytes: Buffer): ReturnType<typeof parseBatchOutput> | null {
  try {
    return parseBatchOutput(bytes, 1);
  } catch (e) {
    if (e instanceof MonitorError) return null;
    throw e;
  }
}

describe('parseBatchOutput (fuzz)', () => {
  it('gives back the generated files, links, statfs and PIDs, forged markers in contents included', () => {
    fc.assert(
      fc.property(batch, (g) => {
        const r = parseBatchOutput(g.bytes, 1);
        expect(r.files).toEqual(g.files);
        expect(r.links).toEqual(g.links);
        expect(r.statfs).toEqual(g.statfs);
        expect(r.pids).toEqual(g.pids?.length ? g.pids : undefined);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('output cut at any byte before its end marker is refused with a MonitorError, never half read', () => {
    fc.assert(
      fc.property(batch, fc.nat(), (g, at) => {
        const cut = g.bytes.subarray(0, at % g.bytes.length); // always short of the last byte
        expect(() => parseBatchOutput(cut, 1)).toThrow(MonitorError);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('arbitrary or mutated bytes: a result or a MonitorError, and only non-negative disk figures', () => {
    const mutated = fc.tuple(batch, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 })).map(([g, edits]) => {
      const b = Buffer.from(g.bytes);
      for (const [i, v] of edits) if (b.length > 0) b[i % b.length] = v;
      return b;
    });
    fc.assert(
      fc.property(
        fc.oneof(
          mutated,
          fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u)),
        ),
        (bytes) => {
          const r = parsedOrRefused(bytes);
          if (r === null) return;
          for (const s of r.statfs.values())
            for (const v of Object.values(s)) expect(Number.isFinite(v) && v >= 0).toBe(true);
          for (const p of r.pids ?? []) expect(Number.isInteger(p) && p >= 0).toBe(true);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe('df records (fuzz)', () => {
  it('a df line with more used than total blocks is unreadable, not a negative free size', () => {
    fc.assert(
      fc.property(fc.nat(2 ** 40), fc.integer({ min: 1, max: 2 ** 40 }), fc.nat(2 ** 40), (total, over, avail) => {
        const line = `Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/x ${total} ${total + over} ${avail} 100% /\n`;
        const r = parseBatchOutput(Buffer.from(`\0DM-BATCH-1\0\0S\0/\0${line}\0\0END\0`), 1);
        expect(r.statfs.has('/')).toBe(false);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

/** A channel whose stdout the test writes; stdin collected; `end` ends the shell. */
function fakeChannel(): { channel: ShellChannel; stdout: PassThrough; end: (why: string) => void } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const stdin = new Writable({ write: (_c, _e, cb) => cb() });
  const listeners: Array<(reason: string) => void> = [];
  const channel: ShellChannel = { stdin, stdout, stderr, onEnd: (l) => listeners.push(l), close: () => undefined };
  return { channel, stdout, end: (why) => listeners.forEach((l) => l(why)) };
}

/** Splits bytes at the given cut points (any of them, sorted, deduplicated). */
function chunks(bytes: Buffer, cuts: number[]): Buffer[] {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of [...at, bytes.length]) {
    if (c > prev) out.push(bytes.subarray(prev, c));
    prev = Math.max(prev, c);
  }
  return out;
}

const payload = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '\0',
        '\0DM-DONE-',
        '\0DM-DONE-00\0',
        'DM-DONE',
        '\0DM-DONE-0123456789abcdef0123456789abcdef\0',
        '\0\0',
      ),
      fc.uint8Array({ maxLength: 8 }).map((u) => Buffer.from(u).toString('latin1')),
    ),
    { maxLength: 10 },
  )
  .map((a) => Buffer.from(a.join(''), 'latin1'));

describe('ShellSession framing (fuzz)', () => {
  it('any output, split at any bytes, with forged or partial markers inside, comes back whole with its status', async () => {
    await fc.assert(
      fc.asyncProperty(
        payload,
        fc.nat(255),
        fc.array(fc.nat(), { maxLength: 8 }),
        payload,
        async (output, status, cuts, stray) => {
          const { channel, stdout } = fakeChannel();
          let nonce = '';
          const session = new ShellSession(channel, 'fuzz', (p, n) => {
            nonce = n;
            return p;
          });
          stdout.write(stray); // before any request: belongs to no reply
          const pending = session.run('x', 10_000);
          const framed = Buffer.concat([output, Buffer.from(`\0${status}\0DM-DONE-${nonce}\0`, 'latin1')]);
          for (const c of chunks(framed, cuts)) stdout.write(c);
          const reply = await pending;
          expect(reply.output.equals(output)).toBe(true);
          expect(reply.status).toBe(status);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('a reply cut at any byte before its marker ends is a MonitorError when the shell ends, never a reply', async () => {
    await fc.assert(
      fc.asyncProperty(payload, fc.nat(), async (output, at) => {
        const { channel, stdout, end } = fakeChannel();
        let nonce = '';
        const session = new ShellSession(channel, 'fuzz', (p, n) => {
          nonce = n;
          return p;
        });
        const pending = session.run('x', 10_000);
        const framed = Buffer.concat([output, Buffer.from(`\0${0}\0DM-DONE-${nonce}\0`, 'latin1')]);
        stdout.write(framed.subarray(0, at % framed.length));
        await new Promise((r) => setImmediate(r));
        end('exit code 255');
        await expect(pending).rejects.toBeInstanceOf(MonitorError);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('an oversized reply (8 MiB in 64 KiB chunks) is framed in linear time', async () => {
    const { channel, stdout } = fakeChannel();
    let nonce = '';
    const session = new ShellSession(channel, 'fuzz', (p, n) => {
      nonce = n;
      return p;
    });
    const pending = session.run('x', 10_000);
    const output = Buffer.alloc(8 * 1024 * 1024, '\0DM-DONE-');
    const framed = Buffer.concat([output, Buffer.from(`\0${3}\0DM-DONE-${nonce}\0`, 'latin1')]);
    const started = performance.now();
    for (let i = 0; i < framed.length; i += 65536) stdout.write(framed.subarray(i, i + 65536));
    const reply = await pending;
    expect(reply.output.length).toBe(output.length);
    expect(reply.status).toBe(3);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});

describe('startReader greeting (fuzz)', () => {
  it('finds the greeting after any rc-file chatter, split at any bytes, up to the preamble limit', async () => {
    const chatter = fc.oneof(
      fc.string({ maxLength: 40 }).map((s) => s.replace(/\0DM-READER/g, '')),
      fc.nat(70_000).map((n) => 'x'.repeat(n)),
    );
    await fc.assert(
      fc.asyncProperty(
        chatter,
        fc.integer({ min: 1, max: 4_194_304 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (pre, pid, cuts) => {
          const { channel, stdout } = fakeChannel();
          const started = startReader(channel, 'program', 'perl', 10_000);
          for (const c of chunks(Buffer.from(`${pre}\0DM-READER-1 ${pid}\0`, 'latin1'), cuts)) stdout.write(c);
          expect(await started).toBe(pid);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});
