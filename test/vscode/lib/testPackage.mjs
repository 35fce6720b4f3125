// Where the separate test package (test/vscode-server: code-server, playwright-core, mocha, @vscode/test-electron)
// is installed, and how to load modules from it without making them dependencies of the extension.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const TEST_PACKAGE = join(REPO_ROOT, 'test/vscode-server');
const MODULES = join(TEST_PACKAGE, 'node_modules');
export const SERVER_MAIN = join(MODULES, 'code-server/lib/vscode/out/server-main.js');
export const CHROMIUM = process.env.DM_CHROMIUM ?? '/usr/bin/chromium';
const SETUP_HINT = 'run `bash scripts/vscode-server-setup.sh` first';

const requireFromTestPackage = createRequire(join(TEST_PACKAGE, 'package.json'));

/** Loads a package installed in test/vscode-server, or throws one clear line saying how to install it. */
export function loadTestModule(name) {
  try {
    return requireFromTestPackage(name);
  } catch (e) {
    if (e?.code === 'MODULE_NOT_FOUND')
      throw new Error(`${name} is not installed in test/vscode-server: ${SETUP_HINT}`);
    throw e;
  }
}

export function resolveTestModule(name) {
  try {
    return requireFromTestPackage.resolve(name);
  } catch {
    throw new Error(`${name} is not installed in test/vscode-server: ${SETUP_HINT}`);
  }
}

export function checkServerInstalled() {
  if (!existsSync(SERVER_MAIN)) throw new Error(`the VS Code server (code-server) is not installed: ${SETUP_HINT}`);
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM}: ${SETUP_HINT}`);
}

export const MODULES_DIR = MODULES;
