// Renders each panel's real bundle in headless Chromium with real snapshots of this machine, and saves
// screenshots to test-output/webview/ to look at. Not a vitest test (it needs a build, Docker and Chromium):
//   npm run build && node test/unit/webview/render/render.mjs [--samples N] [--theme dark|light|hc|all]
// It collects N snapshots with the CLI (`monitor all --json`), turns them into the panels' messages with the
// extension's own builders, and serves them through a stub acquireVsCodeApi, as VS Code would after 'ready'.
// CSP violations and script errors are drawn in red at the top of the page and make the run fail.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = resolve(new URL('../../../..', import.meta.url).pathname);
const out = join(root, 'test-output', 'webview');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const samples = Number(opt('--samples', '6'));
const themeArg = opt('--theme', 'all');
const chromium = opt('--chromium', '/usr/bin/chromium');

for (const f of ['dist/cli.js', 'dist/webview/dashboard.js', 'dist/webview/codicons/codicon.css']) {
  if (!existsSync(join(root, f))) throw new Error(`${f} is missing: run npm run build first`);
}
mkdirSync(out, { recursive: true });

// The extension's builders and HTML shell, bundled from source so that this script uses exactly them.
const bundled = await esbuild.build({
  stdin: {
    contents: `export { buildPanelMessage } from './src/core/panels/panelMessage';
export { panelHtml, makeNonce } from './src/vscode/panels/html';
export { containerNamed } from './test/unit/webview/render/pick';`,
    resolveDir: root,
    loader: 'ts',
  },
  bundle: true,
  platform: 'node',
  format: 'esm',
  write: false,
  logLevel: 'error',
});
const modPath = join(out, '.builders.mjs');
writeFileSync(modPath, bundled.outputFiles[0].text);
const { buildPanelMessage, panelHtml, makeNonce, containerNamed } = await import(pathToFileURL(modPath).href);
rmSync(modPath);

console.log(`collecting ${samples} snapshots...`);
const snapshots = [];
for (let i = 0; i < samples; i++) {
  const json = execFileSync(
    process.execPath,
    [join(root, 'dist/cli.js'), 'monitor', 'all', '--json', '--interval', '1'],
    { encoding: 'utf8' },
  );
  snapshots.push(JSON.parse(json));
}
const last = snapshots[snapshots.length - 1];
const summary = (s) => ({
  id: 'local',
  label: 'Local',
  status: 'connected',
  error: null,
  collectedAt: s.collectedAt,
  durationMs: s.durationMs,
});

const limited = containerNamed(last, 'dm-limited') ?? last.containers[0];
const busiest = [...last.processes]
  .filter((p) => p.containerId)
  .sort((a, b) => (b.cpuPercent ?? 0) - (a.cpuPercent ?? 0))[0];
const panels = [
  { name: 'dashboard', subject: { panel: 'dashboard', targetId: 'local' } },
  {
    name: 'metrics-container',
    bundle: 'metrics',
    subject: { panel: 'metrics', targetId: 'local', kind: 'container', id: limited.id },
  },
  { name: 'metrics-host', bundle: 'metrics', subject: { panel: 'metrics', targetId: 'local', kind: 'host' } },
  {
    name: 'metrics-process',
    bundle: 'metrics',
    subject: {
      panel: 'metrics',
      targetId: 'local',
      kind: 'process',
      id: String(busiest.pid),
      startTicks: busiest.startTicks,
    },
  },
  { name: 'correlation', subject: { panel: 'correlation', targetId: 'local', kind: 'container', id: limited.id } },
  { name: 'gaps', subject: { panel: 'gaps', targetId: 'local' } },
  // A process whose PID was reused (other start ticks): shown as gone, history kept.
  {
    name: 'metrics-gone',
    bundle: 'metrics',
    subject: {
      panel: 'metrics',
      targetId: 'local',
      kind: 'process',
      id: String(busiest.pid),
      startTicks: busiest.startTicks + 1,
    },
  },
  // Drawn in the dark theme, then switched to light: the charts must redraw in the light colours.
  {
    name: 'dashboard-theme-switch',
    bundle: 'dashboard',
    subject: { panel: 'dashboard', targetId: 'local' },
    switchTo: 'light',
    themes: ['dark'],
  },
  // A target that cannot connect, before any snapshot.
  {
    name: 'dashboard-error',
    bundle: 'dashboard',
    subject: { panel: 'dashboard', targetId: 'ssh:web' },
    error: 'ssh web: host key changed for 127.0.0.1:2222 (possible man-in-the-middle); fix ~/.ssh/known_hosts',
  },
];

// A subset of the variables VS Code defines on <html> (Default Dark Modern / Light Modern / High Contrast).
const THEMES = {
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      'font-family': 'system-ui, "Segoe UI", Ubuntu, sans-serif',
      'font-size': '13px',
      'font-weight': 'normal',
      'editor-font-family': 'monospace',
      'editor-font-size': '13px',
      foreground: '#cccccc',
      'editor-background': '#1f1f1f',
      descriptionForeground: '#9d9d9d',
      disabledForeground: '#cccccc80',
      'editorWidget-background': '#202020',
      'widget-border': '#313131',
      'editorGroup-border': '#ffffff17',
      'panel-border': '#2b2b2b',
      focusBorder: '#0078d4',
      'textLink-foreground': '#4daafc',
      'textLink-activeForeground': '#4daafc',
      'list-hoverBackground': '#2a2d2e',
      'button-background': '#0078d4',
      'button-foreground': '#ffffff',
      'button-hoverBackground': '#026ec1',
      'button-border': '#ffffff12',
      'button-secondaryBackground': '#313131',
      'button-secondaryForeground': '#cccccc',
      'button-secondaryHoverBackground': '#3c3c3c',
      'settings-textInputBackground': '#313131',
      'settings-textInputBorder': '#3c3c3c',
      'settings-textInputForeground': '#cccccc',
      'input-background': '#313131',
      'input-border': '#3c3c3c',
      'input-foreground': '#cccccc',
      'input-placeholderForeground': '#989898',
      'badge-background': '#616161',
      'badge-foreground': '#f8f8f8',
      'toolbar-hoverBackground': '#5a5d5e50',
      'settings-checkboxBackground': '#313131',
      'settings-checkboxBorder': '#3c3c3c',
      'settings-checkboxForeground': '#cccccc',
      'charts-foreground': '#cccccc',
      'charts-lines': '#cccccc80',
      'charts-red': '#f14c4c',
      'charts-blue': '#3794ff',
      'charts-yellow': '#cca700',
      'charts-orange': '#d18616',
      'charts-green': '#89d185',
      'charts-purple': '#b180d7',
      errorForeground: '#f85149',
      'editorError-foreground': '#f14c4c',
      'editorWarning-foreground': '#cca700',
      'editorInfo-foreground': '#3794ff',
      'inputValidation-errorBackground': '#5a1d1d',
      'inputValidation-errorBorder': '#be1100',
      'inputValidation-warningBackground': '#352a05',
      'inputValidation-warningBorder': '#b89500',
      'testing-iconPassed': '#73c991',
      'editor-selectionBackground': '#264f78',
    },
  },
  light: {
    bodyClass: 'vscode-light',
    vars: {
      'font-family': 'system-ui, "Segoe UI", Ubuntu, sans-serif',
      'font-size': '13px',
      'font-weight': 'normal',
      'editor-font-family': 'monospace',
      'editor-font-size': '13px',
      foreground: '#3b3b3b',
      'editor-background': '#ffffff',
      descriptionForeground: '#717171',
      disabledForeground: '#61616180',
      'editorWidget-background': '#f8f8f8',
      'widget-border': '#e5e5e5',
      'editorGroup-border': '#e5e5e5',
      'panel-border': '#e5e5e5',
      focusBorder: '#005fb8',
      'textLink-foreground': '#005fb8',
      'textLink-activeForeground': '#005fb8',
      'list-hoverBackground': '#f2f2f2',
      'button-background': '#005fb8',
      'button-foreground': '#ffffff',
      'button-hoverBackground': '#0258a8',
      'button-border': '#0000001a',
      'button-secondaryBackground': '#e5e5e5',
      'button-secondaryForeground': '#3b3b3b',
      'button-secondaryHoverBackground': '#cccccc',
      'settings-textInputBackground': '#ffffff',
      'settings-textInputBorder': '#cecece',
      'settings-textInputForeground': '#3b3b3b',
      'input-background': '#ffffff',
      'input-border': '#cecece',
      'input-foreground': '#3b3b3b',
      'input-placeholderForeground': '#767676',
      'badge-background': '#cccccc',
      'badge-foreground': '#3b3b3b',
      'toolbar-hoverBackground': '#b8b8b850',
      'settings-checkboxBackground': '#f8f8f8',
      'settings-checkboxBorder': '#cecece',
      'settings-checkboxForeground': '#3b3b3b',
      'charts-foreground': '#616161',
      'charts-lines': '#61616180',
      'charts-red': '#e51400',
      'charts-blue': '#1a85ff',
      'charts-yellow': '#bf8803',
      'charts-orange': '#d18616',
      'charts-green': '#388a34',
      'charts-purple': '#652d90',
      errorForeground: '#f85149',
      'editorError-foreground': '#e51400',
      'editorWarning-foreground': '#bf8803',
      'editorInfo-foreground': '#1a85ff',
      'inputValidation-errorBackground': '#f2dede',
      'inputValidation-errorBorder': '#be1100',
      'inputValidation-warningBackground': '#f6f5d2',
      'inputValidation-warningBorder': '#b89500',
      'testing-iconPassed': '#388a34',
      'editor-selectionBackground': '#add6ff',
    },
  },
  hc: {
    bodyClass: 'vscode-high-contrast',
    vars: {
      'font-family': 'system-ui, "Segoe UI", Ubuntu, sans-serif',
      'font-size': '13px',
      'font-weight': 'normal',
      'editor-font-family': 'monospace',
      'editor-font-size': '13px',
      foreground: '#ffffff',
      'editor-background': '#000000',
      descriptionForeground: '#ffffffb3',
      disabledForeground: '#a5a5a5',
      'editorWidget-background': '#0c141f',
      contrastBorder: '#6fc3df',
      'editorGroup-border': '#6fc3df',
      'panel-border': '#6fc3df',
      focusBorder: '#f38518',
      'textLink-foreground': '#21a6ff',
      'textLink-activeForeground': '#21a6ff',
      'list-hoverBackground': '#00000000',
      'button-background': '#000000',
      'button-foreground': '#ffffff',
      'button-border': '#6fc3df',
      'button-secondaryBackground': '#000000',
      'button-secondaryForeground': '#ffffff',
      'settings-textInputBackground': '#000000',
      'settings-textInputBorder': '#6fc3df',
      'settings-textInputForeground': '#ffffff',
      'input-background': '#000000',
      'input-border': '#6fc3df',
      'input-foreground': '#ffffff',
      'badge-background': '#000000',
      'badge-foreground': '#ffffff',
      'toolbar-hoverBackground': '#00000000',
      'settings-checkboxBackground': '#000000',
      'settings-checkboxBorder': '#6fc3df',
      'settings-checkboxForeground': '#ffffff',
      'charts-foreground': '#ffffff',
      'charts-lines': '#ffffff80',
      'charts-red': '#f48771',
      'charts-blue': '#3794ff',
      'charts-yellow': '#ffd700',
      'charts-orange': '#d18616',
      'charts-green': '#89d185',
      'charts-purple': '#b180d7',
      errorForeground: '#f48771',
      'editorError-foreground': '#f48771',
      'editorWarning-foreground': '#ffd700',
      'editorInfo-foreground': '#3794ff',
      'inputValidation-errorBackground': '#000000',
      'inputValidation-errorBorder': '#6fc3df',
      'inputValidation-warningBackground': '#000000',
      'inputValidation-warningBorder': '#6fc3df',
      'testing-iconPassed': '#89d185',
      'editor-selectionBackground': '#ffffff',
    },
  },
};
const themes = themeArg === 'all' ? Object.keys(THEMES) : [themeArg];

function varsOf(theme) {
  return Object.fromEntries(Object.entries(theme.vars).map(([k, v]) => [`--vscode-${k}`, v]));
}

function stub(messages, theme, switchTo) {
  const vars = varsOf(theme);
  const switchScript = switchTo
    ? `setTimeout(() => {
  for (const [k, v] of Object.entries(${JSON.stringify(varsOf(switchTo))})) document.documentElement.style.setProperty(k, v);
  document.body.className = ${JSON.stringify(switchTo.bodyClass)};
}, 1500);`
    : '';
  // JSON inside a <script>: escape "<" so that no string from a target can close the script element.
  const json = JSON.stringify(messages).replace(/</g, '\\u003c');
  return `
// As VS Code does: through the CSSOM (a style attribute would be blocked by the CSP).
for (const [k, v] of Object.entries(${JSON.stringify(vars)})) document.documentElement.style.setProperty(k, v);
document.body.className = ${JSON.stringify(theme.bodyClass)};
window.__problems = [];
const report = (text) => {
  window.__problems.push(text);
  const d = document.createElement('pre');
  d.className = 'render-problem';
  d.textContent = text;
  document.body.prepend(d);
  document.title = 'PROBLEM';
};
document.addEventListener('securitypolicyviolation', (e) => report('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));
window.addEventListener('error', (e) => report('error: ' + e.message));
const messages = ${json};
let state;
window.acquireVsCodeApi = () => ({
  postMessage(m) {
    if (m && m.type === 'ready') for (const msg of messages) window.postMessage(msg, '*');
    if (m && m.type === 'ready') { ${switchScript} }
  },
  getState() { return state; },
  setState(s) { state = s; },
});`;
}

let problems = 0;
for (const p of panels) {
  const bundle = p.bundle ?? p.name;
  const messages = [{ type: 'subject', subject: p.subject }];
  if (p.error)
    messages.push(
      buildPanelMessage(
        p.subject,
        { id: p.subject.targetId, label: 'web', status: 'error', error: p.error, collectedAt: null, durationMs: null },
        null,
      ),
    );
  else messages.push(...snapshots.map((s) => buildPanelMessage(p.subject, summary(s), s)));
  // metrics-gone: the first samples are of the process itself, then it is gone.
  if (p.name === 'metrics-gone') {
    const own = { ...p.subject, startTicks: busiest.startTicks };
    messages.splice(
      1,
      messages.length - 1,
      ...snapshots.slice(0, -1).map((s) => buildPanelMessage(own, summary(s), s)),
      buildPanelMessage(p.subject, summary(last), last),
    );
  }
  for (const themeName of p.themes ?? themes) {
    const nonce = makeNonce();
    const dist = pathToFileURL(join(root, 'dist/webview')).href;
    let html = panelHtml({
      title: p.name,
      cspSource: 'file:',
      nonce,
      scriptUri: `${dist}/${bundle}.js`,
      styleUri: `${dist}/${bundle}.css`,
      codiconUri: `${dist}/codicons/codicon.css`,
    });
    html = html.replace(
      '<script nonce=',
      `<script nonce="${nonce}">${stub(messages, THEMES[themeName], p.switchTo ? THEMES[p.switchTo] : null)}</script>\n<script nonce=`,
    );
    const file = join(out, `${p.name}-${themeName}.html`);
    writeFileSync(file, html);
    const png = join(out, `${p.name}-${themeName}.png`);
    const r = spawnSync(
      chromium,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--hide-scrollbars',
        '--enable-logging=stderr',
        '--v=0',
        '--allow-file-access-from-files',
        `--screenshot=${png}`,
        '--window-size=1280,1700',
        '--virtual-time-budget=4000',
        pathToFileURL(file).href,
      ],
      { encoding: 'utf8' },
    );
    const console_ = (r.stderr ?? '').split('\n').filter((l) => /CONSOLE|Content Security Policy|Uncaught/.test(l));
    if (r.status !== 0 || console_.length > 0) {
      problems++;
      console.log(`${p.name} (${themeName}): chromium exit ${r.status}\n  ${console_.join('\n  ')}`);
    }
    console.log(`wrote ${png}`);
  }
}
if (problems > 0) {
  console.log(`${problems} page(s) logged problems`);
  process.exit(1);
}
