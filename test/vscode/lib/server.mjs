// The VS Code server of code-server, started on a free port with the profile's directories.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { get } from 'node:http';
import { dirname } from 'node:path';
import { profileEnv } from './profile.mjs';
import { SERVER_MAIN } from './testPackage.mjs';

function dirArgs(p) {
  return ['--extensions-dir', p.extensionsDir, '--user-data-dir', p.userDataDir, '--server-data-dir', p.serverDataDir];
}

function collect(child) {
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return () => out;
}

/** Installs a packaged extension the way a user would (`--install-extension FILE.vsix`); returns its folder name. */
export function installVsix(vsix, p, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [SERVER_MAIN, '--install-extension', vsix, '--accept-server-license-terms', ...dirArgs(p)],
      {
        env: profileEnv(p),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const output = collect(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const installed = existsSync(p.extensionsDir)
        ? readdirSync(p.extensionsDir).filter((n) => !n.startsWith('.') && n !== 'extensions.json')
        : [];
      if (code === 0 && installed.length > 0) resolve(installed);
      else
        reject(
          new Error(
            `installing ${vsix} failed (${signal ?? `exit ${code}`}): ${output().trim().split('\n').slice(-5).join(' | ')}`,
          ),
        );
    });
  });
}

function httpStatus(url) {
  return new Promise((resolve) => {
    const req = get(url, (res) => (res.resume(), resolve(res.statusCode ?? 0)));
    req.setTimeout(2000, () => req.destroy());
    req.once('error', () => resolve(0));
  });
}

/**
 * Starts the server (`--port 0`: it picks a free port and prints it) and waits until it answers HTTP 200.
 * Everything it prints goes to logFile. Returns { port, origin, stop }.
 */
export async function startServer(p, { logFile, readyTimeoutMs = 60_000 }) {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile);
  const child = spawn(
    process.execPath,
    [
      SERVER_MAIN,
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--without-connection-token',
      '--accept-server-license-terms',
      '--telemetry-level',
      'off',
      ...dirArgs(p),
    ],
    // Its own process group, so that stop() also ends the extension host and its children.
    { env: profileEnv(p), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let exited = null;
  child.once('exit', (code, signal) => (exited = signal ?? `exit ${code}`));

  const port = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(
      () => reject(new Error(`the VS Code server printed no port within ${readyTimeoutMs / 1000}s (log: ${logFile})`)),
      readyTimeoutMs,
    );
    child.stdout.on('data', (d) => {
      seen += d;
      const m = /listening on (\d+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once(
      'exit',
      () => (clearTimeout(timer), reject(new Error(`the VS Code server ended at start (${exited}); log: ${logFile}`))),
    );
  });
  const origin = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (exited === null) {
      const gone = new Promise((r) => child.once('exit', r));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 5000);
      await gone;
      clearTimeout(timer);
    }
    log.end();
  };

  const deadline = Date.now() + readyTimeoutMs;
  while ((await httpStatus(`${origin}/`)) !== 200) {
    if (exited !== null) throw new Error(`the VS Code server ended (${exited}); log: ${logFile}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `the VS Code server on ${origin} did not answer HTTP 200 within ${readyTimeoutMs / 1000}s; log: ${logFile}`,
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { port, origin, stop, exited: () => exited };
}

/** A `vscode-remote://` URI for a path on the server's machine, as the payload wants them. */
export function remoteUri(port, path) {
  return `vscode-remote://127.0.0.1:${port}${path}`;
}

/**
 * The workbench URL that opens `folder` with a payload: the extension under development (omitted when the
 * extension is installed from a .vsix), the tests module, no welcome page.
 */
export function workbenchUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath }) {
  const payload = [];
  if (extensionDevelopmentPath)
    payload.push(['extensionDevelopmentPath', remoteUri(server.port, extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remoteUri(server.port, extensionTestsPath)]);
  payload.push(['skipWelcome', 'true']);
  return `${server.origin}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}
