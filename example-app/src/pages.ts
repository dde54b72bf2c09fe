import { esc, layout, type Viewer } from './layout.js';
import type { GrantInfo, SignedInUser } from './session-data.js';

export interface HomeOptions {
  user: SignedInUser | undefined;
  grant: GrantInfo | undefined;
  passwordSignIn: boolean;
  passwordError?: string | undefined;
  email?: string | undefined;
  usingSimulator: boolean;
}

function passwordForm(viewer: Viewer, o: HomeOptions): string {
  if (!o.passwordSignIn) return '';
  const error = o.passwordError ? `<p class="notice" role="alert">${esc(o.passwordError)}</p>` : '';
  return `<p class="or">or sign in with your 7Geese email and password</p>${error}
<form method="post" action="/login/password"><input type="hidden" name="_csrf" value="${esc(viewer.csrf())}">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" value="${esc(o.email ?? '')}" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<p><button class="button secondary" type="submit">Sign in with email and password</button></p></form>`;
}

export function homePage(viewer: Viewer, o: HomeOptions): string {
  if (!o.user) {
    const hint = o.usingSimulator
      ? '<p class="muted">This app runs against the built-in 7Geese simulator: choose any demo person on its consent page (demo passwords are their first name, lower case, followed by <code>-password</code>).</p>'
      : '';
    return layout('Welcome', viewer, `<section class="card"><h1>Welcome</h1>
<p>Sign in with your 7Geese account to see your profile and objectives.</p>
<p><a class="button" href="/auth/7geese">Sign in with 7Geese</a></p>${passwordForm(viewer, o)}${hint}</section>`);
  }
  const u = o.user;
  const t = o.grant;
  const initials = u.name.split(/\s+/).map((w) => w[0] ?? '').join('').slice(0, 2).toUpperCase();
  const photo = u.photo ? `<img src="${esc(u.photo)}" alt="">` : `<span class="avatar" aria-hidden="true">${esc(initials)}</span>`;
  const expires = t?.expiresAt ? `<time datetime="${esc(t.expiresAt)}">${esc(new Date(t.expiresAt).toUTCString())}</time>` : 'not stated by 7Geese';
  return layout('Home', viewer, `<section class="card"><div class="user">${photo}<div><h1>Hello, ${esc(u.name)}</h1>
<p class="muted">${esc(u.email ?? '')}</p></div></div>
<dl><dt>Scopes granted</dt><dd>${esc(t?.scopes.join(', ') || 'none')}</dd>
<dt>Token expires</dt><dd>${expires}</dd><dt>Signed in with</dt><dd>${esc(u.via === 'password' ? 'email and password' : '7Geese sign-in')}</dd></dl>
<p><a class="button secondary" href="/objectives">See your objectives</a></p></section>`);
}

export function profilePage(viewer: Viewer, u: SignedInUser): string {
  return layout('Profile', viewer, `<section class="card"><h1>Your profile</h1><dl>
<dt>Name</dt><dd>${esc(u.name)}</dd><dt>Email</dt><dd>${esc(u.email ?? '—')}</dd>
<dt>Username</dt><dd>${esc(u.username ?? '—')}</dd><dt>7Geese id</dt><dd>${esc(u.id)}</dd></dl></section>`);
}

export interface Objective {
  id?: unknown;
  name?: unknown;
  progress?: unknown;
  due_date?: unknown;
}

/** What the objectives page says above the table after an update. */
export type ObjectivesNotice = { updated: number } | undefined;

function progressForm(viewer: Viewer, o: Objective, pct: number): string {
  const id = Number(o.id);
  if (!Number.isSafeInteger(id) || id < 1) return '';
  return `<form class="row" method="post" action="/objectives/${id}/progress"><input type="hidden" name="_csrf" value="${esc(viewer.csrf())}">
<input name="progress" type="number" min="0" max="100" step="1" value="${pct}" required aria-label="Progress of ${esc(o.name)}, in percent">
<button class="button secondary small" type="submit">Update</button></form>`;
}

export function objectivesPage(viewer: Viewer, objectives: Objective[], notice: ObjectivesNotice = undefined): string {
  const rows = objectives
    .map((o) => {
      const pct = Math.max(0, Math.min(100, Math.round(Number(o.progress)) || 0));
      return `<tr><td>${esc(o.name)}</td><td><div class="progress" title="${pct}%"><span style="width:${pct}%"></span></div> <span class="muted">${pct}%</span></td><td>${esc(o.due_date ?? '—')}</td><td>${progressForm(viewer, o, pct)}</td></tr>`;
    })
    .join('');
  const table = objectives.length
    ? `<table><thead><tr><th>Objective</th><th>Progress</th><th>Due</th><th>Update progress</th></tr></thead><tbody>${rows}</tbody></table>`
    : '<p>You have no objectives in 7Geese yet.</p>';
  const updated = notice && objectives.find((o) => Number(o.id) === notice.updated);
  const saved = updated
    ? `<p class="saved" role="status">Saved: “${esc(updated.name)}” is now at ${esc(Math.round(Number(updated.progress)) || 0)}%.</p>`
    : '';
  return layout('Objectives', viewer, `<section class="card"><h1>Your objectives</h1>${saved}
<p class="muted">Read from the 7Geese API with your access token (refreshed automatically when it expires). Updating progress needs permission to change your objectives (<code>objective:write</code>): if your sign-in does not include it, 7Geese asks you for it first.</p>${table}</section>`);
}

export interface ErrorView {
  status: number;
  title: string;
  message: string;
  /** Where "Try again" goes. */
  retry: string;
  /** The library's own words, for the developer reading the page. */
  detail?: string | undefined;
}

export function errorPage(viewer: Viewer, e: ErrorView): string {
  const detail = e.detail ? `<p class="muted">Details: ${esc(e.detail)}</p>` : '';
  return layout(e.title, viewer, `<section class="card error"><h1>${esc(e.title)}</h1><p>${esc(e.message)}</p>${detail}
<p><a class="button" href="${esc(e.retry)}">Try again</a> <a class="button secondary" href="/">Home</a></p></section>`);
}
