// The tests module VS Code loads (extensionTestsPath): runs the mocha suite inside the extension host and writes
// the results in the top-level shape of vitest's JSON reporter, for scripts/totals.mjs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Mocha from 'mocha';
import { config } from './config';
import { lineReporter } from './reporter';
import type { TestResult } from './reporter';

function writeResults(results: TestResult[], startTime: number, loadError: string | null): void {
  const count = (s: TestResult['status']) => results.filter((r) => r.status === s).length;
  const summary = {
    numTotalTests: results.length,
    numPassedTests: count('passed'),
    numFailedTests: count('failed'),
    numPendingTests: count('pending'),
    numTodoTests: 0,
    startTime,
    success: count('failed') === 0 && loadError === null,
    ...(loadError === null ? {} : { numRuntimeErrorTestSuites: 1, error: loadError }),
    runner: config.runner,
    testResults: results,
  };
  mkdirSync(dirname(config.resultsFile), { recursive: true });
  writeFileSync(config.resultsFile, `${JSON.stringify(summary, null, 2)}\n`);
}

export async function run(): Promise<void> {
  const startTime = Date.now();
  const results: TestResult[] = [];
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: lineReporter(results) });
  // The test files are in this bundle: give them mocha's tdd globals, then evaluate them (esbuild keeps a
  // dynamically imported module lazy, so the globals exist when they run).
  mocha.suite.emit('pre-require', globalThis, 'docker-monitor-suite', mocha);
  try {
    await import('./activation.test');
    await import('./tree.test');
    await import('./panels.test');
    await import('./history.test');
    await import('./ssh.test');
    await import('./containerChanges.test');
    // Last: it hides the sidebar, as a user who is not looking would.
    await import('./alerts.test');
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    writeResults(results, startTime, `loading the tests failed: ${message}`);
    throw e;
  }

  console.log(`[docker-monitor suite] runner ${config.runner}, results in ${config.resultsFile}`);
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => {
      writeResults(results, startTime, null);
      if (failures > 0) reject(new Error(`${failures} test(s) failed`));
      else resolve();
    });
  });
}
