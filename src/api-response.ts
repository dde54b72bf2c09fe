import { SevenGeeseAPIError } from './errors.js';
import { isRecord, send, type HttpResponse } from './http.js';
import { parseJSON, readJSON } from './json.js';
import { clip, type Redact } from './redact.js';

export type APIMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface APIExpectations {
  /** The scope the call needs, named in the error for a 403. */
  scope?: string | undefined;
  /** What to do when the URL answers 404, in the words of the caller's options. */
  notFoundAdvice?: string | undefined;
  /** The code for an answer nested too deeply to be what was asked for. @default 'invalid_response' */
  tooDeepCode?: 'invalid_profile' | undefined;
}

function detailOf(res: HttpResponse): string | undefined {
  try {
    const json: unknown = parseJSON(res, 'an error');
    if (isRecord(json) && typeof json.detail === 'string') return clip(json.detail, res.redact, 200);
  } catch {
    // Not JSON, or absurdly nested: there is no detail to report.
  }
  return undefined;
}

/**
 * Reads the answer of a 7Geese API call made with an access token: the JSON on success, or a
 * {@link SevenGeeseAPIError} that says what to do for 401, 403, 404 and other statuses.
 */
export function readAPIResponse(res: HttpResponse, expect: APIExpectations = {}): unknown {
  const { status, endpoint } = res;
  if (status === 204 || (status >= 200 && status < 300 && res.body === '')) return undefined;
  if (status < 300 || (status >= 300 && status < 400)) return readJSON(res, 'JSON', expect.tooDeepCode);
  const description = detailOf(res);
  const fields = { endpoint, status, description, scope: expect.scope };
  switch (status) {
    case 401:
      return fail(
        `7Geese rejected the access token at ${endpoint} (401): it is invalid, expired or revoked. Refresh it or sign in again.`,
        'invalid_token',
        fields,
      );
    case 403: {
      const need = expect.scope
        ? `the scope "${expect.scope}": add it to the "scope" option and sign in again`
        : 'a scope it was not granted: add the scope for this resource and sign in again';
      return fail(`7Geese refused ${endpoint} (403): the access token lacks ${need}.`, 'insufficient_scope', fields);
    }
    case 404:
      return fail(
        `7Geese has nothing at ${endpoint} (404). ${expect.notFoundAdvice ?? 'Check the path.'}`,
        'not_found',
        fields,
      );
    default:
      return fail(
        `7Geese answered ${status} at ${endpoint}. It may be having trouble; try again later.`,
        'http_error',
        fields,
      );
  }
}

function fail(
  message: string,
  code: 'invalid_token' | 'insufficient_scope' | 'not_found' | 'http_error',
  fields: ConstructorParameters<typeof SevenGeeseAPIError>[2],
): never {
  throw new SevenGeeseAPIError(message, code, fields);
}

/**
 * One call to the 7Geese API with a bearer token in the `Authorization` header (never the query
 * string), a deadline and a size limit.
 */
export async function callAPI(call: {
  method: APIMethod;
  url: string;
  accessToken: string;
  timeout: number;
  headers?: Record<string, string> | undefined;
  body?: unknown;
  scope?: string | undefined;
  notFoundAdvice?: string | undefined;
  tooDeepCode?: 'invalid_profile' | undefined;
  signal?: AbortSignal | undefined;
}): Promise<{ json: unknown; body: string; endpoint: string; redact: Redact }> {
  const headers: Record<string, string> = {
    ...call.headers,
    Accept: 'application/json',
    Authorization: `Bearer ${call.accessToken}`,
  };
  if (call.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await send({
    method: call.method,
    url: call.url,
    headers,
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
    timeout: call.timeout,
    signal: call.signal,
  });
  return { json: readAPIResponse(res, call), body: res.body, endpoint: res.endpoint, redact: res.redact };
}
