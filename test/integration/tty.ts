// The built CLI on a pseudo-terminal (util-linux `script`), so that its prompts run as they do for a user.
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { SHARED_FACTOR } from './env';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'dist/cli.js');

export const hasScript = spawnSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).status === 0;

/**
 * Runs `docker-monitor args` on a pseudo-terminal, answering each prompt (matched in the terminal's output) with
 * its reply once it is shown. The caller's SSH_AUTH_SOCK and DOCKER_MONITOR_DEBUG are left out (pass them in
 * `env` to set them). Resolves with the exit status and everything the terminal displayed: stdout, stderr and
 * the echo of what was typed. Killed after `timeoutMs`.
 */
export function cliOnTty(
  args: string[],
  env: Record<string, string>,
  replies: [prompt: string, reply: string][],
  timeoutMs = 60_000 * SHARED_FACTOR,
): Promise<{ status: number | null; screen: string }> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const { SSH_AUTH_SOCK: _agent, DOCKER_MONITOR_DEBUG: _debug, ...base } = process.env;
  const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: ROOT, env: { ...base, ...env } });
  let screen = '';
  let next = 0;
  child.stdout.on('data', (d: Buffer) => {
    screen += d.toString('utf8');
    while (next < replies.length && screen.includes(replies[next][0])) child.stdin.write(`${replies[next++][1]}\r`);
  });
  child.stderr.on('data', (d: Buffer) => (screen += d.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolveRun) =>
    child.on('close', (status) => {
      clearTimeout(timer);
      resolveRun({ status, screen });
    }),
  );
}
