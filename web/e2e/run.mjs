// Runs the browser tests against a running Sightline (see web/README.md for the environment).
// Exits 77 (skipped) when SIGHTLINE_URL is not set, else with the test runner's status.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

if (!process.env.SIGHTLINE_URL) {
  console.log('e2e: skipped: SIGHTLINE_URL is not set (start the demo and set SIGHTLINE_URL, ' +
    'SIGHTLINE_ADMIN_USER/PASSWORD, SIGHTLINE_VIEWER_USER/PASSWORD/CAMERAS; see web/README.md)');
  process.exit(77);
}
const chromium = process.env.CHROMIUM ?? '/usr/bin/chromium';
if (!fs.existsSync(chromium)) {
  console.error(`e2e: ${chromium} is missing: install Debian's chromium (scripts/setup.sh does)`);
  process.exit(1);
}
if (!fs.existsSync(path.join(here, '..', 'node_modules', 'playwright-core'))) {
  console.error('e2e: web/node_modules is missing: run scripts/build_web.sh (or npm ci in web/) first');
  process.exit(1);
}

const files = fs.readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => path.join(here, f));
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit', cwd: path.join(here, '..') });
process.exit(result.status ?? 1);
