import { StrataError } from '@strata/core';

/** The nodes of one rqlite cluster a driver talks to, and the credentials it sends them. */
export interface RqliteNodes {
  /** Each node's origin (`http://127.0.0.1:4001`), without credentials, in the order given. */
  readonly urls: readonly string[];
  /** The `Authorization` header for rqlite's basic auth, when the URL holds a user name. */
  readonly authorization?: string;
}

/**
 * Reads a database URL: one node (`http://host:4001`) or several separated by commas, each a URL or, after the
 * first, a bare `host:port` that takes the first one's scheme. A user name and password in a URL (`http://bob:secret@host:4001`)
 * are sent to every node as basic auth. A URL with a path, query or fragment, or another scheme than http(s), is
 * `INVALID_OPTION`: rqlite has one database per cluster, so there is nothing for a path to name.
 *
 * @example
 * ```ts
 * parseNodes('http://bob:secret@10.0.0.1:4001,10.0.0.2:4001');
 * // { urls: ['http://10.0.0.1:4001', 'http://10.0.0.2:4001'], authorization: 'Basic Ym9iOnNlY3JldA==' }
 * ```
 */
export function parseNodes(spec: string): RqliteNodes {
  const items = spec
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  if (items.length === 0) throw invalid(spec, 'it names no node');
  let scheme = 'http:';
  let authorization: string | undefined;
  const urls = items.map((item, index) => {
    const url = parseUrl(index === 0 || item.includes('://') ? item : `${scheme}//${item}`, spec);
    if (index === 0) scheme = url.protocol;
    if (url.username !== '' && authorization === undefined)
      authorization = basicAuth(decodeURIComponent(url.username), decodeURIComponent(url.password));
    return url.origin;
  });
  return authorization === undefined ? { urls } : { urls, authorization };
}

function parseUrl(text: string, spec: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid(spec, `"${text}" is not a URL such as http://127.0.0.1:4001`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(spec, `"${text}" is not an http(s) URL`);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '')
    throw invalid(spec, `"${text}" has a path or query; an rqlite node is named by its scheme, host and port alone`);
  return url;
}

function invalid(spec: string, why: string): StrataError {
  return new StrataError('INVALID_OPTION', `cannot use "${redact(spec)}" as rqlite nodes: ${why}`);
}

/** The URL list with passwords hidden, for messages. */
export function redact(spec: string): string {
  return spec.replace(/\/\/([^/@:,]*):[^/@,]*@/g, '//$1:***@');
}

function basicAuth(user: string, password: string): string {
  // btoa takes Latin-1 only: encode as UTF-8 first, as browsers and rqlite do.
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return `Basic ${btoa(String.fromCharCode(...bytes))}`;
}
