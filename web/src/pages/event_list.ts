// A list of motion events with thumbnails (GET /api/events), used by the camera page and the
// events page.

import { thumbnailUrl, type MotionEvent } from '../api';
import { h, replace } from '../dom';
import { formatDateTime, formatDuration } from '../format';

export interface EventListOptions {
  showCamera: boolean;
  onOpen(event: MotionEvent): void;
  emptyText: string;
}

export class EventList {
  readonly el = h('ul', { class: 'event-list' });

  constructor(private readonly opts: EventListOptions) {}

  set(events: MotionEvent[]): void {
    if (!events.length) {
      replace(this.el, h('li', { class: 'empty' }, this.opts.emptyText));
      return;
    }
    replace(this.el, ...events.map((ev) => this.item(ev)));
  }

  private item(ev: MotionEvent): HTMLElement {
    const duration = ev.end_us ? formatDuration(ev.end_us - ev.start_us) : 'ongoing';
    const fromCamera = cameraEventLabel(ev.source);
    const label = `${this.opts.showCamera ? `${ev.camera}, ` : ''}${fromCamera ? `${fromCamera}, ` : ''}` +
      `${formatDateTime(ev.start_us)}, ${duration}`;
    const detail = fromCamera
      ? `${duration} · ${fromCamera}`
      : `${duration} · ${Math.round(ev.peak_fraction * 100)}% of the picture moved` +
        (ev.zones?.length ? ` · ${ev.zones.join(', ')}` : '');
    // Events the camera reported have no picture of their own: a labelled box stands in.
    const picture = ev.thumbnail === false
      ? h('span', { class: 'event-thumb event-thumb-none', 'aria-hidden': 'true' }, fromCamera ?? 'no picture')
      : h('img', { class: 'event-thumb', src: thumbnailUrl(ev.id), alt: '', loading: 'lazy', width: 160, height: 90 });
    return h('li', { class: 'event', dataset: { eventId: String(ev.id), source: ev.source ?? '' } },
      h('button', { type: 'button', class: 'event-open', 'aria-label': `Play ${fromCamera ? 'camera' : 'motion'} event: ${label}`,
        on: { click: () => this.opts.onOpen(ev) } },
        picture,
        h('span', { class: 'event-text' },
          this.opts.showCamera ? h('strong', {}, ev.camera) : null,
          h('span', {}, formatDateTime(ev.start_us)),
          h('span', { class: 'muted' }, detail))));
  }
}

// "Camera: motion", "Camera: tamper", "Camera: input DI_1" for events a camera reported itself
// over ONVIF; null for Sightline's own motion analysis.
export function cameraEventLabel(source: string | undefined): string | null {
  if (!source) return null;
  const [origin, kind, input] = source.split(':');
  if (origin !== 'onvif' || !kind) return `Camera: ${source}`;
  return kind === 'input' ? `Camera: input ${input ?? ''}`.trim() : `Camera: ${kind}`;
}
