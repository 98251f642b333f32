// The events page: motion events of all permitted cameras, newest first, with thumbnails; an
// event opens the camera page at its start.

import { api, type MotionEvent } from '../api';
import { button, field, h } from '../dom';
import { fromLocalInputValue, kUsPerDay, nowUs, toLocalInputValue } from '../format';
import { reportError, type Page, type PageContext } from '../page';
import { timeInput } from '../time_input';
import { EventList } from './event_list';

const kPageSize = 100;
const kLeadUs = 2_000_000;

export function eventsPage(ctx: PageContext): Page {
  const camera = h('select', { name: 'camera' }, h('option', { value: '' }, 'All cameras'));
  const since = timeInput('since', { value: toLocalInputValue(nowUs() - kUsPerDay) });
  const until = timeInput('until');
  const list = new EventList({
    showCamera: true,
    emptyText: 'No motion events in this period.',
    onOpen: (ev) => ctx.navigate(`/camera/${encodeURIComponent(ev.camera)}?t=${ev.start_us - kLeadUs}`),
  });
  const more = button('Show older events', () => void load(true), { hidden: true });
  let shown: MotionEvent[] = [];

  async function load(older: boolean): Promise<void> {
    const start = fromLocalInputValue(since.value) ?? undefined;
    const end = older && shown.length ? shown[shown.length - 1].start_us : fromLocalInputValue(until.value) ?? nowUs();
    try {
      const { events } = await api.events({ camera: camera.value || undefined, start_us: start, end_us: end, limit: kPageSize });
      shown = older ? [...shown, ...events] : events;
      list.set(shown);
      more.hidden = events.length < kPageSize;
      ctx.messages.clear('events');
    } catch (e) {
      reportError(ctx.messages, 'events', e);
    }
  }

  api.cameras().then(({ cameras }) => {
    camera.append(...cameras.map((c) => h('option', { value: c.name }, c.name)));
  }, (e) => reportError(ctx.messages, 'events', e));
  void load(false);

  const form = h('form', { class: 'filters', on: { submit: (e: Event) => {
    e.preventDefault();
    void load(false);
  } } }, field('Camera', camera), field('From', since), field('To', until, 'empty: now'),
  h('button', { type: 'submit', class: 'primary' }, 'Show'));

  return {
    el: h('section', { class: 'page page-events' }, h('h1', {}, 'Motion events'), form, list.el, more),
    title: 'Events',
    dispose() {},
  };
}
