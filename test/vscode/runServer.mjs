#!/usr/bin/env node
// Runner 2: the extension-host suite in a real VS Code, offline: code-server's VS Code server plus headless
// Chromium. The workbench loads the extension and the tests from the `payload` URL parameter and reports the
// suite's exit code through the page function codeAutomationExit, as @vscode/test-web does.
//
//   node test/vscode/runServer.mjs                  the extension in the repo (after `npm run build`)
//   node test/vscode/runServer.mjs --vsix FILE      the packaged extension, installed with --install-extension
// Options: --runner NAME (names the results file), --timeout-minutes N (default 10), --keep (keep the profile),
//          --extension-path DIR and --tests-path FILE (another extension / a prebuilt tests module).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser } from './lib/browser.mjs';
import { bundleSuiteFor } from './lib/bundleSuite.mjs';
import { logger, step } from './lib/log.mjs';
import { makeProfile, removeProfile, sshUnavailableReason } from './lib/profile.mjs';
import { ensureResults, OUTPUT_DIR, resultsPath } from './lib/results.mjs';
import { installVsix, startServer, workbenchUrl } from './lib/server.mjs';
import { checkServerInstalled, REPO_ROOT } from './lib/testPackage.mjs';

const { values: opts } = parseArgs({
  options: {
    vsix: { type: 'string' },
    runner: { type: 'string' },
    'timeout-minutes': { type: 'string', default: '10' },
    keep: { type: 'boolean', default: false },
    'extension-path': { type: 'string' },
    'tests-path': { type: 'string' },
  },
});
const runner = opts.runner ?? (opts.vsix ? 'server-vsix' : 'server');
if (!/^[a-z0-9-]+$/.test(runner)) {
  console.error(`--runner must be lower-case letters, digits and dashes: ${runner}`);
  process.exit(2);
}
const timeoutMs = Number(opts['timeout-minutes']) * 60_000;
if (!(timeoutMs > 0)) {
  console.error(`--timeout-minutes must be a positive number: ${opts['timeout-minutes']}`);
  process.exit(2);
}
const START_TIMEOUT_MS = 120_000;
const say = logger(`vscode-${runner}`);
const resultsFile = resultsPath(runner);
const serverLog = join(OUTPUT_DIR, `vscode-${runner}-server.log`);
const extensionPath = resolve(opts['extension-path'] ?? REPO_ROOT);

let server = null;
let browser = null;
let profile = null;
let exitCode = 1;
let failure = null;

async function main() {
  checkServerInstalled();
  rmSync(resultsFile, { force: true });

  const sshReason = await sshUnavailableReason();
  if (sshReason) say(`SSH targets left out of the settings: ${sshReason}`);
  profile = makeProfile(runner, { ssh: sshReason === null });
  say(`profile in ${profile.root} (HOME=${profile.home})`);

  let testsPath;
  if (opts['tests-path']) {
    testsPath = resolve(opts['tests-path']);
  } else {
    testsPath = await step(say, 'bundling the suite', () =>
      bundleSuiteFor({
        runner,
        resultsFile,
        profile,
        sshReason,
        // Where the extension under test must be loaded from: the repo, or the extensions dir (the .vsix).
        extensionLocation: opts.vsix ? { installedIn: profile.extensionsDir } : { developmentPath: extensionPath },
      }),
    );
  }

  let developmentPath = extensionPath;
  if (opts.vsix) {
    const vsix = resolve(opts.vsix);
    if (!existsSync(vsix)) throw new Error(`no such .vsix: ${vsix} (make it with \`npm run package\`)`);
    const installed = await step(say, `installing ${vsix} with --install-extension`, () => installVsix(vsix, profile));
    say(`installed: ${installed.join(', ')}`);
    // VS Code runs extensionTestsPath only in an extension development window: an empty extension under another
    // id makes the window one, and the extension under test stays the installed package.
    developmentPath = join(profile.root, 'test-host-extension');
    mkdirSync(developmentPath);
    writeFileSync(
      join(developmentPath, 'package.json'),
      JSON.stringify({
        name: 'test-host',
        publisher: 'docker-monitor-tests',
        version: '0.0.0',
        engines: { vscode: '^1.90.0' },
      }),
    );
  } else {
    const main = JSON.parse(readFileSync(join(extensionPath, 'package.json'), 'utf8')).main;
    if (main && !existsSync(join(extensionPath, main)) && !existsSync(join(extensionPath, `${main}.js`))) {
      throw new Error(`${join(extensionPath, main)} does not exist: run \`npm run build\` first`);
    }
  }

  server = await step(say, 'starting the VS Code server', () => startServer(profile, { logFile: serverLog }));
  say(`VS Code server on ${server.origin} (log: ${serverLog})`);

  const b = await step(say, 'starting headless Chromium', () => launchBrowser());
  browser = b.browser;
  const page = b.page;

  let reportExit;
  const exited = new Promise((r) => (reportExit = r));
  let suiteStarted = false;
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = (Array.isArray(args) ? args : [args])
      .map((a) => (typeof a === 'string' ? a : JSON.stringify(a)))
      .join(' ');
    if (line.includes('[docker-monitor suite]')) suiteStarted = true;
    for (const l of line.split('\n')) console.log(`  [${type}] ${l}`);
  });
  await page.exposeFunction('codeAutomationExit', (code) => reportExit(Number(code)));
  page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));

  const url = workbenchUrl(server, {
    folder: profile.workspace,
    extensionDevelopmentPath: developmentPath,
    extensionTestsPath: testsPath,
  });
  const started = Date.now();
  await step(say, 'opening the workbench', () => page.goto(url, { waitUntil: 'load', timeout: 60_000 }));
  say('running the suite in the extension host');

  let timer;
  const outcome = await Promise.race([
    exited.then((code) => ({ code })),
    new Promise((r) => (timer = setTimeout(() => r({ timeout: true }), timeoutMs))),
    // Our suite announces itself when it starts: a workbench that never loads it should not cost the full timeout.
    new Promise((r) => {
      if (opts['tests-path']) return;
      const check = setTimeout(() => (suiteStarted ? undefined : r({ notStarted: true })), START_TIMEOUT_MS);
      exited.then(() => clearTimeout(check));
    }),
    new Promise((r) => {
      const poll = setInterval(() => {
        if (server.exited() !== null) {
          clearInterval(poll);
          r({ serverGone: server.exited() });
        }
      }, 1000);
      exited.then(() => clearInterval(poll));
    }),
  ]);
  clearTimeout(timer);
  if (outcome.timeout) {
    const shot = join(OUTPUT_DIR, `vscode-${runner}-timeout.png`);
    await page.screenshot({ path: shot }).catch(() => {});
    throw new Error(
      `timed out: the suite did not finish within ${opts['timeout-minutes']} min (screenshot ${shot}, server log ${serverLog})`,
    );
  }
  if (outcome.notStarted) {
    const shot = join(OUTPUT_DIR, `vscode-${runner}-not-started.png`);
    await page.screenshot({ path: shot }).catch(() => {});
    throw new Error(
      `the workbench did not start the suite within ${START_TIMEOUT_MS / 1000}s (screenshot ${shot}, server log ${serverLog})`,
    );
  }
  if (outcome.serverGone)
    throw new Error(`the VS Code server ended during the run (${outcome.serverGone}); log: ${serverLog}`);
  say(`the workbench reported exit code ${outcome.code} after ${((Date.now() - started) / 1000).toFixed(1)}s`);
  exitCode = outcome.code;
}

try {
  await main();
} catch (e) {
  failure = e instanceof Error ? e.message : String(e);
  console.error(`[vscode-${runner}] ${failure}`);
  exitCode = 1;
} finally {
  await browser?.close().catch(() => {});
  await server?.stop();
  if (profile && !opts.keep) removeProfile(profile);
  else if (profile) say(`kept the profile in ${profile.root}`);
}

const r = ensureResults(resultsFile, failure ?? `the suite wrote no results (exit code ${exitCode})`);
say(
  r.error
    ? `the suite did not run: ${r.error} (${resultsFile})`
    : `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped (${resultsFile})`,
);
if (exitCode === 0 && r.success === false) exitCode = 1;
process.exit(exitCode);
