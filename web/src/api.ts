import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from '../../openapi/schema';
import { plainMessage } from './messages';

export type S = components['schemas'];
export type Problem = S['Problem'];

/** A problem+json answer, thrown so that forms can show `errors[]` next to their fields. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title);
  }
  /** `errors[]` keyed by field without its `body.`/`query.` prefix, said plainly: `{ email: 'Must be an email address' }`. */
  get fields(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) out[e.field.replace(/^(body|query|path|header)\./, '')] ??= plainMessage(e.message);
    return out;
  }
}

const REFRESH_KEY = 'afterview.refresh';
let accessToken: string | null = null;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<(signedIn: boolean) => void>();

export const session = {
  hasRefresh: () => localStorage.getItem(REFRESH_KEY) !== null,
  set(tokens: S['TokenResponse']) {
    accessToken = tokens.accessToken;
    localStorage.setItem(REFRESH_KEY, tokens.refreshToken);
  },
  clear() {
    accessToken = null;
    localStorage.removeItem(REFRESH_KEY);
    for (const l of listeners) l(false);
  },
  onChange(l: (signedIn: boolean) => void) {
    listeners.add(l);
    return () => listeners.delete(l);
  },
};

/**
 * Exchanges the stored refresh token for a new pair (the old one is then spent: rotation).
 * One exchange at a time, shared by every request that found its access token expired; other
 * tabs may have rotated it already, so a refused token signs this tab out.
 */
export function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    const refreshToken = localStorage.getItem(REFRESH_KEY);
    if (!refreshToken) return false;
    const res = await fetch('/v1/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    }).catch(() => null);
    if (res?.ok) {
      session.set((await res.json()) as S['TokenResponse']);
      return true;
    }
    if (res && res.status < 500) session.clear();
    return false;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

const auth: Middleware = {
  async onRequest({ request }) {
    if (!accessToken && session.hasRefresh() && !request.url.includes('/v1/auth/')) await refresh();
    if (accessToken) request.headers.set('authorization', `Bearer ${accessToken}`);
    return request;
  },
};

const client = createClient<paths>({ baseUrl: location.origin });
client.use(auth);

type Result<T> = { data?: T; error?: unknown; response: Response };

/**
 * Runs a call of the typed client, refreshing the session once on a 401, and returns the body
 * or throws an ApiError. `api.GET('/v1/me')`-style calls stay fully typed.
 */
export async function call<T>(run: (c: typeof client) => Promise<Result<T>>): Promise<T> {
  let res = await run(client);
  if (res.response.status === 401 && session.hasRefresh() && (await refresh())) res = await run(client);
  if (res.response.ok) return res.data as T;
  const problem = (res.error ?? {}) as Problem;
  if (res.response.status === 401) session.clear();
  throw new ApiError(res.response.status, {
    ...problem,
    title: problem.title ?? `The server answered ${res.response.status}`,
    status: res.response.status,
  });
}

export { client as api };

/** Every page of a list, for the lists the client shows whole (at most `max` rows). */
export async function all<T>(page: (cursor: string | undefined) => Promise<{ data: T[]; nextCursor: string | null }>, max = 1000): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const p = await page(cursor);
    out.push(...p.data);
    cursor = p.nextCursor ?? undefined;
  } while (cursor && out.length < max);
  return out;
}

/** `If-Match` for an update of a resource at `version`. */
export const ifMatch = (version: number) => ({ 'if-match': `"${version}"` });
