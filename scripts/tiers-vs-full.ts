// Tiered vs full-read refresh, side by side in one process on this machine: same processes and containers, and
// the median CPU of each. Run: npx esbuild scripts/tiers-vs-full.ts --bundle --platform=node --outfile=/tmp/tvf.js && node /tmp/tvf.js
// The README's 51-container figure had 46 more containers beside test-env.sh's, started and removed with:
//   for i in $(seq 1 46); do docker run -d --name dm-bench-$i --label dm-bench=1 dm-busybox:test sh -c 'sleep 100000 & sleep 100001'; done
//   docker rm -f $(docker ps -aq --filter label=dm-bench=1)
import { Collector } from '../src/core/collect/collector';
import { LocalTransport } from '../src/core/transport/local';
async function cpuOf(c: Collector, n: number, opts = {}) {
  const cpu: number[] = [];
  for (let i = 0; i < n; i++) {
    const u0 = process.cpuUsage();
    await c.sample(opts);
    const u = process.cpuUsage(u0);
    cpu.push((u.user + u.system) / 1000);
  }
  cpu.sort((a, b) => a - b);
  return cpu[Math.floor(cpu.length / 2)];
}
(async () => {
  const full = new Collector(new LocalTransport(), { tiered: false });
  const tiered = new Collector(new LocalTransport(), { slowEvery: 10 });
  for (let r = 0; r < 2; r++) {
    await full.sample();
    await tiered.sample();
  }
  const a = await full.sample();
  const b = await tiered.sample();
  const key = (s: any) =>
    JSON.stringify(
      s.processes.map((p: any) => [
        p.pid,
        p.nsPid,
        p.command,
        p.containerId,
        p.user,
        p.exe,
        p.threads,
        p.namespaces,
        p.openFds,
        p.sockets.length,
      ]),
    );
  console.log('processes equal:', key(a) === key(b), a.processes.length, b.processes.length);
  const ck = (s: any) =>
    JSON.stringify(
      s.containers.map((c: any) => [
        c.id,
        c.name,
        c.network.hostVeth,
        c.network.bridge,
        c.memory.limitBytes,
        c.pids.limit,
        c.processes.length,
        c.namespaces,
      ]),
    );
  console.log('containers equal:', ck(a) === ck(b), a.containers.length);
  const hk = (s: any) => JSON.stringify([s.host.hostname, s.host.kernel, s.host.interfaces?.length]);
  console.log('host equal:', hk(a) === hk(b));
  if (key(a) !== key(b)) {
    const ka = JSON.parse(key(a)),
      kb = JSON.parse(key(b));
    for (let i = 0; i < ka.length; i++)
      if (JSON.stringify(ka[i]) !== JSON.stringify(kb[i])) {
        console.log(ka[i], kb[i]);
        break;
      }
  }
  console.log('full CPU ms median', await cpuOf(full, 9));
  console.log('tiered CPU ms median', await cpuOf(tiered, 20));
  console.log('tiered full-sample CPU ms median', await cpuOf(tiered, 5, { full: true }));
})();
