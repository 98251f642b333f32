// End-to-end tests of the web UI against a running Sightline demo (issue 4's acceptance list).
// Run through run.mjs, which checks the environment; the tests run in order and share a browser.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  apiGet, durationS, env, footageGrey, launch, localInput, login, meanAbsDiff, newContext, screenshot, stats,
  timelineRecordedPx, videoGrey, waitFor, watchConsole, workDir,
} from './lib.mjs';

// Loose frame comparison: 64x36 grey frames of the same moment differ by scaling and colour
// conversion (about 3 levels in 255 against a mock server that serves the footage's own frames); a
// frame 10 s away in this footage (a fixed camera, people walking) differs by about 7.
const kMaxSameFrameDiff = 6;
const kSeekAgoUs = 60_000_000;
const kSeekToleranceUs = 3_000_000;
const kExportLengthUs = 20_000_000;
const kUsPerDay = 86_400_000_000;
const kZoomsUs = [600_000_000, 3_600_000_000, kUsPerDay]; // timeline.ts kZooms, narrowest first
// Laptop and desktop screens the camera page must fit (player and timeline without scrolling).
const kScreens = [{ width: 1366, height: 768 }, { width: 1280, height: 720 }, { width: 1920, height: 1080 }];

let browser;
let admin; // page logged in as admin
let cameras = []; // GET /api/cameras as admin
let playbackCamera = null; // {name, stream} used for the playback and export tests
const log = [];

before(async () => {
  browser = await launch();
  const context = await newContext(browser);
  admin = await context.newPage();
  watchConsole(admin, log);
});

after(async () => {
  await browser?.close();
});

function explain(e) {
  if (log.length) e.message += `\nbrowser log:\n  ${log.slice(-20).join('\n  ')}`;
  return e;
}

async function step(fn) {
  try {
    await fn();
  } catch (e) {
    throw explain(e);
  }
}

test('admin logs in', () => step(async () => {
  assert.ok(env.adminPassword, 'SIGHTLINE_ADMIN_PASSWORD is not set');
  await admin.goto('/');
  await admin.waitForSelector('input[name=username]');
  await screenshot(admin, 'login');
  await login(admin, env.adminUser, env.adminPassword);
  const me = await apiGet(admin, '/api/me');
  assert.equal(me.status, 200);
  assert.equal(me.body.name, env.adminUser);
}));

test('the grid shows every camera with video advancing', () => step(async () => {
  const res = await apiGet(admin, '/api/cameras');
  assert.equal(res.status, 200);
  cameras = res.body.cameras;
  assert.ok(cameras.length > 0, 'the demo has no cameras');
  await admin.goto('/');
  await waitFor('a tile per camera', async () => (await admin.$$('[data-camera]')).length === cameras.length);
  const tiles = await admin.$$eval('[data-camera]', (els) => els.map((e) => e.dataset.camera));
  assert.deepEqual(tiles, cameras.map((c) => c.name));

  for (const camera of cameras) {
    const live = camera.streams.find((s) => s.name === camera.live_stream);
    const sel = `[data-camera="${camera.name}"]`;
    const supported = await admin.evaluate((c) => MediaSource.isTypeSupported(`video/mp4; codecs="${c}"`), live.codec);
    if (!supported) {
      // Chromium without a hardware decoder plays no H.265: the tile must say so in words.
      await waitFor(`${camera.name} to say its format is unsupported`,
        async () => (await admin.$eval(sel, (e) => e.dataset.state)) === 'unsupported');
      const text = await admin.$eval(`${sel} .tile-overlay`, (e) => e.textContent);
      assert.match(text, /cannot play/);
      continue;
    }
    // A camera that drops its connection now and then (the demo has one) gets a few tries.
    let seen = 'nothing yet';
    try {
      await waitFor(`${camera.name} to play, advance and show a picture`, async () => {
        const state = await admin.$eval(sel, (e) => `${e.dataset.state} "${e.querySelector('.tile-overlay').textContent}"`);
        seen = `tile ${state}`;
        if (!state.startsWith('playing')) return false;
        const t0 = await admin.$eval(`${sel} video`, (v) => v.currentTime);
        await admin.waitForTimeout(2000);
        const t1 = await admin.$eval(`${sel} video`, (v) => v.currentTime);
        const picture = stats(await videoGrey(admin, `${sel} video`));
        seen += `, currentTime ${t0.toFixed(2)} -> ${t1.toFixed(2)} s in 2 s, picture ${JSON.stringify(picture)}`;
        return t1 > t0 + 1 && picture.nonBlack > 0.5 && picture.sd > 8;
      }, { timeoutMs: 60_000, intervalMs: 1000 });
    } catch (e) {
      e.message += ` (last seen: ${seen})`;
      await screenshot(admin, `grid-${camera.name}-failed`);
      throw e;
    }
  }
  await screenshot(admin, 'grid');
}));

// Runs early, while the demo has recorded for a minute or two: that short recording must show
// on the timeline at 24 h (where it is a pixel or two wide), and the page must open zoomed
// to it.
test('a short recording is visible on the timeline, which opens zoomed to it', (t) => step(async () => {
  const camera = cameras.find((c) => c.streams.some((s) => s.recorded));
  assert.ok(camera, 'no camera records');
  const stream = camera.streams.find((s) => s.recorded).name;
  const nowUs = Date.now() * 1000;
  let spans = [];
  await waitFor(`${camera.name} to have recorded something`, async () => {
    const q = `stream=${stream}&start_us=${nowUs - kUsPerDay}&end_us=${Date.now() * 1000}`;
    const r = await apiGet(admin, `/api/cameras/${encodeURIComponent(camera.name)}/recordings?${q}`);
    spans = r.status === 200 ? r.body.spans : [];
    return spans.length > 0;
  }, { timeoutMs: 60_000, intervalMs: 1000 });
  const firstUs = Math.min(...spans.map((s) => s.start_us));
  const recordedS = spans.reduce((sum, s) => sum + s.end_us - s.start_us, 0) / 1e6;
  const expectedZoom = kZoomsUs.find((z) => z * 0.95 >= Date.now() * 1000 - firstUs) ?? kUsPerDay;

  await admin.goto(`/camera/${encodeURIComponent(camera.name)}`);
  await admin.waitForSelector('.timeline-canvas');
  await waitFor('the timeline to open at the zoom that holds the recordings', async () =>
    Number(await admin.$eval('[data-zoom][aria-pressed=true]', (b) => b.dataset.zoom)) === expectedZoom,
  { timeoutMs: 10_000 });
  let opened;
  await waitFor('the recording to be drawn', async () => (opened = await timelineRecordedPx(admin)).recorded > 0,
    { timeoutMs: 10_000 });
  await screenshot(admin, 'timeline-opened');

  await admin.click(`[data-zoom="${kUsPerDay}"]`);
  let day = { recorded: 0 };
  try {
    await waitFor('the recording to be drawn at 24 h', async () => (day = await timelineRecordedPx(admin)).recorded >= 3,
      { timeoutMs: 10_000 });
  } finally {
    await screenshot(admin, 'timeline-24h');
    t.diagnostic(`${camera.name}/${stream}: ${recordedS.toFixed(0)} s recorded; drawn ${opened.recorded} px of ` +
      `${opened.width} at ${expectedZoom / 60e6} min zoom, ${day.recorded} px at 24 h`);
  }
  assert.ok(opened.recorded > day.recorded, 'opening zoomed shows the recording wider than the 24 h view');
}));

test('the camera page shows player and timeline without scrolling on laptop screens', () => step(async () => {
  const camera = cameras.find((c) => c.streams.some((s) => s.recorded)) ?? cameras[0];
  for (const viewport of kScreens) {
    const context = await newContext(browser, { viewport });
    const page = await context.newPage();
    watchConsole(page, log);
    const size = `${viewport.width}x${viewport.height}`;
    try {
      await login(page, env.adminUser, env.adminPassword);
      await page.goto(`/camera/${encodeURIComponent(camera.name)}`);
      await page.waitForSelector('.timeline-canvas');
      let seen = {};
      const inView = async () => {
        seen = await page.evaluate(() => {
          const box = (sel) => {
            const r = document.querySelector(sel).getBoundingClientRect();
            return { top: Math.round(r.top), bottom: Math.round(r.bottom), height: Math.round(r.height) };
          };
          return { player: box('.player'), timeline: box('.timeline-canvas'), scrollY: window.scrollY,
            innerHeight: window.innerHeight };
        });
        return seen.scrollY === 0 && seen.player.top >= 0 && seen.timeline.bottom <= seen.innerHeight &&
          seen.player.bottom <= seen.timeline.top;
      };
      try {
        await waitFor(`player and timeline in the ${size} viewport`, inView, { timeoutMs: 10_000 });
      } catch (e) {
        e.message += ` (boxes: ${JSON.stringify(seen)})`;
        throw e;
      } finally {
        await screenshot(page, `camera-${size}`, { fullPage: false });
      }
      // Not by shrinking the picture to nothing: at least a third of the window's height.
      assert.ok(seen.player.height >= viewport.height / 3,
        `at ${size} the player is only ${seen.player.height} px high (${JSON.stringify(seen)})`);
    } finally {
      await context.close();
    }
  }
}));

// The first camera with a recorded stream the browser can play.
async function choosePlaybackCamera() {
  for (const camera of cameras) {
    for (const s of camera.streams.filter((st) => st.recorded)) {
      if (await admin.evaluate((c) => MediaSource.isTypeSupported(`video/mp4; codecs="${c}"`), s.codec)) {
        return { name: camera.name, stream: s.name };
      }
    }
  }
  return null;
}

// Waits until [fromUs, toUs) is recorded in one span.
async function waitRecorded(camera, fromUs, toUs) {
  await waitFor(`${camera.name} to have recorded ${new Date(fromUs / 1000).toISOString()}..` +
    `${new Date(toUs / 1000).toISOString()}`, async () => {
    const q = `stream=${camera.stream}&start_us=${fromUs}&end_us=${toUs}`;
    const r = await apiGet(admin, `/api/cameras/${encodeURIComponent(camera.name)}/recordings?${q}`);
    return r.status === 200 && r.body.spans.some((s) => s.start_us <= fromUs && s.end_us >= toUs);
  }, { timeoutMs: 150_000, intervalMs: 2000 });
}

test('a camera page plays the moment one minute ago', () => step(async () => {
  playbackCamera = await choosePlaybackCamera();
  assert.ok(playbackCamera, 'no camera has a recorded stream this browser can play');
  // The demo may have started less than a minute ago: wait until "a minute ago" was recorded.
  await waitFor(`${playbackCamera.name} to have recorded for over a minute`, async () => {
    const nowUs = Date.now() * 1000;
    const q = `stream=${playbackCamera.stream}&start_us=${nowUs - 3_600_000_000}&end_us=${nowUs}`;
    const r = await apiGet(admin, `/api/cameras/${encodeURIComponent(playbackCamera.name)}/recordings?${q}`);
    return r.status === 200 && r.body.spans.some((s) => s.start_us <= nowUs - kSeekAgoUs - 5_000_000);
  }, { timeoutMs: 150_000, intervalMs: 2000 });
  const targetUs = Date.now() * 1000 - kSeekAgoUs;
  await waitRecorded(playbackCamera, targetUs - 5_000_000, targetUs + 5_000_000);

  await admin.goto(`/camera/${encodeURIComponent(playbackCamera.name)}`);
  await admin.waitForSelector('[data-testid=player-time]');
  await screenshot(admin, 'camera-live');
  await admin.fill('input[name=jump]', localInput(targetUs));
  await admin.click('form.jump button[type=submit]');
  const wanted = Math.floor(targetUs / 1e6) * 1e6; // the input holds whole seconds
  await waitFor('the player to show the moment asked for', async () => {
    const s = await admin.evaluate(() => {
      const v = document.querySelector('[data-testid=player]');
      const t = document.querySelector('[data-testid=player-time]').dataset.timeUs;
      return { t: Number(t), ready: v.readyState >= 2 && !v.seeking, mode: document.querySelector('.page-camera').dataset.mode };
    });
    return s.mode === 'playback' && s.ready && Math.abs(s.t - wanted) < kSeekToleranceUs;
  }, { timeoutMs: 30_000 });
  await admin.evaluate(() => document.querySelector('[data-testid=player]').pause());
  await admin.waitForFunction(() => {
    const v = document.querySelector('[data-testid=player]');
    return v.paused && !v.seeking && v.readyState >= 2;
  });
  await screenshot(admin, 'camera-playback');
  const picture = stats(await videoGrey(admin, '[data-testid=player]'));
  assert.ok(picture.nonBlack > 0.5 && picture.sd > 8, `the playback picture looks empty: ${JSON.stringify(picture)}`);
}));

// The footage a camsim session sent at wall time `atUs`, in seconds into the file. camsim logs
// each session's clock (tools/camsim/README.md): the frame of clip time clip_ms was sent at
// start_us, the later ones by their timestamps, looping. A session starts at the keyframe
// before the camera's live position, so its footage runs up to a GOP behind "time since camsim
// started", and differs per session: the recorder's session is the latest to start before atUs.
function footageSentAt(camsimCamera, atUs, clipS) {
  const log = fs.readFileSync(env.camsimLog, 'utf8');
  let session = null;
  for (const m of log.matchAll(/camera=(\S+) session=\S+ PLAY transport=\S+ clip_ms=(\d+) start_us=(\d+)/g)) {
    const s = { clipMs: Number(m[2]), startUs: Number(m[3]) };
    if (m[1] === camsimCamera && s.startUs <= atUs && (!session || s.startUs > session.startUs)) session = s;
  }
  assert.ok(session, `camsim logged no session of ${camsimCamera} before ${new Date(atUs / 1000).toISOString()}`);
  return ((session.clipMs / 1e3 + (atUs - session.startUs) / 1e6) % clipS + clipS) % clipS;
}

// Where the footage shown at a recorded wall time may be, by the design (docs/design/time.md):
// camsim sends RTCP sender reports carrying the time it sends each frame, so a recorded frame's
// wall time is that time to the millisecond (invariant S1). What is left is the frame on
// screen: the player's time may be anywhere within the frame shown (10 fps: 0.1 s), and
// ffmpeg's seek picks the frame at or after the time asked for (another 0.1 s).
const kFootageFrameS = 0.1;
const kShownToleranceS = 2 * kFootageFrameS;
const kShiftScanS = 1;

test('the picture played is the footage of that moment', { skip: !env.footage || !env.camsimLog
  ? 'SIGHTLINE_FOOTAGE and SIGHTLINE_CAMSIM_LOG are needed to compare with the source footage' : false },
(t) => step(async () => {
  assert.ok(playbackCamera, 'the playback test did not run');
  const shownUs = Number(await admin.$eval('[data-testid=player-time]', (e) => e.dataset.timeUs));
  const player = await videoGrey(admin, '[data-testid=player]');
  const clipS = durationS(env.footage);
  // The demo's camsim cameras: NAME for a camera's main stream, NAME-sub for its substream.
  const camsimCamera = playbackCamera.stream === 'main' ? playbackCamera.name : `${playbackCamera.name}-sub`;
  const offsetS = footageSentAt(camsimCamera, shownUs, clipS);
  const at = (shiftS) => meanAbsDiff(player, footageGrey(env.footage, (offsetS + shiftS + clipS) % clipS));
  const same = at(0);
  // The nearby moment the picture matches best: a wrong time shows as a shift.
  let best = { diff: same, shiftS: 0 };
  for (let i = -kShiftScanS / kFootageFrameS; i <= kShiftScanS / kFootageFrameS; i++) {
    const shiftS = Math.round(i * kFootageFrameS * 10) / 10;
    if (shiftS === 0) continue;
    const diff = at(shiftS);
    if (diff < best.diff) best = { diff, shiftS };
  }
  const away = at(10);
  const detail = `footage at ${offsetS.toFixed(2)} s: difference ${same.toFixed(2)}; 10 s later: ${away.toFixed(2)}; ` +
    `best match within ${kShiftScanS} s: ${best.shiftS} s off, difference ${best.diff.toFixed(2)}`;
  t.diagnostic(detail);
  assert.ok(same < kMaxSameFrameDiff, `the picture is not the footage of the time shown (${detail})`);
  assert.ok(same < away, `the picture matches another moment better than the time shown (${detail})`);
  assert.ok(Math.abs(best.shiftS) <= kShownToleranceS + 1e-9,
    `the picture is the footage of ${best.shiftS} s from the time shown, beyond the ${kShownToleranceS} s promised (${detail})`);
}));

test('export a range and get an MP4 of that length', () => step(async () => {
  assert.ok(playbackCamera, 'the playback test did not run');
  // Recorded for sure: the playback test saw over a minute of recording.
  const startUs = Math.floor((Date.now() * 1000 - 40_000_000) / 1e6) * 1e6;
  const endUs = startUs + kExportLengthUs;
  await waitRecorded(playbackCamera, startUs, endUs);
  await admin.fill('input[name=export-start]', localInput(startUs));
  await admin.fill('input[name=export-end]', localInput(endUs));
  const [download] = await Promise.all([
    admin.waitForEvent('download', { timeout: 60_000 }),
    admin.click('[data-testid=export]'),
  ]);
  const file = path.join(workDir, 'export.mp4');
  await download.saveAs(file);
  await admin.waitForSelector('[data-testid=export-result] p');
  await screenshot(admin, 'export');
  const seconds = durationS(file);
  // The export starts at the keyframe at or before the start: up to one GOP (2 s here) longer.
  assert.ok(seconds >= kExportLengthUs / 1e6 - 1 && seconds <= kExportLengthUs / 1e6 + 4,
    `the exported file lasts ${seconds} s, asked for ${kExportLengthUs / 1e6} s`);
  // Exports are POSTs: a link (a GET) on another page must not start one.
  const viaGet = await admin.evaluate(async ({ camera, start, end }) =>
    (await fetch(`/api/cameras/${encodeURIComponent(camera)}/export.mp4?start_us=${start}&end_us=${end}`)).status,
  { camera: playbackCamera.name, start: startUs, end: endUs });
  assert.equal(viaGet, 405, 'GET on the old export URL must answer 405');
}));

test('a viewer sees only the cameras permitted and gets 403 for the others', () => step(async () => {
  assert.ok(env.viewerUser && env.viewerPassword, 'SIGHTLINE_VIEWER_USER and SIGHTLINE_VIEWER_PASSWORD are not set');
  assert.ok(env.viewerCameras.length, 'SIGHTLINE_VIEWER_CAMERAS is not set');
  const context = await newContext(browser);
  const viewer = await context.newPage();
  watchConsole(viewer, log);
  try {
    await login(viewer, env.viewerUser, env.viewerPassword);
    await viewer.waitForSelector('[data-camera]');
    await viewer.waitForTimeout(1000);
    const tiles = await viewer.$$eval('[data-camera]', (els) => els.map((e) => e.dataset.camera));
    assert.deepEqual([...tiles].sort(), [...env.viewerCameras].sort());
    await screenshot(viewer, 'viewer-grid');

    const forbidden = cameras.map((c) => c.name).filter((n) => !env.viewerCameras.includes(n));
    assert.ok(forbidden.length, 'the viewer may view every camera: nothing to check');
    for (const name of forbidden) {
      const enc = encodeURIComponent(name);
      for (const route of [`/api/cameras/${enc}`, `/api/cameras/${enc}/recordings?start_us=0&end_us=1000000`]) {
        const r = await apiGet(viewer, route);
        assert.equal(r.status, 403, `${route} answered ${r.status} to a viewer without permission`);
      }
    }
    await viewer.goto(`/camera/${encodeURIComponent(forbidden[0])}`);
    await viewer.waitForSelector('.camera-body .error-text');
    await screenshot(viewer, 'viewer-forbidden-camera');
  } finally {
    await context.close();
  }
}));

// A JSON request from inside the page, with its session cookie and Origin: {status, body}.
async function apiSend(page, method, url, body) {
  return page.evaluate(async ([m, u, b]) => {
    const res = await fetch(u, { method: m, credentials: 'same-origin',
      headers: b === undefined ? {} : { 'Content-Type': 'application/json' },
      body: b === undefined ? undefined : JSON.stringify(b) });
    let json = null;
    try { json = await res.json(); } catch { json = null; }
    return { status: res.status, body: json };
  }, [method, url, body]);
}

test('a live view whose camera is revoked stops with the reason and does not reconnect', () => step(async () => {
  const camera = cameras[0]?.name;
  assert.ok(camera, 'no camera');
  const user = 'e2e-revoked';
  const made = await apiSend(admin, 'POST', '/api/users',
    { name: user, password: 'revoked-password', role: 'viewer', cameras: [camera] });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const context = await newContext(browser);
  const viewer = await context.newPage();
  watchConsole(viewer, log);
  try {
    await login(viewer, user, 'revoked-password');
    await viewer.goto(`/camera/${encodeURIComponent(camera)}`);
    const state = () => viewer.evaluate(() => document.querySelector('.page-camera')?.dataset.liveState ?? '');
    await waitFor('the live view to play', async () => (await state()) === 'playing', { timeoutMs: 30_000 });
    const revoked = await apiSend(admin, 'PATCH', `/api/users/${user}`, { cameras: [] });
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    await waitFor('the live view to end', async () => (await state()) === 'ended', { timeoutMs: 10_000 });
    const notice = await viewer.$eval('.player-notice', (el) => el.textContent ?? '');
    assert.ok(notice.length > 0 && !/retrying/i.test(notice), `notice: ${notice}`);
    await screenshot(viewer, 'live-access-ended');
    await viewer.waitForTimeout(3000); // longer than the first reconnect delay (1 s)
    assert.equal(await state(), 'ended', 'the player reconnected');
  } finally {
    await context.close();
    await apiSend(admin, 'DELETE', `/api/users/${user}`);
  }
}));

test('an admin creates an API token on the users page, sees it once, and revokes it', () => step(async () => {
  await admin.goto('/users');
  await admin.click(`button[aria-label="Edit ${env.viewerUser}"]`);
  await admin.waitForSelector('fieldset.tokens');
  await admin.fill('input[name=token-name]', 'e2e script');
  await admin.fill('input[name=token-days]', '7');
  await admin.click('fieldset.tokens form button[type=submit]');
  await admin.waitForSelector('input[aria-label="New API token"]');
  const secret = await admin.inputValue('input[aria-label="New API token"]');
  assert.equal(secret.length, 43);
  await admin.waitForSelector('fieldset.tokens tr[data-token="e2e script"]');
  await screenshot(admin, 'users-token-created');
  const bearer = (token) => admin.evaluate(async (t) =>
    (await fetch('/api/me', { credentials: 'omit', headers: { Authorization: `Bearer ${t}` } })).status, token);
  assert.equal(await bearer(secret), 200);
  admin.once('dialog', (d) => d.accept());
  await admin.click('button[aria-label="Revoke token e2e script"]');
  await waitFor('the token to leave the list', async () =>
    (await admin.$$('fieldset.tokens tr[data-token="e2e script"]')).length === 0, { timeoutMs: 10_000 });
  assert.equal(await bearer(secret), 401);
}));

test('the audit log lists logins, live views, playback and exports', () => step(async () => {
  await admin.goto('/audit');
  await admin.waitForSelector('[data-testid=audit] tbody tr');
  await screenshot(admin, 'audit');
  for (const action of ['login', 'live', 'playback', 'export']) {
    await admin.selectOption('select[name=action]', action);
    await admin.click('form.filters button[type=submit]');
    await waitFor(`audit records of ${action}`, async () => {
      const actions = await admin.$$eval('[data-testid=audit] tbody tr', (rows) => rows.map((r) => r.dataset.action));
      return actions.length > 0 && actions.every((a) => a === action);
    }, { timeoutMs: 10_000 });
    const users = await admin.$$eval('[data-testid=audit] tbody tr td:nth-child(2)', (cells) => cells.map((c) => c.textContent));
    assert.ok(users.includes(env.adminUser), `no ${action} record of ${env.adminUser}`);
  }
  await admin.selectOption('select[name=action]', 'login');
  await admin.fill('input[name=user]', env.viewerUser);
  await admin.click('form.filters button[type=submit]');
  await waitFor('the viewer\'s login in the audit log', async () =>
    (await admin.$$('[data-testid=audit] tbody tr[data-action=login]')).length > 0, { timeoutMs: 10_000 });
  await screenshot(admin, 'audit-viewer-login');
}));

test('the audit filter offers exactly the actions the server lists', () => step(async () => {
  const res = await apiGet(admin, '/api/audit/actions');
  assert.equal(res.status, 200);
  assert.ok(res.body.actions.length > 0, 'the server lists no audit action');
  await admin.goto('/audit');
  await admin.waitForSelector('select[name=action][data-loaded=true]');
  const offered = await admin.$$eval('select[name=action] option', (opts) => opts.map((o) => o.value).filter(Boolean));
  assert.deepEqual(offered, res.body.actions);
}));

// Issue 15: the PTZ pad moves camsim's simulated head (its GetStatus position, as
// GET /api/cameras/ptz/ptz reports it), by a held button and by the keys, and presets are
// saved, gone to and removed. Needs the demo's `ptz` camera: camsim with --onvif.
// Holds the mouse (a finger's pointer events) on `selector` for `ms`: scrolled into view first,
// since the pad sits below the player.
async function holdPointer(page, selector, ms) {
  const el = await page.$(selector);
  await el.scrollIntoViewIfNeeded();
  const box = await el.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.waitForTimeout(ms);
  await page.mouse.up();
}

async function ptzInfo(page) {
  const r = await apiGet(page, '/api/cameras/ptz/ptz');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

// Issue 15: the System page shows what the onvif: camera's device says: streams found, its
// clock, and its own event subscription (camsim answers it).
test('the System page shows the ONVIF camera\'s clock and event subscription', () => step(async () => {
  assert.ok(cameras.some((c) => c.name === 'ptz'), 'the demo has its onvif: camera "ptz"');
  const row = '[data-testid=onvif] tbody tr[data-camera=ptz]';
  // The page refreshes every 10 s; a fresh load reads the state now.
  await waitFor('the ptz camera subscribed to', async () => {
    await admin.goto('/system');
    await admin.waitForSelector('.system h2', { timeout: 10_000 }).catch(() => {});
    const text = await admin.$eval(row, (r) => r.textContent).catch(() => '');
    if (!text) {
      const page = await admin.$eval('body', (m) => m.textContent.slice(0, 400)).catch(() => '');
      log.push(`system page without the ptz row: ${page}`);
    }
    return text.includes('subscribed');
  }, { timeoutMs: 30_000, intervalMs: 1000 });
  const text = await admin.$eval(row, (r) => r.textContent);
  assert.match(text, /found/);
  assert.match(text, /\d+\.\d s/, 'the clock offset is shown');
  await (await admin.$(row)).scrollIntoViewIfNeeded();
  await screenshot(admin, 'system-onvif');
}));

test('PTZ buttons and keys move the camsim camera, and presets work', async () => {
  assert.ok(cameras.some((c) => c.name === 'ptz'), 'the demo has its onvif: camera "ptz"');
  await step(async () => {
    const start = await ptzInfo(admin);
    assert.equal(start.supported, true, start.reason);
    await admin.goto('/camera/ptz');
    await admin.waitForSelector('[data-testid=ptz]:not([hidden])');
    await screenshot(admin, 'ptz-pad');

    // Hold "pan right" for a second (pointer events, as a finger would), release: the head moved
    // right and stays there.
    await holdPointer(admin, '[data-testid=ptz-pan-right]', 1000);
    const moved = await waitFor('the head to have panned right and stopped', async () => {
      const now = await ptzInfo(admin);
      return now.position.pan > start.position.pan + 0.2 && now.move_status !== 'moving' ? now : null;
    }, { timeoutMs: 10_000 });
    await admin.waitForTimeout(700);
    assert.equal((await ptzInfo(admin)).position.pan, moved.position.pan, 'the head kept moving after the release');
    await waitFor('the pad to show the new position', async () =>
      Number(await admin.$eval('[data-testid=ptz-position]', (e) => e.dataset.pan)) === moved.position.pan);

    // The arrow key while the video has focus: tilt up.
    await admin.focus('[data-testid=player]');
    await admin.keyboard.down('ArrowUp');
    await admin.waitForTimeout(800);
    await admin.keyboard.up('ArrowUp');
    const tilted = await waitFor('the head to have tilted up', async () => {
      const now = await ptzInfo(admin);
      return now.position.tilt > moved.position.tilt + 0.1 && now.move_status !== 'moving' ? now : null;
    }, { timeoutMs: 10_000 });

    // A preset here, a move away, back to the preset; then it is removed.
    await admin.fill('[data-testid=ptz-preset-name]', 'Gate e2e');
    await admin.click('[data-testid=ptz-preset-save]');
    // The list is drawn afresh after every command: find the row by its text each time.
    const row = '[data-testid=ptz-presets] li:has-text("Gate e2e")';
    await admin.waitForSelector(row);
    await holdPointer(admin, '[data-testid=ptz-pan-right]', 600);
    await waitFor('the head to have moved away', async () =>
      (await ptzInfo(admin)).position.pan > tilted.position.pan + 0.1, { timeoutMs: 10_000 });
    await admin.click(`${row} .ptz-goto`);
    await waitFor('the head back at the preset', async () => {
      const p = (await ptzInfo(admin)).position;
      return Math.abs(p.pan - tilted.position.pan) < 0.01 && Math.abs(p.tilt - tilted.position.tilt) < 0.01;
    }, { timeoutMs: 10_000 });
    admin.once('dialog', (d) => d.accept());
    await admin.click(`${row} .ptz-remove`);
    await waitFor('the preset gone', async () =>
      !(await ptzInfo(admin)).presets.some((p) => p.name === 'Gate e2e'), { timeoutMs: 10_000 });
    await screenshot(admin, 'ptz-after');

    // Every command is in the audit log.
    const audit = await apiGet(admin, '/api/audit?action=ptz&camera=ptz&limit=100');
    assert.equal(audit.status, 200);
    const details = audit.body.records.map((r) => r.detail);
    for (const prefix of ['move pan=0.5', 'move pan=0 tilt=0.5', 'stop', 'preset_set name=Gate e2e', 'preset_goto', 'preset_remove']) {
      assert.ok(details.some((d) => d.startsWith(prefix)), `no audit row "${prefix}…" in ${JSON.stringify(details)}`);
    }
  });
});
