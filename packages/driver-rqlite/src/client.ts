import { StrataError } from '@strata/core';
import { parseJson } from './json.js';
import type { RqliteNodes } from './nodes.js';

/** One statement's result in rqlite's answer: rows for a read, counts for a write, or the engine's error. */
export interface RqliteResult {
  readonly columns?: readonly string[];
  readonly types?: readonly string[];
  readonly values?: readonly (readonly unknown[])[];
  readonly rows_affected?: number;
  readonly last_insert_id?: number;
  readonly error?: string;
}

/**
 * Whether a request changes the database, which decides what a failure may be retried after: a read is sent again
 * to another node whatever went wrong; a write only when no node can have received it (the connection was refused,
 * or a node answered that it knows no leader), since a write sent twice may apply twice.
 */
export type RequestKind = 'read' | 'write';

/** How a {@link RqliteClient} reaches the cluster. */
export interface ClientOptions {
  readonly nodes: RqliteNodes;
  /** How long one call may take, over every node and retry. */
  readonly timeoutMs: number;
  /** The `fetch` to use; the global one by default. */
  readonly fetch?: typeof fetch;
}

const REDIRECTS = 5;

/**
 * Sends requests to rqlite's HTTP API, to the node that last answered first, and on to the others in turn while a
 * node is down or has no leader, until the timeout. A follower forwards a request to the leader by itself; a node
 * that answers with a redirect instead (rqlite's `redirect` mode) is followed, with the same method and body.
 *
 * @example
 * ```ts
 * const client = new RqliteClient({ nodes: parseNodes('http://127.0.0.1:4001'), timeoutMs: 10_000 });
 * const [result] = await client.send('/db/query?level=linearizable', '[["SELECT 1"]]', 'read');
 * ```
 */
export class RqliteClient {
  private preferred = 0;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Posts `body` to `path` and returns the per-statement results; an HTTP or transport failure is a `StrataError`. */
  async send(path: string, body: string, kind: RequestKind): Promise<readonly RqliteResult[]> {
    const { urls } = this.options.nodes;
    const deadline = Date.now() + this.options.timeoutMs;
    let failure = 'no node was tried';
    for (let round = 0; ; round++) {
      for (let tried = 0; tried < urls.length; tried++) {
        const index = (this.preferred + tried) % urls.length;
        const node = urls[index] as string;
        const left = deadline - Date.now();
        if (left <= 0) break;
        const outcome = await this.attempt(node, path, body, left);
        if ('results' in outcome) {
          this.preferred = index;
          return outcome.results;
        }
        failure = `${node}: ${outcome.failure}`;
        if (kind === 'write' && !outcome.notReceived)
          throw new StrataError(
            'DATABASE_ERROR',
            `rqlite did not say whether a write was applied (${failure}); it may or may not have been`,
            { cause: outcome.cause },
          );
      }
      if (Date.now() >= deadline) break;
      await sleep(Math.min(1000, 100 * 2 ** round, Math.max(0, deadline - Date.now())));
    }
    throw new StrataError('DATABASE_ERROR', `no rqlite node answered within ${this.options.timeoutMs} ms (last: ${failure})`);
  }

  private async attempt(node: string, path: string, body: string, timeoutMs: number): Promise<Attempt> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.options.nodes.authorization !== undefined) headers.Authorization = this.options.nodes.authorization;
    let url = `${node}${path}`;
    let response: Response;
    try {
      for (let hop = 0; ; hop++) {
        response = await this.fetch(url, {
          method: 'POST',
          headers,
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
        });
        const location = response.headers.get('Location');
        if (response.status < 300 || response.status >= 400 || location === null || hop === REDIRECTS) break;
        // Drain the redirect's body, so the connection is free again.
        await response.text();
        url = new URL(location, url).href;
      }
      const text = await response.text();
      if (response.status === 503) return { failure: `503 ${text.trim()}`, notReceived: true };
      if (response.status === 401 || response.status === 403)
        throw new StrataError(
          'DATABASE_ERROR',
          `rqlite at ${node} refused the credentials (${response.status} ${text.trim()}): put user:password@ in the URL`,
        );
      if (response.status >= 500) return { failure: `${response.status} ${text.trim()}`, notReceived: false };
      if (response.status !== 200)
        throw new StrataError('DATABASE_ERROR', `rqlite at ${node} answered ${response.status}: ${text.trim()}`);
      return resultsOf(text, node);
    } catch (error) {
      if (error instanceof StrataError) throw error;
      return { failure: describe(error), notReceived: connectionRefused(error), cause: error };
    }
  }
}

type Attempt =
  | { readonly results: readonly RqliteResult[] }
  | { readonly failure: string; readonly notReceived: boolean; readonly cause?: unknown };

/**
 * The results of a 200 answer. A follower that could not forward a request to the leader says so in a top-level
 * `error`, with HTTP 200 too: that is a failure of the node, not of the SQL, and the leader never saw the request
 * when it could not be reached at all.
 */
function resultsOf(text: string, node: string): Attempt {
  const answer = parseJson(text) as { results?: RqliteResult[]; error?: string } | null;
  if (typeof answer?.error === 'string') return { failure: answer.error, notReceived: NOT_FORWARDED.test(answer.error) };
  if (!Array.isArray(answer?.results))
    throw new StrataError('DATABASE_ERROR', `rqlite at ${node} answered without results: ${text.slice(0, 200)}`);
  return { results: answer.results };
}

const NOT_FORWARDED = /connection refused|leader not found|no leader|not leader/i;

/** True when the request surely never reached the node: nothing was listening, or its name did not resolve. */
function connectionRefused(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

function describe(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause === undefined ? messageOf(error) : `${messageOf(error)} (${messageOf(cause)})`;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
