// System status (admin): disks, retention per stream, per-camera health, recent system events.
// Refreshed every 10 s.

import { api, type Camera, type SystemStatus } from '../api';
import { h, replace } from '../dom';
import { formatBitrate, formatBytes, formatDateTime, formatDuration, kUsPerSecond, nowUs } from '../format';
import { poll, reportError, type Page, type PageContext } from '../page';

const kRefreshMs = 10_000;

function table(headers: string[], rows: HTMLTableRowElement[], testid: string): HTMLElement {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data', dataset: { testid } },
    h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, ...rows)));
}

function td(...content: Array<Node | string>): HTMLTableCellElement {
  return h('td', {}, ...content);
}

// `recorded`: the bytes of recordings on this disk, when known (the API reports them per stream;
// with a single disk they are all on it).
function diskBar(disk: SystemStatus['disks'][number], recorded: number | null): HTMLElement {
  if (disk.total_bytes === undefined || disk.free_bytes === undefined) {
    return h('div', { class: 'disk disk-low' }, h('div', { class: 'disk-head' }, h('strong', {}, disk.path),
      ` ${disk.error ?? 'cannot be read'}`));
  }
  const d = { ...disk, total_bytes: disk.total_bytes, free_bytes: disk.free_bytes };
  const used = d.total_bytes - d.free_bytes;
  const fraction = (n: number) => `${Math.min(100, Math.max(0, (n / Math.max(1, d.total_bytes)) * 100)).toFixed(1)}%`;
  const usedEl = h('div', { class: 'bar-used' });
  const recordedEl = h('div', { class: 'bar-recorded' });
  const minFreeEl = h('div', { class: 'bar-min-free', title: 'Retention keeps at least this much free' });
  usedEl.style.width = fraction(used);
  recordedEl.style.width = recorded === null ? '0%' : fraction(recorded);
  minFreeEl.style.left = fraction(d.total_bytes - d.min_free_bytes);
  const low = d.free_bytes < d.min_free_bytes;
  return h('div', { class: `disk${low ? ' disk-low' : ''}` },
    h('div', { class: 'disk-head' }, h('strong', {}, d.path),
      ` ${formatBytes(used)} used of ${formatBytes(d.total_bytes)}, ${formatBytes(d.free_bytes)} free ` +
      `(keeps ${formatBytes(d.min_free_bytes)} free)` + (recorded === null ? '' : `; recordings ${formatBytes(recorded)}`)),
    h('div', { class: 'bar', role: 'img', 'aria-label': `${d.path}: ${fraction(used)} used` }, usedEl, recordedEl, minFreeEl));
}

function retentionText(r: SystemStatus['streams'][number]['retention']): string {
  if (!r) return 'not recorded now (kept until retention deletes it)';
  const parts: string[] = [];
  if (r.max_age_s) parts.push(`at most ${formatDuration(r.max_age_s * kUsPerSecond)}`);
  if (r.max_bytes) parts.push(`at most ${formatBytes(r.max_bytes)}`);
  if (r.continuous_days) parts.push(`continuous ${r.continuous_days} days`);
  if (r.motion_days) parts.push(`motion ${r.motion_days} days`);
  return parts.join(', ') || 'until the disk limit';
}

function cameraRows(cameras: Camera[]): HTMLTableRowElement[] {
  return cameras.flatMap((c) => c.streams.map((s) => h('tr', { dataset: { camera: c.name, stream: s.name } },
    td(c.name), td(s.name),
    td(s.online ? h('span', { class: 'badge badge-ok' }, 'online') : h('span', { class: 'badge badge-bad' }, 'offline'), ` ${s.state}`),
    td(`${s.codec} ${s.width}×${s.height}`),
    td(s.online ? `${s.fps.toFixed(1)} fps, ${formatBitrate(s.bitrate_bps)}` : ''),
    td(s.last_frame_us ? `${formatDuration(nowUs() - s.last_frame_us)} ago` : 'never'),
    td(String(s.reconnects)),
    td(`${s.frames_dropped} frames, ${s.gops_dropped} GOPs`),
    td(s.recorded ? formatBytes(s.recorded_bytes) : 'not recorded'))));
}

// A camera clock further off than this breaks WS-Security and stamps wrong times (as the recorder
// logs it: docs/design/onvif.md, invariant 12).
const kClockWarningMs = 5000;

function clockText(offset: number | null): HTMLElement | string {
  if (offset === null) return 'not measured';
  const sign = Math.abs(offset) < 50 ? '' : offset > 0 ? '+' : '−';
  const text = `${sign}${(Math.abs(offset) / 1000).toFixed(1)} s`;
  return Math.abs(offset) > kClockWarningMs
    ? h('span', { class: 'badge badge-bad', title: 'set it: sightline discover --host … --set-clock or --set-ntp' },
      `${text}: set its clock`)
    : text;
}

function onvifRows(cameras: Camera[]): HTMLTableRowElement[] {
  return cameras.filter((c) => c.onvif).map((c) => {
    const o = c.onvif!;
    const events = o.events === 'subscribed' ? h('span', { class: 'badge badge-ok' }, 'subscribed')
      : o.events === 'off' ? 'off' : h('span', { class: 'badge badge-bad' }, 'failing');
    return h('tr', { dataset: { camera: c.name } },
      td(c.name), td(o.resolved ? 'found' : 'not yet'), td(clockText(o.clock_offset_ms)), td(events),
      td(o.problem));
  });
}

export function systemPage(ctx: PageContext): Page {
  const content = h('div', { class: 'system' }, h('p', {}, 'Loading…'));

  const stop = poll(async (signal) => {
    try {
      const [sys, { cameras }] = await Promise.all([api.system(), api.cameras(signal)]);
      replace(content,
        h('p', { class: 'muted' }, `Sightline ${sys.version}, running since ${formatDateTime(sys.started_us)}. ` +
          `Index: ${sys.index.commits} commits, ${sys.index.commit_errors} commit errors, ` +
          `${sys.index.segments_deleted} segment files deleted by retention.`),
        h('h2', {}, 'Disks'),
        ...(sys.disks.length
          ? sys.disks.map((d) => diskBar(d, sys.disks.length === 1
            ? sys.streams.reduce((sum, s) => sum + s.recorded_bytes, 0) : null))
          : [h('p', { class: 'muted' }, 'No storage configured.')]),
        h('h2', {}, 'Cameras'),
        table(['Camera', 'Stream', 'State', 'Format', 'Rate', 'Last frame', 'Reconnects', 'Dropped', 'Recorded'],
          cameraRows(cameras), 'health'),
        ...(cameras.some((c) => c.onvif)
          ? [h('h2', {}, 'ONVIF devices'),
            table(['Camera', 'Streams', 'Clock', 'Camera events', 'Problem'], onvifRows(cameras), 'onvif')]
          : []),
        h('h2', {}, 'Retention'),
        table(['Camera', 'Stream', 'Recorded', 'Oldest', 'Keeps'], sys.streams.map((s) => h('tr', {},
          td(s.camera), td(s.stream), td(formatBytes(s.recorded_bytes)),
          td(s.oldest_us ? formatDateTime(s.oldest_us) : 'nothing yet'), td(retentionText(s.retention)))), 'retention'),
        h('h2', {}, 'Recent system events'),
        sys.events.length
          ? table(['Time', 'Kind', 'Camera', 'Stream', 'What happened'], sys.events.map((e) => h('tr', {},
            td(formatDateTime(e.time_us)), td(e.kind), td(e.camera), td(e.stream), td(e.message))), 'system-events')
          : h('p', { class: 'muted' }, 'No system events.'));
      ctx.messages.clear('system');
    } catch (e) {
      reportError(ctx.messages, 'system', e);
      throw e;
    }
  }, kRefreshMs);

  return {
    el: h('section', { class: 'page page-system' }, h('h1', {}, 'System status'), content),
    title: 'System',
    dispose: stop,
  };
}
