// Helpers for the browser tests: environment, Chromium, logging in, screenshots, reading pixels
// from <video> elements, and reference frames cut from the source footage with ffmpeg.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const env = {
  url: (process.env.SIGHTLINE_URL ?? '').replace(/\/+$/, ''),
  adminUser: process.env.SIGHTLINE_ADMIN_USER ?? 'admin',
  adminPassword: process.env.SIGHTLINE_ADMIN_PASSWORD ?? '',
  viewerUser: process.env.SIGHTLINE_VIEWER_USER ?? '',
  viewerPassword: process.env.SIGHTLINE_VIEWER_PASSWORD ?? '',
  viewerCameras: (process.env.SIGHTLINE_VIEWER_CAMERAS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
  footage: process.env.SIGHTLINE_FOOTAGE ?? '',
  camsimLog: process.env.SIGHTLINE_CAMSIM_LOG ?? '',
  artifacts: process.env.ARTIFACTS_DIR ?? '',
  chromium: process.env.CHROMIUM ?? '/usr/bin/chromium',
};

// Scratch files (downloads, reference frames) when no ARTIFACTS_DIR is given.
export const workDir = env.artifacts || fs.mkdtempSync(path.join(os.tmpdir(), 'sightline-e2e-'));
if (env.artifacts) fs.mkdirSync(env.artifacts, { recursive: true });

export async function launch() {
  return chromium.launch({
    executablePath: env.chromium,
    headless: true,
    args: ['--headless=new', '--autoplay-policy=no-user-gesture-required'],
  });
}

// `viewport`: the page's size in CSS pixels (default 1280x900).
export async function newContext(browser, { viewport = { width: 1280, height: 900 } } = {}) {
  return browser.newContext({
    baseURL: env.url,
    viewport,
    // localInput() writes times in this process's zone; the page must read them in the same one.
    timezoneId: Intl.DateTimeFormat().resolvedOptions().timeZone,
    acceptDownloads: true,
    ignoreHTTPSErrors: true, // the demo may run TLS with a self-signed certificate
  });
}

// Collects what the page logs as errors, to print when a test fails.
export function watchConsole(page, sink) {
  page.on('console', (m) => { if (m.type() === 'error') sink.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => sink.push(`page error: ${e.message}`));
}

let shotCount = 0;
// `fullPage: false` shows only what is in the viewport, as a person sees it without scrolling.
export async function screenshot(page, name, { fullPage = true } = {}) {
  if (!env.artifacts) return;
  shotCount++;
  const file = path.join(env.artifacts, `${String(shotCount).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage });
}

export async function login(page, user, password) {
  await page.goto('/login');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await page.click('form.login-form button[type=submit]');
  await page.waitForSelector('[data-testid=user]', { timeout: 15_000 });
}

// GET from inside the page, with its session cookie: {status, body}.
export async function apiGet(page, url) {
  return page.evaluate(async (u) => {
    const res = await fetch(u, { credentials: 'same-origin' });
    let body = null;
    try { body = await res.json(); } catch { body = null; }
    return { status: res.status, body };
  }, url);
}

export async function waitFor(what, fn, { timeoutMs = 30_000, intervalMs = 500 } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export const kFrameWidth = 64;
export const kFrameHeight = 36;

// The picture a <video> shows, as 64x36 grey (0..255, BT.601 luma of the browser's RGB), averaged
// over 10x10 blocks of a 640x360 drawing so it matches ffmpeg's area scaling of the footage.
export async function videoGrey(page, selector) {
  return page.$eval(selector, (video, [w, h]) => {
    const k = 10;
    const canvas = document.createElement('canvas');
    canvas.width = w * k;
    canvas.height = h * k;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    const rgba = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    const out = new Array(w * h).fill(0);
    for (let y = 0; y < h * k; y++) {
      for (let x = 0; x < w * k; x++) {
        const i = (y * w * k + x) * 4;
        out[Math.floor(y / k) * w + Math.floor(x / k)] += 0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2];
      }
    }
    return out.map((v) => v / (k * k));
  }, [kFrameWidth, kFrameHeight]);
}

export function stats(grey) {
  const mean = grey.reduce((a, b) => a + b, 0) / grey.length;
  const sd = Math.sqrt(grey.reduce((a, b) => a + (b - mean) ** 2, 0) / grey.length);
  const nonBlack = grey.filter((v) => v > 24).length / grey.length;
  const round = (v) => Math.round(v * 100) / 100;
  return { mean: round(mean), sd: round(sd), nonBlack: round(nonBlack) };
}

export function meanAbsDiff(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

export function durationS(file) {
  const out = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'default=nw=1:nk=1', file]);
  return Number(String(out).trim());
}

// Frame of the footage at `offsetS`, as 64x36 grey in the same scale as videoGrey().
export function footageGrey(file, offsetS) {
  const rgb = execFileSync('ffmpeg', ['-v', 'error', '-ss', offsetS.toFixed(3), '-i', file, '-frames:v', '1',
    '-vf', `scale=${kFrameWidth}:${kFrameHeight}:flags=area,format=rgb24`, '-f', 'rawvideo', '-'],
  { maxBuffer: 1 << 20 });
  const out = [];
  for (let i = 0; i + 2 < rgb.length; i += 3) out.push(0.299 * rgb[i] + 0.587 * rgb[i + 1] + 0.114 * rgb[i + 2]);
  if (out.length !== kFrameWidth * kFrameHeight) throw new Error(`ffmpeg gave ${out.length} pixels for ${file} at ${offsetS} s`);
  return out;
}

// datetime-local value ("2026-11-01T14:03:27") of a Unix µs time in the browser's zone, which is
// the zone this process runs in (same machine).
export function localInput(timeUs) {
  const d = new Date(timeUs / 1000);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

// How wide the camera page's timeline draws recordings: the CSS pixel columns of its canvas
// that hold the "recorded" colour (timeline.ts kColors.span, #2f8f5b), of `width` in all.
export async function timelineRecordedPx(page) {
  return page.$eval('.timeline-canvas', (canvas) => {
    const { width, height } = canvas;
    const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    const near = (i, r, g, b) => Math.abs(data[i] - r) < 8 && Math.abs(data[i + 1] - g) < 8 && Math.abs(data[i + 2] - b) < 8;
    let columns = 0;
    for (let x = 0; x < width; x++) {
      for (let y = 0; y < height; y++) {
        if (near((y * width + x) * 4, 0x2f, 0x8f, 0x5b)) {
          columns++;
          break;
        }
      }
    }
    const dpr = width / Math.max(1, canvas.clientWidth);
    return { recorded: columns / dpr, width: canvas.clientWidth };
  });
}
