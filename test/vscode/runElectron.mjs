#!/usr/bin/env node
// Runner 1: the same extension-host suite under @vscode/test-electron, in VS Code desktop. It downloads VS Code
// the first time (into .vscode-test/), so it needs internet; offline it says so in one line and fails.
//
//   node test/vscode/runElectron.mjs [--vscode-version stable|1.90.0] [--timeout-minutes 20] [--keep]
//   VSCODE_EXECUTABLE=/path/to/code  uses an installed VS Code instead of downloading one.
// On Linux without a display, run it under `xvfb-run -a`.
import { lookup } from 'node:dns/promises';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleSuiteFor } from './lib/bundleSuite.mjs';
import { logger, step } from './lib/log.mjs';
import { makeProfile, profileEnv, removeProfile, sshUnavailableReason } from './lib/profile.mjs';
import { ensureResults, resultsPath } from './lib/results.mjs';
import { loadTestModule, REPO_ROOT } from './lib/testPackage.mjs';

const { values: opts } = parseArgs({
  options: {
    'vscode-version': { type: 'string', default: 'stable' },
    'timeout-minutes': { type: 'string', default: '20' },
    keep: { type: 'boolean', default: false },
  },
});
const runner = 'electron';
const say = logger(`vscode-${runner}`);
const resultsFile = resultsPath(runner);
const UPDATE_HOST = 'update.code.visualstudio.com';

function oneLine(e) {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

function finish(code, failure) {
  const r = ensureResults(resultsFile, failure ?? `the suite wrote no results (exit code ${code})`);
  say(
    r.error
      ? `the suite did not run: ${r.error} (${resultsFile})`
      : `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped (${resultsFile})`,
  );
  process.exit(code === 0 && r.success === false ? 1 : code);
}

const timeoutMs = Number(opts['timeout-minutes']) * 60_000;
if (!(timeoutMs > 0)) {
  console.error(`--timeout-minutes must be a positive number: ${opts['timeout-minutes']}`);
  process.exit(2);
}
// runTests has no overall deadline of its own: a stalled download or a VS Code that never exits must not hang CI.
setTimeout(() => {
  console.error(
    `[vscode-${runner}] timed out after ${opts['timeout-minutes']} min (download or test run did not finish)`,
  );
  finish(1, 'timed out');
}, timeoutMs).unref();

let profile = null;
let code = 1;
let failure = null;
try {
  rmSync(resultsFile, { force: true });
  const { runTests } = loadTestModule('@vscode/test-electron');
  const executable = process.env.VSCODE_EXECUTABLE;
  if (executable && !existsSync(executable)) throw new Error(`VSCODE_EXECUTABLE does not exist: ${executable}`);
  if (!executable) {
    // Fail fast and clearly where VS Code cannot be downloaded, instead of a stack trace from deep in the download.
    await lookup(UPDATE_HOST).catch((e) => {
      throw new Error(
        `cannot download VS Code: ${UPDATE_HOST} does not resolve (${e.code ?? oneLine(e)}); this runner needs internet ` +
          'or VSCODE_EXECUTABLE. Offline, `npm run test:vscode` runs the same suite in the VS Code server.',
      );
    });
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    say('no DISPLAY: VS Code desktop needs one on Linux (run this under `xvfb-run -a`)');
  }

  const sshReason = await sshUnavailableReason();
  if (sshReason) say(`SSH targets left out of the settings: ${sshReason}`);
  profile = makeProfile(runner, { ssh: sshReason === null });
  const extensionTestsPath = await step(say, 'bundling the suite', () =>
    bundleSuiteFor({ runner, resultsFile, profile, sshReason, extensionLocation: { developmentPath: REPO_ROOT } }),
  );
  code = await step(
    say,
    executable
      ? `running the suite in ${executable}`
      : `downloading VS Code ${opts['vscode-version']} (if not cached) and running the suite`,
    () =>
      runTests({
        ...(executable
          ? { vscodeExecutablePath: executable }
          : { version: opts['vscode-version'], cachePath: join(REPO_ROOT, '.vscode-test') }),
        timeout: 30_000,
        extensionDevelopmentPath: REPO_ROOT,
        extensionTestsPath,
        extensionTestsEnv: profileEnv(profile),
        launchArgs: [
          profile.workspace,
          `--user-data-dir=${profile.userDataDir}`,
          `--extensions-dir=${profile.extensionsDir}`,
          '--disable-extensions',
          '--disable-gpu',
          '--skip-welcome',
          '--skip-release-notes',
        ],
      }).catch((e) => {
        // TestRunFailedError carries the exit code of a run whose tests failed; anything else is a setup failure.
        if (e && typeof e.code === 'number') return e.code;
        throw e;
      }),
  );
} catch (e) {
  failure = oneLine(e);
  code = 1;
} finally {
  if (profile && !opts.keep) removeProfile(profile);
}
finish(code, failure);
