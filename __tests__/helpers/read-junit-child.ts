// Reads one JUnit report in a fresh process and prints its totals and the process's peak RSS, so
// that a test can see what streaming a large report costs in memory, apart from jest's own.
import { readJUnitFile } from '../../src/create-defect/test-results.js';

const file = process.argv[2];
if (!file) throw new Error('usage: read-junit-child.ts REPORT');
const r = await readJUnitFile(file);
const longest = Math.max(0, ...r.cases.map((c) => c.message.length));
process.stdout.write(
  JSON.stringify({
    tests: r.tests,
    failures: r.failures,
    errors: r.errors,
    skipped: r.skipped,
    listed: r.cases.length,
    longest,
    maxRssKb: process.resourceUsage().maxRSS
  })
);
