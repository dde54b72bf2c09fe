/** Escapes text for HTML: every value from a user or from 7Geese goes through it. */
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE = `
  :root { --green: #2f855a; --ink: #1a202c; --muted: #4a5568; --line: #e2e8f0; }
  * { box-sizing: border-box; }
  body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #f7fafc; }
  header { background: #fff; border-bottom: 1px solid var(--line); }
  header .bar { max-width: 760px; margin: 0 auto; padding: 14px 20px; display: flex; align-items: center; gap: 16px; }
  header a.brand { font-weight: 700; color: var(--ink); text-decoration: none; margin-right: auto; }
  nav a { color: var(--muted); text-decoration: none; } nav a:hover { color: var(--green); }
  main { max-width: 760px; margin: 32px auto; padding: 0 20px; }
  .card { background: #fff; border: 1px solid var(--line); border-radius: 12px; padding: 28px; margin-bottom: 20px; }
  h1 { font-size: 1.5rem; margin: 0 0 12px; } p { line-height: 1.5; }
  .button { display: inline-block; background: var(--green); color: #fff; border: 0; border-radius: 8px; padding: 11px 18px; font-size: 1rem; text-decoration: none; cursor: pointer; }
  .button.secondary { background: #fff; color: var(--ink); border: 1px solid #cbd5e0; }
  .user { display: flex; gap: 18px; align-items: center; } .user img, .avatar { width: 72px; height: 72px; border-radius: 50%; } .avatar { display: grid; place-items: center; background: var(--green); color: #fff; font-size: 1.6rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 6px 16px; } dt { color: var(--muted); }
  table { width: 100%; border-collapse: collapse; } th, td { text-align: left; padding: 8px; border-bottom: 1px solid var(--line); }
  .progress { background: var(--line); border-radius: 4px; height: 8px; width: 120px; } .progress span { display: block; height: 8px; border-radius: 4px; background: var(--green); }
  form.inline { display: inline; } label { display: block; margin: 10px 0 4px; color: var(--muted); }
  input[type=email], input[type=password] { width: 100%; max-width: 340px; padding: 9px; border: 1px solid #cbd5e0; border-radius: 8px; font-size: 1rem; }
  .error { border-left: 4px solid #c53030; } .notice { color: #c53030; } .muted { color: var(--muted); font-size: .9rem; }
  .or { color: var(--muted); margin: 20px 0; }
  form.row { display: flex; gap: 6px; align-items: center; margin: 0; } input[type=number] { width: 4.5em; padding: 6px; border: 1px solid #cbd5e0; border-radius: 6px; }
  .button.small { padding: 6px 10px; font-size: .9rem; } .saved { color: var(--green); font-weight: 600; }`;

export interface Viewer {
  signedIn: boolean;
  /** The CSRF token for a form on the page; called only by pages that have one (see csrf.ts). */
  csrf: () => string;
}

/** The page shell: a header with navigation, and the logout button when signed in. */
export function layout(title: string, viewer: Viewer, body: string): string {
  const nav = viewer.signedIn
    ? `<nav><a href="/profile">Profile</a> · <a href="/objectives">Objectives</a></nav>
       <form class="inline" method="post" action="/logout"><input type="hidden" name="_csrf" value="${esc(viewer.csrf())}">
       <button class="button secondary" type="submit">Sign out</button></form>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · 7Geese example</title><style>${STYLE}</style></head>
<body><header><div class="bar"><a class="brand" href="/">7Geese example app</a>${nav}</div></header>
<main>${body}</main></body></html>`;
}
