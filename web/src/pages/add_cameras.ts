// Add cameras (admin): searches the network for ONVIF cameras (WS-Discovery on the LAN, an
// address range, or hosts typed in), shows what each one is, and writes the chosen ones into
// sightline.yaml as `onvif:` cameras (the server keeps a backup of the previous file). The
// recorder picks them up at its next start.

import { api } from '../api';
import { button, field, h, replace } from '../dom';
import { reportError, type Page, type PageContext } from '../page';
import { kCameraNamePattern, setupApi, type DiscoveredCamera, type DiscoveredStream, type NewCamera } from '../setup_api';

const kMessageKey = 'add-cameras';
// A camera clock further off than this breaks WS-Security and puts wrong times on evidence.
const kClockWarnMs = 5000;

function streamText(s: DiscoveredStream | null): string {
  if (!s) return '—';
  return `${s.codec} ${s.width}×${s.height}${s.fps ? ` ${s.fps} fps` : ''}`;
}

function clockText(ms: number | null): HTMLElement | string {
  if (ms === null) return '?';
  const text = `${ms >= 0 ? '+' : '−'}${(Math.abs(ms) / 1000).toFixed(1)} s`;
  return Math.abs(ms) > kClockWarnMs ? h('span', { class: 'badge badge-bad', title: 'Set the camera\'s clock or NTP server' }, text) : text;
}

function deviceLabel(c: DiscoveredCamera): string {
  const what = [c.manufacturer, c.model].filter(Boolean).join(' ') || 'Device';
  return `${what} at ${c.address || c.endpoint}`;
}

// One found device: its checkbox, the camera name, optional credentials of its own.
class DeviceRow {
  readonly tr: HTMLTableRowElement;
  private readonly pick: HTMLInputElement;
  private readonly name: HTMLInputElement;
  private readonly user = h('input', { autocomplete: 'off', autocapitalize: 'none', size: 10 });
  private readonly password = h('input', { type: 'password', autocomplete: 'new-password', size: 10 });
  private readonly statusCell = h('td', {});

  constructor(readonly camera: DiscoveredCamera) {
    const label = deviceLabel(camera);
    const usable = !camera.configured && !camera.error && camera.address !== '';
    this.pick = h('input', { type: 'checkbox', 'aria-label': `Add ${label}`, disabled: !usable, checked: false });
    this.name = h('input', { value: camera.suggested_name, 'aria-label': `Camera name for ${label}`, maxlength: 64,
      autocapitalize: 'none', spellcheck: 'false', disabled: !usable, size: 14,
      on: { input: () => this.name.setCustomValidity('') } });
    this.user.setAttribute('aria-label', `Camera user for ${label} (leave empty to use the one above)`);
    this.password.setAttribute('aria-label', `Camera password for ${label}`);
    this.renderStatus();
    this.tr = h('tr', { dataset: { address: camera.address } },
      h('td', {}, this.pick),
      h('td', {}, this.name),
      h('td', {}, h('div', {}, [camera.manufacturer, camera.model].filter(Boolean).join(' ') || '?'),
        camera.firmware ? h('div', { class: 'muted' }, `firmware ${camera.firmware}`) : null),
      h('td', { class: 'address' }, camera.address || camera.endpoint),
      h('td', {}, h('div', {}, `main: ${streamText(camera.main)}`), h('div', { class: 'muted' }, `sub: ${streamText(camera.sub)}`)),
      h('td', {}, clockText(camera.clock_offset_ms)),
      this.statusCell,
      h('td', {}, usable ? h('details', { class: 'own-credentials' }, h('summary', {}, 'Other credentials'),
        field('User', this.user), field('Password', this.password)) : null));
  }

  get selected(): boolean {
    return this.pick.checked && !this.pick.disabled;
  }

  // Checks the name against the rule, the other chosen names and the configured cameras; a
  // message naming the camera, or ''.
  check(taken: Set<string>): string {
    const name = this.name.value.trim();
    let problem = '';
    if (!kCameraNamePattern.test(name)) problem = 'use 1 to 64 letters, digits, _ or -';
    else if (taken.has(name)) problem = 'this name is already used';
    this.name.setCustomValidity(problem);
    this.name.setAttribute('aria-invalid', problem ? 'true' : 'false');
    taken.add(name);
    return problem ? `Camera name "${name}" (${deviceLabel(this.camera)}): ${problem}.` : '';
  }

  toNewCamera(user: string, password: string): NewCamera {
    const own = this.user.value.trim() !== '';
    const cam: NewCamera = { name: this.name.value.trim(), host: this.camera.address };
    const u = own ? this.user.value.trim() : user;
    if (u) {
      cam.user = u;
      cam.password = own ? this.password.value : password;
    }
    return cam;
  }

  markAdded(name: string): void {
    this.camera.configured = true;
    this.camera.configured_as = name;
    this.pick.checked = false;
    this.pick.disabled = true;
    this.name.disabled = true;
    this.renderStatus();
  }

  private renderStatus(): void {
    const c = this.camera;
    let status: HTMLElement;
    if (c.configured) status = h('span', { class: 'badge badge-ok' }, `in the config as ${c.configured_as}`);
    else if (c.error) status = h('span', { class: 'badge badge-bad', title: c.error }, `cannot be asked: ${c.error}`);
    else if (c.needs_credentials) status = h('span', { class: 'badge badge-bad' }, 'credentials needed');
    else status = h('span', { class: 'badge' }, 'ready');
    // What failed without stopping the set-up (no snapshots, say): shown, but no blocker.
    const notes = c.error || !c.problems.length ? null : h('div', { class: 'muted' }, c.problems.join('; '));
    replace(this.statusCell, status, notes);
  }
}

export function addCamerasPage(ctx: PageContext): Page {
  const multicast = h('input', { type: 'checkbox', name: 'multicast', checked: true });
  const range = h('input', { name: 'range', placeholder: '10.0.0.0/24', autocomplete: 'off', size: 18 });
  const hosts = h('input', { name: 'hosts', placeholder: '10.0.0.7 10.0.0.8:8000', autocomplete: 'off', size: 32 });
  const user = h('input', { name: 'camera-user', autocomplete: 'off', autocapitalize: 'none' });
  const password = h('input', { name: 'camera-password', type: 'password', autocomplete: 'new-password' });
  const discover = h('button', { type: 'submit', class: 'primary' }, 'Discover');
  const status = h('p', { class: 'muted', 'aria-live': 'polite', dataset: { testid: 'setup-status' } });
  const body = h('tbody');
  const results = h('div', { class: 'setup-results', hidden: true });
  const outcome = h('div', { role: 'status', dataset: { testid: 'setup-result' } });
  let rows: DeviceRow[] = [];
  let running: string[] = [];

  const search = async () => {
    ctx.messages.clear(kMessageKey);
    discover.disabled = true;
    status.textContent = 'Searching… (up to 20 s)';
    try {
      const req = {
        multicast: multicast.checked,
        range: range.value.trim() || undefined,
        hosts: hosts.value.split(/[\s,]+/).filter(Boolean),
        user: user.value.trim() || undefined,
        password: user.value.trim() ? password.value : undefined,
      };
      const [found, cams] = await Promise.all([setupApi.discover(req), api.cameras().catch(() => ({ cameras: [] }))]);
      running = cams.cameras.map((c) => c.name);
      rows = found.cameras.map((c) => new DeviceRow(c));
      replace(body, ...(rows.length ? rows.map((r) => r.tr)
        : [h('tr', {}, h('td', { colspan: 8, class: 'muted' }, 'No cameras answered. Try an address range or type their addresses.'))]));
      results.hidden = false;
      const fresh = found.cameras.filter((c) => !c.configured).length;
      status.textContent = `Found ${found.cameras.length} device(s), ${fresh} not in the config yet.`;
    } catch (e) {
      status.textContent = '';
      reportError(ctx.messages, kMessageKey, e);
    } finally {
      discover.disabled = false;
    }
  };

  const save = async () => {
    ctx.messages.clear(kMessageKey);
    const chosen = rows.filter((r) => r.selected);
    if (!chosen.length) {
      ctx.messages.show(kMessageKey, 'Tick the cameras to add first.');
      return;
    }
    const taken = new Set([...running, ...rows.map((r) => r.camera.configured_as).filter(Boolean)]);
    const problems = chosen.map((r) => r.check(taken)).filter(Boolean);
    if (problems.length) {
      ctx.messages.show(kMessageKey, problems.join(' '));
      return;
    }
    const cameras = chosen.map((r) => r.toNewCamera(user.value.trim(), password.value));
    try {
      const added = await setupApi.addCameras(cameras);
      chosen.forEach((r, i) => r.markAdded(cameras[i].name));
      replace(outcome, h('div', { class: 'notice' },
        h('strong', {}, `Added ${added.added.join(', ')}.`), ' ',
        `Written to ${added.config}; the previous file is kept as ${added.backup}. `,
        h('strong', {}, 'Restart Sightline to start recording them'), ' (for example: sudo systemctl restart sightline).'));
      outcome.scrollIntoView({ block: 'nearest' });
    } catch (e) {
      reportError(ctx.messages, kMessageKey, e);
    }
  };

  const form = h('form', { class: 'setup-search', 'aria-label': 'Search for cameras', on: { submit: (e: Event) => {
    e.preventDefault();
    void search();
  } } },
  h('label', { class: 'check' }, multicast, 'Ask every ONVIF camera on this network (multicast)'),
  h('div', { class: 'row' },
    field('Address range', range, 'optional, for other subnets: every address is asked'),
    field('Hosts', hosts, 'optional: addresses or device URLs, separated by spaces')),
  h('div', { class: 'row' },
    field('Camera user', user, 'most cameras only say what they are when asked with credentials'),
    field('Camera password', password, 'written into sightline.yaml; ${NAME} keeps it in the environment'),
    discover));

  const table = h('div', { class: 'table-wrap' }, h('table', { class: 'data', dataset: { testid: 'found-cameras' } },
    h('thead', {}, h('tr', {}, ...['Add', 'Name', 'Device', 'Address', 'Streams', 'Clock', 'Status', ''].map((t) =>
      h('th', { scope: 'col' }, t)))),
    body));
  replace(results, h('h2', {}, 'Found'), table,
    h('div', { class: 'row' }, button('Add the ticked cameras to the config', () => void save(), { class: 'primary' })),
    outcome);

  return {
    el: h('section', { class: 'page page-add-cameras' },
      h('h1', {}, 'Add cameras'),
      h('p', { class: 'muted' }, 'Finds ONVIF cameras and adds them to sightline.yaml as onvif: cameras: Sightline ' +
        'asks each camera for its streams and records the main one. The previous file is kept as a backup; the new ' +
        'cameras are recorded after Sightline restarts.'),
      form, status, results),
    title: 'Add cameras',
    dispose() {},
  };
}
