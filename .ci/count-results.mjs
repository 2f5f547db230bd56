// Sums the JSON reports that `npm test` and the examples leave in test-results/ (vitest,
// playwright, examples.json in vitest's shape) into the
// one line CI reads. A failing stage that ran no test (typecheck, lint, build) counts as a failure.
import { existsSync, readFileSync, readdirSync } from 'node:fs'

const status = Number(process.argv[2] ?? 0)
let passed = 0
let failed = 0
let skipped = 0
const dir = 'test-results'
const reports = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : []
for (const file of reports) {
  let report
  try {
    report = JSON.parse(readFileSync(`${dir}/${file}`, 'utf8'))
  } catch {
    // A report cut short (a stage killed mid-write) is a failure, never a crash of the summary.
    failed++
    continue
  }
  if (typeof report.numPassedTests === 'number') {
    // vitest (jest-compatible json reporter)
    passed += report.numPassedTests
    failed += report.numFailedTests
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
  } else if (report.stats) {
    // playwright json reporter
    passed += report.stats.expected ?? 0
    failed += (report.stats.unexpected ?? 0) + (report.stats.flaky ?? 0)
    skipped += report.stats.skipped ?? 0
  }
}
if (status !== 0 && failed === 0) failed = 1
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
