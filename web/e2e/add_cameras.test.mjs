// Issue 15: the "Add cameras" page finds camsim's ONVIF cameras, takes their credentials and
// writes them into the demo's sightline.yaml (with a backup), as an admin would. camsim is
// started here with two password-protected ONVIF devices; the page asks them by address
// (multicast does not reach loopback reliably, and another camsim on this machine could answer).
// Needs SIGHTLINE_BIN and SIGHTLINE_CONFIG (scripts/e2e.sh sets them).

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { apiGet, env, launch, login, newContext, screenshot, waitFor, watchConsole } from './lib.mjs';

const bin = process.env.SIGHTLINE_BIN ?? '';
const configPath = process.env.SIGHTLINE_CONFIG ?? '';
const kUser = 'cam-admin';
const kPassword = 'cam-secret-1';
const skip = !bin || !configPath || !env.footage ? 'SIGHTLINE_BIN, SIGHTLINE_CONFIG or SIGHTLINE_FOOTAGE is not set' : false;

let browser;
let page;
let camsim;
let onvifBase = ''; // http://127.0.0.1:PORT
const log = [];

// camsim with cameras door (and its substream) and yard, both asking for kUser/kPassword; the
// ONVIF server's address from what it prints.
async function startCamsim() {
  const sub = path.join(path.dirname(env.footage), 'sub_360p10.h264.mp4');
  camsim = spawn(bin, ['camsim', '--listen', '127.0.0.1:0', '--onvif', '127.0.0.1:0', '--stats-interval', '0',
    '--user', kUser, '--password', kPassword,
    '--camera', `name=door,file=${env.footage},sub=door-sub`, '--camera', `name=door-sub,file=${sub}`,
    '--camera', `name=yard,file=${env.footage}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  camsim.stdout.on('data', (d) => { out += d; });
  camsim.stderr.on('data', (d) => { out += d; });
  const m = await waitFor('camsim to print its ONVIF address', async () =>
    /camsim: onvif (http:\/\/127\.0\.0\.1:\d+)\/onvif\/NAME\/device_service/.exec(out), { timeoutMs: 20_000, intervalMs: 100 });
  onvifBase = m[1];
}

before(async () => {
  if (skip) return;
  await startCamsim();
  browser = await launch();
  page = await (await newContext(browser)).newPage();
  watchConsole(page, log);
  await login(page, env.adminUser, env.adminPassword);
});

after(async () => {
  await browser?.close();
  camsim?.kill('SIGINT');
});

async function step(fn) {
  try {
    await fn();
  } catch (e) {
    if (log.length) e.message += `\nbrowser log:\n  ${log.slice(-20).join('\n  ')}`;
    throw e;
  }
}

const deviceUrl = (name) => `${onvifBase}/onvif/${name}/device_service`;
const row = (name) => `[data-testid=found-cameras] tr[data-address="${deviceUrl(name)}"]`;

async function discover() {
  await page.click('button:has-text("Discover")');
  await page.waitForSelector('[data-testid=setup-status]:has-text("Found")', { timeout: 30_000 });
}

function backups() {
  const dir = path.dirname(configPath);
  return fs.readdirSync(dir).filter((f) => f.startsWith(`${path.basename(configPath)}.bak-`)).map((f) => path.join(dir, f));
}

test('an admin discovers camsim cameras, enters credentials and adds them to the config', { skip }, () => step(async () => {
  const original = fs.readFileSync(configPath, 'utf8');
  const backupsBefore = backups();
  await page.goto('/cameras/add');
  await page.waitForSelector('h1:has-text("Add cameras")');
  await page.uncheck('input[name=multicast]');
  await page.fill('input[name=hosts]', `${deviceUrl('door')} ${deviceUrl('yard')}`);

  // Without credentials camsim says only its clock: the page says credentials are needed.
  await discover();
  await page.waitForSelector(`${row('door')}:has-text("credentials needed")`);
  await page.waitForSelector(`${row('yard')}:has-text("credentials needed")`);
  await screenshot(page, 'add-cameras-needs-credentials');

  // With them, each camera says what it is and which streams it has.
  await page.fill('input[name=camera-user]', kUser);
  await page.fill('input[name=camera-password]', kPassword);
  await discover();
  const doorText = await page.textContent(row('door'));
  assert.match(doorText, /camsim/);
  assert.match(doorText, /main: H264 1920×1080/, doorText);
  assert.match(doorText, /sub: H264 640×360/, doorText);
  assert.match(await page.textContent(row('yard')), /ready/);

  // A name the config would refuse is caught on the page; nothing is written.
  await page.check(`${row('door')} input[type=checkbox]`);
  await page.check(`${row('yard')} input[type=checkbox]`);
  await page.fill(`${row('door')} input[aria-label^="Camera name"]`, 'front door');
  await page.fill(`${row('yard')} input[aria-label^="Camera name"]`, 'e2e-yard');
  const save = page.locator('button:has-text("Add the ticked cameras")');
  await save.scrollIntoViewIfNeeded();
  await save.click();
  await page.waitForSelector('.message:has-text("letters, digits, _ or -")');
  assert.equal(fs.readFileSync(configPath, 'utf8'), original);

  await page.fill(`${row('door')} input[aria-label^="Camera name"]`, 'e2e-door');
  await save.scrollIntoViewIfNeeded();
  await save.click();
  const result = await page.waitForSelector('[data-testid=setup-result]:has-text("Added e2e-door, e2e-yard")');
  assert.match(await result.textContent(), /Restart Sightline/);
  await screenshot(page, 'add-cameras-saved');

  // The file: the original text, every comment kept, then the two cameras; the backup is the
  // original; and sightline itself reads the new file.
  const written = fs.readFileSync(configPath, 'utf8');
  const entry = (name, cam) => `  ${name}:\n    onvif: {host: "${deviceUrl(cam)}", user: "${kUser}", password: "${kPassword}"}\n`;
  assert.ok(written.startsWith(original), `the original text is not kept as it was:\n${written}`);
  assert.match(written.slice(original.length), /^ {2}# added by admin on the web UI's Add cameras page, /);
  assert.ok(written.endsWith(entry('e2e-door', 'door') + entry('e2e-yard', 'yard')), written);
  const made = backups().filter((b) => !backupsBefore.includes(b));
  assert.equal(made.length, 1, `one new backup, not ${JSON.stringify(made)}`);
  assert.equal(fs.readFileSync(made[0], 'utf8'), original);
  execFileSync(bin, ['user', 'list', '--config', configPath], { stdio: 'pipe' });

  // The saved rows, and the same cameras found again, show they are in the config now.
  await page.waitForSelector(`${row('door')}:has-text("in the config as e2e-door")`);
  await discover();
  await page.waitForSelector(`${row('yard')}:has-text("in the config as e2e-yard")`);
  assert.equal(await page.isDisabled(`${row('yard')} input[type=checkbox]`), true);

  // Audited, without the cameras' password.
  const audit = await apiGet(page, '/api/audit?action=config_cameras&limit=10');
  assert.equal(audit.status, 200);
  assert.ok(audit.body.records.some((r) => r.ok && r.detail.startsWith('cameras=e2e-door,e2e-yard backup=')),
    JSON.stringify(audit.body.records));
  const discovers = await apiGet(page, '/api/audit?action=onvif_discover&limit=10');
  assert.ok(discovers.body.records.length >= 3);
  assert.ok(!JSON.stringify([audit.body, discovers.body]).includes(kPassword));
}));

test('the page fits a phone: only the table scrolls sideways', { skip }, () => step(async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/cameras/add');
  await page.uncheck('input[name=multicast]');
  await page.fill('input[name=hosts]', deviceUrl('door'));
  await page.fill('input[name=camera-user]', kUser);
  await page.fill('input[name=camera-password]', kPassword);
  await discover();
  await screenshot(page, 'add-cameras-phone');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow} px wider than the phone`);
  // Every control has a name a screen reader can say.
  const unnamed = await page.$$eval('.page-add-cameras input, .page-add-cameras button', (els) =>
    els.filter((e) => !e.labels?.length && !e.getAttribute('aria-label') && !e.textContent.trim()).length);
  assert.equal(unnamed, 0);
}));
