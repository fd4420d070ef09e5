import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { AppError } from '../lib/errors.js';

/** No body of ours nests deeper (the deepest, an interview's participants, is 3). */
export const MAX_JSON_DEPTH = 32;
/** Keys and array items in all; the largest body of ours (200 holidays) has about 800. */
export const MAX_JSON_ENTRIES = 5_000;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Where the string opened at `open` ends: the next `"` after an even run of backslashes; -1 if none. */
function closingQuote(text: string, open: number): number {
  let end = open;
  for (;;) {
    end = text.indexOf('"', end + 1);
    if (end < 0) return -1;
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
  }
}

/**
 * Why a JSON text is too deep or holds too many entries to be read, or null. One pass over its
 * characters, counting brackets and commas outside strings, before JSON.parse builds anything:
 * nothing downstream (validation, the Idempotency-Key fingerprint, a handler) then ever meets a
 * value it would recurse through until the stack runs out. Strings are skipped with indexOf, so
 * a long one costs about what the parser spends on it. Malformed JSON passes here and is refused
 * by the parser.
 */
export function jsonBoundsProblem(text: string): string | null {
  let depth = 0;
  let entries = 0;
  let opened = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (opened && !isSpace(c)) {
      // The first entry of a container that is not empty.
      opened = false;
      if (c !== CLOSE_OBJECT && c !== CLOSE_ARRAY) entries++;
    }
    if (c === QUOTE) {
      i = closingQuote(text, i);
      if (i < 0) return null;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (++depth > MAX_JSON_DEPTH) return `The body is nested deeper than ${MAX_JSON_DEPTH} levels`;
      opened = true;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
    } else if (c === COMMA) {
      entries++;
    }
    if (entries > MAX_JSON_ENTRIES) return `The body holds more than ${MAX_JSON_ENTRIES} keys and array items`;
  }
  return null;
}

/** How deep a parsed value nests (a scalar is 0), iteratively: any depth can be measured. */
export function depthOf(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > max) max = d + 1;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return max;
}

const isEmpty = (body: unknown) =>
  body === undefined || body === null || body === '' || (typeof body === 'object' && Object.keys(body as object).length === 0);

function refuseBody(req: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) {
  if (isEmpty(req.body)) return done();
  done(new AppError('validation_failed', 'body: This route takes no request body', [{ field: 'body', message: 'This route takes no request body' }]));
}

/**
 * JSON bodies are bounded before they are parsed (`jsonBoundsProblem`, 400 `malformed_body`), then
 * parsed as Fastify does (`__proto__` and `constructor` keys refused). A route without a body
 * schema refuses a body that is not empty (`{}` is empty) before anything runs, instead of
 * ignoring it: an action sent with a body it would ignore is more likely a mistake than a wish.
 */
export function registerJsonBody(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    const problem = jsonBoundsProblem(text);
    if (problem) return done(new AppError('malformed_body', problem, [{ field: 'body', message: problem }]), undefined);
    parse(req, text, done);
  });
  app.addHook('onRoute', (route) => {
    if (route.schema?.body) return;
    route.preValidation = [...[route.preValidation ?? []].flat(), refuseBody];
  });
}
