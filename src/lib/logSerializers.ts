/**
 * What a log line may say about a request and its failure: the route, the status, the names of
 * the query parameters and of the fields refused; never a value a person sent (query values,
 * bodies, email text or addresses). Used by the logger for `req`, `res`, `err` and `fields`
 * (test/logs.test.ts makes requests full of personal data and searches the captured log).
 */

const EMAIL = /[^\s@<>"'(),;:[\]]+@[^\s@<>"'(),;:[\]]+/g;
/** drizzle's "Failed query: … \nparams: a,b,c": the statement's values. */
const STATEMENT_PARAMS = /^params: .*$/gm;
/** A query parameter or field name worth keeping as is; anything else a client made up is shown as `[other]`. */
const PLAIN_NAME = /^[A-Za-z_$][\w$.-]{0,99}$/;

/** Addresses out of a message or a stack; the statement's parameters too. */
export const scrubText = (s: string): string => s.replace(STATEMENT_PARAMS, 'params: [redacted]').replace(EMAIL, '[email]');

/** A field or parameter name: kept when it is a plain name, else its addresses blanked. */
export const safeName = (name: string): string => (PLAIN_NAME.test(name) ? name : scrubText(name));

interface RequestLike {
  method: string;
  ip?: string;
  query?: unknown;
  routeOptions?: { url?: string };
}

/** The request: method, route pattern (`/v1/candidates/:id`, not the path a client typed), query parameter names. */
export function requestSerializer(req: RequestLike) {
  const query = req.query && typeof req.query === 'object' ? Object.keys(req.query).map((k) => (PLAIN_NAME.test(k) ? k : '[other]')) : [];
  return { method: req.method, route: req.routeOptions?.url ?? null, ...(query.length > 0 ? { query } : {}), remoteAddress: req.ip };
}

export const responseSerializer = (reply: { statusCode: number }) => ({ statusCode: reply.statusCode });

type ErrorLike = Error & { code?: unknown; cause?: unknown; severity?: unknown; routine?: unknown; table?: unknown; column?: unknown; constraint?: unknown };

/** PostgreSQL's own error (pg's DatabaseError): its message may quote a value, its detail a whole row. */
const isPostgresError = (e: ErrorLike) => typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) && typeof e.severity === 'string';
/** A PostgreSQL message quotes the value it refused (`invalid input syntax for type uuid: "…"`). */
const unquote = (s: string) => s.replace(/"(?:[^"\\]|\\.)*"/g, '"…"');

/**
 * An error as a log line may show it: type, message and stack with values taken out, the code,
 * PostgreSQL's fields that name things (never `detail`, `where` or a statement's parameters), and
 * its cause the same way. pino's own serializer copies every property, drizzle's `params` included.
 */
export function errorSerializer(err: unknown, depth = 0): unknown {
  if (!(err instanceof Error)) return typeof err === 'string' ? scrubText(err) : err;
  const e = err as ErrorLike;
  const pg = isPostgresError(e);
  const clean = (s: string) => (pg ? unquote(scrubText(s)) : scrubText(s));
  return {
    type: e.constructor?.name ?? e.name,
    message: clean(e.message),
    ...(e.stack ? { stack: clean(e.stack) } : {}),
    ...(typeof e.code === 'string' || typeof e.code === 'number' ? { code: e.code } : {}),
    ...(pg ? Object.fromEntries((['severity', 'routine', 'table', 'column', 'constraint'] as const).filter((k) => e[k]).map((k) => [k, e[k]])) : {}),
    ...(e.cause !== undefined && depth < 3 ? { cause: errorSerializer(e.cause, depth + 1) } : {}),
  };
}

/** pino's serializers, by the key they apply to. */
export const logSerializers = {
  req: requestSerializer,
  res: responseSerializer,
  err: (err: unknown) => errorSerializer(err),
  fields: (fields: unknown) => (Array.isArray(fields) ? fields.map((f) => safeName(String(f))) : fields),
};
