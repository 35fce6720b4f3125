// What one refresh costs on this machine, side by side in one run (machines are noisy: medians, and
// before/after runs interleaved so that both see the same noise). Needs the test environment:
//   bash scripts/test-env.sh && npm run build && node scripts/bench/readers.mjs
// Prints a markdown table (the one in docs/performance.md). Takes about 25 s.
//
// The engine is bundled from src on the fly with esbuild's JS API (esbuild.mjs builds only the CLI and
// the extension), into node_modules/.cache so that ssh2's optional native addon resolves as in dist/.
// "Before" is the fs/promises readBatch that LocalTransport had until the sliced synchronous one; it is
// kept here, and only here, so that every run compares the two on the same machine at the same time.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { constants, fstatSync } from 'node:fs';
import { open, readdir, readlink, statfs } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cpus, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNS = 10;
const WARMUPS = 2;
const SLOW_RUNS = 3;
const DOCKER_SOCKET = '/var/run/docker.sock';
const STATS_CONTAINER = 'dm-limited';
const STATS_URL = `http://d/v1.41/containers/${STATS_CONTAINER}/stats?stream=false`;
const run = promisify(execFile);

// ---------------------------------------------------------------------------------------------------------
// The engine, bundled from src.

async function loadEngine() {
  const outdir = join(ROOT, 'node_modules', '.cache', 'docker-monitor-bench');
  mkdirSync(outdir, { recursive: true });
  const outfile = join(outdir, 'engine.cjs');
  await esbuild.build({
    stdin: {
      contents: [
        "export { Collector } from './src/core/collect/collector';",
        "export { buildPlan, DEFAULT_DOCKER_ROOT } from './src/core/collect/plan';",
        "export { LocalTransport, cgroupPaths } from './src/core/transport/local';",
        "export { onePidPerNetns } from './src/core/parse/links';",
        "export { openTransport, parseTarget } from './src/core/transport/target';",
        "export { buildBatchScript, validateBatchPlan } from './src/core/transport/batchScript';",
        "export { escapeGlob, expandGlob } from './src/core/transport/glob';",
        // The test environment's own definition of the SSH alias and of what must be running.
        "export { makeSshHome, dockerReady, dockerSkipReason, sshReady, sshSkipReason } from './test/integration/env';",
      ].join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
      sourcefile: 'bench-entry.ts',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    external: ['cpu-features', './crypto/build/Release/sshcrypto.node'],
    logLevel: 'warning',
  });
  return createRequire(import.meta.url)(outfile);
}

// ---------------------------------------------------------------------------------------------------------
// Before: LocalTransport.readBatch as it was with fs/promises (64 reads in flight through the thread pool).

function legacyReadBatch(engine) {
  // The second stages' selection is shared with LocalTransport: only how files are read differs here.
  const { validateBatchPlan, escapeGlob, expandGlob, cgroupPaths, onePidPerNetns } = engine;
  const READ_CONCURRENCY = 64;
  const READ_CHUNK = 16 * 1024;

  function createLimit(max) {
    let active = 0;
    const waiting = [];
    return async (task) => {
      if (active >= max) await new Promise((resolve) => waiting.push(resolve));
      else active++;
      try {
        return await task();
      } finally {
        const next = waiting.shift();
        if (next) next();
        else active--;
      }
    };
  }
  async function orSkip(op) {
    try {
      return await op;
    } catch (err) {
      if (typeof err?.code === 'string') return undefined;
      throw err;
    }
  }
  async function expandAll(patterns) {
    const lists = await Promise.all(patterns.map((p) => expandGlob(p, (dir) => readdir(dir))));
    return [...new Set(lists.flat())];
  }
  async function readText(path) {
    const fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      if (!fstatSync(fh.fd).isFile()) return undefined;
      const buf = Buffer.allocUnsafe(READ_CHUNK);
      const chunks = [];
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, READ_CHUNK, null);
        if (bytesRead === 0) break;
        chunks.push(Buffer.from(buf.subarray(0, bytesRead)));
      }
      return Buffer.concat(chunks).toString('utf8');
    } finally {
      await fh.close();
    }
  }
  async function readFiles(patterns, limit) {
    const out = new Map();
    const paths = await expandAll(patterns);
    await Promise.all(
      paths.map((p) =>
        limit(async () => {
          const text = await orSkip(readText(p));
          if (text !== undefined) out.set(p, text.endsWith('\0') ? text.slice(0, -1) : text);
        }),
      ),
    );
    return out;
  }
  async function readLinks(patterns, limit) {
    const out = new Map();
    const paths = await expandAll(patterns);
    await Promise.all(
      paths.map((p) =>
        limit(async () => {
          const target = await orSkip(readlink(p));
          if (target !== undefined) out.set(p, target);
        }),
      ),
    );
    return out;
  }
  async function readStatfs(patterns, limit) {
    const out = new Map();
    const paths = await expandAll(patterns);
    await Promise.all(
      paths.map((p) =>
        limit(async () => {
          const st = await orSkip(statfs(p));
          if (st === undefined) return;
          const bsize = Number(st.bsize);
          out.set(p, {
            totalBytes: bsize * Number(st.blocks),
            freeBytes: bsize * Number(st.bfree),
            availableBytes: bsize * Number(st.bavail),
          });
        }),
      ),
    );
    return out;
  }

  return async function readBatch(plan) {
    validateBatchPlan(plan);
    const started = performance.now();
    const limit = createLimit(READ_CONCURRENCY);
    const fileChain = (async () => {
      const first = await readFiles(plan.files, limit);
      const cg = plan.cgroups;
      if (!cg || cg.files.length === 0) return [first];
      const root = escapeGlob(cg.root);
      const patterns = cgroupPaths(first, cg.pattern).flatMap((path) =>
        cg.files.flatMap((f) => [`${root}${escapeGlob(path)}/${f}`, `${root}/*${escapeGlob(path)}/${f}`]),
      );
      return [first, await readFiles(patterns, limit)];
    })();
    const linkChain = (async () => {
      const links = await readLinks(plan.links, limit);
      const rel = plan.perNetns ?? [];
      if (rel.length === 0) return { links, netns: new Map() };
      const patterns = onePidPerNetns(links).flatMap((pid) => rel.map((p) => `/proc/${pid}/${p}`));
      return { links, netns: await readFiles(patterns, limit) };
    })();
    const [fileMaps, { links, netns }, statfsMap] = await Promise.all([
      fileChain,
      linkChain,
      readStatfs(plan.statfs, limit),
    ]);
    const files = new Map();
    for (const m of [...fileMaps, netns]) for (const [k, v] of m) files.set(k, v);
    return { files, links, statfs: statfsMap, durationMs: performance.now() - started };
  };
}

// ---------------------------------------------------------------------------------------------------------
// Measuring.

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const cpuMs = (u) => (u.user + u.system) / 1000;

/** Wall ms, process CPU ms (all threads: the fs thread pool too) and the longest event-loop stall of one call. */
async function measure(fn) {
  const stall = monitorEventLoopDelay({ resolution: 1 });
  stall.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = performance.now() - t0;
  const cpu = cpuMs(process.cpuUsage(cpu0));
  stall.disable();
  return { wall, cpu, stall: stall.max / 1e6, value };
}

/**
 * Runs each variant WARMUPS + runs times, interleaved (A B A B ...) so that noise hits them alike;
 * returns per variant the median wall, CPU and stall over the measured runs, and the last value.
 */
async function sideBySide(variants, runs = RUNS, warmups = WARMUPS) {
  const samples = variants.map(() => ({ wall: [], cpu: [], stall: [], value: undefined }));
  for (let i = 0; i < warmups + runs; i++) {
    for (const [v, fn] of variants.entries()) {
      const m = await measure(fn);
      samples[v].value = m.value;
      if (i < warmups) continue;
      samples[v].wall.push(m.wall);
      samples[v].cpu.push(m.cpu);
      samples[v].stall.push(m.stall);
    }
  }
  return samples.map((s) => ({
    wall: median(s.wall),
    cpu: median(s.cpu),
    stall: median(s.stall),
    runs: s.wall.length,
    value: s.value,
  }));
}

async function wallOf(cmd, args) {
  const t0 = performance.now();
  await run(cmd, args, { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  return performance.now() - t0;
}

/** The batch script as the SSH target runs it (`sh -s`), here: wall, and CPU of sh and all its children. */
async function shScriptRun(scriptFile) {
  const t0 = performance.now();
  const { stdout } = await run('sh', ['-c', 'sh -s <"$1" >/dev/null; times', 'sh', scriptFile], { timeout: 60_000 });
  const wall = performance.now() - t0;
  // `times`: the shell's own user and system time, then its children's, as "0m0.120s 0m0.080s".
  const line = stdout.trim().split('\n')[1] ?? '';
  const secs = [...line.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return { wall, cpu: secs.length === 2 ? (secs[0] + secs[1]) * 1000 : NaN };
}

async function tryOutput(cmd, args) {
  try {
    return (await run(cmd, args, { timeout: 30_000 })).stdout.trim();
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------------------

const fmt = (n) => (Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n.toFixed(1)) : '–');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}×` : '–');

async function main() {
  const started = performance.now();
  const engine = await loadEngine();
  if (!engine.dockerReady) {
    console.error(`bench: ${engine.dockerSkipReason}`);
    process.exit(1);
  }
  const { Collector, LocalTransport, buildPlan, DEFAULT_DOCKER_ROOT, buildBatchScript, openTransport, parseTarget } =
    engine;
  const plan = buildPlan(DEFAULT_DOCKER_ROOT);
  const rows = [];
  const row = (what, r, extra = '') =>
    rows.push(
      `| ${what} | ${fmt(r.wall)} | ${fmt(r.cpu)} | ${r.stall === undefined ? '–' : fmt(r.stall)} | ${r.runs ?? '–'} | ${extra} |`,
    );

  // 1 + 2: the batch read alone and the whole local refresh, fs/promises (before) vs sliced sync (after).
  const legacy = legacyReadBatch(engine);
  const local = new LocalTransport();
  // The same plan without the socket tables: each read of /proc/PID/net/tcp{,6} walks the kernel's whole
  // TCP hash table, whatever the namespace holds, a cost no reader can avoid.
  const noTcpPlan = { ...plan, perNetns: plan.perNetns.filter((p) => !/^net\/tcp6?$/.test(p)) };
  const [oldBatch, newBatch, noTcpBatch] = await sideBySide([
    () => legacy(plan),
    () => local.readBatch(plan),
    () => local.readBatch(noTcpPlan),
  ]);
  class LegacyLocalTransport extends LocalTransport {
    readBatch(p) {
      return legacy(p);
    }
  }
  // Before and after the sync reader, both reading everything every refresh (the design before tiered reads),
  // and the tiered collector every view uses now (medians: the slow tier comes every 10th refresh).
  const oldCollector = new Collector(new LegacyLocalTransport(), { tiered: false });
  const fullCollector = new Collector(new LocalTransport(), { tiered: false });
  const newCollector = new Collector(new LocalTransport());
  const [oldSample, fullSample, newSample] = await sideBySide([
    () => oldCollector.sample(),
    () => fullCollector.sample(),
    () => newCollector.sample(),
  ]);
  row('`LocalTransport.readBatch(buildPlan(...))`, before: fs/promises', oldBatch);
  row(
    '`LocalTransport.readBatch(buildPlan(...))`, after: sync slices',
    newBatch,
    `before ÷ after: wall ${ratio(oldBatch.wall, newBatch.wall)}, CPU ${ratio(oldBatch.cpu, newBatch.cpu)}`,
  );
  const netns = new Set([...newBatch.value.links].filter(([k]) => /^\/proc\/\d+\/ns\/net$/.test(k)).map(([, v]) => v))
    .size;
  row(
    `… after, without \`net/tcp\` and \`net/tcp6\` (${netns} network namespaces)`,
    noTcpBatch,
    `the socket tables cost ${fmt(newBatch.cpu - noTcpBatch.cpu)} ms CPU`,
  );
  row('local `Collector.sample()`, full read, before: fs/promises', oldSample);
  row(
    'local `Collector.sample()`, full read, after: sync slices',
    fullSample,
    `before ÷ after: wall ${ratio(oldSample.wall, fullSample.wall)}, CPU ${ratio(oldSample.cpu, fullSample.cpu)}`,
  );
  row(
    'local `Collector.sample()`, tiered reads (the default)',
    newSample,
    `full ÷ tiered: wall ${ratio(fullSample.wall, newSample.wall)}, CPU ${ratio(fullSample.cpu, newSample.cpu)}`,
  );

  // The same reads as the sh script an SSH target runs: what a remote refresh costs the remote machine.
  const scriptDir = join(tmpdir(), `dm-bench-${process.pid}`);
  mkdirSync(scriptDir, { recursive: true });
  const scriptFile = join(scriptDir, 'batch.sh');
  writeFileSync(scriptFile, buildBatchScript(plan));
  const shRuns = [];
  for (let i = 0; i < WARMUPS + RUNS; i++) {
    const r = await shScriptRun(scriptFile);
    if (i >= WARMUPS) shRuns.push(r);
  }
  row("the same plan as the sh batch script (`sh -s`, CPU of sh and its children): the SSH target's share", {
    wall: median(shRuns.map((r) => r.wall)),
    cpu: median(shRuns.map((r) => r.cpu)),
    runs: shRuns.length,
  });

  // 3: a whole refresh over SSH to the test sshd, through an ~/.ssh/config alias.
  let sshHome = null;
  if (engine.sshReady) {
    sshHome = engine.makeSshHome().home;
    const transport = await openTransport(parseTarget('dmtest'), { home: sshHome });
    const sshCollector = new Collector(transport);
    try {
      const [ssh] = await sideBySide([() => sshCollector.sample()]);
      row(
        `\`Collector.sample()\` over SSH (${transport.label}), this process only`,
        ssh,
        `÷ local tiered: wall ${ratio(ssh.wall, newSample.wall)}, CPU ${ratio(ssh.cpu, newSample.cpu)}`,
      );
    } finally {
      await sshCollector.close();
    }
  } else {
    rows.push(`| \`Collector.sample()\` over SSH | skipped: ${engine.sshSkipReason} | | | | |`);
  }

  // 4: what the Docker CLI and the Engine API charge for stats (CPU spent in dockerd, not here).
  const running = (await run('docker', ['ps', '-q'])).stdout.split('\n').filter(Boolean).length;
  const statsWalls = [];
  for (let i = 0; i < SLOW_RUNS; i++) statsWalls.push(await wallOf('docker', ['stats', '--no-stream']));
  const stats = { wall: median(statsWalls), cpu: NaN, runs: SLOW_RUNS };
  row(
    `\`docker stats --no-stream\`, ${running} running containers`,
    stats,
    `÷ local tiered sample: wall ${ratio(stats.wall, newSample.wall)}`,
  );
  const apiWalls = [];
  for (let i = 0; i < SLOW_RUNS; i++)
    apiWalls.push(await wallOf('curl', ['-sf', '--unix-socket', DOCKER_SOCKET, STATS_URL]));
  const api = { wall: median(apiWalls), cpu: NaN, runs: SLOW_RUNS };
  row(
    `Engine API \`GET /containers/${STATS_CONTAINER}/stats?stream=false\` (curl), one container`,
    api,
    `÷ local tiered sample: wall ${ratio(api.wall, newSample.wall)}`,
  );

  // 5: what a refresh covered.
  const snap = newSample.value;
  const batch = newBatch.value;
  const runningInSnap = snap.containers.filter((c) => c.state === 'running').length;

  const [dockerServer, dockerClient] = (
    await tryOutput('docker', ['version', '--format', '{{.Server.Version}} {{.Client.Version}}'])
  ).split(' ');
  const cgroup = existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'v2' : 'v1';
  rmSync(scriptDir, { recursive: true, force: true });
  if (sshHome) rmSync(sshHome, { recursive: true, force: true });

  const out = [
    `Command: \`node scripts/bench.mjs\` (after \`bash scripts/test-env.sh\` and \`npm run build\`)`,
    `Date: ${new Date().toISOString()}`,
    `Machine: ${cpus().length} CPUs (nproc ${await tryOutput('nproc', [])}, ${cpus()[0]?.model ?? 'unknown model'}), kernel ${release()}, ` +
      `cgroup ${cgroup}, Docker server ${dockerServer ?? 'unknown'} / client ${dockerClient ?? 'unknown'}, Node ${process.version}`,
    `Snapshot: ${snap.processes.length} processes, ${snap.containers.length} containers (${runningInSnap} running), ` +
      `batch of ${batch.files.size} files, ${batch.links.size} links, ${batch.statfs.size} statfs`,
    '',
    `Medians of ${RUNS} runs after ${WARMUPS} warm-ups (before/after runs interleaved); docker stats and the Engine API: medians of ${SLOW_RUNS}.`,
    "CPU is this process's user + system time (process.cpuUsage, all threads); stall is the longest event-loop delay during a run.",
    '',
    '| what | wall ms | CPU ms | stall ms | runs | ratio |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    `Bench took ${((performance.now() - started) / 1000).toFixed(0)} s.`,
  ];
  console.log(out.join('\n'));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench failed: ${err?.message ?? err}`);
    process.exit(1);
  },
);
