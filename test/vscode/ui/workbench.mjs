// Driving the VS Code workbench in the page the way a user does: the activity bar, the tree rows, context
// menus, the command palette (F1), QuickPicks, and the webview panels' visible text.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const SIDEBAR_ROWS = '.part.sidebar .pane-body .monaco-list-row';

export async function waitForWorkbench(page) {
  await page.waitForSelector('.monaco-workbench .part.activitybar', { timeout: 90_000 });
}

/** Polls `check` (which throws while not yet true) until it passes or `timeoutMs` ends; returns its value. */
export async function until(what, check, timeoutMs = 30_000, intervalMs = 300) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      last = e;
    }
    if (Date.now() >= deadline) throw new Error(`${what}: not within ${timeoutMs / 1000}s: ${last?.message ?? last}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function openDockerMonitorView(page) {
  const icon = page.locator('.activitybar .action-label[aria-label^="Docker Monitor"]');
  await icon.waitFor({ timeout: 60_000 });
  // The sidebar's title names the open container ("Docker Monitor: Targets" when it holds one view). A click on
  // the icon of the container already shown would close the sidebar: click only when another one is shown.
  // Right after a window reload the workbench may still be restoring the sidebar, and a click then toggles it
  // shut: look again after each click, and click again while it stays closed.
  const title = page.locator('.part.sidebar .composite.title', { hasText: /Docker Monitor/i });
  const shown = async () => (await title.count()) > 0 && (await title.first().isVisible());
  for (let attempt = 0; attempt < 4; attempt++) {
    if (await shown()) return;
    await icon.click();
    try {
      await title.first().waitFor({ timeout: 7_500 });
      return;
    } catch {
      // Toggled shut by a restore in progress: click again.
    }
  }
  await title.first().waitFor({ timeout: 1_000 });
}

/** Drags the sash right of the sidebar so that tree rows show their descriptions in the screenshots. */
export async function widenSidebar(page, width) {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || box.width >= width) return;
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 10 });
  await page.mouse.up();
}

/** The visible rows of the sidebar tree: label, the text as drawn, depth and expansion. */
export async function treeRows(page) {
  return page.$$eval(SIDEBAR_ROWS, (rows) =>
    rows.map((r) => ({
      label: r.querySelector('.label-name')?.textContent?.trim() ?? '',
      description: r.querySelector('.label-description')?.textContent?.trim() ?? '',
      ariaLabel: r.getAttribute('aria-label') ?? '',
      level: Number(r.getAttribute('aria-level') ?? 0),
      expanded: r.getAttribute('aria-expanded'),
    })),
  );
}

function exactly(text) {
  return new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
}

/** The row whose label is exactly `label`, or matches it when a RegExp (first match from the top). */
export function row(page, label) {
  const text = typeof label === 'string' ? exactly(label) : label;
  return page
    .locator(SIDEBAR_ROWS)
    .filter({ has: page.locator('.label-name', { hasText: text }) })
    .first();
}

export async function expand(page, label) {
  const r = row(page, label);
  await r.waitFor({ timeout: 60_000 });
  label = String(label);
  if ((await r.getAttribute('aria-expanded')) === 'false') await r.locator('.monaco-tl-twistie').click();
  await until(`${label} expanded`, async () => {
    if ((await r.getAttribute('aria-expanded')) !== 'true')
      throw new Error(`aria-expanded is ${await r.getAttribute('aria-expanded')}`);
  });
}

/** Right-clicks a tree row (its label, or a locator) and chooses the context-menu entry whose title starts with `entry`. */
export async function contextMenu(page, label, entry) {
  const r = typeof label === 'object' && label !== null && 'click' in label ? label : row(page, label);
  await r.waitFor({ timeout: 30_000 });
  const item = page.locator('.context-view .monaco-menu .action-label', { hasText: new RegExp(`^${entry}`) }).first();
  // A right-click that lands while the row is redrawn, or while a webview holds the focus, opens no menu: try again.
  for (let attempt = 1; ; attempt++) {
    await r.click({ button: 'right' });
    try {
      await item.waitFor({ timeout: 5000 });
      break;
    } catch (e) {
      if (attempt === 3) throw e;
      await page.keyboard.press('Escape');
    }
  }
  // A menu ignores a click that comes right after it opened (the release of the right button must not choose an
  // entry): hover first, and click again while the menu is still open.
  await item.hover();
  await page.waitForTimeout(200);
  const menu = page.locator('.context-view .monaco-menu');
  for (let attempt = 1; ; attempt++) {
    await item.click({ timeout: 5000 }).catch(() => {});
    try {
      await menu.waitFor({ state: 'hidden', timeout: 2000 });
      return;
    } catch (e) {
      if (attempt === 3) throw new Error(`the context menu of ${label} stayed open after 3 clicks on ${entry}`);
    }
  }
}

/** F1, type the command's title, run the entry whose label is exactly that title. */
export async function runCommand(page, title) {
  // A webview that was the active editor takes the focus back a moment after a QuickPick closes, and the palette
  // opened in that moment closes again (focus-out; seen in CI after an Escape with a Metrics panel open). A user
  // presses F1 again: so does this, up to three times, and says so in the log.
  for (let attempt = 1; ; attempt++) {
    try {
      await openPaletteAndRun(page, title);
      return;
    } catch (e) {
      if (attempt >= 3 || !(e instanceof PaletteClosed)) throw e;
      console.log(`  the command palette closed before "${title}" was chosen (${e.message}); pressing F1 again`);
      await page.waitForTimeout(500);
    }
  }
}

/** The palette closed on its own before the command was chosen. */
class PaletteClosed extends Error {}

async function openPaletteAndRun(page, title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ timeout: 10_000 });
  try {
    await input.fill(`>${title}`, { timeout: 5000 });
  } catch (e) {
    if (await input.isVisible()) throw e;
    throw new PaletteClosed('before the title was typed');
  }
  const entry = page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row', {
      has: page.locator('.label-name', { hasText: exactly(title) }),
    })
    .first();
  try {
    await entry.waitFor({ timeout: 10_000 });
  } catch (e) {
    if (await input.isVisible()) throw e;
    throw new PaletteClosed('before the entry was listed');
  }
  // Enter on the focused entry, as a user runs a command: a mouse click on the palette's row sometimes made the
  // QuickPick the command opens close again at once (focus-out), a race in the workbench rather than the command.
  const focused = page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused', {
    has: page.locator('.label-name', { hasText: exactly(title) }),
  });
  if ((await focused.count()) > 0) await input.press('Enter');
  else await entry.click();
  // The palette closes before the command runs; a QuickPick the command opens is a new one.
  await until(
    'the command palette closes',
    async () => {
      if ((await input.isVisible()) && (await input.inputValue()).startsWith('>')) throw new Error('still open');
    },
    10_000,
    100,
  );
}

/**
 * When the target picker opens, chooses the target whose label matches `label` (a RegExp such as /^Local\b/):
 * types the label's words into the picker's filter, then presses Enter once the focused row is that target. Keys,
 * not a click: a mouse click on a picker row sometimes made the QuickPick the command opens next close again at once
 * (focus-out), and a row's text runs its label into its description ("Localconnecting..." while a target connects).
 */
export async function pickIfAsked(page, label, timeoutMs = 3000) {
  const widget = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first();
  try {
    await widget.waitFor({ timeout: timeoutMs });
  } catch {
    return false;
  }
  // Only the target picker (src/vscode/commands.ts): with one target a command asks nothing and opens its own
  // QuickPick (containers, processes), whose rows must not be taken for targets.
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const placeholder = await input.getAttribute('placeholder').catch(() => null);
  if (!placeholder?.startsWith('Pick a target')) return false;
  const source = label.source.replace(/^\^/, '');
  const words = source.replace(/\\b/g, '').replace(/\\(.)/g, '$1');
  await input.fill(words);
  const focused = page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused', {
    has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${source}`) }),
  });
  await focused.waitFor({ timeout: 10_000 });
  await input.press('Enter');
  return true;
}

/** The text every webview frame shows (webview content lives in nested iframes). */
export async function webviewTexts(page) {
  const texts = [];
  for (const f of page.frames()) {
    if (f === page.mainFrame()) continue;
    const t = await f.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    if (t.trim()) texts.push(t);
  }
  return texts;
}

/** Waits until one webview shows every expected string (or matches every RegExp); returns its text. */
export async function webviewShowing(page, what, expected, timeoutMs = 45_000) {
  return until(
    what,
    async () => {
      const texts = await webviewTexts(page);
      const hit = texts.find((t) => expected.every((e) => (typeof e === 'string' ? t.includes(e) : e.test(t))));
      if (hit) return hit;
      const best = texts
        .map((t) => ({ t, missing: expected.filter((e) => !(typeof e === 'string' ? t.includes(e) : e.test(t))) }))
        .sort((a, b) => a.missing.length - b.missing.length)[0];
      throw new Error(
        best ? `closest webview lacks ${best.missing.map(String).join(', ')}` : 'no webview has any text',
      );
    },
    timeoutMs,
  );
}

export async function screenshot(page, dir, name, locator) {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  // Off the tree and the bars: no hover or tooltip in the picture.
  await page.mouse.move(1435, 450);
  await page.waitForTimeout(500);
  if (locator) await locator.screenshot({ path });
  else await page.screenshot({ path });
  return path;
}
