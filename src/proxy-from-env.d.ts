// proxy-from-env ships no type declarations; this is the one function the transport calls.
declare module 'proxy-from-env' {
  /** The proxy URL for `url` from `HTTP_PROXY`/`HTTPS_PROXY`/`ALL_PROXY`, or '' when none applies or `NO_PROXY` matches. */
  export function getProxyForUrl(url: string): string;
}
