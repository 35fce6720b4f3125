// A container on the real daemon whose labels and command line carry hostile text, for the end-to-end escaping
// tests (test/integration/hostileText.test.ts: the CLI; test/vscode/ui/hostileTests.mjs: the workbench).
// Docker allows only [a-zA-Z0-9_.-] in container names and image references, so the text rides on what it does
// not restrict: label keys and values (compose project and service included), the arguments of the main
// process, and its comm (the 15-byte /proc/PID/comm, which the process sets itself by writing to it).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Each payload sets a global of its own if it ever runs: the UI test checks that none is set. */
export const PWNED_GLOBAL = '__dmPwned';

/** The hostile arguments of the main process, one class each. */
export const HOSTILE_ARGS = {
  img: `<img src=x onerror="window.${PWNED_GLOBAL}=1">`,
  script: `<script>window.${PWNED_GLOBAL}=2</script>`,
  commandLink: '[click](command:workbench.action.quit)',
  icon: '$(zap)',
  ansi: '\x1b[31mred\x1b[0m',
  bidi: 'a\u202eb',
  newline: 'line1\nline2',
  quotes: `"quotes" & 'single'`,
  long: 'x'.repeat(100_000),
};

/** The comm the main process gives itself: HTML, ESC, a bidi override and a newline, within 15 bytes. */
export const HOSTILE_COMM = '<i>\x1b[7m\u202eZ\n';

export const COMPOSE_PROJECT = `<img src=x onerror="window.${PWNED_GLOBAL}=3">\u202e`;
export const COMPOSE_SERVICE = `<svg onload="window.${PWNED_GLOBAL}=4">\x1b[1m\nsvc`;
export const HOSTILE_LABEL_KEY = 'dm.<b>key</b>\x1b]0;title\x07';
export const HOSTILE_LABEL_VALUE = `v"<script>window.${PWNED_GLOBAL}=5</script>\u2066\r`;

/**
 * Elements that only the payloads would put in a page; none may exist in any webview or hover. VS Code's own
 * script in each webview (`_vscodeApiScript`, acquireVsCodeApi) has no nonce and is left out by its id.
 */
export const INJECTED_SELECTORS = [
  'img',
  'svg[onload]',
  '[onerror]',
  '[onload]',
  'script:not([nonce]):not(#_vscodeApiScript)',
  'a[href^="command:"]',
  'i',
  'b',
];

/** How the views show text longer than this (src/core/escape.ts MAX_SHOWN_CHARS): cut, with this marker. */
export const SHOWN_CHARS = 4096;
export const truncationMarker = (more) => `… [${more} more characters]`;

function docker(args) {
  return execFileSync('docker', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
  }).trim();
}

/** Removes hostile containers an earlier, interrupted run left (ours only: the label and the prefix). */
export function removeLeftoverHostileContainers() {
  const ids = docker(['ps', '-aq', '--filter', 'label=docker-monitor-test=1', '--filter', 'name=^dm-hostile-'])
    .split('\n')
    .filter(Boolean);
  if (ids.length > 0) docker(['rm', '-f', ...ids]);
}

/**
 * Starts the hostile container (dm-busybox:test from scripts/test-env.sh) and waits until its main process has
 * renamed itself. Returns its name, id, host PID, and what /proc says of that process, read directly.
 */
export function startHostileContainer() {
  const name = `dm-hostile-${randomBytes(4).toString('hex')}`;
  // $1 is the comm; the loop keeps sh as PID 1 (a lone command would be exec'd and the arguments lost) and
  // burns the container's 5% CPU quota, so that the process is among the dashboard's 50 busiest.
  const script = 'printf %s "$1" > /proc/$$/comm; while :; do :; done';
  docker([
    'run',
    '-d',
    '--name',
    name,
    '--label',
    'docker-monitor-test=1',
    '--cpus',
    '0.05',
    '--label',
    `com.docker.compose.project=${COMPOSE_PROJECT}`,
    '--label',
    `com.docker.compose.service=${COMPOSE_SERVICE}`,
    '--label',
    `${HOSTILE_LABEL_KEY}=${HOSTILE_LABEL_VALUE}`,
    'dm-busybox:test',
    'sh',
    '-c',
    script,
    'sh',
    HOSTILE_COMM,
    ...Object.values(HOSTILE_ARGS),
  ]);
  const info = JSON.parse(docker(['inspect', name]))[0];
  const pid = info.State.Pid;
  const deadline = Date.now() + 10_000;
  let comm = '';
  while (Date.now() < deadline) {
    // Until runc has exec'd sh (comm "runc:[2:INIT]") and sh has written its comm.
    comm = readFileSync(`/proc/${pid}/comm`, 'utf8').replace(/\n$/, '');
    if (comm === HOSTILE_COMM) break;
    execFileSync('sleep', ['0.1']);
  }
  if (comm !== HOSTILE_COMM)
    throw new Error(
      `${name}'s main process did not take the comm ${JSON.stringify(HOSTILE_COMM)}: ${JSON.stringify(comm)}`,
    );
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '').split('\0');
  return { name, id: info.Id, pid, comm, argv, labels: info.Config.Labels };
}

export function removeContainer(name) {
  docker(['rm', '-f', name]);
}
