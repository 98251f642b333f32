// The login page: POST /api/login; the browser keeps the session cookie. Until the first user
// exists the server answers 503 with how to create one, and this page shows that sentence.

import { ApiError, api, type User } from '../api';
import { field, h } from '../dom';

export interface LoginOptions {
  notice: string; // e.g. the 503 "create a user" message
  onLoggedIn(user: User): void;
}

const kHealthPollMs = 5000;

export function loginPage(opts: LoginOptions) {
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, autocapitalize: 'none',
    spellcheck: 'false' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Log in');
  const error = h('p', { class: 'error-text', role: 'alert', hidden: true, dataset: { testid: 'login-error' } });
  const notice = h('p', { class: 'notice', hidden: !opts.notice, dataset: { testid: 'login-notice' } }, opts.notice);

  const showError = (text: string) => {
    error.textContent = text;
    error.hidden = text === '';
  };

  // With no user yet, watch for the first one to be created, then drop the notice.
  let healthTimer = 0;
  const watchHealth = () => {
    healthTimer = window.setTimeout(async () => {
      try {
        if ((await api.health()).users) {
          notice.hidden = true;
          return;
        }
      } catch {
        // The server may be restarting; keep watching.
      }
      watchHealth();
    }, kHealthPollMs);
  };
  if (opts.notice) watchHealth();

  const form = h('form', { class: 'login-form', on: { submit: async (e: Event) => {
    e.preventDefault();
    showError('');
    submit.disabled = true;
    try {
      const { user } = await api.login(username.value.trim(), password.value);
      opts.onLoggedIn(user);
    } catch (err) {
      if (err instanceof ApiError && err.status === 503) {
        notice.textContent = err.message;
        notice.hidden = false;
      } else {
        showError(err instanceof ApiError ? err.message : 'Logging in failed. Please try again.');
      }
      password.select();
    } finally {
      submit.disabled = false;
    }
  } } },
  h('h1', {}, 'Sightline'),
  notice,
  field('User name', username),
  field('Password', password),
  error,
  submit);

  const el = h('main', { class: 'page page-login' }, form);
  setTimeout(() => username.focus(), 0);
  return {
    el,
    title: 'Log in',
    dispose() {
      clearTimeout(healthTimer);
    },
  };
}
