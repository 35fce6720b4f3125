// `npm run bench`: what a refresh costs at 10, 50 and 200 containers, side by side in one run; writes
// BENCHMARKS.md and BENCHMARKS.json. Needs the test environment (bash scripts/test-env.sh, as root) and a build
// (npm run build, for the one-shot CLI). Takes about 10 minutes; `--quick` runs 10 and 50 containers only.
// The engine is bundled from src with esbuild into node_modules/.cache, then run with --expose-gc (for the
// heap figure) in a child process.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(ROOT, 'node_modules', '.cache', 'docker-monitor-bench');
mkdirSync(outdir, { recursive: true });
const outfile = join(outdir, 'bench.cjs');
await esbuild.build({
  entryPoints: [join(ROOT, 'scripts', 'bench', 'main.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile,
  logLevel: 'warning',
  // ssh2's optional native addons: it falls back to pure JS without them.
  external: ['cpu-features', './crypto/build/Release/sshcrypto.node'],
});
// The extension's collector thread, beside the bench (main.ts starts it from its own directory).
await esbuild.build({
  entryPoints: [join(ROOT, 'src', 'core', 'collect', 'collectorThread.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: join(outdir, 'collectorThread.js'),
  logLevel: 'warning',
});
const r = spawnSync(process.execPath, ['--expose-gc', outfile, ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: ROOT,
});
process.exit(r.status ?? 1);
