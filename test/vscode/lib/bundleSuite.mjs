// Bundles the mocha suite (test/vscode/suite, TypeScript) into one CommonJS file the extension host can load:
// `vscode` stays external, mocha is bundled from the test package, and the run's settings are baked in
// (the extension host does not inherit the runner's environment on every runner).
import * as esbuild from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PLANTED_HISTORY, SSH_BAD_KEY, SSH_OK, historyDirs } from './profile.mjs';
import { MODULES_DIR, REPO_ROOT } from './testPackage.mjs';

/**
 * @param {{ outDir: string, config: Record<string, unknown> }} options
 * @returns {Promise<string>} the bundle's path (what extensionTestsPath points at)
 */
export async function bundleSuite({ outDir, config }) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'index.js');
  await esbuild.build({
    entryPoints: [join(REPO_ROOT, 'test/vscode/suite/index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    nodePaths: [MODULES_DIR],
    define: { __DM_SUITE_CONFIG__: JSON.stringify(config) },
    logLevel: 'warning',
    // mocha's parallel mode (unused here) resolves worker files at run time.
    logOverride: { 'require-resolve-not-external': 'silent' },
  });
  return outfile;
}

/**
 * The suite bundled for one runner: both runners give it the same settings, differing only in where the
 * extension under test must be loaded from (`{ developmentPath }` or `{ installedIn }`).
 */
export function bundleSuiteFor({ runner, resultsFile, profile, sshReason, extensionLocation }) {
  return bundleSuite({
    outDir: join(REPO_ROOT, 'out/vscode-test', runner),
    config: {
      runner,
      resultsFile,
      repoRoot: REPO_ROOT,
      extensionId: 'docker-monitor.docker-monitor',
      extensionLocation,
      refreshIntervalSeconds: profile.settings['dockerMonitor.refreshInterval'],
      ssh: sshReason === null ? { okTargetId: `ssh:${SSH_OK}`, badKeyTargetId: `ssh:${SSH_BAD_KEY}` } : null,
      sshSkipReason: sshReason,
      history: { dirs: historyDirs(profile), planted: PLANTED_HISTORY },
    },
  });
}
