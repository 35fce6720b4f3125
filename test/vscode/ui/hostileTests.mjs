// UI tests with hostile text (issue 9, "Hostile input"): a container on the real daemon whose compose labels,
// command line and process name hold HTML, script, quotes, ANSI escapes, bidi controls, newlines and 100 KB
// (test/shared/hostileContainer.mjs). The tree, its hovers, the QuickPicks and every panel must show that text
// literally, with control characters as escapes, and no element or script of the payloads may come alive.
// Run after uiTests: the container carries the test label, and an earlier test counts those containers.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  HOSTILE_ARGS,
  INJECTED_SELECTORS,
  PWNED_GLOBAL,
  removeLeftoverHostileContainers,
  startHostileContainer,
} from '../../shared/hostileContainer.mjs';
import {
  contextMenu,
  expand,
  openDockerMonitorView,
  pickIfAsked,
  row,
  runCommand,
  screenshot,
  SIDEBAR_ROWS,
  treeRows,
  until,
  webviewShowing,
} from './workbench.mjs';

const LOCAL = /^Local\b/;

// How the extension shows the payloads (src/core/escape.ts, as the tree, QuickPicks and panels use it), written
// out by hand: `\x1b`, `\u202e` and `\n` as visible text, HTML as the characters it is made of.
export const SHOWN = {
  comm: '<i>\\x1b[7m\\u202eZ\\n',
  project: '<img src=x onerror="window.__dmPwned=3">\\u202e',
  service: '<svg onload="window.__dmPwned=4">\\x1b[1m\\nsvc',
  ansi: '\\x1b[31mred\\x1b[0m',
  bidi: 'a\\u202eb',
  newline: 'line1\\nline2',
};
/** Every string a view of the command line must show. */
const COMMAND_PARTS = [
  SHOWN.comm,
  HOSTILE_ARGS.img,
  HOSTILE_ARGS.script,
  HOSTILE_ARGS.commandLink,
  HOSTILE_ARGS.icon,
  SHOWN.ansi,
  SHOWN.bidi,
  SHOWN.newline,
  HOSTILE_ARGS.quotes,
];
const CUT = /… \[\d+ more characters\]/;

/** In each of the page's frames: which payload elements exist, and whether a payload set its global. */
async function injected(page, scope = null) {
  const found = [];
  for (const f of page.frames()) {
    const r = await f
      .evaluate(
        ({ selectors, global, scope }) => {
          const roots = scope ? [...document.querySelectorAll(scope)] : [document];
          // Our panels' shell is <main id="app">; the webview host frames around it have scripts of their own.
          const ours = scope !== null || document.getElementById('app') !== null;
          const hits = ours
            ? selectors.flatMap((s) =>
                roots
                  .map((r) => r.querySelector(s))
                  .filter(Boolean)
                  .map((e) => `${s}: ${e.outerHTML.slice(0, 160)}`),
              )
            : [];
          return { pwned: window[global], hits, url: location.href.slice(0, 80) };
        },
        { selectors: INJECTED_SELECTORS, global: PWNED_GLOBAL, scope: f === page.mainFrame() ? scope : null },
      )
      .catch(() => null);
    if (r && (r.pwned !== undefined || r.hits.length > 0))
      found.push(`${r.url}: ${r.pwned !== undefined ? `window.${PWNED_GLOBAL}=${r.pwned} ` : ''}${r.hits.join(', ')}`);
  }
  return found;
}

async function expectNothingInjected(page, where, scope = null) {
  assert.deepEqual(await injected(page, scope), [], `payload elements or scripts came alive in ${where}`);
}

/** The tree row of the container's main process, found by its PID: its label is what the tree test checks. */
function processRow(page, pid) {
  return page
    .locator(SIDEBAR_ROWS)
    .filter({ has: page.locator('.label-description', { hasText: new RegExp(`PID ${pid} → 1\\b`) }) })
    .first();
}

/** Hovers a tree row and returns the text of the hover widget once it shows `expected`. */
async function hoverText(page, r, expected) {
  await r.waitFor({ timeout: 30_000 });
  return until(
    `the hover of a row`,
    async () => {
      await page.mouse.move(5, 5);
      await r.locator('.label-name').hover();
      const hover = page.locator('.workbench-hover, .monaco-hover').filter({ hasText: expected }).first();
      await hover.waitFor({ state: 'visible', timeout: 4000 });
      // A refresh that redraws the row closes its hover: read it at once, and hover again if it went.
      return hover.innerText({ timeout: 1000 });
    },
    60_000,
    500,
  );
}

/**
 * F1 `title`, pick Local if asked, type `filter`, return the text of the QuickPick row that shows `expected`;
 * with `choose`, click that row (Enter would take the first row, and a PID's digits can match other rows first).
 */
async function quickPickRow(page, title, filter, expected, { choose = false } = {}) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  // The command's QuickPick can close on a focus-out as the palette can (see runCommand): then run it again.
  for (let attempt = 1; ; attempt++) {
    await runCommand(page, title);
    await pickIfAsked(page, LOCAL);
    try {
      await input.waitFor({ timeout: 10_000 });
      await input.fill(filter, { timeout: 5000 });
      break;
    } catch (e) {
      if (attempt >= 3 || (await input.isVisible())) throw e;
      console.log(`  the QuickPick of "${title}" closed before the filter was typed; running it again`);
    }
  }
  const item = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: expected }).first();
  await item.waitFor({ timeout: 30_000 });
  const text = await item.innerText();
  if (choose) await item.click();
  return text;
}

/**
 * Waits for the panel (its `ready` strings), checks first that no payload element exists in any webview (so that
 * markup parsed as HTML fails here, not on the missing text), then that it shows every one of `parts` and nothing raw.
 */
async function panelShows(page, what, ready, parts, timeoutMs = 45_000) {
  await webviewShowing(page, what, ready, timeoutMs);
  await expectNothingInjected(page, what);
  const text = await webviewShowing(page, what, [...ready, ...parts], 15_000);
  expectInert(text, what);
}

function expectAll(text, parts, where) {
  const missing = parts.filter((p) => (typeof p === 'string' ? !text.includes(p) : !p.test(text)));
  assert.deepEqual(missing, [], `${where} lacks the literal text: ${text.slice(0, 600)}`);
}

/** What no view may show raw: the payloads' control characters, and 100 KB in one piece. */
function expectInert(text, where) {
  for (const raw of ['\x1b', '\u202e', '\u2066', '\x07'])
    assert.ok(!text.includes(raw), `${where} shows a raw ${JSON.stringify(raw)}`);
  assert.ok(!text.includes('x'.repeat(5000)), `${where} shows the 100 KB argument uncut`);
}

/** @returns the tests; the runner removes the container afterwards (removeLeftoverHostileContainers), whatever happened. */
export function hostileUiTests({ page, shots }) {
  let started = null;
  // One clear reason instead of a TypeError in each later test when the first could not start the container.
  const container = () => {
    if (!started) throw new Error('no hostile container: the first hostile test did not start one');
    return started;
  };
  return [
    {
      name: "hostile text: the tree shows a container's hostile compose project and process name as literal, escaped text",
      run: async () => {
        removeLeftoverHostileContainers();
        started = startHostileContainer();
        const c = started;
        await openDockerMonitorView(page);
        await expand(page, LOCAL);
        await until(
          'the hostile compose project row',
          async () => {
            const labels = (await treeRows(page)).map((r) => r.label);
            assert.ok(
              labels.includes(SHOWN.project),
              `no row labelled ${SHOWN.project} (rows: ${labels.join(' | ').slice(0, 400)})`,
            );
            assert.ok(labels.includes(c.name), `no row for ${c.name}`);
          },
          60_000,
        );
        await contextMenu(page, c.name, 'Show Processes');
        await until(
          'the hostile process row',
          async () => {
            const rows = await treeRows(page);
            const p = rows.find((r) => new RegExp(`PID ${c.pid} → 1\\b`).test(r.description));
            assert.ok(p, `no process row for PID ${c.pid}`);
            assert.equal(p.label, SHOWN.comm);
          },
          60_000,
        );
        const sidebar = await page.locator('.part.sidebar').innerText();
        expectInert(sidebar, 'the sidebar');
        await expectNothingInjected(page, 'the sidebar', '.part.sidebar');
        await screenshot(page, shots, 'hostile-tree.png', page.locator('.part.sidebar'));
      },
    },
    {
      name: 'hostile text: hovers of the container and process rows show the literal text and inject nothing',
      run: async () => {
        const c = container();
        const containerHover = await hoverText(page, row(page, c.name), 'Compose');
        expectAll(containerHover, [`Compose: ${SHOWN.project} / ${SHOWN.service}`], 'the container hover');
        expectInert(containerHover, 'the container hover');
        await expectNothingInjected(page, 'the container hover', '.monaco-hover');
        // A refresh may have redrawn the container row collapsed: its process row must be there to hover.
        await expand(page, c.name);
        const proc = await hoverText(page, processRow(page, c.pid), 'Command');
        // The hover as it is shown (screenshot() would move the mouse away first).
        await page.screenshot({ path: join(shots, 'hostile-hover.png') });
        expectAll(proc, [SHOWN.comm, ...COMMAND_PARTS, CUT], 'the process hover');
        expectInert(proc, 'the process hover');
        await expectNothingInjected(page, 'the process hover', '.monaco-hover');
        await page.mouse.move(5, 5);
      },
    },
    {
      name: 'hostile text: Monitor: Container... and Monitor: Process... list the hostile text escaped',
      run: async () => {
        const c = container();
        const containerRow = await quickPickRow(page, 'Monitor: Container...', c.name, c.name);
        expectAll(containerRow, [`compose ${SHOWN.project}/${SHOWN.service}`], 'the container QuickPick row');
        expectInert(containerRow, 'the container QuickPick row');
        await expectNothingInjected(page, 'the container QuickPick', '.quick-input-widget');
        await page.keyboard.press('Escape');
        const pickRow = await quickPickRow(page, 'Monitor: Process...', String(c.pid), `PID ${c.pid}`);
        expectAll(pickRow, [SHOWN.comm, ...COMMAND_PARTS, CUT], 'the process QuickPick row');
        expectInert(pickRow, 'the process QuickPick row');
        await expectNothingInjected(page, 'the process QuickPick', '.quick-input-widget');
        await screenshot(page, shots, 'hostile-quickpick.png');
        await page.keyboard.press('Escape');
      },
    },
    {
      name: 'hostile text: every panel shows the literal text and no payload element or script runs',
      run: async () => {
        const c = container();
        // The process's Metrics panel, chosen in Monitor: Process... (a right-click on a process row that a refresh
        // redraws gets no row, microsoft/vscode#144250, and the command asks again). Its tab title is VS Code's.
        await quickPickRow(page, 'Monitor: Process...', String(c.pid), `PID ${c.pid}`, { choose: true });
        await panelShows(page, 'the process Metrics panel', [String(c.pid), 'Command'], [...COMMAND_PARTS, CUT]);
        const tab = await page.locator('.tab.active').first().innerText();
        assert.ok(tab.includes(SHOWN.comm), `the Metrics tab title "${tab}" shows the name escaped`);

        await contextMenu(page, c.name, 'Show Metrics');
        await panelShows(page, 'the container Metrics panel', [c.name, 'dm-busybox:test', 'Memory'], []);

        await contextMenu(page, c.name, 'Correlate');
        await panelShows(
          page,
          'the Correlation panel',
          [String(c.pid), 'In network'],
          [...COMMAND_PARTS, SHOWN.project, SHOWN.service, CUT],
        );
        await screenshot(page, shots, 'hostile-correlation.png');

        // The dashboard lists the 50 busiest processes; the hostile one burns its 5% CPU quota to be among them.
        // From the Local row's menu ("All" is Monitor: All there): the target picker F1's command opens closes
        // again when the Correlation webview takes the focus back (seen in CI), and Local is then never picked.
        await contextMenu(page, LOCAL, 'All');
        await panelShows(
          page,
          'the Monitor: All dashboard',
          [c.name, String(c.pid)],
          [SHOWN.comm, SHOWN.ansi, SHOWN.newline, CUT],
          60_000,
        );

        // From the Local row's menu: F1 may not reach the workbench while the dashboard's webview holds the focus.
        await contextMenu(page, LOCAL, 'Gap Analysis');
        await panelShows(page, 'Gap Analysis', [c.name], []);
        assert.equal(
          await page.evaluate((g) => window[g], PWNED_GLOBAL),
          undefined,
          `window.${PWNED_GLOBAL} is set in the workbench`,
        );
      },
    },
  ];
}
