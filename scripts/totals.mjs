// Sums the JSON results of every suite (vitest's and the VS Code suites', same jest-like fields) and prints
// the totals alone on the last line: "N passed, N failed, N skipped". Exits 1 when anything failed.
import { readFileSync } from 'node:fs';

let passed = 0,
  failed = 0,
  skipped = 0;
for (const file of process.argv.slice(2)) {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    passed += r.numPassedTests ?? 0;
    failed += (r.numFailedTests ?? 0) + (r.numRuntimeErrorTestSuites ?? 0);
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    if (r.success === false && (r.numFailedTests ?? 0) === 0) failed += 1; // a suite that failed to load
  } catch (e) {
    console.error(`unreadable results ${file}: ${e.message}`);
    failed += 1;
  }
}
if (process.argv.length <= 2) failed += 1; // no suite ran at all
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
