// Target CPU per SSH refresh: the perl and python3 readers vs the sh batch script, over the test sshd (its port in
// the state file of bash scripts/test-env.sh), and a floor: a minimal perl loop that only opens, fstats, reads and closes the same
// files, readlinks the same links and statfs'es the same paths (no globbing, no framing, no parsing).
// CPU is read from /proc/PID/stat (utime + stime + cutime + cstime, so the sh script's waited-for children
// count) of the remote reader or shell, and of the per-connection sshd that carries its channel (encryption).
// Run: node_modules/.bin/esbuild scripts/reader-cpu.ts --bundle --platform=node --packages=external --outfile=/tmp/reader-cpu.cjs
//      NODE_PATH=$PWD/node_modules node /tmp/reader-cpu.cjs [N]   (N refreshes per figure, 20 by default)
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { buildPlan, buildTieredPlan } from '../src/core/collect/plan';
import { procStatField } from '../src/core/parse/procPid';
import type { SshTransport } from '../src/core/transport/ssh';
import { openTransport, parseTarget } from '../src/core/transport/target';
import type { BatchPlan, BatchResult } from '../src/core/transport/types';
import { makeSshHome } from '../test/integration/env';

const N = Number(process.argv[2] ?? 20);
const HZ = 100; // USER_HZ on Linux

function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const v = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return ((Number(v[11]) + Number(v[12]) + Number(v[13]) + Number(v[14])) * 1000) / HZ;
}
const ppid = (pid: number): number => Number(procStatField(readFileSync(`/proc/${pid}/stat`, 'utf8'), 4));

/** PIDs of the remote `sh -s` shells of sshd sessions on this machine. */
function remoteShells(): Set<number> {
  const found = new Set<number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1') !== 'sh\0-s\0') continue;
      if (readFileSync(`/proc/${ppid(Number(name))}/cmdline`, 'latin1').startsWith('sshd')) found.add(Number(name));
    } catch {
      // gone
    }
  }
  return found;
}

async function measure(
  t: SshTransport,
  plan: BatchPlan,
  pid: () => number,
): Promise<{ reader: number; sshd: number; wall: number }> {
  await t.readBatch(plan);
  await t.readBatch(plan);
  const p = pid();
  const s = ppid(p);
  const [r0, s0, w0] = [cpuMs(p), cpuMs(s), performance.now()];
  for (let i = 0; i < N; i++) await t.readBatch(plan);
  return { reader: (cpuMs(p) - r0) / N, sshd: (cpuMs(s) - s0) / N, wall: (performance.now() - w0) / N };
}

/** The floor: the paths the perl reader returned, read by the least perl can do, N times in one process. */
function floor(r: BatchResult): number {
  const list = (tag: string, keys: Iterable<string>) => [...keys].map((k) => `${tag}${k}\0`).join('');
  writeFileSync(
    '/tmp/reader-cpu-floor.lst',
    list('F', r.files.keys()) + list('L', r.links.keys()) + list('S', r.statfs.keys()),
  );
  const prog = String.raw`
    use Fcntl qw(O_RDONLY O_NONBLOCK);
    open(my $h, '<', '/tmp/reader-cpu-floor.lst') or die; local $/ = "\0"; my @p = map { chop; $_ } <$h>;
    my @t0 = times;
    for (1..$ARGV[0]) { for (@p) { my ($k, $p) = (substr($_, 0, 1), substr($_, 1));
      if ($k eq 'F') { sysopen(my $fh, $p, O_RDONLY | O_NONBLOCK) or next; -f $fh or next; my $c = ''; 1 while sysread($fh, $c, 65536, length $c); }
      elsif ($k eq 'L') { my $t = readlink $p; }
      else { my $b = "\0" x 256; syscall(137, $p, $b); } } }
    my @t1 = times; printf "%.2f\n", ($t1[0] + $t1[1] - $t0[0] - $t0[1]) * 1000 / $ARGV[0];`;
  return Number(spawnSync('perl', ['-e', prog, String(N)], { encoding: 'utf8' }).stdout.trim());
}

(async () => {
  const { home } = makeSshHome();
  const perl = (await openTransport(parseTarget('dmtest'), { home })) as SshTransport;
  const py = (await openTransport(parseTarget('dmtest'), { home })) as SshTransport;
  py.readerChoice = ['python3'];
  const sh = (await openTransport(parseTarget('dmtest'), { home })) as SshTransport;
  sh.remoteReader = false;
  // Our sh -s is the one that appears with the sh transport's first read (other sessions may have their own).
  const before = remoteShells();
  await sh.readBatch({ files: ['/proc/uptime'], links: [], statfs: [] });
  const ours = [...remoteShells()].filter((p) => !before.has(p));
  if (ours.length !== 1) throw new Error(`cannot tell our remote sh -s among ${ours.join(', ')}`);
  const shPid = ours[0];
  const full = buildPlan('/var/lib/docker');
  const first = await perl.readBatch(full);
  // What the collector knows after its first refresh: every process's start time and container cgroup paths.
  const known: Array<[number, number]> = [];
  const cgroupPaths = new Set<string>();
  for (const [k, v] of first.files) {
    const m = /^\/proc\/(\d+)\/(stat|cgroup)$/.exec(k);
    if (m?.[2] === 'stat') {
      const start = procStatField(v, 22);
      if (start !== null) known.push([Number(m[1]), start]);
    } else if (m)
      for (const line of v.split('\n'))
        if (/\/docker\/[0-9a-f]{64}$/.test(line)) cgroupPaths.add(line.split(':').slice(2).join(':'));
  }
  // A fast tick under full demand (every process's stat, every cgroup counter), as the CLI's collector takes it.
  const tick = buildTieredPlan('/var/lib/docker', {
    slow: false,
    interfaces: false,
    stat: 'all',
    containerDetail: true,
    known,
    cgroupPaths: [...cgroupPaths],
  });
  const containers = cgroupPaths.size;
  const procs = known.length;
  console.log(
    `${new Date().toISOString()} ${containers} containers, ${procs} processes, N=${N}, nproc ${spawnSync('nproc').stdout.toString().trim()}, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
  );
  console.log('| plan | reader | reader CPU ms | its sshd CPU ms | wall ms | floor CPU ms |');
  console.log('| --- | --- | ---: | ---: | ---: | ---: |');
  for (const [name, plan] of [
    ['tiered tick (default view)', tick],
    ['full (buildPlan)', full],
  ] as const) {
    const p = await measure(perl, plan, () => perl.readerPid!);
    const f = floor(await perl.readBatch(plan));
    console.log(
      `| ${name} | perl | ${p.reader.toFixed(1)} | ${p.sshd.toFixed(1)} | ${p.wall.toFixed(0)} | ${f.toFixed(1)} |`,
    );
    const y = await measure(py, plan, () => py.readerPid!);
    console.log(`| ${name} | python3 | ${y.reader.toFixed(1)} | ${y.sshd.toFixed(1)} | ${y.wall.toFixed(0)} | |`);
    const s = await measure(sh, plan, () => shPid);
    console.log(`| ${name} | sh | ${s.reader.toFixed(1)} | ${s.sshd.toFixed(1)} | ${s.wall.toFixed(0)} | |`);
  }
  await perl.close();
  await py.close();
  await sh.close();
})();
