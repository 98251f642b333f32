// The camera page (/camera/NAME, ?t=TIME_US to open at a moment): one player that is either live
// (LivePlayer, MSE over WebSocket) or playing recordings (Playback, hls.js), a timeline of the
// recorded spans, gaps and motion, navigation (gaps, events, date and time, speed), export and
// evidence lock, motion search and the camera's motion events.

import { ApiError, api, liveUrl, recordedStreams, sessionEnded, snapshotUrl, type Camera, type TimeRange } from '../api';
import { button, field, h, replace } from '../dom';
import { downloadSmall } from '../download';
import { fileStamp, formatDateTime, fromLocalInputValue, kUsPerDay, kUsPerHour, kUsPerSecond, nowUs, toLocalInputValue } from '../format';
import { LivePlayer } from '../live/live_player';
import { PtzPad } from '../live/ptz_pad';
import { canOperate, poll, reportError, type Page, type PageContext } from '../page';
import { Playback } from '../playback/playback';
import { timeInput } from '../time_input';
import { kZooms, Timeline, zoomToShow } from '../timeline/timeline';
import { EventList } from './event_list';
import { ExportPanel } from './export_panel';
import { MotionSearch } from './motion_search';

const kSpeeds = [0.5, 1, 2, 4, 8];
const kTickMs = 250;
const kRetryMs = 3000;
const kRefreshMs = 15_000;
const kLiveThresholdUs = 5 * kUsPerSecond; // seeking closer to now than this means live
const kGapLeadUs = 5 * kUsPerSecond; // land this long before a gap, to see what led up to it
const kEventLeadUs = 2 * kUsPerSecond;
const kNearTargetUs = kUsPerSecond; // prev/next skip targets this close to the playhead
const kMinPlayerPx = 180; // below this the page scrolls rather than shrink the picture further
const kFitMarginPx = 8;

type Mode = 'live' | 'playback';

export function cameraPage(ctx: PageContext): Page {
  const name = ctx.params.camera;
  const messages = ctx.messages;
  let camera: Camera | null = null;
  let streamName = '';
  let mode: Mode = 'live';
  let cursorUs = nowUs();

  const video = h('video', { class: 'player-video', muted: true, playsinline: true,
    'aria-label': `Video of ${name}`, dataset: { testid: 'player' } });
  const notice = h('div', { class: 'player-notice', hidden: true, 'aria-live': 'polite' });
  const setNotice = (text: string) => {
    notice.textContent = text;
    notice.hidden = text === '';
  };

  const live = new LivePlayer(video, () => liveUrl(name, streamName), (status) => {
    if (mode === 'live') setNotice(status.message);
    el.dataset.liveState = status.state;
  });
  const playback = new Playback(video, { notice: setNotice, unauthorized: sessionEnded });

  const playbackStream = (): string | null => {
    if (!camera) return null;
    const recorded = recordedStreams(camera);
    return (recorded.find((s) => s.name === streamName) ?? recorded[0])?.name ?? null;
  };

  // Player bar.
  const playerTime = h('output', { class: 'player-time', dataset: { testid: 'player-time' }, 'aria-label': 'Time of the picture' });
  const modeBadge = h('span', { class: 'badge badge-live', dataset: { testid: 'mode' } }, 'LIVE');
  const liveButton = button('Live', () => goLive(), { 'aria-pressed': 'true', class: 'toggle', title: 'Back to live view' });
  const playPause = button('Pause', () => {
    if (video.paused) void video.play().catch(() => {});
    else video.pause();
  }, { disabled: true });
  const speed = h('select', { 'aria-label': 'Playback speed', disabled: true, on: {
    change: () => playback.setRate(Number(speed.value)),
  } }, ...kSpeeds.map((s) => h('option', { value: String(s), selected: s === 1 }, `${s}×`)));

  // Navigation toolbar.
  const jumpInput = timeInput('jump', { required: true });
  const jumpForm = h('form', { class: 'jump', on: { submit: (e: Event) => {
    e.preventDefault();
    const t = fromLocalInputValue(jumpInput.value);
    if (t === null) messages.show('nav', 'Enter a date and a time to jump to.', 'info', 5000);
    else if (t > nowUs()) messages.show('nav', 'That moment is in the future.', 'info', 5000);
    else seekTo(t);
  } } }, field('Jump to', jumpInput), h('button', { type: 'submit' }, 'Go'));
  const zoomButtons = kZooms.map((z) => button(z.label, () => setZoom(z.spanUs),
    { class: 'toggle', 'aria-pressed': String(z.spanUs === kUsPerDay), dataset: { zoom: String(z.spanUs) } }));
  const setZoom = (spanUs: number) => {
    for (const b of zoomButtons) b.setAttribute('aria-pressed', String(Number(b.dataset.zoom) === spanUs));
    timeline.setZoom(spanUs);
  };

  const timeline = new Timeline({
    onSeek: (t) => seekTo(t),
    onSelect: (range) => exportPanel.setRange(range),
    onViewChange: () => scheduleFetch(),
    onZoomKey: (direction) => {
      const i = kZooms.findIndex((z) => z.spanUs === timeline.zoomSpanUs);
      const next = kZooms[Math.min(kZooms.length - 1, Math.max(0, i + direction))];
      setZoom(next.spanUs);
    },
  });

  const exportPanel = new ExportPanel({
    user: ctx.user,
    messages,
    camera: () => name,
    stream: playbackStream,
    onRangeInput: (range) => timeline.setSelection(range),
    onSelectMode: (on) => timeline.setSelectMode(on),
  });

  const motion = new MotionSearch({
    video,
    messages,
    camera: () => name,
    period: () => {
      const v = timeline.viewRange;
      return { start_us: v.start_us, end_us: Math.min(v.end_us, nowUs()) };
    },
    onRanges: (ranges) => timeline.setLayers({ motion: ranges }),
    onOpen: (range) => seekTo(range.start_us - kUsPerSecond),
  });

  const eventList = new EventList({
    showCamera: false,
    emptyText: 'No motion events in the period the timeline shows.',
    onOpen: (ev) => seekTo(ev.start_us - kEventLeadUs),
  });

  const streamSelect = h('select', { name: 'stream', on: { change: () => {
    streamName = streamSelect.value;
    if (mode === 'live') {
      live.stop();
      live.start();
    } else {
      seekTo(cursorUs);
    }
    scheduleFetch();
  } } });

  const streamField = field('Stream', streamSelect);
  streamField.hidden = true; // until the camera's streams are known

  const snapshotButton = canOperate(ctx.user)
    ? button('Snapshot', () => void snapshot(), { title: 'Save the picture as JPEG' })
    : null;

  // Only operators and admins may move a camera; the pad shows itself when the camera has PTZ.
  const ptz = canOperate(ctx.user) ? new PtzPad({ camera: () => name, video, messages }) : null;

  const player = h('div', { class: 'player' }, video, motion.overlay, notice);
  const playerBar = h('div', { class: 'player-bar' }, modeBadge, playerTime, liveButton, playPause, speed, snapshotButton);
  const legend = h('div', { class: 'legend', 'aria-hidden': 'true' },
    h('span', { class: 'key key-span' }, 'recorded'), h('span', { class: 'key key-gap' }, 'not recorded'),
    h('span', { class: 'key key-event' }, 'motion event'), h('span', { class: 'key key-motion' }, 'motion search hit'),
    h('span', { class: 'key key-cursor' }, 'playhead'));
  const toolbar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Navigation' },
    button('◀ Event', () => void jumpEvent(-1), { title: 'Previous motion event', 'aria-label': 'Previous motion event' }),
    button('◀ Gap', () => void jumpGap(-1), { title: 'Previous gap in the recording', 'aria-label': 'Previous gap' }),
    button('Gap ▶', () => void jumpGap(1), { title: 'Next gap in the recording', 'aria-label': 'Next gap' }),
    button('Event ▶', () => void jumpEvent(1), { title: 'Next motion event', 'aria-label': 'Next motion event' }),
    h('span', { class: 'group', role: 'group', 'aria-label': 'Timeline zoom' }, ...zoomButtons),
    jumpForm);
  const bodyParts = [
    player,
    playerBar,
    toolbar,
    timeline.el,
    legend,
    h('div', { class: 'panels' },
      ptz?.el,
      exportPanel.el,
      motion.panel,
      h('section', { class: 'panel events-panel', 'aria-labelledby': 'events-heading' },
        h('h2', { id: 'events-heading' }, 'Motion events'), eventList.el)),
  ];
  const body = h('div', { class: 'camera-body' }, h('p', { class: 'muted' }, 'Loading…'));

  const head = h('header', { class: 'page-head' },
    h('h1', {}, name),
    streamField,
    h('a', { href: '/', class: 'back' }, 'All cameras'));
  const el = h('section', { class: 'page page-camera', dataset: { camera: name } }, head, body);

  // The player gets the height the window leaves once the page head, the bars, the timeline
  // and its legend are placed, so that on a laptop screen (1366x768, 1280x720) the timeline
  // is in view under the picture without scrolling. Heights of the bars change when they wrap.
  let fitFrame = 0;
  function fitPlayer(): void {
    cancelAnimationFrame(fitFrame);
    fitFrame = requestAnimationFrame(() => {
      if (!player.isConnected) return;
      const box = player.getBoundingClientRect();
      const top = box.top + window.scrollY;
      const below = legend.getBoundingClientRect().bottom - box.bottom;
      const available = Math.floor(window.innerHeight - top - below - kFitMarginPx);
      player.style.maxHeight = `${Math.max(kMinPlayerPx, available)}px`;
    });
  }
  const fitObserver = new ResizeObserver(fitPlayer);
  window.addEventListener('resize', fitPlayer);

  // Opens zoomed to where the recordings are: the narrowest zoom that holds the recordings of
  // the last 24 h, from the first one's start to now (a new camera's few minutes fill the
  // 10 min view instead of a sliver of 24 h). Left alone if the zoom was changed meanwhile.
  async function zoomToRecordings(): Promise<void> {
    const stream = playbackStream();
    const now = nowUs();
    if (!stream) return;
    try {
      const rec = await api.recordings(name, { start_us: now - kUsPerDay, end_us: now }, stream);
      if (!rec.spans.length || timeline.zoomSpanUs !== kUsPerDay) return;
      setZoom(zoomToShow(Math.min(...rec.spans.map((sp) => sp.start_us)), now));
    } catch (e) {
      reportError(messages, 'recordings', e);
    }
  }

  function setMode(m: Mode): void {
    mode = m;
    const isLive = m === 'live';
    modeBadge.textContent = isLive ? 'LIVE' : 'PLAYBACK';
    modeBadge.className = `badge ${isLive ? 'badge-live' : 'badge-plain'}`;
    liveButton.setAttribute('aria-pressed', String(isLive));
    playPause.disabled = isLive;
    speed.disabled = isLive;
    el.dataset.mode = m;
    const url = isLive ? location.pathname : `${location.pathname}?t=${Math.round(cursorUs)}`;
    history.replaceState(history.state, '', url);
  }

  function goLive(): void {
    playback.close();
    setNotice('');
    cursorUs = nowUs();
    setMode('live');
    live.start();
  }

  function seekTo(timeUs: number): void {
    const stream = playbackStream();
    if (!stream) {
      messages.show('nav', 'This camera records nothing: only live view is available.', 'info', 5000);
      return;
    }
    if (timeUs >= nowUs() - kLiveThresholdUs) {
      goLive();
      return;
    }
    live.stop();
    setNotice('');
    cursorUs = Math.round(timeUs);
    timeline.setCursor(cursorUs);
    playback.seek(name, stream, cursorUs);
    setMode('playback');
  }

  // The wall time of the picture shown: in live view, now less what is buffered ahead of the
  // playhead (the latency of the stream itself is not known to the page).
  function pictureTimeUs(): number | null {
    if (mode === 'playback') return playback.wallTimeUs();
    const b = video.buffered;
    const lagS = b.length ? Math.max(0, b.end(b.length - 1) - video.currentTime) : 0;
    return nowUs() - lagS * kUsPerSecond;
  }

  function tick(): void {
    const t = pictureTimeUs();
    playerTime.dataset.mode = mode;
    if (t === null) {
      playerTime.textContent = 'Loading…';
      delete playerTime.dataset.timeUs;
      return;
    }
    cursorUs = t;
    playerTime.textContent = formatDateTime(t);
    playerTime.dataset.timeUs = String(Math.round(t));
    timeline.setCursor(t);
    playPause.textContent = video.paused ? 'Play' : 'Pause';
  }
  const tickTimer = window.setInterval(tick, kTickMs);
  for (const type of ['seeked', 'pause', 'play']) video.addEventListener(type, tick);

  // Recordings and events of the period the timeline shows.
  let fetchTimer = 0;
  let fetchController: AbortController | null = null;
  function scheduleFetch(): void {
    clearTimeout(fetchTimer);
    fetchTimer = window.setTimeout(() => void fetchView(), 250);
  }
  async function fetchView(): Promise<void> {
    if (!camera) return;
    const view = timeline.viewRange;
    const range = { start_us: view.start_us, end_us: Math.min(view.end_us, nowUs()) };
    const stream = playbackStream();
    fetchController?.abort();
    const controller = new AbortController();
    fetchController = controller;
    try {
      const [rec, ev] = await Promise.all([
        stream ? api.recordings(name, range, stream, controller.signal) : Promise.resolve(null),
        api.events({ camera: name, start_us: range.start_us, end_us: range.end_us, limit: 50 }, controller.signal),
      ]);
      timeline.setLayers({
        known: rec ? { start_us: rec.start_us, end_us: rec.end_us } : null,
        spans: rec?.spans ?? [],
        events: rec?.events ?? ev.events,
      });
      eventList.set(ev.events);
      messages.clear('recordings');
    } catch (e) {
      reportError(messages, 'recordings', e);
    }
  }
  const stopRefresh = poll(async () => {
    if (camera) await fetchView();
  }, kRefreshMs);

  // Previous/next: targets are computed from the server's answer for the 24 h before or after the
  // playhead; the nearest one beyond `kNearTargetUs` wins.
  function pick(targets: number[], direction: 1 | -1): number | undefined {
    const from = cursorUs;
    const candidates = targets.filter((t) => (direction > 0 ? t > from + kNearTargetUs : t < from - kNearTargetUs));
    if (!candidates.length) return undefined;
    return direction > 0 ? Math.min(...candidates) : Math.max(...candidates);
  }

  function searchRange(direction: 1 | -1, spanUs: number): TimeRange {
    return direction < 0
      ? { start_us: cursorUs - spanUs, end_us: cursorUs }
      : { start_us: cursorUs, end_us: Math.min(nowUs(), cursorUs + spanUs) };
  }

  async function jumpGap(direction: 1 | -1): Promise<void> {
    const stream = playbackStream();
    const range = searchRange(direction, kUsPerDay);
    if (!stream || range.end_us <= range.start_us) return;
    try {
      const rec = await api.recordings(name, range, stream);
      // A gap's start (recording stopped) is shown from a little before; its end (recording
      // resumed) from that moment. The ends of the asked range are not gaps' edges.
      const targets: number[] = [];
      for (const g of rec.gaps) {
        if (g.start_us > rec.start_us) targets.push(g.start_us - kGapLeadUs);
        if (g.end_us < rec.end_us) targets.push(g.end_us);
      }
      const target = pick(targets, direction);
      if (target === undefined) {
        messages.show('nav', `No gap in the recording in the 24 hours ${direction > 0 ? 'after' : 'before'} this moment.`,
          'info', 5000);
      } else {
        seekTo(target);
      }
    } catch (e) {
      reportError(messages, 'nav', e);
    }
  }

  async function jumpEvent(direction: 1 | -1): Promise<void> {
    try {
      // Events come newest first and limited: look close by first, so the nearest is in the answer.
      for (const spanUs of [kUsPerHour, kUsPerDay]) {
        const range = searchRange(direction, spanUs);
        if (range.end_us <= range.start_us) break;
        const { events } = await api.events({ camera: name, ...range, limit: 200 });
        const target = pick(events.map((ev) => ev.start_us - kEventLeadUs), direction);
        if (target !== undefined) {
          seekTo(target);
          return;
        }
      }
      messages.show('nav', `No motion event in the 24 hours ${direction > 0 ? 'after' : 'before'} this moment.`,
        'info', 5000);
    } catch (e) {
      reportError(messages, 'nav', e);
    }
  }

  async function snapshot(): Promise<void> {
    const t = mode === 'playback' ? playback.wallTimeUs() : null;
    const stream = mode === 'playback' ? playbackStream() : streamName;
    try {
      await downloadSmall(snapshotUrl(name, stream ?? undefined, t ?? undefined), `${name}-${fileStamp(t ?? nowUs())}.jpg`);
    } catch (e) {
      reportError(messages, 'snapshot', e);
    }
  }

  async function load(): Promise<void> {
    try {
      camera = await api.camera(name);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return; // the app goes to the login page
      // 403 and 404 say it in words; without an answer (status 0) the page tries again.
      replace(body, h('p', { class: 'error-text' }, (e as Error).message));
      if (e instanceof ApiError && e.status === 0) loadTimer = window.setTimeout(() => void load(), kRetryMs);
      return;
    }
    replace(body, ...bodyParts);
    streamField.hidden = false;
    for (const part of [head, playerBar, toolbar, legend]) fitObserver.observe(part);
    fitPlayer();
    const recorded = recordedStreams(camera);
    streamName = recorded[0]?.name ?? camera.live_stream;
    replace(streamSelect, ...camera.streams.map((s) => h('option', { value: s.name, selected: s.name === streamName },
      `${s.name} (${s.width}×${s.height}${s.recorded ? '' : ', live only'})`)));
    if (!recorded.length) {
      messages.show('camera', 'This camera records nothing: only live view is available.', 'info', 8000);
    }
    jumpInput.value = toLocalInputValue(nowUs() - kUsPerHour);
    void ptz?.load();
    const t = Number(ctx.query.get('t'));
    if (t > 0) {
      seekTo(t);
    } else {
      goLive();
      void zoomToRecordings();
    }
    scheduleFetch();
  }
  let loadTimer = 0;
  void load();

  return {
    el,
    title: name,
    dispose() {
      clearTimeout(loadTimer);
      cancelAnimationFrame(fitFrame);
      fitObserver.disconnect();
      window.removeEventListener('resize', fitPlayer);
      clearInterval(tickTimer);
      clearTimeout(fetchTimer);
      fetchController?.abort();
      stopRefresh();
      live.stop();
      playback.close();
      timeline.dispose();
      exportPanel.dispose();
      motion.dispose();
      ptz?.dispose();
    },
  };
}
