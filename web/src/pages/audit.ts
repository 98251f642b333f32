// The audit log (admin): who did what, when, on which camera; filters and paging by before_id.

import { api, type AuditRecord } from '../api';
import { button, field, h, replace } from '../dom';
import { formatDateTime, formatTime, fromLocalInputValue } from '../format';
import { reportError, type Page, type PageContext } from '../page';
import { timeInput } from '../time_input';

const kPageSize = 100;

function rangeText(r: AuditRecord): string {
  if (!r.start_us) return '';
  if (!r.end_us) return formatDateTime(r.start_us);
  return `${formatDateTime(r.start_us)} to ${formatTime(r.end_us)}`;
}

export function auditPage(ctx: PageContext): Page {
  const user = h('input', { name: 'user', autocomplete: 'off', autocapitalize: 'none' });
  // Filled from the server's list (GET /api/audit/actions), so it offers what is written.
  const action = h('select', { name: 'action' }, h('option', { value: '' }, 'Any action'));
  const camera = h('select', { name: 'camera' }, h('option', { value: '' }, 'Any camera'));
  const since = timeInput('since');
  const until = timeInput('until');
  const tbody = h('tbody');
  const more = button('Show older records', () => void load(true), { hidden: true });
  const empty = h('p', { class: 'empty', hidden: true }, 'No audit records match these filters.');
  let lastId: number | null = null;

  async function load(older: boolean): Promise<void> {
    try {
      const { records } = await api.audit({
        user: user.value.trim() || undefined,
        action: action.value || undefined,
        camera: camera.value || undefined,
        since_us: fromLocalInputValue(since.value) ?? undefined,
        until_us: fromLocalInputValue(until.value) ?? undefined,
        limit: kPageSize,
        before_id: older && lastId !== null ? lastId : undefined,
      });
      const rows = records.map((r) => h('tr', { dataset: { action: r.action, id: String(r.id) } },
        h('td', {}, formatDateTime(r.time_us)),
        h('td', {}, r.user),
        h('td', {}, r.action),
        h('td', {}, r.camera),
        h('td', {}, rangeText(r)),
        h('td', {}, r.remote),
        h('td', { class: 'detail' }, r.detail),
        h('td', {}, r.ok ? 'yes' : h('span', { class: 'badge badge-bad' }, 'failed'))));
      if (older) tbody.append(...rows);
      else replace(tbody, ...rows);
      if (records.length) lastId = records[records.length - 1].id;
      more.hidden = records.length < kPageSize;
      empty.hidden = tbody.children.length > 0;
      ctx.messages.clear('audit');
    } catch (e) {
      reportError(ctx.messages, 'audit', e);
    }
  }

  api.auditActions().then(({ actions }) => {
    action.append(...actions.map((a) => h('option', { value: a }, a)));
    action.dataset.loaded = 'true';
  }, (e) => reportError(ctx.messages, 'audit', e));
  api.cameras().then(({ cameras }) => {
    camera.append(...cameras.map((c) => h('option', { value: c.name }, c.name)));
  }, (e) => reportError(ctx.messages, 'audit', e));
  void load(false);

  const form = h('form', { class: 'filters', on: { submit: (e: Event) => {
    e.preventDefault();
    lastId = null;
    void load(false);
  } } },
  field('User', user), field('Action', action), field('Camera', camera), field('From', since), field('To', until),
  h('button', { type: 'submit', class: 'primary' }, 'Filter'));

  return {
    el: h('section', { class: 'page page-audit' },
      h('h1', {}, 'Audit log'),
      form,
      h('div', { class: 'table-wrap' }, h('table', { class: 'data', dataset: { testid: 'audit' } },
        h('thead', {}, h('tr', {}, ...['Time', 'User', 'Action', 'Camera', 'Range', 'From', 'Detail', 'OK']
          .map((t) => h('th', { scope: 'col' }, t)))),
        tbody)),
      empty,
      more),
    title: 'Audit log',
    dispose() {},
  };
}
