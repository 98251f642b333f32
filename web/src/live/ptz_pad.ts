// The PTZ pad of the live view (docs/ref/api.md "PTZ"): arrows and zoom buttons that move the
// camera while pressed (pointer events, so a finger on a phone works as a mouse does), the
// arrow keys and +/- while the video has focus, the position, and the camera's presets (go to,
// save the current position, remove). Shown only to operators and admins, and only when the
// camera has PTZ. Manual control only.
//
// A held button sends a move that stops by itself after kMoveTimeoutMs and renews it every
// kRenewMs while held, so a lost "stop" (tab closed, network gone) leaves the camera moving for
// at most a couple of seconds. Releasing sends a stop.

import { api, ApiError, type PtzInfo, type PtzMove } from '../api';
import { button, h, replace } from '../dom';
import type { MessageBar } from '../messages';
import { reportError } from '../page';

const kSpeed = 0.5;
const kMoveTimeoutMs = 2000;
const kRenewMs = 1000;
const kRefreshMs = 5000;

type Direction = Pick<PtzMove, 'pan' | 'tilt' | 'zoom'>;

const kKeys: Record<string, Direction> = {
  ArrowLeft: { pan: -kSpeed, tilt: 0, zoom: 0 },
  ArrowRight: { pan: kSpeed, tilt: 0, zoom: 0 },
  ArrowUp: { pan: 0, tilt: kSpeed, zoom: 0 },
  ArrowDown: { pan: 0, tilt: -kSpeed, zoom: 0 },
  '+': { pan: 0, tilt: 0, zoom: kSpeed },
  '=': { pan: 0, tilt: 0, zoom: kSpeed }, // the + key without Shift
  '-': { pan: 0, tilt: 0, zoom: -kSpeed },
};

function formatPart(v: number | null | undefined): string {
  return v === null || v === undefined ? '–' : v.toFixed(2);
}

export interface PtzPadOptions {
  camera: () => string;
  video: HTMLVideoElement; // keys move the camera while it has focus
  messages: MessageBar;
}

export class PtzPad {
  readonly el = h('section', { class: 'panel ptz-panel', hidden: true, 'aria-labelledby': 'ptz-heading',
    dataset: { testid: 'ptz' } });
  private readonly position = h('output', { class: 'ptz-position', dataset: { testid: 'ptz-position' },
    'aria-label': 'Camera position' });
  private readonly presetList = h('ul', { class: 'ptz-presets', dataset: { testid: 'ptz-presets' } });
  private readonly presetName = h('input', { type: 'text', maxlength: '64', placeholder: 'Name',
    'aria-label': 'Preset name', dataset: { testid: 'ptz-preset-name' } });
  private held: { dir: Direction; timer: number; source: string } | null = null;
  private refreshTimer = 0;
  private disposed = false;
  private readonly onKeyDown = (e: KeyboardEvent) => this.keyDown(e);
  private readonly onKeyUp = (e: KeyboardEvent) => this.keyUp(e);
  private readonly onBlur = () => this.release('key');

  constructor(private readonly opts: PtzPadOptions) {
    const arrow = (label: string, name: string, dir: Direction) => this.holdButton(label, name, dir);
    const pad = h('div', { class: 'ptz-pad', role: 'group', 'aria-label': 'Pan and tilt' },
      h('span'), arrow('▲', 'Tilt up', { pan: 0, tilt: kSpeed, zoom: 0 }), h('span'),
      arrow('◀', 'Pan left', { pan: -kSpeed, tilt: 0, zoom: 0 }),
      button('■', () => void this.stop(), { class: 'ptz-stop', 'aria-label': 'Stop', title: 'Stop',
        dataset: { testid: 'ptz-stop' } }),
      arrow('▶', 'Pan right', { pan: kSpeed, tilt: 0, zoom: 0 }),
      h('span'), arrow('▼', 'Tilt down', { pan: 0, tilt: -kSpeed, zoom: 0 }), h('span'));
    const zoom = h('div', { class: 'ptz-zoom', role: 'group', 'aria-label': 'Zoom' },
      this.holdButton('+', 'Zoom in', { pan: 0, tilt: 0, zoom: kSpeed }),
      this.holdButton('−', 'Zoom out', { pan: 0, tilt: 0, zoom: -kSpeed }));
    const save = h('form', { class: 'ptz-save', on: { submit: (e: Event) => {
      e.preventDefault();
      void this.savePreset();
    } } }, this.presetName, h('button', { type: 'submit', dataset: { testid: 'ptz-preset-save' } }, 'Save position'));
    this.el.append(
      h('h2', { id: 'ptz-heading' }, 'Pan, tilt, zoom'),
      h('div', { class: 'ptz-controls' }, pad, zoom),
      h('p', { class: 'muted ptz-hint' }, 'Hold a button, or click the video and hold the arrow keys or + and −.'),
      this.position,
      h('h3', {}, 'Presets'),
      this.presetList,
      save);
    opts.video.tabIndex = 0; // focusable, for the keys
    opts.video.addEventListener('keydown', this.onKeyDown);
    opts.video.addEventListener('keyup', this.onKeyUp);
    opts.video.addEventListener('blur', this.onBlur);
  }

  // Asks the server whether the camera has PTZ; shows the pad if so, and keeps the position fresh.
  async load(): Promise<void> {
    clearTimeout(this.refreshTimer);
    let info: PtzInfo;
    try {
      info = await api.ptz(this.opts.camera());
    } catch (e) {
      // A camera that does not answer now may later: the pad stays as it was.
      if (!(e instanceof ApiError && (e.status === 403 || e.status === 404))) {
        reportError(this.opts.messages, 'ptz', e);
        this.scheduleRefresh();
      }
      return;
    }
    if (this.disposed) return;
    this.el.hidden = !info.supported;
    if (!info.supported) return;
    this.opts.messages.clear('ptz');
    this.show(info);
    this.scheduleRefresh();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.refreshTimer);
    if (this.held) this.release(this.held.source);
    this.opts.video.removeEventListener('keydown', this.onKeyDown);
    this.opts.video.removeEventListener('keyup', this.onKeyUp);
    this.opts.video.removeEventListener('blur', this.onBlur);
  }

  private scheduleRefresh(): void {
    if (this.disposed) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(() => void this.load(), kRefreshMs);
  }

  private show(info: PtzInfo): void {
    const p = info.position;
    this.position.textContent = `Pan ${formatPart(p?.pan)} · Tilt ${formatPart(p?.tilt)} · Zoom ${formatPart(p?.zoom)}` +
      (info.move_status === 'moving' ? ' · moving' : '');
    this.position.dataset.pan = String(p?.pan ?? '');
    this.position.dataset.tilt = String(p?.tilt ?? '');
    this.position.dataset.zoom = String(p?.zoom ?? '');
    const presets = info.presets ?? [];
    replace(this.presetList, ...(presets.length ? presets.map((preset) => h('li', { dataset: { token: preset.token } },
      button(preset.name || preset.token, () => void this.gotoPreset(preset.token),
        { class: 'ptz-goto', title: `Go to ${preset.name || preset.token}` }),
      button('Remove', () => void this.removePreset(preset.token, preset.name),
        { class: 'ptz-remove', 'aria-label': `Remove preset ${preset.name || preset.token}` })))
      : [h('li', { class: 'muted' }, 'No presets yet.')]));
  }

  // A button that moves while pressed. Pointer capture keeps the release ours even when the
  // finger slides off the button; a cancelled touch (scroll, call) stops too.
  private holdButton(label: string, name: string, dir: Direction): HTMLButtonElement {
    const b = h('button', { type: 'button', class: 'ptz-hold', 'aria-label': name, title: name,
      dataset: { testid: `ptz-${name.toLowerCase().replace(/ /g, '-')}` } }, label);
    b.addEventListener('pointerdown', (e: PointerEvent) => {
      if (e.button !== 0) return;
      e.preventDefault();
      b.setPointerCapture(e.pointerId);
      this.press(dir, 'pointer');
    });
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) {
      b.addEventListener(type, () => this.release('pointer'));
    }
    // Keyboard users of the button itself: Enter/Space hold like a press.
    b.addEventListener('keydown', (e: KeyboardEvent) => {
      if ((e.key === 'Enter' || e.key === ' ') && !e.repeat) {
        e.preventDefault();
        this.press(dir, 'button-key');
      }
    });
    b.addEventListener('keyup', (e: KeyboardEvent) => {
      if (e.key === 'Enter' || e.key === ' ') this.release('button-key');
    });
    b.addEventListener('contextmenu', (e) => e.preventDefault()); // a long touch is a hold, not a menu
    return b;
  }

  private keyDown(e: KeyboardEvent): void {
    const dir = kKeys[e.key];
    if (!dir || this.el.hidden) return;
    e.preventDefault();
    if (e.repeat) return; // the renewal timer keeps a held key's move going
    this.press(dir, 'key');
  }

  private keyUp(e: KeyboardEvent): void {
    if (kKeys[e.key] && this.held?.source === 'key') this.release('key');
  }

  private press(dir: Direction, source: string): void {
    if (this.held) clearInterval(this.held.timer);
    const send = () => {
      api.ptzMove(this.opts.camera(), { ...dir, timeout_ms: kMoveTimeoutMs }).catch((e) => {
        reportError(this.opts.messages, 'ptz', e);
      });
    };
    this.held = { dir, source, timer: window.setInterval(send, kRenewMs) };
    this.el.dataset.moving = 'true';
    send();
  }

  private release(source: string): void {
    if (!this.held || this.held.source !== source) return;
    clearInterval(this.held.timer);
    this.held = null;
    delete this.el.dataset.moving;
    void this.stop();
  }

  private async stop(): Promise<void> {
    try {
      await api.ptzStop(this.opts.camera());
    } catch (e) {
      reportError(this.opts.messages, 'ptz', e);
    }
    await this.load();
  }

  private async gotoPreset(token: string): Promise<void> {
    try {
      await api.ptzGoto(this.opts.camera(), token);
    } catch (e) {
      reportError(this.opts.messages, 'ptz', e);
    }
    await this.load();
  }

  private async savePreset(): Promise<void> {
    const name = this.presetName.value.trim();
    if (!name) {
      this.opts.messages.show('ptz', 'Give the preset a name.', 'info', 5000);
      return;
    }
    try {
      await api.ptzSetPreset(this.opts.camera(), name);
      this.presetName.value = '';
      this.opts.messages.show('ptz', `Preset “${name}” saved.`, 'info', 3000);
    } catch (e) {
      reportError(this.opts.messages, 'ptz', e);
    }
    await this.load();
  }

  private async removePreset(token: string, name: string): Promise<void> {
    if (!window.confirm(`Remove the preset “${name || token}”?`)) return;
    try {
      await api.ptzRemovePreset(this.opts.camera(), token);
    } catch (e) {
      reportError(this.opts.messages, 'ptz', e);
    }
    await this.load();
  }
}
