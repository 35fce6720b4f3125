// `node scripts/history-size.mjs`: the history file's figures quoted in docs/history.md (bytes per refresh per
// container, the load time of a full day). Bundles scripts/bench/historySize.ts with esbuild and runs it.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(ROOT, 'node_modules', '.cache', 'docker-monitor-history-size');
mkdirSync(outdir, { recursive: true });
const outfile = join(outdir, 'historySize.cjs');
await esbuild.build({
  entryPoints: [join(ROOT, 'scripts', 'bench', 'historySize.ts')],
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile,
  logLevel: 'warning',
});
// The recorded refreshes it replays, beside the bundle (it reads them from its own directory).
copyFileSync(join(ROOT, 'test', 'unit', 'history', 'fixtures', 'watch-all.ndjson'), join(outdir, 'watch-all.ndjson'));
const r = spawnSync(process.execPath, [outfile], { stdio: 'inherit' });
process.exit(r.status ?? 1);
