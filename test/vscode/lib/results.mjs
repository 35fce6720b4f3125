// Results files in the top-level shape of vitest's JSON reporter, which scripts/totals.mjs sums.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './testPackage.mjs';

export const OUTPUT_DIR = join(REPO_ROOT, 'test-output');

export function resultsPath(runner) {
  return join(OUTPUT_DIR, `results-vscode-${runner}.json`);
}

/** tests: Array<{ title: string, status: 'passed'|'failed'|'pending', durationMs?: number, error?: string }> */
export function writeResults(file, tests, extra = {}) {
  const count = (s) => tests.filter((t) => t.status === s).length;
  const r = {
    numTotalTests: tests.length,
    numPassedTests: count('passed'),
    numFailedTests: count('failed'),
    numPendingTests: count('pending'),
    numTodoTests: 0,
    startTime: extra.startTime ?? Date.now(),
    success: count('failed') === 0 && !extra.error,
    ...(extra.error ? { numRuntimeErrorTestSuites: 1, error: extra.error } : {}),
    testResults: tests,
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(r, null, 2)}\n`);
  return r;
}

/** When a run ended before its suite wrote results, records that as a failed suite so totals cannot miss it. */
export function ensureResults(file, reason) {
  if (existsSync(file)) {
    try {
      return JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      /* unreadable: replaced below */
    }
  }
  return writeResults(file, [], { error: reason });
}
