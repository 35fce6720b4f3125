// The persistent batch shell against a real local `sh -s` (dash here, as on Debian targets): framing by the
// per-request end marker, isolation between requests, timeouts, dead shells, fallback. One test drives the
// protocol by hand to put the end marker across every possible chunk boundary, which no real shell controls.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { buildBatchScript, parseBatchOutput } from '../../../src/core/transport/batchScript';
import { PersistentShell, ShellEndedError, ShellSession } from '../../../src/core/transport/batchSession';
import type { ShellChannel, ShellReply } from '../../../src/core/transport/batchSession';
import { MonitorError } from '../../../src/core/errors';

const children: ChildProcessWithoutNullStreams[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** A local `sh -s` as a ShellChannel; `close` only ends its stdin, as closing an SSH channel does. */
function localShell(wrapStdin?: (real: Writable) => Writable): {
  channel: ShellChannel;
  child: ChildProcessWithoutNullStreams;
} {
  const child = spawn('sh', ['-s'], { stdio: 'pipe' });
  children.push(child);
  const channel: ShellChannel = {
    stdin: wrapStdin ? wrapStdin(child.stdin) : child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    onEnd: (listener) =>
      child.once('close', (code, signal) => listener(signal ? `killed by ${signal}` : `exit code ${code}`)),
    close: () => child.stdin.end(),
  };
  return { channel, child };
}

/** A PersistentShell over local shells, counting the shells it opened. */
function persistent(): { shell: PersistentShell; opened: ChildProcessWithoutNullStreams[]; log: string[] } {
  const opened: ChildProcessWithoutNullStreams[] = [];
  const log: string[] = [];
  const shell = new PersistentShell(
    async () => {
      const { channel, child } = localShell();
      opened.push(child);
      return channel;
    },
    'test-target',
    (l) => log.push(l),
  );
  return { shell, opened, log };
}

async function reply(p: Promise<ShellReply | null>): Promise<ShellReply> {
  const r = await p;
  if (r === null) throw new Error('expected a reply, got the fallback');
  return r;
}

async function rejection(p: Promise<unknown>): Promise<MonitorError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(MonitorError);
  expect((e as MonitorError).message).not.toContain('\n');
  return e as MonitorError;
}

const text = (r: ShellReply): string => r.output.toString('utf8');

describe('ShellSession', () => {
  it('answers scripts one after another on one shell, with their exit status', async () => {
    const { channel, child } = localShell();
    const s = new ShellSession(channel, 'test-target');
    try {
      for (let i = 0; i < 5; i++) {
        const r = await s.run(`echo ${i}; echo "$$"`, 5000);
        expect(text(r)).toBe(`${i}\n${child.pid}\n`);
        expect(r.status).toBe(0);
      }
      // `exit` ends the request's subshell, not the shell.
      const failed = await s.run('echo before; exit 7', 5000);
      expect(text(failed)).toBe('before\n');
      expect(failed.status).toBe(7);
      expect(text(await s.run('echo "$$"', 5000))).toBe(`${child.pid}\n`);
      expect(s.completed).toBe(7);
      expect(s.isOpen).toBe(true);
    } finally {
      s.close();
    }
  });

  it("keeps one request's variables, cwd, arguments and redirections away from the next", async () => {
    const { channel } = localShell();
    const s = new ShellSession(channel, 'test-target');
    try {
      await s.run('x=1; export y=2; cd /; set -- a b; exec >/dev/null 2>&1; echo hidden', 5000);
      const r = await s.run('printf "%s|%s|%s|%s" "${x-unset}" "${y-unset}" "$#" "$(pwd)"', 5000);
      expect(text(r)).toBe(`unset|unset|0|${process.cwd()}`);
    } finally {
      s.close();
    }
  });

  it('gives a script /dev/null as stdin, so it cannot swallow the next request', async () => {
    const { channel } = localShell();
    const s = new ShellSession(channel, 'test-target');
    try {
      const r = await s.run('cat; read -r line; echo "got:${line-}"', 2000);
      expect(text(r)).toBe('got:\n');
      expect(text(await s.run('echo next', 2000))).toBe('next\n');
    } finally {
      s.close();
    }
  });

  it('is not cut short by output that looks like an end marker', async () => {
    const { channel } = localShell();
    const s = new ShellSession(channel, 'test-target');
    try {
      const fakes = [
        '\\000END\\000',
        '\\000\\000END\\000',
        '\\000DM-DONE-\\000',
        `\\0000\\000DM-DONE-${'0'.repeat(32)}\\000`,
        `\\000DM-DONE-${'f'.repeat(32)}\\000`,
      ];
      const r = await s.run(`printf '${fakes.join('x')}'; printf tail`, 5000);
      const expected = fakes.map((f) => f.replaceAll('\\000', '\0')).join('x') + 'tail';
      expect(r.output.toString('latin1')).toBe(expected);
      expect(r.status).toBe(0);
    } finally {
      s.close();
    }
  });

  it('returns a large reply whole', async () => {
    const { channel } = localShell();
    const s = new ShellSession(channel, 'test-target');
    try {
      const r = await s.run("head -c 20000000 /dev/zero | tr '\\000' a; printf end", 20_000);
      expect(r.output.length).toBe(20_000_003);
      expect(r.output.subarray(-4).toString()).toBe('aend');
      expect(r.output.indexOf('b')).toBe(-1);
    } finally {
      s.close();
    }
  });

  it('drains stderr, so a chatty script cannot block the shell', async () => {
    const { channel } = localShell();
    const s = new ShellSession(channel, 'test-target');
    try {
      // 2 MB on stderr is 32 times a pipe buffer: unread, the shell would block forever.
      const r = await s.run("head -c 2000000 /dev/zero | tr '\\000' e >&2; echo done", 10_000);
      expect(text(r)).toBe('done\n');
      expect(r.stderrTail.length).toBeLessThanOrEqual(1000);
      expect(r.stderrTail).toMatch(/^e+$/);
    } finally {
      s.close();
    }
  });

  it('finds the end marker wherever the transport splits it', async () => {
    const body = Buffer.from('\0DM-BATCH-1\0payload\0with\0NULs\0END\0');
    const marker = (nonce: string) => Buffer.from(`\x0042\x00DM-DONE-${nonce}\x00`);
    const total = body.length + marker('0'.repeat(32)).length;
    // Every split point, and a reply delivered one byte at a time.
    const splits: number[][] = [
      ...Array.from({ length: total - 1 }, (_, i) => [i + 1]),
      Array.from({ length: total - 1 }, (_, i) => i + 1),
    ];
    for (const cuts of splits) {
      const stdin = new PassThrough();
      const stdout = new PassThrough();
      const channel: ShellChannel = {
        stdin,
        stdout,
        stderr: new PassThrough(),
        onEnd: () => undefined,
        close: () => undefined,
      };
      const s = new ShellSession(channel, 'test-target');
      const pending = s.run('true', 5000);
      const request = String(stdin.read());
      const nonce = /DM-DONE-([0-9a-f]{32})/.exec(request)?.[1];
      expect(nonce).toMatch(/^[0-9a-f]{32}$/);
      const whole = Buffer.concat([body, marker(nonce!)]);
      let from = 0;
      for (const cut of [...cuts, whole.length]) {
        stdout.write(whole.subarray(from, cut));
        from = cut;
      }
      const r = await pending;
      expect(r.output.equals(body)).toBe(true);
      expect(r.status).toBe(42);
    }
  });

  it('rejects with the shell-ended error when the shell dies during a request', async () => {
    const { channel } = localShell();
    const s = new ShellSession(channel, 'test-target');
    // In a subshell $$ is still the shell itself.
    const e = await rejection(s.run('printf partial; kill -9 $$; sleep 0.1', 5000));
    expect(e).toBeInstanceOf(ShellEndedError);
    expect(e.code).toBe('internal');
    expect(e.message).toContain('test-target');
    expect(e.message).toContain('ended during the read');
    expect(e.message).toContain('SIGKILL');
    expect((e as ShellEndedError).receivedAny).toBe(true);
    expect(s.isOpen).toBe(false);
    expect((await rejection(s.run('true', 1000))).message).toContain('ended');
  });

  it('works with the real batch script and its parser', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dm-session-'));
    writeFileSync(join(dir, 'a'), 'first\0with a NUL\n');
    writeFileSync(join(dir, 'b'), '');
    writeFileSync(join(dir, 'c'), 'third');
    const { channel } = localShell();
    const s = new ShellSession(channel, 'test-target');
    try {
      for (let i = 0; i < 3; i++) {
        const r = await s.run(buildBatchScript({ files: [`${dir}/*`], links: [], statfs: [dir] }), 5000);
        const batch = parseBatchOutput(r.output, r.ms);
        expect(Object.fromEntries(batch.files)).toEqual({
          [`${dir}/a`]: 'first\0with a NUL\n',
          [`${dir}/b`]: '',
          [`${dir}/c`]: 'third',
        });
        expect(batch.statfs.get(dir)?.totalBytes).toBeGreaterThan(0);
      }
    } finally {
      s.close();
    }
  });
});

describe('PersistentShell', () => {
  it('writes one request at a time, and each caller gets its own reply', async () => {
    const writes: number[] = [];
    let answered = 0;
    const shell = new PersistentShell(async () => {
      const { channel } = localShell(
        (real) => new Writable({ write: (chunk, _enc, cb) => (writes.push(answered), real.write(chunk, cb)) }),
      );
      return channel;
    }, 'test-target');
    try {
      // Later requests are quicker: answers written ahead of time would come back out of order.
      const all = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          reply(shell.run(`sleep 0.0${5 - i}; echo ${i}`, 5000)).then((r) => {
            answered++;
            return text(r);
          }),
        ),
      );
      expect(all).toEqual(['0\n', '1\n', '2\n', '3\n', '4\n', '5\n']);
      expect(writes).toEqual([0, 1, 2, 3, 4, 5]); // request i written only after i replies
    } finally {
      shell.close();
    }
  });

  it('rejects a request that times out, then answers the next on a fresh shell', async () => {
    const { shell, opened } = persistent();
    try {
      const first = text(await reply(shell.run('echo $$', 5000)));
      const started = Date.now();
      const e = await rejection(shell.run('sleep 5; echo late', 150));
      expect(e.code).toBe('timeout');
      expect(e.message).toBe('reading test-target timed out after 150 ms');
      expect(Date.now() - started).toBeLessThan(2000);
      const second = text(await reply(shell.run('echo $$', 5000)));
      expect(second).not.toBe(first);
      expect(opened).toHaveLength(2);
      expect(second).toBe(`${opened[1].pid}\n`);
    } finally {
      shell.close();
    }
  });

  it('rejects the request a shell dies under, and opens a new shell for the next', async () => {
    const { shell, opened } = persistent();
    try {
      await reply(shell.run('echo warm', 5000));
      const e = await rejection(shell.run('printf partial; kill -9 $$; sleep 0.1', 5000));
      expect(e.message).toContain('ended during the read');
      expect(text(await reply(shell.run('echo $$', 5000)))).toBe(`${opened[1].pid}\n`);
    } finally {
      shell.close();
    }
  });

  it('replaces a shell killed while idle without failing the next request', async () => {
    const { shell, opened } = persistent();
    try {
      await reply(shell.run('true', 5000));
      // Killed and asked at once: the request may go to the dead shell before its end is seen.
      opened[0].kill('SIGKILL');
      expect(text(await reply(shell.run('echo $$', 5000)))).toBe(`${opened[1].pid}\n`);
      // Killed, and its end seen first.
      const gone = new Promise((r) => opened[1].once('close', r));
      opened[1].kill('SIGKILL');
      await gone;
      expect(text(await reply(shell.run('echo $$', 5000)))).toBe(`${opened[2].pid}\n`);
      expect(opened).toHaveLength(3);
    } finally {
      shell.close();
    }
  });

  it('rejects, without retrying, when a fresh shell ends before answering', async () => {
    const { shell, opened } = persistent();
    try {
      const e = await rejection(shell.run('kill -9 $$', 5000));
      expect(e).toBeInstanceOf(ShellEndedError);
      expect(opened).toHaveLength(1);
    } finally {
      shell.close();
    }
  });

  it('resolves null (use another way) when no shell can be opened, and stops trying after three', async () => {
    let attempts = 0;
    const log: string[] = [];
    const shell = new PersistentShell(
      async () => {
        attempts++;
        throw new MonitorError('channel open failure: administratively prohibited', 'unreachable');
      },
      'test-target',
      (l) => log.push(l),
    );
    for (let i = 0; i < 5; i++) expect(await shell.run('true', 1000)).toBeNull();
    expect(attempts).toBe(3);
    expect(shell.usable).toBe(false);
    expect(log.at(-1)).toContain('one exec per refresh from now on');
    expect(log.at(-1)).toContain('administratively prohibited');
  });

  it('close() ends the shell and rejects what is in flight and what comes after', async () => {
    const { shell, opened } = persistent();
    await reply(shell.run('true', 5000));
    const exited = new Promise((r) => opened[0].once('exit', r));
    const inFlight = shell.run('sleep 0.3', 5000);
    await new Promise((r) => setTimeout(r, 50));
    shell.close();
    const e = await rejection(inFlight);
    expect(e.code).toBe('unreachable');
    expect(e.message).toBe('connection to test-target was closed');
    await exited; // EOF on its stdin once the running request is done
    expect((await rejection(shell.run('true', 1000))).code).toBe('unreachable');
  });
});
