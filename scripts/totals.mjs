// Sums the JSON results of every suite (vitest's and the VS Code suites', same jest-like fields) and prints
// the totals alone on the last line: "N passed, N failed, N skipped". Exits 1 when anything failed.
// Each failure is named just above the totals: CI keeps only the tail of a long log, and a count alone
// does not say which test to look at.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

let passed = 0,
  failed = 0,
  skipped = 0;
const failures = [];
const firstLine = (s) =>
  String(s ?? '')
    .split('\n')
    .find((l) => l.trim() !== '') ?? '';

/** Failed tests of one results file: vitest nests them per file, the VS Code suites list them flat. */
function failedTests(r) {
  const out = [];
  for (const t of r.testResults ?? []) {
    if (Array.isArray(t.assertionResults)) {
      for (const a of t.assertionResults)
        if (a.status === 'failed') out.push(`${a.fullName ?? a.title}: ${firstLine(a.failureMessages?.[0])}`);
      if (t.status === 'failed' && t.assertionResults.every((a) => a.status !== 'failed'))
        out.push(`${t.name}: ${firstLine(t.message)}`); // a file that failed to load
    } else if (t.status === 'failed') {
      out.push(`${t.fullTitle ?? t.title}: ${firstLine(t.error)}`);
    }
  }
  if (r.error) out.push(`suite did not finish: ${firstLine(r.error)}`);
  return out;
}

for (const file of process.argv.slice(2)) {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    passed += r.numPassedTests ?? 0;
    failed += (r.numFailedTests ?? 0) + (r.numRuntimeErrorTestSuites ?? 0);
    skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    if (r.success === false && (r.numFailedTests ?? 0) === 0) failed += 1; // a suite that failed to load
    for (const f of failedTests(r)) failures.push(`${basename(file)}: ${f}`);
  } catch (e) {
    console.error(`unreadable results ${file}: ${e.message}`);
    failed += 1;
  }
}
if (process.argv.length <= 2) failed += 1; // no suite ran at all
if (failures.length > 0) {
  console.log('failed:');
  for (const f of failures) console.log(`  ${f.slice(0, 400)}`);
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
