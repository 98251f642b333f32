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
    const label = `${this.opts.showCamera ? `${ev.camera}, ` : ''}${formatDateTime(ev.start_us)}, ${duration}`;
    return h('li', { class: 'event', dataset: { eventId: String(ev.id) } },
      h('button', { type: 'button', class: 'event-open', 'aria-label': `Play motion event: ${label}`,
        on: { click: () => this.opts.onOpen(ev) } },
        h('img', { class: 'event-thumb', src: thumbnailUrl(ev.id), alt: '', loading: 'lazy', width: 160, height: 90 }),
        h('span', { class: 'event-text' },
          this.opts.showCamera ? h('strong', {}, ev.camera) : null,
          h('span', {}, formatDateTime(ev.start_us)),
          h('span', { class: 'muted' }, `${duration} · ${Math.round(ev.peak_fraction * 100)}% of the picture moved` +
            (ev.zones?.length ? ` · ${ev.zones.join(', ')}` : '')))));
  }
}
