// Motion search: draw a rectangle on the picture, ask GET /api/cameras/{camera}/motion when
// anything moved inside it during the period the timeline shows, list the hits.

import { api, type TimeRange } from '../api';
import { button, h, replace } from '../dom';
import { formatDateTime, formatDuration } from '../format';
import { reportError } from '../page';
import type { MessageBar } from '../messages';

export interface MotionSearchOptions {
  video: HTMLVideoElement;
  messages: MessageBar;
  camera: () => string;
  period: () => TimeRange;
  onRanges(ranges: TimeRange[]): void;
  onOpen(range: TimeRange): void;
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

// Where the picture is drawn inside the <video> box (object-fit: contain letterboxes it).
function pictureRect(video: HTMLVideoElement): DOMRect {
  const box = video.getBoundingClientRect();
  const vw = video.videoWidth || 16;
  const vh = video.videoHeight || 9;
  const scale = Math.min(box.width / vw, box.height / vh);
  const w = vw * scale;
  const hgt = vh * scale;
  return new DOMRect(box.left + (box.width - w) / 2, box.top + (box.height - hgt) / 2, w, hgt);
}

export class MotionSearch {
  readonly overlay: HTMLElement;
  readonly panel: HTMLElement;
  private readonly rectEl = h('div', { class: 'motion-rect', hidden: true });
  private readonly toggle: HTMLButtonElement;
  private readonly results = h('div', { class: 'motion-results', 'aria-live': 'polite' });
  private dragStart: { x: number; y: number; pointerId: number } | null = null;
  private controller: AbortController | null = null;

  constructor(private readonly opts: MotionSearchOptions) {
    this.overlay = h('div', { class: 'motion-overlay', hidden: true, on: {
      pointerdown: (e: PointerEvent) => this.onDown(e),
      pointermove: (e: PointerEvent) => this.onMove(e),
      pointerup: (e: PointerEvent) => this.onUp(e),
      pointercancel: () => { this.dragStart = null; },
    } }, this.rectEl);
    this.toggle = button('Motion search', () => this.setActive(this.toggle.getAttribute('aria-pressed') !== 'true'),
      { class: 'toggle', 'aria-pressed': 'false', title: 'Draw a rectangle on the picture to find when something moved there' });
    this.panel = h('section', { class: 'panel motion-panel', 'aria-labelledby': 'motion-heading' },
      h('h2', { id: 'motion-heading' }, 'Motion search'),
      h('p', { class: 'muted' }, 'Turn on motion search, then drag a rectangle over the picture: the hits in the ' +
        'period the timeline shows appear here and on the timeline.'),
      h('div', { class: 'row' }, this.toggle, button('Clear', () => this.clear())),
      this.results);
  }

  dispose(): void {
    this.controller?.abort();
  }

  setActive(on: boolean): void {
    this.overlay.hidden = !on;
    this.toggle.setAttribute('aria-pressed', String(on));
  }

  private clear(): void {
    this.controller?.abort();
    this.rectEl.hidden = true;
    replace(this.results);
    this.opts.onRanges([]);
  }

  private normalised(clientX: number, clientY: number): { x: number; y: number } {
    const r = pictureRect(this.opts.video);
    return {
      x: Math.min(1, Math.max(0, (clientX - r.left) / r.width)),
      y: Math.min(1, Math.max(0, (clientY - r.top) / r.height)),
    };
  }

  private showRect(rect: Rect): void {
    const pic = pictureRect(this.opts.video);
    const box = this.overlay.getBoundingClientRect();
    this.rectEl.hidden = false;
    this.rectEl.style.left = `${pic.left - box.left + rect.x * pic.width}px`;
    this.rectEl.style.top = `${pic.top - box.top + rect.y * pic.height}px`;
    this.rectEl.style.width = `${rect.w * pic.width}px`;
    this.rectEl.style.height = `${rect.h * pic.height}px`;
  }

  private rectTo(e: PointerEvent): Rect | null {
    if (!this.dragStart) return null;
    const p = this.normalised(e.clientX, e.clientY);
    return {
      x: Math.min(p.x, this.dragStart.x),
      y: Math.min(p.y, this.dragStart.y),
      w: Math.abs(p.x - this.dragStart.x),
      h: Math.abs(p.y - this.dragStart.y),
    };
  }

  private onDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    this.overlay.setPointerCapture(e.pointerId);
    this.dragStart = { ...this.normalised(e.clientX, e.clientY), pointerId: e.pointerId };
    e.preventDefault();
  }

  private onMove(e: PointerEvent): void {
    const rect = this.rectTo(e);
    if (rect) this.showRect(rect);
  }

  private onUp(e: PointerEvent): void {
    const rect = this.rectTo(e);
    this.dragStart = null;
    if (!rect) return;
    if (rect.w < 0.01 || rect.h < 0.01) {
      this.rectEl.hidden = true;
      return;
    }
    this.showRect(rect);
    void this.search(rect);
  }

  private async search(rect: Rect): Promise<void> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const period = this.opts.period();
    replace(this.results, h('p', {}, 'Searching…'));
    try {
      const { ranges } = await api.motion(this.opts.camera(), period, rect, controller.signal);
      this.opts.onRanges(ranges);
      const head = `${ranges.length} time${ranges.length === 1 ? '' : 's'} with motion in the rectangle between ` +
        `${formatDateTime(period.start_us)} and ${formatDateTime(period.end_us)}.`;
      replace(this.results, h('p', {}, head), h('ul', { class: 'motion-hits' }, ...ranges.map((r) =>
        h('li', {}, button(`${formatDateTime(r.start_us)} (${formatDuration(r.end_us - r.start_us)})`,
          () => this.opts.onOpen(r), { class: 'link' })))));
    } catch (e) {
      replace(this.results);
      reportError(this.opts.messages, 'motion', e);
    }
  }
}
