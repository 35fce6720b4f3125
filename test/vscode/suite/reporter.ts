// A plain-line mocha reporter. The extension host forwards console.log arguments one by one, so mocha's own
// reporters (printf-style "%s" formats) come out garbled; every line here is formatted before it is logged.
import type Mocha from 'mocha';

export interface TestResult {
  title: string;
  status: 'passed' | 'failed' | 'pending';
  durationMs: number | null;
  error?: string;
}

/** Collects each test's outcome (for the results file) and prints it as it happens. */
export function lineReporter(results: TestResult[]): typeof Mocha.reporters.Base {
  return class LineReporter {
    constructor(runner: Mocha.Runner) {
      let depth = 0;
      const pad = () => '  '.repeat(depth);
      const failures: Array<{ title: string; err: Error }> = [];
      runner.on('suite', (s) => {
        if (s.title) console.log(`${pad()}${s.title}`);
        depth += 1;
      });
      runner.on('suite end', () => (depth -= 1));
      runner.on('pass', (t) => {
        results.push({ title: t.fullTitle(), status: 'passed', durationMs: t.duration ?? null });
        console.log(`${pad()}✔ ${t.title} (${t.duration ?? 0} ms)`);
      });
      // Also fires for a failing hook: the tests it guards did not run, which counts as a failure.
      runner.on('fail', (t, err: Error) => {
        results.push({ title: t.fullTitle(), status: 'failed', durationMs: t.duration ?? null, error: err.message });
        failures.push({ title: t.fullTitle(), err });
        console.log(`${pad()}✘ ${t.title}: ${err.message.split('\n')[0]}`);
      });
      runner.on('pending', (t) => {
        results.push({ title: t.fullTitle(), status: 'pending', durationMs: null });
        console.log(`${pad()}- ${t.title} (skipped)`);
      });
      runner.once('end', () => {
        const n = (s: TestResult['status']) => results.filter((r) => r.status === s).length;
        console.log(`${n('passed')} passed, ${n('failed')} failed, ${n('pending')} skipped`);
        failures.forEach(({ title, err }, i) => {
          console.log(`${i + 1}) ${title}`);
          console.log(`${err.stack ?? err.message}`);
        });
      });
    }
  } as unknown as typeof Mocha.reporters.Base;
}
