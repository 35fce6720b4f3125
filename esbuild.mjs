// Builds dist/cli.js, dist/extension.js, dist/collectorThread.js, dist/ssh2.js and dist/webview/*.js once their entry
// files exist.
//   node esbuild.mjs [--production] [--watch]
// --production minifies; sourcemaps are always written (stack traces under DOCKER_MONITOR_DEBUG=1 stay readable).
// Webview entries are the top-level src/webview/*.ts files (one per panel); shared webview code lives in subfolders.
import * as esbuild from 'esbuild';
import { chmod, copyFile, mkdir, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

// ssh2 loads these optional native addons inside try/catch and falls back to pure JS: left external, a missing
// addon is harmless, while bundling them fails ("No loader is configured for .node files").
const SSH2_NATIVE = ['cpu-features', './crypto/build/Release/sshcrypto.node'];

// ssh2 is two thirds of the CLI's bundle and only an SSH target needs it: it gets a bundle of its own, dist/ssh2.js,
// which the CLI and the extension require (from loadSsh2) at their first SSH connection. Bundled inline, V8 still had
// to read its 600 KB at every start even though it was evaluated lazily (BENCHMARKS.md, `docker-monitor --help`).
function ssh2ApartPlugin() {
  return {
    name: 'ssh2-apart',
    setup(build) {
      // A require, not an import(): ssh2.js is CommonJS, and the extension host loads extensions through require.
      build.initialOptions.supported = { ...build.initialOptions.supported, 'dynamic-import': false };
      build.onResolve({ filter: /^ssh2$/ }, () => ({ path: './ssh2.js', external: true }));
    },
  };
}

/** Reports each rebuild in watch mode and makes the CLI executable after every successful build. */
function finishPlugin(name, executable) {
  return {
    name: `finish-${name}`,
    setup(build) {
      build.onEnd(async (result) => {
        if (result.errors.length > 0) return;
        if (executable) await chmod(build.initialOptions.outfile, 0o755);
        if (watch) console.log(`[esbuild] ${name} rebuilt`);
      });
    },
  };
}

const common = {
  bundle: true,
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

const builds = [
  {
    name: 'cli',
    entry: 'src/cli/main.ts',
    options: {
      ...common,
      entryPoints: ['src/cli/main.ts'],
      outfile: 'dist/cli.js',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      banner: { js: '#!/usr/bin/env node' },
      external: SSH2_NATIVE,
      plugins: [ssh2ApartPlugin(), finishPlugin('cli', true)],
    },
  },
  {
    name: 'extension',
    entry: 'src/vscode/extension.ts',
    options: {
      ...common,
      entryPoints: ['src/vscode/extension.ts'],
      outfile: 'dist/extension.js',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: ['vscode', ...SSH2_NATIVE],
      plugins: [ssh2ApartPlugin(), finishPlugin('extension', false)],
    },
  },
  {
    name: 'ssh2',
    entry: 'node_modules/ssh2/lib/index.js',
    options: {
      ...common,
      entryPoints: ['node_modules/ssh2/lib/index.js'],
      outfile: 'dist/ssh2.js',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      external: SSH2_NATIVE,
      plugins: [finishPlugin('ssh2', false)],
    },
  },
  {
    name: 'collector thread',
    entry: 'src/core/collect/collectorThread.ts',
    options: {
      ...common,
      entryPoints: ['src/core/collect/collectorThread.ts'],
      outfile: 'dist/collectorThread.js',
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      plugins: [finishPlugin('collector thread', false)],
    },
  },
];

const webviewDir = 'src/webview';
if (existsSync(webviewDir)) {
  const entries = (await readdir(webviewDir, { withFileTypes: true }))
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.(d|test)\.tsx?$/.test(e.name))
    .map((e) => join(webviewDir, e.name));
  if (entries.length > 0) {
    builds.push({
      name: 'webview',
      entry: webviewDir,
      options: {
        ...common,
        entryPoints: entries,
        outdir: 'dist/webview',
        platform: 'browser',
        format: 'iife',
        target: 'es2022',
        plugins: [finishPlugin('webview', false), codiconsPlugin()],
      },
    });
  }
}

// ---- webview assets ----
// @vscode-elements' <vscode-icon> (inside buttons) finds the codicon font through a <link id="vscode-codicon-stylesheet">,
// so codicon.css and its font ship as files next to the bundles (dist/webview/codicons/), not inside them.
function codiconsPlugin() {
  return {
    name: 'copy-codicons',
    setup(build) {
      build.onEnd(async (result) => {
        if (result.errors.length > 0) return;
        const from = 'node_modules/@vscode/codicons/dist';
        const to = join(build.initialOptions.outdir, 'codicons');
        await mkdir(to, { recursive: true });
        await Promise.all(['codicon.css', 'codicon.ttf'].map((f) => copyFile(join(from, f), join(to, f))));
      });
    },
  };
}

const present = builds.filter((b) => existsSync(b.entry));
for (const b of builds)
  if (!present.includes(b)) console.log(`[esbuild] skipping ${b.name}: ${b.entry} does not exist`);

try {
  if (watch) {
    for (const b of present) await (await esbuild.context(b.options)).watch();
    console.log(`[esbuild] watching ${present.map((b) => b.name).join(', ')}`);
  } else {
    await Promise.all(present.map((b) => esbuild.build(b.options)));
    console.log(`[esbuild] built ${present.map((b) => b.name).join(', ')}${production ? ' (production)' : ''}`);
  }
} catch {
  // esbuild has already printed the errors.
  process.exit(1);
}
