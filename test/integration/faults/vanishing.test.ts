// Things that vanish mid-collection, on the real dockerd (issue 9 §3): a container removed after the plan of a
// refresh was made (its known processes and cgroup directory read after they are gone), a container removed
// between the Docker list and its inspect, and processes that exit while a read runs. Each snapshot must be
// complete for what still exists, with no error and no warning beyond the ordinary ones.
import { execFileSync } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector } from '../../../src/core/collect/collector';
import { LocalTransport } from '../../../src/core/transport/local';
import { openTarget } from '../../../src/core/targets/settings/openTarget';
import { parseTargetSetting } from '../../../src/core/targets/settings/targetConfig';
import type { Snapshot } from '../../../src/core/model';
import type { Transport } from '../../../src/core/transport/types';
import { dockerReady, dockerSkipReason, makeSshHome, sshReady } from '../env';

const PREFIX = 'dm-fault-';
const docker = (...args: string[]) =>
  execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const runBox = (name: string, ...cmd: string[]) => docker('run', '-d', '--name', name, 'dm-busybox:test', ...cmd);
const remove = (name: string) => execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });

function cleanup(): void {
  const names = docker('ps', '-a', '--filter', `name=^${PREFIX}`, '--format', '{{.Names}}').split('\n').filter(Boolean);
  if (names.length > 0) execFileSync('docker', ['rm', '-f', ...names], { stdio: 'ignore' });
}

/** What an ordinary snapshot may warn about: processes whose open files could not be read (they exited, or EACCES). */
const ORDINARY = /^\d+ processes' open files could not be read/;

/** Complete for what exists: Docker answered, nothing odd said, every container's process belongs to a listed container. */
function expectComplete(s: Snapshot, keep: { id: string; name: string }): void {
  expect(s.docker.reachable).toBe(true);
  expect(s.warnings.filter((w) => !ORDINARY.test(w))).toEqual([]);
  const kept = s.containers.find((c) => c.id === keep.id);
  expect(kept?.name).toBe(keep.name);
  expect(kept?.memory.usageBytes ?? null).not.toBeNull();
  expect(s.processes.some((p) => p.containerId === keep.id)).toBe(true);
  const ids = new Set(s.containers.map((c) => c.id));
  for (const p of s.processes) if (p.containerId !== null) expect(ids.has(p.containerId)).toBe(true);
}

/** Runs `hook` synchronously just before the first request line matching `pattern` goes to the Docker socket. */
function beforeDockerRequest(t: Transport, pattern: RegExp, hook: () => void): () => boolean {
  const open = t.openUnixSocket.bind(t);
  let done = false;
  t.openUnixSocket = async (path: string) => {
    const stream: Duplex = await open(path);
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (!done && pattern.test(String(chunk).split('\r\n')[0])) {
        done = true;
        hook();
      }
      return write(chunk, ...rest);
    }) as Duplex['write'];
    return stream;
  };
  return () => done;
}

const targets: Array<[string, () => Promise<Transport>, boolean]> = [
  ['local', async () => new LocalTransport(), dockerReady],
  [
    'over SSH (perl reader)',
    () => openTarget(parseTargetSetting({ name: 'dmtest', host: 'dmtest' }), { home: makeSshHome().home }),
    dockerReady && sshReady,
  ],
];

describe.skipIf(!dockerReady)(`containers and processes vanishing mid-collection (${dockerSkipReason})`, () => {
  let keep: { id: string; name: string };
  beforeAll(() => {
    cleanup();
    keep = { id: runBox(`${PREFIX}keep`, 'sleep', '3600'), name: `${PREFIX}keep` };
    // Starts a process every 20 ms that lives 0.1 to 0.3 s: some exit while any read of /proc runs.
    runBox(`${PREFIX}churn`, 'sh', '-c', 'while :; do sleep 0.3 & sleep 0.1 & sleep 0.02; done');
  });
  afterAll(() => cleanup());

  for (const [name, open, ready] of targets) {
    describe.skipIf(!ready)(name, () => {
      let collector: Collector;
      let transport: Transport;
      beforeAll(async () => {
        transport = await open();
        // Listing every refresh (no event stream): a container can then be listed and gone before its inspect.
        collector = new Collector(transport, { dockerEvents: false });
        expectComplete(await collector.sample(), keep);
      });
      afterAll(() => collector?.close());

      it('a container removed after the refresh was planned: its known processes and cgroup files are gone at the read', async () => {
        const gone = runBox(`${PREFIX}gone`, 'sleep', '3600');
        const before = await collector.sample();
        const pids = before.processes.filter((p) => p.containerId === gone).map((p) => p.pid);
        expect(pids.length).toBeGreaterThan(0);
        expect(before.containers.find((c) => c.id === gone)?.memory.usageBytes ?? null).not.toBeNull();
        const read = transport.readBatch.bind(transport);
        transport.readBatch = (plan) => {
          transport.readBatch = read;
          // The plan names what the last refresh knew (the container's cgroup path, its PIDs); now it goes.
          expect(JSON.stringify(plan)).toContain(gone);
          remove(`${PREFIX}gone`);
          return read(plan);
        };
        const s = await collector.sample();
        expect(transport.readBatch).toBe(read);
        expectComplete(s, keep);
        expect(s.containers.some((c) => c.id === gone)).toBe(false);
        expect(s.processes.some((p) => pids.includes(p.pid) && p.containerId === gone)).toBe(false);
      });

      it('a container listed by Docker, then removed before its inspect', async () => {
        const late = runBox(`${PREFIX}late`, 'sleep', '3600');
        const hit = beforeDockerRequest(transport, new RegExp(`^GET /[^ ]*containers/${late}/json`), () =>
          remove(`${PREFIX}late`),
        );
        // A fresh collector (fresh Docker cache) over the same transport, so that the new container is inspected.
        const fresh = new Collector(transport, { dockerEvents: false });
        const s = await fresh.sample();
        expect(hit()).toBe(true); // the list named it; the inspect found it gone
        expectComplete(s, keep);
        expect(s.containers.some((c) => c.id === late && c.name === `${PREFIX}late`)).toBe(false);
      });

      it('processes exiting during reads: twelve refreshes or more in a row, each complete', async () => {
        const churn = docker('inspect', '-f', '{{.Id}}', `${PREFIX}churn`);
        const seen = new Set<number>();
        // Twelve at least; more (up to 40) while the churn has not yet shown 25 PIDs, as on a loaded machine.
        for (let i = 0; i < 12 || (i < 40 && seen.size <= 24); i++) {
          const s = await collector.sample();
          expectComplete(s, keep);
          const c = s.containers.find((x) => x.id === churn);
          expect(c?.name).toBe(`${PREFIX}churn`);
          for (const p of s.processes) if (p.containerId === churn) seen.add(p.pid);
        }
        // The churn was real: many different short-lived PIDs were caught.
        expect(seen.size).toBeGreaterThan(24);
      });
    });
  }
});
