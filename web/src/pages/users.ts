// Users and permissions (admin): list, add, change role, password, cameras, disable, delete,
// and each user's API tokens.

import { api, type ApiToken, type Role, type User } from '../api';
import { button, field, h, replace } from '../dom';
import { formatDateTime } from '../format';
import { reportError, type Page, type PageContext } from '../page';

const kRoles: Array<{ role: Role; text: string }> = [
  { role: 'viewer', text: 'viewer: watches permitted cameras' },
  { role: 'operator', text: 'operator: also exports, snapshots, evidence locks' },
  { role: 'admin', text: 'admin: every camera, users, audit, system' },
];

function roleSelect(value: Role): HTMLSelectElement {
  return h('select', { name: 'role' }, ...kRoles.map((r) => h('option', { value: r.role, selected: r.role === value }, r.text)));
}

// Checkboxes for the cameras a viewer or operator may see; hidden for admins (they see all).
class CameraPicker {
  readonly el: HTMLFieldSetElement;
  private readonly boxes: HTMLInputElement[];

  constructor(all: string[], chosen: string[]) {
    this.boxes = all.map((name) => h('input', { type: 'checkbox', value: name, checked: chosen.includes(name) }));
    this.el = h('fieldset', { class: 'camera-picker' }, h('legend', {}, 'Cameras this user may view'),
      ...(all.length ? this.boxes.map((b) => h('label', { class: 'check' }, b, b.value)) : [h('span', { class: 'muted' }, 'No cameras configured.')]));
  }

  get value(): string[] {
    return this.boxes.filter((b) => b.checked).map((b) => b.value);
  }

  showFor(role: Role): void {
    this.el.hidden = role === 'admin';
  }
}

// A user's API tokens: the list with revoke buttons, and a form for a new one whose secret is
// shown once (the server keeps only its digest).
function tokenPanel(ctx: PageContext, user: string): HTMLFieldSetElement {
  const list = h('tbody');
  const secretSlot = h('div');
  const when = (us: number, none: string) => (us ? formatDateTime(us) : none);
  const load = async () => {
    try {
      const { tokens } = await api.tokens(user);
      replace(list, ...(tokens.length ? tokens.map(tokenRow)
        : [h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No API tokens.'))]));
    } catch (e) {
      reportError(ctx.messages, 'users', e);
    }
  };
  const tokenRow = (t: ApiToken) => {
    const expired = t.expires_us !== 0 && t.expires_us <= Date.now() * 1000;
    return h('tr', { dataset: { token: t.name } },
      h('td', {}, t.name),
      h('td', {}, when(t.created_us, '')),
      h('td', {}, when(t.last_used_us, 'never')),
      h('td', {}, expired ? h('span', { class: 'badge badge-bad' }, 'expired') : when(t.expires_us, 'never')),
      h('td', {}, button('Revoke', () => void revoke(t.name), { class: 'danger', 'aria-label': `Revoke token ${t.name}` })));
  };
  const revoke = async (name: string) => {
    if (!confirm(`Revoke the API token ${name} of ${user}? Scripts using it stop working.`)) return;
    try {
      await api.revokeToken(user, name);
      await load();
    } catch (e) {
      reportError(ctx.messages, 'users', e);
    }
  };
  const name = h('input', { name: 'token-name', required: true, autocomplete: 'off', maxlength: 64 });
  const days = h('input', { name: 'token-days', type: 'number', min: 0, max: 3660, value: '90', required: true });
  const create = async () => {
    try {
      const made = await api.createToken(user, name.value.trim(), Number(days.value));
      const secret = h('input', { readonly: true, value: made.token, 'aria-label': 'New API token', size: 48 });
      replace(secretSlot, h('p', {}, `Token ${made.name}: copy it now, it is not shown again. Scripts send it as `,
        h('code', {}, 'Authorization: Bearer TOKEN'), '.'), secret);
      secret.select();
      name.value = '';
      await load();
    } catch (e) {
      reportError(ctx.messages, 'users', e);
    }
  };
  void load();
  return h('fieldset', { class: 'tokens' }, h('legend', {}, 'API tokens'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
      h('thead', {}, h('tr', {}, ...['Name', 'Created', 'Last used', 'Expires', ''].map((t) => h('th', { scope: 'col' }, t)))),
      list)),
    h('form', { class: 'row', 'aria-label': `New API token for ${user}`, on: { submit: (e: Event) => {
      e.preventDefault();
      void create();
    } } }, field('Token name', name), field('Days valid', days, '0: never expires'),
    h('button', { type: 'submit' }, 'Create token')),
    secretSlot);
}

export function usersPage(ctx: PageContext): Page {
  const table = h('tbody');
  const status = h('p', { class: 'muted', 'aria-live': 'polite' });
  let cameras: string[] = [];

  const say = (text: string) => {
    status.textContent = text;
  };

  async function reload(): Promise<void> {
    try {
      const [{ users }, cams] = await Promise.all([api.users(), api.cameras()]);
      cameras = cams.cameras.map((c) => c.name);
      replace(table, ...users.map(row));
      replace(addSlot, addForm());
      ctx.messages.clear('users');
    } catch (e) {
      reportError(ctx.messages, 'users', e);
    }
  }

  function row(user: User): HTMLTableRowElement {
    const self = user.name === ctx.user.name;
    const cams = user.role === 'admin' ? 'all' : user.cameras.join(', ') || 'none';
    const edit = button('Edit', () => tr.after(editor(user, tr)), { 'aria-label': `Edit ${user.name}` });
    const tr = h('tr', { dataset: { user: user.name } },
      h('td', {}, user.name, self ? h('span', { class: 'muted' }, ' (you)') : null),
      h('td', {}, user.role),
      h('td', {}, cams),
      h('td', {}, user.disabled ? h('span', { class: 'badge badge-bad' }, 'disabled') : 'active'),
      h('td', {}, edit));
    return tr;
  }

  function editor(user: User, tr: HTMLTableRowElement): HTMLTableRowElement {
    if (tr.nextElementSibling?.classList.contains('editor')) tr.nextElementSibling.remove();
    const self = user.name === ctx.user.name;
    const role = roleSelect(user.role);
    role.disabled = self; // an admin cannot demote themselves
    const picker = new CameraPicker(cameras, user.cameras);
    picker.showFor(user.role);
    role.addEventListener('change', () => picker.showFor(role.value as Role));
    const disabled = h('input', { type: 'checkbox', checked: user.disabled, disabled: self });
    const password = h('input', { type: 'password', autocomplete: 'new-password', name: 'new-password' });
    const close = () => editorRow.remove();
    const save = async () => {
      const change: Parameters<typeof api.changeUser>[1] = {};
      if (role.value !== user.role) change.role = role.value as Role;
      if (disabled.checked !== user.disabled) change.disabled = disabled.checked;
      if (password.value) change.password = password.value;
      if (role.value !== 'admin' && picker.value.join('\n') !== user.cameras.join('\n')) change.cameras = picker.value;
      if (!Object.keys(change).length) {
        close();
        return;
      }
      try {
        const updated = await api.changeUser(user.name, change);
        tr.replaceWith(row(updated));
        close();
        say(`Saved ${updated.name}.` + (change.password ? ' Their sessions were ended and API tokens revoked.'
          : change.disabled ? ' Their sessions were ended.' : ''));
      } catch (e) {
        reportError(ctx.messages, 'users', e);
      }
    };
    const remove = async () => {
      if (!confirm(`Delete the user ${user.name}? This cannot be undone.`)) return;
      try {
        await api.deleteUser(user.name);
        tr.remove();
        close();
        say(`Deleted ${user.name}.`);
      } catch (e) {
        reportError(ctx.messages, 'users', e);
      }
    };
    const editorRow = h('tr', { class: 'editor' }, h('td', { colspan: 5 },
      h('form', { class: 'edit-user', 'aria-label': `Edit ${user.name}`, on: { submit: (e: Event) => {
        e.preventDefault();
        void save();
      } } },
        field('Role', role), picker.el,
        h('label', { class: 'check' }, disabled, 'Disabled (cannot log in)'),
        field('New password', password, 'leave empty to keep the current one; a new one revokes their API tokens'),
        h('div', { class: 'row' },
          h('button', { type: 'submit', class: 'primary' }, 'Save'),
          button('Cancel', close),
          self ? null : button('Delete user', () => void remove(), { class: 'danger' }))),
      tokenPanel(ctx, user.name)));
    return editorRow;
  }

  function addForm(): HTMLFormElement {
    const name = h('input', { name: 'name', required: true, autocomplete: 'off', autocapitalize: 'none' });
    const password = h('input', { name: 'password', type: 'password', required: true, autocomplete: 'new-password' });
    const role = roleSelect('viewer');
    const picker = new CameraPicker(cameras, []);
    role.addEventListener('change', () => picker.showFor(role.value as Role));
    return h('form', { class: 'add-user', on: { submit: async (e: Event) => {
      e.preventDefault();
      try {
        const user = await api.addUser({ name: name.value.trim(), password: password.value, role: role.value as Role,
          cameras: role.value === 'admin' ? [] : picker.value });
        table.append(row(user));
        say(`Added ${user.name}.`);
        replace(addSlot, addForm());
      } catch (err) {
        reportError(ctx.messages, 'users', err);
      }
    } } },
    h('h2', {}, 'Add a user'),
    h('div', { class: 'row' }, field('Name', name), field('Password', password), field('Role', role)),
    picker.el,
    h('button', { type: 'submit', class: 'primary' }, 'Add user'));
  }

  const addSlot = h('div');
  void reload();

  return {
    el: h('section', { class: 'page page-users' },
      h('h1', {}, 'Users and permissions'),
      h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, ...['Name', 'Role', 'Cameras', 'Status', ''].map((t) => h('th', { scope: 'col' }, t)))),
        table)),
      status,
      addSlot),
    title: 'Users',
    dispose() {},
  };
}
