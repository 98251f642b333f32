// The app shell: history-API routing (the server answers index.html for every non-API path), the
// session (GET /api/me, back to /login on any 401), the navigation bar and the message bar.

import { ApiError, api, kNetworkErrorMessage, setApiListener, type User } from './api';
import { button, h, replace } from './dom';
import { timeZoneLabel } from './format';
import { MessageBar } from './messages';
import type { Page, PageContext } from './page';
import { addCamerasPage } from './pages/add_cameras';
import { auditPage } from './pages/audit';
import { eventsPage } from './pages/events';
import { gridPage } from './pages/grid';
import { loginPage } from './pages/login';
import { systemPage } from './pages/system';
import { usersPage } from './pages/users';

type PageFactory = (ctx: PageContext) => Page;

interface Route {
  pattern: RegExp; // groups are named after PageContext.params
  page: PageFactory | (() => Promise<PageFactory>);
  lazy?: boolean; // `page` loads the factory: its code (hls.js) is fetched when first needed
  nav?: { label: string; href: string }; // entry in the navigation bar
  admin?: boolean;
}

const kRoutes: Route[] = [
  { pattern: /^\/$/, page: gridPage, nav: { label: 'Live', href: '/' } },
  { pattern: /^\/camera\/(?<camera>[^/]+)$/, page: () => import('./pages/camera').then((m) => m.cameraPage), lazy: true },
  { pattern: /^\/events$/, page: eventsPage, nav: { label: 'Events', href: '/events' } },
  { pattern: /^\/users$/, page: usersPage, nav: { label: 'Users', href: '/users' }, admin: true },
  { pattern: /^\/audit$/, page: auditPage, nav: { label: 'Audit log', href: '/audit' }, admin: true },
  { pattern: /^\/system$/, page: systemPage, nav: { label: 'System', href: '/system' }, admin: true },
  { pattern: /^\/cameras\/add$/, page: addCamerasPage, nav: { label: 'Add cameras', href: '/cameras/add' }, admin: true },
];

const kRetryMs = 3000;

export class App {
  private readonly messages = new MessageBar();
  private readonly nav = h('nav', { class: 'nav', 'aria-label': 'Main' });
  private readonly main = h('main', { class: 'main', id: 'main' });
  private user: User | null = null;
  private page: Page | null = null;
  private loginNotice = '';
  private retryTimer = 0;
  private renderCount = 0; // a render that awaited something gives way to a newer one

  constructor(root: HTMLElement) {
    replace(root,
      h('a', { class: 'skip', href: '#main' }, 'Skip to content'),
      h('header', { class: 'topbar' }, h('a', { class: 'brand', href: '/' }, 'Sightline'), this.nav),
      this.messages.el,
      this.main);
  }

  start(): void {
    setApiListener({
      unauthorized: () => this.sessionEnded(),
      reachable: (ok) => {
        if (ok) this.messages.clear('network');
        else this.messages.show('network', kNetworkErrorMessage);
      },
    });
    window.addEventListener('error', (e) => this.scriptError(e.error ?? e.message));
    window.addEventListener('unhandledrejection', (e) => this.scriptError(e.reason));
    window.addEventListener('popstate', () => void this.render());
    document.addEventListener('click', (e) => this.onLinkClick(e));
    void this.render();
  }

  navigate(path: string, opts: { replace?: boolean } = {}): void {
    if (opts.replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    void this.render();
  }

  // Same-origin links to UI pages are routed here instead of reloading the page.
  private onLinkClick(e: MouseEvent): void {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || a.hasAttribute('download') || (a.target && a.target !== '_self')) return;
    const href = new URL(a.href, location.href);
    if (href.origin !== location.origin || href.pathname.startsWith('/api/')) return;
    if (href.pathname === location.pathname && href.search === location.search && href.hash) return;
    e.preventDefault();
    this.navigate(href.pathname + href.search);
  }

  private scriptError(reason: unknown): void {
    if ((reason as Error)?.name === 'AbortError') return;
    if (reason instanceof ApiError) {
      if (reason.status !== 401 && reason.status !== 0) this.messages.show('script', reason.message);
      return;
    }
    const what = reason instanceof Error ? reason.message : String(reason ?? 'unknown error');
    this.messages.show('script', `Something went wrong on this page (${what}). Reloading the page may help.`);
  }

  private sessionEnded(): void {
    if (location.pathname === '/login') return;
    this.user = null;
    const next = location.pathname + location.search;
    this.navigate(`/login?next=${encodeURIComponent(next)}`, { replace: true });
  }

  private setPage(page: Page | null, title: string): void {
    this.page?.dispose();
    this.page = page;
    if (page) replace(this.main, page.el);
    document.title = `${title} · Sightline`;
  }

  private async render(): Promise<void> {
    clearTimeout(this.retryTimer);
    const render = ++this.renderCount;
    this.messages.clearAll(['network']);
    const path = location.pathname;
    const query = new URLSearchParams(location.search);
    if (path === '/login') {
      this.showLogin(query);
      return;
    }
    if (!this.user) {
      try {
        const user = await api.me();
        if (render !== this.renderCount) return;
        this.user = user;
      } catch (e) {
        if (render !== this.renderCount) return;
        if (e instanceof ApiError && e.status === 503) {
          this.loginNotice = e.message;
          this.navigate(`/login?next=${encodeURIComponent(path + location.search)}`, { replace: true });
        } else if (!(e instanceof ApiError && e.status === 401)) {
          // No answer: say so and try again (the network message is already shown).
          this.setPage(null, 'Sightline');
          replace(this.main, h('p', { class: 'empty' }, e instanceof ApiError && e.status !== 0 ? e.message : kNetworkErrorMessage));
          this.retryTimer = window.setTimeout(() => void this.render(), kRetryMs);
        }
        return;
      }
    }
    const user = this.user;
    this.renderNav(user, path);
    for (const route of kRoutes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      if (route.admin && user.role !== 'admin') {
        this.setPage(this.textPage('This page is for administrators.'), 'Not allowed');
        return;
      }
      const params: Record<string, string> = {};
      try {
        for (const [k, v] of Object.entries(m.groups ?? {})) params[k] = decodeURIComponent(v);
      } catch {
        break; // a malformed %-escape: no such page
      }
      let factory = route.page as PageFactory;
      if (route.lazy) {
        try {
          factory = await (route.page as () => Promise<PageFactory>)();
        } catch {
          this.setPage(this.textPage('This page could not be loaded. Check the connection and reload.'), 'Error');
          return;
        }
        if (render !== this.renderCount) return;
      }
      const page = factory({
        user,
        messages: this.messages,
        params,
        query,
        navigate: (p, opts) => this.navigate(p, opts),
      });
      this.setPage(page, page.title);
      return;
    }
    this.setPage(this.textPage('There is no such page.'), 'Not found');
  }

  private textPage(text: string): Page {
    return { el: h('section', { class: 'page' }, h('p', { class: 'empty' }, text, ' ', h('a', { href: '/' }, 'Go to the live view.'))),
      title: text, dispose() {} };
  }

  private showLogin(query: URLSearchParams): void {
    replace(this.nav);
    const page = loginPage({
      notice: this.loginNotice,
      onLoggedIn: (user) => {
        this.user = user;
        this.loginNotice = '';
        const next = query.get('next');
        // Only paths inside the UI: never an absolute URL from the query (open redirect).
        this.navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
      },
    });
    this.setPage(page, page.title);
  }

  private renderNav(user: User, path: string): void {
    const links = kRoutes.filter((r) => r.nav && (!r.admin || user.role === 'admin')).map((r) => {
      const { label, href } = r.nav!;
      const current = href === path || (href === '/' && path.startsWith('/camera/'));
      return h('a', { href, 'aria-current': current ? 'page' : null }, label);
    });
    replace(this.nav,
      h('div', { class: 'nav-links' }, ...links),
      h('div', { class: 'nav-user' },
        h('span', { class: 'muted time-zone', dataset: { testid: 'time-zone' }, title: 'Times are shown in this time zone' },
          `Times: ${timeZoneLabel()}`),
        h('span', { class: 'muted', dataset: { testid: 'user' } }, `${user.name} (${user.role})`),
        button('Log out', () => void this.logout())));
  }

  private async logout(): Promise<void> {
    try {
      await api.logout();
    } catch {
      // The session may already be gone; the login page follows either way.
    }
    this.user = null;
    this.navigate('/login', { replace: true });
  }
}
