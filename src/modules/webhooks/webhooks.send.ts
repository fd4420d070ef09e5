import http from 'node:http';
import https from 'node:https';
import { createGuardedAgent, SSRF_BLOCKED } from '../../lib/ssrf.js';

/**
 * One HTTP attempt of a webhook (docs/webhooks.md): POST the exact signed body through the SSRF
 * guarded agent, never follow a redirect, give up after the timeout, keep the first 1,000
 * characters of the answer for the delivery log.
 */

export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  responseExcerpt: string | null;
  error: string | null;
  /** From `Retry-After` on a 429 or 503, in milliseconds. */
  retryAfterMs: number | null;
}

export interface SendOptions {
  allowLoopback: boolean;
  /** The deadline of the batch this request starts with (one timer, not a listener each). */
  deadline: Deadline;
}

/** What the deadline tells when it ends a request. */
export interface Ends {
  end(reason: string): void;
}

/**
 * The timeouts of a batch of requests started together, kept by one timer instead of a listener or
 * timer per request. A request has `timeoutMs` from when it got a socket: waiting for one of the
 * receiver's busy connections is not the receiver being slow. Whatever is still open `limitMs`
 * after the batch started ends too, so every try is over before its claim lapses. The timer ticks
 * every tenth of the timeout (at most every second), so a request ends up to a tick late.
 */
export class Deadline {
  /**
   * Open requests: the tick at which each was first seen holding a socket (NaN: still waiting), and
   * how to end it. It is told directly: a request destroyed while it waits for a socket says nothing
   * (no 'error') until the agent gives it one.
   */
  private readonly open = new Map<http.ClientRequest, { since: number; target: Ends }>();
  private readonly timer: NodeJS.Timeout;
  private readonly started = performance.now();
  private readonly timeoutMs: number;
  private readonly limitMs: number;
  constructor(timeoutMs: number, limitMs: number) {
    this.timeoutMs = timeoutMs;
    this.limitMs = limitMs;
    this.timer = setInterval(() => this.tick(), Math.min(1_000, Math.max(10, timeoutMs / 10)));
    this.timer.unref();
  }
  private tick() {
    const now = performance.now();
    const overLimit = now - this.started >= this.limitMs;
    for (const [req, entry] of this.open) {
      let reason: string | null = null;
      if (Number.isNaN(entry.since)) {
        if (overLimit) reason = `Not sent within ${this.limitMs} ms: every connection to the receiver stayed busy`;
        else if (req.socket) entry.since = now;
      } else if (now - entry.since >= this.timeoutMs || overLimit) {
        reason = `No answer within ${this.timeoutMs} ms`;
      }
      if (reason) {
        this.open.delete(req);
        req.destroy(Object.assign(new Error(reason), { name: 'TimeoutError' }));
        entry.target.end(reason);
      }
    }
  }
  /** Ends `req` when its time is up, and tells `target` why. */
  track(req: http.ClientRequest, target: Ends) {
    this.open.set(req, { since: NaN, target });
  }
  /** The request settled: the timer no longer needs to end it. */
  untrack(req: http.ClientRequest) {
    this.open.delete(req);
  }
  clear() {
    clearInterval(this.timer);
  }
}

/**
 * Request options per URL, parsed once (a worker posts to the same few endpoints all day), with
 * the headers every request to it starts with: headers go to Node as a flat array, which skips
 * its per-header bookkeeping but also its Host default, so it is here. (URLs with credentials
 * are refused when an endpoint is saved, src/lib/ssrf.ts.) Each URL has its own agent, with up to
 * ENDPOINT_CONNECTIONS keep-alive connections: a receiver that hangs holds its own connections,
 * never those of another endpoint on the same host.
 */
type Target = http.RequestOptions & { secure: boolean; fixedHeaders: string[] };
const targets = new Map<string, Target>();
function targetOf(target: string, allowLoopback: boolean): Target | string {
  const key = `${allowLoopback}|${target}`;
  const hit = targets.get(key);
  if (hit) return hit;
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return 'The endpoint URL is not valid';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `The scheme ${url.protocol} is not allowed`;
  const options: Target = {
    secure: url.protocol === 'https:',
    protocol: url.protocol,
    hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
    port: url.port || (url.protocol === 'https:' ? 443 : 80),
    path: `${url.pathname}${url.search}`,
    method: 'POST',
    agent: createGuardedAgent(url.protocol, { allowLoopback, agent: { keepAlive: true, maxSockets: ENDPOINT_CONNECTIONS } }),
    fixedHeaders: [
      'host',
      url.host,
      'content-type',
      'application/json',
      'user-agent',
      'Afterview-Webhooks/1.0',
    ],
  };
  if (targets.size >= 1000) {
    const oldest = targets.keys().next().value!;
    (targets.get(oldest)!.agent as http.Agent).destroy();
    targets.delete(oldest);
  }
  targets.set(key, options);
  return options;
}

/** Connections a worker process keeps to one endpoint. */
export const ENDPOINT_CONNECTIONS = 50;
const EXCERPT_CHARS = 1_000;

/** An HTTP date as RFC 9110 says to send it (IMF-fixdate): `Sun, 06 Nov 1994 08:49:37 GMT`. */
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `now`; null when absent or bad. */
export function retryAfterMs(value: string | undefined, now: Date): number | null {
  const v = value?.trim();
  if (!v) return null;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!HTTP_DATE.test(v)) return null;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}

/**
 * One request's state. Its event handlers are shared functions that find it on the request or the
 * response under ATTEMPT, so a request allocates no closures (a worker sends thousands a second).
 */
const ATTEMPT = Symbol('webhookAttempt');
type Carries = { [ATTEMPT]?: Attempt };

class Attempt implements Ends {
  req: (http.ClientRequest & Carries) | undefined;
  private settled = false;
  private readonly started = performance.now();
  private status = 0;
  private retryAfter: string | undefined;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private readonly resolve: (result: AttemptResult) => void;
  private readonly deadline: Deadline;
  private readonly now: () => Date;
  constructor(resolve: (result: AttemptResult) => void, deadline: Deadline, now: () => Date) {
    this.resolve = resolve;
    this.deadline = deadline;
    this.now = now;
  }

  private settle(ok: boolean, statusCode: number | null, responseExcerpt: string | null, error: string | null, retryAfterMs: number | null) {
    if (this.settled) return;
    this.settled = true;
    if (this.req) this.deadline.untrack(this.req);
    this.resolve({ ok, statusCode, durationMs: Math.round(performance.now() - this.started), responseExcerpt, error, retryAfterMs });
  }

  /** Failed before an answer: refused, not connected, or ended by the deadline. */
  end(error: string) {
    this.settle(false, null, null, error, null);
  }

  answered(res: http.IncomingMessage) {
    this.status = res.statusCode ?? 0;
    if (this.status === 429 || this.status === 503) this.retryAfter = String(res.headers['retry-after'] ?? '');
  }

  /** Keeps the start of the answer; false once enough is read (a receiver may stream megabytes). */
  data(chunk: Buffer): boolean {
    if (this.size < EXCERPT_CHARS * 4) this.chunks.push(chunk);
    this.size += chunk.length;
    return this.size <= 64 * 1024;
  }

  finish() {
    const status = this.status;
    const excerpt = (this.chunks.length === 1 ? this.chunks[0]!.toString('utf8') : Buffer.concat(this.chunks).toString('utf8')).slice(0, EXCERPT_CHARS) || null;
    if (status >= 200 && status < 300) return this.settle(true, status, excerpt, null, null);
    const error = status >= 300 && status < 400 ? `Redirect ${status} not followed` : `HTTP ${status}`;
    this.settle(false, status, excerpt, error, this.retryAfter === undefined ? null : retryAfterMs(this.retryAfter, this.now()));
  }
}

function onResponse(this: http.ClientRequest & Carries, res: http.IncomingMessage & Carries) {
  const attempt = this[ATTEMPT]!;
  res[ATTEMPT] = attempt;
  attempt.answered(res);
  res.on('data', onData);
  res.on('end', onEnd);
  res.on('error', onEnd);
}

function onData(this: http.IncomingMessage & Carries, chunk: Buffer) {
  const attempt = this[ATTEMPT]!;
  if (attempt.data(chunk)) return;
  attempt.finish();
  this.destroy();
}

function onEnd(this: http.IncomingMessage & Carries) {
  this[ATTEMPT]!.finish();
}

function onRequestError(this: http.ClientRequest & Carries, err: NodeJS.ErrnoException) {
  const attempt = this[ATTEMPT]!;
  if (err.code === SSRF_BLOCKED) return attempt.end('The endpoint resolves to an address that is not allowed');
  attempt.end(err.code ? `${err.code}: ${err.message}` : err.message);
}

export function postWebhook(
  target: string,
  headers: Readonly<Record<string, string>>,
  body: string,
  opts: SendOptions,
  now: () => Date = () => new Date(),
): Promise<AttemptResult> {
  return new Promise((resolve) => {
    const attempt = new Attempt(resolve, opts.deadline, now);
    const to = targetOf(target, opts.allowLoopback);
    if (typeof to === 'string') return attempt.end(to);
    const { secure, fixedHeaders, ...options } = to;
    const list = [...fixedHeaders, 'content-length', String(Buffer.byteLength(body))];
    for (const name in headers) list.push(name, headers[name]!);
    const req: http.ClientRequest & Carries = (secure ? https.request : http.request)({ ...options, headers: list as unknown as http.OutgoingHttpHeaders });
    req[ATTEMPT] = attempt;
    attempt.req = req;
    opts.deadline.track(req, attempt);
    req.on('response', onResponse);
    req.on('error', onRequestError);
    req.end(body);
  });
}

/** Waits before each retry (Standard Webhooks / Svix): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h. */
export const RETRY_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;
/** ±10 % so that many deliveries failing together do not come back together. */
export const JITTER = 0.1;
/** A Retry-After longer than this is capped: the schedule would come back later anyway. */
const MAX_RETRY_AFTER_MS = 36_000_000;

/** The wait before the retry after failed try number `step + 1`, or null when the schedule is over. */
export function nextDelayMs(step: number, retryAfter: number | null, random: () => number = Math.random): number | null {
  const base = RETRY_SCHEDULE_MS[step];
  if (base === undefined) return null;
  const jittered = Math.round(base * (1 + JITTER * (2 * random() - 1)));
  return retryAfter === null ? jittered : Math.max(jittered, Math.min(retryAfter, MAX_RETRY_AFTER_MS));
}
