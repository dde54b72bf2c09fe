import { escapeHTML } from './http-util.js';
import type { SimulatedClient, SimulatedUser } from './types.js';

const RESOURCE_WORDS: Readonly<Record<string, string>> = {
  userprofile: 'your profile',
  network: 'your network information and settings',
  department: 'departments',
  recognition: 'recognitions',
  oneonone: 'your 1-on-1s',
  feedback: 'feedback',
  privatenote: 'your private notes about other people',
  objective: 'your objectives',
  review: 'your reviews',
};

/** A scope in words, as 7Geese tells the person what an application asks for. */
export function describeScope(scope: string): string {
  if (scope === 'all') return 'Full access to your 7Geese account';
  const [resource = '', access] = scope.split(':');
  const what = RESOURCE_WORDS[resource] ?? resource;
  return `${access === 'write' ? 'Change' : 'Read'} ${what}`;
}

const STYLE = `
  body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f4f6f8; color: #1a202c; margin: 0; }
  main { max-width: 460px; margin: 48px auto; background: #fff; border-radius: 12px; box-shadow: 0 2px 12px rgba(0,0,0,.08); padding: 32px; }
  h1 { font-size: 1.3rem; margin: 0 0 4px; } .brand { color: #2f855a; font-weight: 700; letter-spacing: .02em; }
  .note { color: #4a5568; font-size: .9rem; } ul { padding-left: 20px; } li { margin: 4px 0; }
  fieldset { border: 1px solid #e2e8f0; border-radius: 8px; margin: 16px 0; } legend { font-weight: 600; padding: 0 4px; }
  label { display: flex; align-items: center; gap: 10px; padding: 6px 0; cursor: pointer; }
  label img { width: 32px; height: 32px; border-radius: 50%; } .email { color: #718096; font-size: .85rem; }
  .actions { display: flex; gap: 12px; margin-top: 20px; }
  button { flex: 1; font-size: 1rem; padding: 10px; border-radius: 8px; border: 1px solid #cbd5e0; background: #fff; cursor: pointer; }
  button.primary { background: #2f855a; color: #fff; border-color: #2f855a; }`;

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHTML(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

/** The page shown for a request that cannot be redirected back (unknown client or redirect URI). */
export function errorPage(message: string): string {
  return page('Error — 7Geese simulator', `<p class="brand">7Geese simulator</p><h1>This request cannot be authorized</h1><p>${escapeHTML(message)}</p>`);
}

export function consentPage(client: SimulatedClient, users: readonly SimulatedUser[], scopes: string[], hidden: Record<string, string>): string {
  const appName = client.name ?? client.clientId;
  const fields = Object.entries(hidden)
    .map(([k, v]) => `<input type="hidden" name="${escapeHTML(k)}" value="${escapeHTML(v)}">`)
    .join('');
  const people = users
    .map(
      (u, i) => `<label><input type="radio" name="user" value="${u.id}"${i === 0 ? ' checked' : ''}>` +
        (u.profile_img ? `<img src="${escapeHTML(u.profile_img)}" alt="">` : '') +
        `<span>${escapeHTML(`${u.first_name} ${u.last_name}`)}<br><span class="email">${escapeHTML(u.email)}</span></span></label>`,
    )
    .join('');
  return page(
    `Authorize ${appName} — 7Geese simulator`,
    `<p class="brand">7Geese simulator</p>
<h1>Authorize ${escapeHTML(appName)}</h1>
<p class="note">This application would like to:</p>
<ul>${scopes.map((s) => `<li>${escapeHTML(describeScope(s))}</li>`).join('')}</ul>
<form method="post" action="/o/authorize/">${fields}
<fieldset><legend>Signed in to 7Geese as</legend>${people}</fieldset>
<div class="actions"><button type="submit" name="deny" value="Deny">Deny</button>
<button class="primary" type="submit" name="allow" value="Approve">Approve</button></div></form>`,
  );
}
