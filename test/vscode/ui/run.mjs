#!/usr/bin/env node
// UI tests in the VS Code server with headless Chromium: the workbench as a user sees it, with the extension
// from the repo (after `npm run build`) or installed from a .vsix. Writes test-output/results-vscode-ui.json and
// the screenshots under test-output/screenshots/.
//
//   node test/vscode/ui/run.mjs [--vsix FILE] [--timeout-minutes 15] [--keep] [--only TEXT]
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
import { alertUiTests } from './alertTests.mjs';
import { historyUiTests } from './historyTests.mjs';
import { hostileUiTests } from './hostileTests.mjs';
import { uiTests } from './tests.mjs';
import { openDockerMonitorView, screenshot, waitForWorkbench } from './workbench.mjs';

const { values: opts } = parseArgs({
  options: {
    vsix: { type: 'string' },
    'timeout-minutes': { type: 'string', default: '15' },
    'test-timeout-seconds': { type: 'string', default: '120' },
    keep: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const say = logger('vscode-ui');
const HOST_RULES = [
  'host-pressure-cpu',
  'host-pressure-memory',
  'host-pressure-io',
  'host-memory-low',
  'host-disk-full',
];
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

/** Runs `tests` in a fresh workbench on a new profile (with `settings` over the usual ones), then closes it. */
async function phase(name, { ssh, settings, tests, dockerReason }) {
  const wanted = (t) => !opts.only || t.name.includes(opts.only);
  // With --only, a workbench none of whose tests are wanted is not started.
  if (!tests({ page: null, shots, profile: null }).some(wanted)) return;
  profile = makeProfile(name, { ssh, badKeyTarget: false });
  profile.settings = { ...profile.settings, ...settings };
  for (const dir of [join(profile.userDataDir, 'User'), join(profile.serverDataDir, 'data', 'Machine')])
    writeFileSync(join(dir, 'settings.json'), `${JSON.stringify(profile.settings, null, 2)}\n`);

  if (opts.vsix) {
    const vsix = resolve(opts.vsix);
    if (!existsSync(vsix)) throw new Error(`no such .vsix: ${vsix} (make it with \`npm run package\`)`);
    await step(say, `installing ${vsix}`, () => installVsix(vsix, profile));
  } else if (!existsSync(join(REPO_ROOT, 'dist/extension.js'))) {
    throw new Error('dist/extension.js does not exist: run `npm run build` first');
  }
  server = await step(say, `${name}: starting the VS Code server`, () => startServer(profile, { logFile: serverLog }));
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

  for (const t of tests({ page, shots, profile }).filter(wanted)) {
    if (dockerReason) {
      results.push({ title: `${t.name} [skipped: ${dockerReason}]`, status: 'pending', durationMs: null });
      say(`- ${t.name} (skipped: ${dockerReason})`);
      continue;
    }
    const start = Date.now();
    try {
      await withTimeout(t.run(), t.timeoutMs ?? testTimeoutMs, t.name);
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
  await closePhase();
}

async function closePhase() {
  await browser?.close().catch(() => {});
  browser = null;
  await server?.stop();
  server = null;
  if (profile && !opts.keep) removeProfile(profile);
  else if (profile) say(`kept the profile in ${profile.root}`);
  profile = null;
}

async function main() {
  // Failure screenshots of an earlier run would be mistaken for this one's.
  if (existsSync(shots)) for (const f of readdirSync(shots)) if (/^failed-\d+\.png$/.test(f)) rmSync(join(shots, f));
  checkServerInstalled();
  const dockerReason = dockerUnavailableReason();
  const sshReason = await sshUnavailableReason();
  // The hostile container carries the test label: its tests come last, after the test that counts those containers.
  if (!dockerReason) removeLeftoverHostileContainers();
  // The SSH target shows in the tree screenshot; the one refused for its host key is the suite's business. The
  // alerts run (tree rows, status bar, background refresh) but show no toasts: one could sit over what a test
  // clicks. The toasts have a workbench of their own below.
  await phase('ui', {
    ssh: sshReason === null,
    settings: { 'dockerMonitor.alerts.notifications': false },
    dockerReason,
    tests: ({ page, shots: dir }) => [
      ...uiTests({ page, shots: dir }),
      ...historyUiTests({ page, shots: dir }),
      ...hostileUiTests({ page, shots: dir }),
    ],
  });
  // Notifications on, a short window and background refresh, so that sustained alerts start within seconds.
  await phase('ui-alerts', {
    ssh: false,
    settings: {
      'dockerMonitor.alerts.windowSeconds': 5,
      'dockerMonitor.alerts.backgroundInterval': 5,
      // This shared machine's own load and disk are not what these tests are about: their notices would join the
      // ones the tests wait for (a notice that names one container is the one with Never for This Container).
      'dockerMonitor.alerts.rules': Object.fromEntries(HOST_RULES.map((r) => [r, false])),
    },
    dockerReason,
    tests: alertUiTests,
  });
}

try {
  await main();
} catch (e) {
  setupError = e instanceof Error ? e.message : String(e);
  console.error(`[vscode-ui] ${setupError}`);
} finally {
  await closePhase().catch(() => {});
  // Whatever happened, the hostile container does not outlive the run (the next run counts labelled containers).
  try {
    removeLeftoverHostileContainers();
  } catch (e) {
    console.error(`[vscode-ui] could not remove the hostile container: ${e instanceof Error ? e.message : e}`);
  }
}
const r = writeResults(resultsFile, results, { startTime, ...(setupError ? { error: setupError } : {}) });
say(
  `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped${setupError ? ` (did not finish: ${setupError})` : ''} (${resultsFile})`,
);
process.exit(r.success ? 0 : 1);
