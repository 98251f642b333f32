// What every page gets from the app shell, and what it gives back.

import { ApiError, isAbort, type User } from './api';
import type { MessageBar } from './messages';

export interface PageContext {
  user: User;
  messages: MessageBar;
  params: Record<string, string>; // from the route, e.g. {camera: "cam0"}
  query: URLSearchParams;
  navigate(path: string, opts?: { replace?: boolean }): void;
}

export interface Page {
  el: HTMLElement;
  title: string;
  dispose(): void; // stops timers, sockets and players
}

// Shows a failed request's sentence under `key`. A 401 (the app is already going to the login
// page), a network failure (the app shows one "cannot be reached" message) and an aborted request
// are not shown again here.
export function reportError(messages: MessageBar, key: string, e: unknown): void {
  if (isAbort(e)) return;
  if (e instanceof ApiError) {
    if (e.status === 401 || e.status === 0) return;
    messages.show(key, e.message);
    return;
  }
  messages.show(key, `Something went wrong: ${(e as Error)?.message ?? String(e)}`);
}

export function canOperate(user: User): boolean {
  return user.role === 'operator' || user.role === 'admin';
}

// Repeats `fn` every `intervalMs` (first run at once) until the returned function is called.
// A run does not start while the previous one is still going.
export function poll(fn: (signal: AbortSignal) => Promise<void>, intervalMs: number): () => void {
  const controller = new AbortController();
  let timer = 0;
  const run = async () => {
    try {
      await fn(controller.signal);
    } catch {
      // fn reports its own errors; polling goes on.
    }
    if (!controller.signal.aborted) timer = window.setTimeout(run, intervalMs);
  };
  void run();
  return () => {
    controller.abort();
    clearTimeout(timer);
  };
}
