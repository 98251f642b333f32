// The camera page's timeline: recorded spans, gaps, motion events and motion-search hits over a
// window of 24 h, 1 h or 10 min, with the playhead. Click or drag to seek (or, in select mode, to
// select a range for export); arrow keys seek when it has focus.
//
// Contract: owned by one page; call dispose() when the page goes. Draws on a <canvas>, at most
// once per animation frame.

import type { TimeRange } from '../api';
import { formatDate, formatDateTime, formatTime, kUsPerDay, kUsPerHour, kUsPerMinute, nowUs } from '../format';
import { h } from '../dom';

export interface TimelineLayers {
  known: TimeRange | null; // the range the server was asked about: outside it nothing is known
  spans: TimeRange[];
  events: TimeRange[];
  motion: TimeRange[];
}

export interface Zoom {
  label: string;
  spanUs: number;
}

export const kZooms: Zoom[] = [
  { label: '24 h', spanUs: kUsPerDay },
  { label: '1 h', spanUs: kUsPerHour },
  { label: '10 min', spanUs: 10 * kUsPerMinute },
];

// The narrowest zoom whose view (which ends just after now) holds everything since `sinceUs`:
// the camera page opens there, so that a recording of a few minutes fills part of the
// timeline instead of a sliver of the 24 h view.
export function zoomToShow(sinceUs: number, now = nowUs()): number {
  const neededUs = now - sinceUs;
  const fitting = kZooms.filter((z) => z.spanUs * 0.95 >= neededUs).map((z) => z.spanUs);
  return fitting.length ? Math.min(...fitting) : kUsPerDay;
}

export interface TimelineOptions {
  onSeek(timeUs: number): void;
  onSelect(range: TimeRange | null): void;
  onViewChange(view: TimeRange): void;
  onZoomKey(direction: 1 | -1): void; // '+' zooms in, '-' out
}

// Canvas colours; the page around it is styled in styles.css with the same palette.
const kColors = {
  unknown: '#1b2129',
  gap: '#3a2a2a',
  span: '#2f8f5b',
  future: '#14181e',
  event: '#f0a030',
  motion: '#4fb3ff',
  selection: 'rgba(255, 255, 255, 0.18)',
  selectionEdge: '#ffffff',
  cursor: '#ff4d4d',
  now: '#8a96a3',
  tick: '#56616d',
  label: '#aab4bf',
};

// Recorded spans are drawn at least this wide: at 24 h one pixel is over a minute, and a
// short recording ending now would lie under the playhead and the "now" line.
const kMinSpanPx = 6;
const kHeightPx = 76;
const kBarTopPx = 12;
const kBarBottomPx = 42;
const kLabelSpacingPx = 72;
const kTickStepsUs = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720].map((m) => m * kUsPerMinute);

// [x0, x1] widened to `minPx` around its middle when narrower, kept left of `maxX` (now:
// nothing is recorded in the future) so that a span ending now stays beside the playhead.
function widened(x0: number, x1: number, minPx: number, maxX: number): [number, number] {
  if (x1 - x0 >= minPx) return [x0, x1];
  const right = Math.min(Math.max(maxX, x1), (x0 + x1 + minPx) / 2);
  return [right - minPx, right];
}

interface Drag {
  pointerId: number;
  select: boolean;
  anchorUs: number;
}

export class Timeline {
  readonly el: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly resizeObserver: ResizeObserver;
  private spanUs = kUsPerDay;
  private view: TimeRange;
  private cursorUs = nowUs();
  private scrubUs: number | null = null;
  private layers: TimelineLayers = { known: null, spans: [], events: [], motion: [] };
  private selection: TimeRange | null = null;
  private selectMode = false;
  private drag: Drag | null = null;
  private drawScheduled = 0;

  constructor(private readonly opts: TimelineOptions) {
    this.canvas = h('canvas', {
      class: 'timeline-canvas',
      tabindex: 0,
      role: 'slider',
      'aria-label': 'Timeline. Left and right arrows move the playhead; Shift moves further; + and - zoom.',
      on: {
        pointerdown: (e: PointerEvent) => this.onPointerDown(e),
        pointermove: (e: PointerEvent) => this.onPointerMove(e),
        pointerup: (e: PointerEvent) => this.onPointerUp(e),
        pointercancel: () => this.cancelDrag(),
        keydown: (e: KeyboardEvent) => this.onKey(e),
      },
    });
    this.el = h('div', { class: 'timeline' }, this.canvas);
    this.view = this.viewAround(this.cursorUs);
    this.resizeObserver = new ResizeObserver(() => this.scheduleDraw());
    this.resizeObserver.observe(this.canvas);
  }

  dispose(): void {
    this.resizeObserver.disconnect();
    cancelAnimationFrame(this.drawScheduled);
  }

  get viewRange(): TimeRange {
    return { ...this.view };
  }

  get zoomSpanUs(): number {
    return this.spanUs;
  }

  setZoom(spanUs: number): void {
    this.spanUs = spanUs;
    this.setView(this.viewAround(this.cursorUs));
  }

  setLayers(layers: Partial<TimelineLayers>): void {
    this.layers = { ...this.layers, ...layers };
    this.scheduleDraw();
  }

  // Moves the playhead; the view follows when the playhead nears its edges.
  setCursor(timeUs: number): void {
    this.cursorUs = timeUs;
    const margin = this.spanUs * 0.01;
    if (timeUs < this.view.start_us + margin || timeUs > this.view.end_us - margin) {
      this.setView(this.viewAround(timeUs));
    }
    this.updateAria();
    this.scheduleDraw();
  }

  setSelectMode(on: boolean): void {
    this.selectMode = on;
    this.canvas.classList.toggle('selecting', on);
  }

  setSelection(range: TimeRange | null): void {
    this.selection = range;
    this.scheduleDraw();
  }

  // A view `spanUs` wide centred on `timeUs`, but ending at most a little after now: the future
  // holds nothing to see.
  private viewAround(timeUs: number): TimeRange {
    let start = timeUs - this.spanUs / 2;
    const latestEnd = nowUs() + this.spanUs * 0.02;
    if (start + this.spanUs > latestEnd) start = latestEnd - this.spanUs;
    return { start_us: Math.round(start), end_us: Math.round(start + this.spanUs) };
  }

  private setView(view: TimeRange): void {
    this.view = view;
    this.opts.onViewChange({ ...view });
    this.scheduleDraw();
  }

  private timeAt(clientX: number): number {
    const rect = this.canvas.getBoundingClientRect();
    const f = Math.min(1, Math.max(0, (clientX - rect.left) / Math.max(1, rect.width)));
    return Math.round(this.view.start_us + f * this.spanUs);
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0) return;
    this.canvas.focus();
    this.canvas.setPointerCapture(e.pointerId);
    const t = this.timeAt(e.clientX);
    this.drag = { pointerId: e.pointerId, select: this.selectMode, anchorUs: t };
    if (this.drag.select) this.selection = { start_us: t, end_us: t };
    else this.scrubUs = t;
    this.scheduleDraw();
    e.preventDefault();
  }

  private onPointerMove(e: PointerEvent): void {
    if (!this.drag || e.pointerId !== this.drag.pointerId) return;
    const t = this.timeAt(e.clientX);
    if (this.drag.select) {
      this.selection = { start_us: Math.min(t, this.drag.anchorUs), end_us: Math.max(t, this.drag.anchorUs) };
    } else {
      this.scrubUs = t;
    }
    this.scheduleDraw();
  }

  private onPointerUp(e: PointerEvent): void {
    if (!this.drag || e.pointerId !== this.drag.pointerId) return;
    const drag = this.drag;
    this.drag = null;
    if (drag.select) {
      const sel = this.selection;
      const tooSmall = !sel || sel.end_us - sel.start_us < this.spanUs / 500;
      this.selection = tooSmall ? null : sel;
      this.opts.onSelect(this.selection ? { ...this.selection } : null);
    } else if (this.scrubUs !== null) {
      const t = this.scrubUs;
      this.scrubUs = null;
      this.opts.onSeek(t);
    }
    this.scheduleDraw();
  }

  private cancelDrag(): void {
    this.drag = null;
    this.scrubUs = null;
    this.scheduleDraw();
  }

  private onKey(e: KeyboardEvent): void {
    let step = 0;
    switch (e.key) {
      case 'ArrowLeft': step = -1; break;
      case 'ArrowRight': step = 1; break;
      case 'PageUp': step = -10; break;
      case 'PageDown': step = 10; break;
      case '+': case '=': this.opts.onZoomKey(1); e.preventDefault(); return;
      case '-': case '_': this.opts.onZoomKey(-1); e.preventDefault(); return;
      default: return;
    }
    e.preventDefault();
    // One step is 1% of the view (14 min at 24 h, 36 s at 1 h, 6 s at 10 min); Shift: 10%.
    const deltaUs = step * (e.shiftKey ? 10 : 1) * this.spanUs / 100;
    this.opts.onSeek(Math.round(Math.min(nowUs(), this.cursorUs + deltaUs)));
  }

  private updateAria(): void {
    this.canvas.setAttribute('aria-valuemin', String(Math.floor(this.view.start_us / 1e6)));
    this.canvas.setAttribute('aria-valuemax', String(Math.floor(this.view.end_us / 1e6)));
    this.canvas.setAttribute('aria-valuenow', String(Math.floor(this.cursorUs / 1e6)));
    this.canvas.setAttribute('aria-valuetext', formatDateTime(this.cursorUs));
  }

  private scheduleDraw(): void {
    if (this.drawScheduled) return;
    this.drawScheduled = requestAnimationFrame(() => {
      this.drawScheduled = 0;
      this.draw();
    });
  }

  private draw(): void {
    const widthPx = this.canvas.clientWidth;
    if (widthPx === 0) return;
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(widthPx * dpr) || this.canvas.height !== Math.round(kHeightPx * dpr)) {
      this.canvas.width = Math.round(widthPx * dpr);
      this.canvas.height = Math.round(kHeightPx * dpr);
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, widthPx, kHeightPx);

    const { start_us: viewStart } = this.view;
    const xOf = (t: number) => ((t - viewStart) / this.spanUs) * widthPx;
    const fill = (r: TimeRange, top: number, bottom: number, color: string, minWidthPx = 1) => {
      const x0 = Math.max(0, xOf(r.start_us));
      const x1 = Math.min(widthPx, xOf(r.end_us));
      if (x1 < 0 || x0 > widthPx) return;
      ctx.fillStyle = color;
      ctx.fillRect(x0, top, Math.max(minWidthPx, x1 - x0), bottom - top);
    };

    fill(this.view, kBarTopPx, kBarBottomPx, kColors.unknown);
    if (this.layers.known) fill(this.layers.known, kBarTopPx, kBarBottomPx, kColors.gap);
    const now = nowUs();
    fill({ start_us: now, end_us: this.view.end_us }, kBarTopPx, kBarBottomPx, kColors.future);
    ctx.fillStyle = kColors.span;
    for (const s of this.layers.spans) {
      const [x0, x1] = widened(xOf(s.start_us), xOf(s.end_us), kMinSpanPx, xOf(now));
      if (x1 < 0 || x0 > widthPx) continue;
      ctx.fillRect(x0, kBarTopPx, x1 - x0, kBarBottomPx - kBarTopPx);
    }
    for (const ev of this.layers.events) {
      fill({ start_us: ev.start_us, end_us: ev.end_us || now }, 2, kBarTopPx - 2, kColors.event, 2);
    }
    for (const m of this.layers.motion) fill(m, kBarBottomPx + 1, kBarBottomPx + 6, kColors.motion, 2);

    if (this.selection) {
      fill(this.selection, 0, kBarBottomPx + 6, kColors.selection);
      ctx.fillStyle = kColors.selectionEdge;
      for (const t of [this.selection.start_us, this.selection.end_us]) ctx.fillRect(xOf(t) - 1, 0, 2, kBarBottomPx + 6);
    }

    this.drawTicks(ctx, widthPx, xOf);

    ctx.fillStyle = kColors.now;
    ctx.fillRect(xOf(now) - 0.5, kBarTopPx, 1, kBarBottomPx - kBarTopPx);

    const cursor = this.scrubUs ?? this.cursorUs;
    const cx = xOf(cursor);
    ctx.fillStyle = kColors.cursor;
    ctx.fillRect(cx - 1, 0, 2, kBarBottomPx + 8);
    ctx.beginPath();
    ctx.moveTo(cx - 6, 0);
    ctx.lineTo(cx + 6, 0);
    ctx.lineTo(cx, 7);
    ctx.fill();
    if (this.scrubUs !== null) {
      ctx.font = '12px system-ui, sans-serif';
      const label = formatTime(this.scrubUs);
      const w = ctx.measureText(label).width + 8;
      const lx = Math.min(widthPx - w, Math.max(0, cx - w / 2));
      ctx.fillStyle = '#000000';
      ctx.fillRect(lx, kBarTopPx + 4, w, 16);
      ctx.fillStyle = '#ffffff';
      ctx.fillText(label, lx + 4, kBarTopPx + 16);
    }
  }

  private drawTicks(ctx: CanvasRenderingContext2D, widthPx: number, xOf: (t: number) => number): void {
    const minStepUs = (kLabelSpacingPx / widthPx) * this.spanUs;
    const stepUs = kTickStepsUs.find((s) => s >= minStepUs) ?? kTickStepsUs[kTickStepsUs.length - 1];
    // Ticks on local clock boundaries (10:00, 10:15 ...), not on UTC ones.
    const offsetUs = -new Date(this.view.start_us / 1000).getTimezoneOffset() * kUsPerMinute;
    let t = Math.ceil((this.view.start_us + offsetUs) / stepUs) * stepUs - offsetUs;
    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    for (; t <= this.view.end_us; t += stepUs) {
      const x = xOf(t);
      ctx.fillStyle = kColors.tick;
      ctx.fillRect(x - 0.5, kBarBottomPx + 7, 1, 6);
      const d = new Date(t / 1000);
      const midnight = d.getHours() === 0 && d.getMinutes() === 0;
      ctx.fillStyle = kColors.label;
      ctx.fillText(midnight ? formatDate(t).slice(5) : formatTime(t, false), Math.min(widthPx - 20, Math.max(20, x)),
        kHeightPx - 6);
    }
    ctx.textAlign = 'start';
  }
}
