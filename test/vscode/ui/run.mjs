#!/usr/bin/env node
// UI tests in the VS Code server with headless Chromium: the workbench as a user sees it, with the extension
// from the repo (after `npm run build`) or installed from a .vsix. Writes test-output/results-vscode-ui.json and
// the screenshots under test-output/screenshots/.
//
//   node test/vscode/ui/run.mjs [--vsix FILE] [--timeout-minutes 10] [--keep] [--only TEXT]
// --only runs the tests whose name contains TEXT (e.g. `--only "hostile text"`), for trying one guard quickly.
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser } from '../lib/browser.mjs';
import { logger, since, step } from '../lib/log.mjs';
import { dockerUnavailableReason } from '../lib/machine.mjs';
import { makeProfile, removeProfile, sshUnavailableReason } from '../lib/profile.mjs';
import { OUTPUT_DIR, resultsPath, writeResults } from '../lib/results.mjs';
import { installVsix, startServer, workbenchUrl } from '../lib/server.mjs';
import { checkServerInstalled, REPO_ROOT } from '../lib/testPackage.mjs';
import { removeLeftoverHostileContainers } from '../../shared/hostileContainer.mjs';
import { historyUiTests } from './historyTests.mjs';
import { hostileUiTests } from './hostileTests.mjs';
import { uiTests } from './tests.mjs';
import { openDockerMonitorView, screenshot, waitForWorkbench } from './workbench.mjs';

const { values: opts } = parseArgs({
  options: {
    vsix: { type: 'string' },
    'timeout-minutes': { type: 'string', default: '10' },
    'test-timeout-seconds': { type: 'string', default: '120' },
    keep: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const say = logger('vscode-ui');
const resultsFile = resultsPath('ui');
const shots = join(OUTPUT_DIR, 'screenshots');
const serverLog = join(OUTPUT_DIR, 'vscode-ui-server.log');
const testTimeoutMs = Number(opts['test-timeout-seconds']) * 1000;
const timeoutMs = Number(opts['timeout-minutes']) * 60_000;
if (!(timeoutMs > 0) || !(testTimeoutMs > 0)) {
  console.error('--timeout-minutes and --test-timeout-seconds must be positive numbers');
  process.exit(2);
}

const results = [];
const startTime = Date.now();
let server = null;
let browser = null;
let profile = null;
let setupError = null;

// A wedged browser or server must not hang CI: record what ran and leave.
setTimeout(async () => {
  console.error(`[vscode-ui] timed out after ${opts['timeout-minutes']} min`);
  writeResults(resultsFile, results, { startTime, error: `timed out after ${opts['timeout-minutes']} min` });
  await server?.stop();
  process.exit(1);
}, timeoutMs).unref();

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise(
      (_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took more than ${ms / 1000}s`)), ms)),
    ),
  ]).finally(() => clearTimeout(timer));
}

async function main() {
  // Failure screenshots of an earlier run would be mistaken for this one's.
  if (existsSync(shots)) for (const f of readdirSync(shots)) if (/^failed-\d+\.png$/.test(f)) rmSync(join(shots, f));
  checkServerInstalled();
  const dockerReason = dockerUnavailableReason();
  const sshReason = await sshUnavailableReason();
  // The SSH target shows in the tree screenshot; the one refused for its host key is the suite's business.
  profile = makeProfile('ui', { ssh: sshReason === null, badKeyTarget: false });
  // Alerts off for the workbench tests: with them on (background refresh, Alerts rows, toasts) these tests time
  // out on clicks and reloads, cause not yet found (issue 11's note). The extension-host suite tests the alerts.
  profile.settings = { ...profile.settings, 'dockerMonitor.alerts.enabled': false };
  for (const dir of [join(profile.userDataDir, 'User'), join(profile.serverDataDir, 'data', 'Machine')])
    writeFileSync(join(dir, 'settings.json'), `${JSON.stringify(profile.settings, null, 2)}\n`);

  if (opts.vsix) {
    const vsix = resolve(opts.vsix);
    if (!existsSync(vsix)) throw new Error(`no such .vsix: ${vsix} (make it with \`npm run package\`)`);
    await step(say, `installing ${vsix}`, () => installVsix(vsix, profile));
  } else if (!existsSync(join(REPO_ROOT, 'dist/extension.js'))) {
    throw new Error('dist/extension.js does not exist: run `npm run build` first');
  }
  server = await step(say, 'starting the VS Code server', () => startServer(profile, { logFile: serverLog }));
  const b = await step(say, 'starting headless Chromium', () => launchBrowser());
  browser = b.browser;
  const page = b.page;
  page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));
  const url = workbenchUrl(server, {
    folder: profile.workspace,
    extensionDevelopmentPath: opts.vsix ? undefined : REPO_ROOT,
  });
  await step(say, 'opening the workbench', async () => {
    await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
    await waitForWorkbench(page);
  });

  // The hostile container carries the test label: its tests come last, after the test that counts those containers.
  if (!dockerReason) removeLeftoverHostileContainers();
  const tests = [
    ...uiTests({ page, shots }),
    ...historyUiTests({ page, shots }),
    ...hostileUiTests({ page, shots }),
  ].filter((t) => !opts.only || t.name.includes(opts.only));
  for (const t of tests) {
    if (dockerReason) {
      results.push({ title: `${t.name} [skipped: ${dockerReason}]`, status: 'pending', durationMs: null });
      say(`- ${t.name} (skipped: ${dockerReason})`);
      continue;
    }
    const start = Date.now();
    try {
      await withTimeout(t.run(), testTimeoutMs, t.name);
      results.push({ title: t.name, status: 'passed', durationMs: Date.now() - start });
      say(`✔ ${t.name} (${since(start)})`);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      results.push({ title: t.name, status: 'failed', durationMs: Date.now() - start, error: message });
      say(`✘ ${t.name} (${since(start)}): ${message}`);
      const name = `failed-${results.length}.png`;
      await screenshot(page, shots, name).catch(() => {});
      say(`  screenshot of the failure: ${join(shots, name)}`);
      // The next test starts from a known place: no menu or QuickPick left open, the view shown.
      await page.keyboard.press('Escape').catch(() => {});
      await openDockerMonitorView(page).catch(() => {});
    }
  }
}

try {
  await main();
} catch (e) {
  setupError = e instanceof Error ? e.message : String(e);
  console.error(`[vscode-ui] ${setupError}`);
} finally {
  await browser?.close().catch(() => {});
  await server?.stop();
  // Whatever happened, the hostile container does not outlive the run (the next run counts labelled containers).
  try {
    removeLeftoverHostileContainers();
  } catch (e) {
    console.error(`[vscode-ui] could not remove the hostile container: ${e instanceof Error ? e.message : e}`);
  }
  if (profile && !opts.keep) removeProfile(profile);
  else if (profile) say(`kept the profile in ${profile.root}`);
}
const r = writeResults(resultsFile, results, { startTime, ...(setupError ? { error: setupError } : {}) });
say(
  `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped${setupError ? ` (did not finish: ${setupError})` : ''} (${resultsFile})`,
);
process.exit(r.success ? 0 : 1);
