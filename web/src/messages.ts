// The message bar at the top of every page: errors and notices as sentences, each under a key so
// the code that raised one can clear it (e.g. "network" clears as soon as the server answers).

import { h, button } from './dom';

export type MessageKind = 'error' | 'info';

export class MessageBar {
  readonly el = h('div', { class: 'message-bar', role: 'status', 'aria-live': 'polite' });
  private readonly items = new Map<string, HTMLElement>();

  private readonly timers = new Map<string, number>();

  // Shows `message` under `key`, replacing what was there; `timeoutMs` clears it later.
  show(key: string, message: string, kind: MessageKind = 'error', timeoutMs = 0): void {
    clearTimeout(this.timers.get(key));
    if (timeoutMs) this.timers.set(key, window.setTimeout(() => this.clear(key), timeoutMs));
    const text = h('span', { class: 'message-text' }, message);
    const item = h('div', { class: `message message-${kind}`, role: kind === 'error' ? 'alert' : null, dataset: { key } },
      text, button('Dismiss', () => this.clear(key), { class: 'message-close', 'aria-label': 'Dismiss message' }));
    const old = this.items.get(key);
    if (old) old.replaceWith(item);
    else this.el.append(item);
    this.items.set(key, item);
  }

  clear(key: string): void {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.items.get(key)?.remove();
    this.items.delete(key);
  }

  clearAll(except: string[] = []): void {
    for (const key of [...this.items.keys()]) if (!except.includes(key)) this.clear(key);
  }
}
