import type { IncomingMessage, ServerResponse } from 'node:http';
import { consentPage, errorPage } from './consent-page.js';
import { clientCredentials, cookies, redirect, sendHTML, sendJSON } from './http-util.js';
import { pkceMatches, validScopes, type SimulatorStore } from './store.js';
import type { SimulatedClient } from './types.js';

export interface OAuthContext {
  store: SimulatorStore;
  autoApprove: string | number | false;
}

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
const AUTHORIZE_FIELDS = ['client_id', 'redirect_uri', 'scope', 'state', 'response_type', 'code_challenge', 'code_challenge_method'];

function withParams(uri: string, params: Record<string, string | undefined>): string {
  const url = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, v);
  return url.href;
}

/**
 * GET shows the consent page, POST takes the person's decision. As in oauthlib, a bad client or
 * redirect URI is shown a page and never redirected to; every later error is redirected back
 * with `error=` and the state.
 */
export function authorize(ctx: OAuthContext, req: IncomingMessage, res: ServerResponse, params: Record<string, string> | undefined): void {
  if (!params) return sendHTML(res, 400, errorPage('A parameter was given more than once.'));
  const client = ctx.store.findClient(params.client_id);
  if (!client) return sendHTML(res, 400, errorPage('Invalid client_id parameter value.'));
  let redirectUri = params.redirect_uri;
  if (redirectUri === undefined && client.redirectUris.length === 1) redirectUri = client.redirectUris[0];
  if (redirectUri === undefined) return sendHTML(res, 400, errorPage('Missing redirect URI.'));
  if (!client.redirectUris.includes(redirectUri)) return sendHTML(res, 400, errorPage('Mismatching redirect URI.'));
  const back = (p: Record<string, string | undefined>) => redirect(res, withParams(redirectUri, { ...p, state: params.state }));

  if (params.response_type !== 'code') return back({ error: 'unsupported_response_type' });
  if (!allows(client, 'authorization-code')) return back({ error: 'unauthorized_client' });
  const scopes = validScopes(params.scope ?? 'all');
  if (!scopes) return back({ error: 'invalid_scope' });
  const method = params.code_challenge_method;
  if (params.code_challenge !== undefined && method !== undefined && method !== 'S256' && method !== 'plain') {
    return back({ error: 'invalid_request', error_description: 'Transform algorithm not supported.' });
  }
  const grant = (userId: number) => {
    ctx.store.approve(userId, client.clientId, scopes);
    const code = ctx.store.issueCode({
      clientId: client.clientId,
      userId,
      redirectUri,
      scopes,
      challenge: params.code_challenge,
      method: params.code_challenge === undefined ? undefined : (method ?? 'plain'),
    });
    const cookie = `sim_user=${userId}; Path=/; HttpOnly; SameSite=Lax`;
    res.setHeader('Set-Cookie', cookie);
    back({ code });
  };

  if (req.method === 'POST') {
    if (params.allow !== 'Approve') return back({ error: 'access_denied' });
    const user = ctx.store.findUser(Number(params.user));
    if (!user) return sendHTML(res, 400, errorPage('Choose a person to sign in as.'));
    return grant(user.id);
  }
  if (ctx.autoApprove !== false) {
    const user = ctx.store.findUser(ctx.autoApprove);
    if (user) return grant(user.id);
  }
  const remembered = ctx.store.findUser(Number(cookies(req.headers.cookie).sim_user));
  if (params.approval_prompt === 'auto' && remembered && ctx.store.approved(remembered.id, client.clientId, scopes)) {
    return grant(remembered.id);
  }
  const hidden: Record<string, string> = {};
  for (const k of AUTHORIZE_FIELDS) if (params[k] !== undefined) hidden[k] = params[k];
  hidden.redirect_uri = redirectUri;
  const users = remembered ? [remembered, ...ctx.store.users.filter((u) => u !== remembered)] : ctx.store.users;
  sendHTML(res, 200, consentPage(client, users, scopes, hidden));
}

function allows(client: SimulatedClient, grant: 'authorization-code' | 'password'): boolean {
  return (client.grantTypes ?? ['authorization-code', 'password']).includes(grant);
}

function oauthError(res: ServerResponse, status: number, error: string, description?: string): void {
  sendJSON(res, status, description ? { error, error_description: description } : { error }, NO_STORE);
}

/** POST /o/token/: authorization_code, password and refresh_token grants, DOT-shaped errors. */
export function token(ctx: OAuthContext, req: IncomingMessage, res: ServerResponse, form: Record<string, string> | undefined): void {
  if (!form) return oauthError(res, 400, 'invalid_request', 'Duplicate parameters.');
  const client = ctx.store.authenticateClient(clientCredentials(req.headers.authorization, form));
  if (!client) return oauthError(res, 401, 'invalid_client');
  const store = ctx.store;
  const ok = (tokens: object, extra: Record<string, string> = {}) => sendJSON(res, 200, { ...tokens, ...extra }, NO_STORE);

  switch (form.grant_type) {
    case 'authorization_code': {
      if (!allows(client, 'authorization-code')) return oauthError(res, 400, 'unauthorized_client');
      if (!form.code) return oauthError(res, 400, 'invalid_request', 'Missing code parameter.');
      const code = store.takeCode(form.code);
      if (!code || code.clientId !== client.clientId) return oauthError(res, 400, 'invalid_grant');
      if (form.redirect_uri === undefined) return oauthError(res, 400, 'invalid_request', 'Missing redirect URI.');
      if (form.redirect_uri !== code.redirectUri) return oauthError(res, 400, 'invalid_request', 'Mismatching redirect URI.');
      if (code.challenge !== undefined) {
        if (!form.code_verifier) return oauthError(res, 400, 'invalid_request', 'Code verifier required.');
        if (!pkceMatches(form.code_verifier, code.challenge, code.method)) return oauthError(res, 400, 'invalid_grant');
      }
      return ok(store.issueTokens(client.clientId, code.userId, code.scopes), form.state === undefined ? {} : { state: form.state });
    }
    case 'password': {
      if (!allows(client, 'password')) return oauthError(res, 400, 'unauthorized_client');
      for (const field of ['username', 'password'] as const) {
        if (form[field] === undefined) return oauthError(res, 400, 'invalid_request', `Request is missing ${field} parameter.`);
      }
      const scopes = validScopes(form.scope ?? 'all');
      if (!scopes) return oauthError(res, 400, 'invalid_scope');
      const user = store.users.find((u) => u.email === form.username);
      if (!user || user.password !== form.password) return oauthError(res, 400, 'invalid_grant', 'Invalid credentials given.');
      return ok(store.issueTokens(client.clientId, user.id, scopes));
    }
    case 'refresh_token': {
      if (!form.refresh_token) return oauthError(res, 400, 'invalid_request', 'Missing refresh token parameter.');
      const scopes = form.scope === undefined ? undefined : validScopes(form.scope);
      if (form.scope !== undefined && !scopes) return oauthError(res, 400, 'invalid_scope');
      const result = store.rotate(client.clientId, form.refresh_token, scopes);
      if (typeof result === 'string') return oauthError(res, 400, result);
      return ok(result);
    }
    default:
      return oauthError(res, 400, 'unsupported_grant_type');
  }
}

/** POST /o/revoke_token/ (RFC 7009): 200 whether or not the token was known. */
export function revoke(ctx: OAuthContext, req: IncomingMessage, res: ServerResponse, form: Record<string, string> | undefined): void {
  if (!form) return oauthError(res, 400, 'invalid_request');
  const client = ctx.store.authenticateClient(clientCredentials(req.headers.authorization, form));
  if (!client) return oauthError(res, 401, 'invalid_client');
  if (form.token) ctx.store.revoke(client.clientId, form.token);
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': '0' });
  res.end();
}

/** POST /o/introspect/ (RFC 7662). */
export function introspect(ctx: OAuthContext, req: IncomingMessage, res: ServerResponse, form: Record<string, string> | undefined): void {
  if (!form) return oauthError(res, 400, 'invalid_request');
  const client = ctx.store.authenticateClient(clientCredentials(req.headers.authorization, form));
  if (!client) return oauthError(res, 401, 'invalid_client');
  const t = form.token ? ctx.store.accessToken(form.token) : undefined;
  if (!t) return sendJSON(res, 200, { active: false });
  const user = ctx.store.findUser(t.userId);
  sendJSON(res, 200, { active: true, scope: t.scopes.join(' '), exp: Math.floor(t.expiresAt / 1000), client_id: t.clientId, username: user?.email });
}
