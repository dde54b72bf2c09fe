import { BlockList, isIP } from 'node:net';
import { SevenGeeseNetworkError, endpointOf } from '../errors.js';

/** The proxy the environment names for one URL, and the variable that named it. */
export interface ProxyChoice {
  url: URL;
  variable: string;
}

/** What the proxy choice reads of a URL: a `URL`, or the transport's parsed target. */
type Where = Pick<URL, 'protocol' | 'hostname' | 'port' | 'href'>;

/**
 * The proxy for `url` as curl picks it: `https_proxy`/`HTTPS_PROXY` for an https URL,
 * `http_proxy`/`HTTP_PROXY` for http, else `all_proxy`/`ALL_PROXY` (lower-case names first,
 * empty ones skipped); none when `NO_PROXY` covers the host. A proxy without a scheme is http.
 * A value that is not an http or https URL is a network error naming the variable: the
 * `TypeError` of `new URL` would keep the whole value, the proxy's password with it.
 */
export function proxyFor(url: Where, env: Readonly<Record<string, string | undefined>> = process.env): ProxyChoice | undefined {
  const scheme = url.protocol.slice(0, -1);
  const variable = [`${scheme}_proxy`, `${scheme.toUpperCase()}_PROXY`, 'all_proxy', 'ALL_PROXY'].find((name) => env[name]);
  if (variable === undefined || noProxy(url, env.no_proxy || env.NO_PROXY || '')) return undefined;
  const value = env[variable]!;
  let proxy: URL | undefined;
  try {
    proxy = new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    // Reported below, without the value.
  }
  if (proxy?.protocol !== 'http:' && proxy?.protocol !== 'https:') {
    throw new SevenGeeseNetworkError(
      endpointOf(url.href),
      undefined,
      `${variable} is not a valid proxy URL. Set it to http://host:port (http://user:password@host:port for a proxy that wants credentials), or unset it.`,
    );
  }
  return { url: proxy, variable };
}

/**
 * Whether the `NO_PROXY` list covers the URL's host, as curl reads it: entries apart by commas
 * or spaces; `*` covers every host; a domain, with or without a leading `.` or `*.`, covers
 * itself and its subdomains; an IP address (`::1` or `[::1]`) or a CIDR range (`10.0.0.0/8`,
 * `fc00::/7`) covers hosts written as IP addresses within it; `entry:port` only that port.
 */
function noProxy(url: Where, list: string): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const family = isIP(host);
  for (let entry of list.toLowerCase().split(/[\s,]+/)) {
    if (entry === '*') return true;
    const withPort = /^(\[[^\]]*\]|[^:]*):(\d+)$/.exec(entry);
    if (withPort) {
      if (Number(withPort[2]) !== Number(port)) continue;
      entry = withPort[1]!;
    }
    entry = entry.replace(/^\[|\]$/g, '');
    if (family !== 0) {
      if (inRange(host, family, entry)) return true;
      continue;
    }
    const domain = entry.replace(/^\*?\./, '').replace(/\.$/, '');
    if (domain !== '' && (host === domain || host.endsWith(`.${domain}`))) return true;
  }
  return false;
}

/** Whether the IP address `host` (of IP `family` 4 or 6) is `entry`, an address or a CIDR range of that family. */
function inRange(host: string, family: number, entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  const max = family === 4 ? 32 : 128;
  if (isIP(address) !== family || rest.length > 0 || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= max))) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const range = new BlockList();
  if (bits === undefined) range.addAddress(address, type);
  else range.addSubnet(address, Number(bits), type);
  return range.check(host, type);
}

/**
 * The error for an https request whose answer did not come over TLS: a proxy agent hands on the
 * proxy's own answer when the proxy refuses the tunnel (https-proxy-agent does, for any status
 * but 200), and that answer must never be taken for 7Geese's. Names the proxy by its origin,
 * which carries no credentials.
 */
export function notOverTLS(endpoint: string, status: number, agent: unknown): SevenGeeseNetworkError {
  const proxy = (agent as { proxy?: unknown } | undefined)?.proxy;
  if (!(proxy instanceof URL)) {
    return new SevenGeeseNetworkError(
      endpoint,
      undefined,
      `its answer (${status}) did not come over TLS, so it is not 7Geese's and was not read. The "agent" option gave a connection without TLS (such as a proxy agent whose proxy refused the tunnel); pass one that connects https URLs with TLS.`,
    );
  }
  const which = `the proxy ${proxy.origin}`;
  return new SevenGeeseNetworkError(
    endpoint,
    undefined,
    status === 407
      ? `${which} wants credentials (it answered CONNECT with 407). Put them in the proxy's URL (http://user:password@host:port, in HTTPS_PROXY or given to the proxy agent), or check them if they are there.`
      : `${which} refused to open a tunnel (it answered CONNECT with ${status}); its answer is not 7Geese's and was not read. Check that the proxy lets this host open tunnels to 7Geese.`,
  );
}
