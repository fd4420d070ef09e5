import type { FastifyInstance } from 'fastify';
import { fillPath } from './isolation.js';

/**
 * Every route of the app with its inputs, read from the app itself: the route table says which
 * routes exist, the OpenAPI document the app serves says what each one takes (body, query, path).
 * A route added later is walked the same way; one the document does not describe must be listed
 * in `notWalked` with its reason (test/validation.test.ts fails otherwise). The suites that send
 * bad input to every route (validation, text hygiene, bounded JSON, fuzz) start here.
 */
export const notWalked: Record<string, string> = {
  'GET /': 'the web client’s HTML page (src/modules/web): takes no body, query or id; its cache headers are tested in test/web',
  'GET /*': 'the web client’s static files and its client-side routes (src/modules/web): any path is a file name or falls back to the page, no schema',
  'GET /docs': 'the Swagger UI plugin’s page: no input of ours (served-ness tested in test/http-edge.test.ts)',
  'GET /docs/json': 'the Swagger UI plugin’s copy of /openapi.json: no input',
  'GET /docs/yaml': 'the Swagger UI plugin’s YAML copy of /openapi.json: no input',
  'GET /docs/static/*': 'the Swagger UI plugin’s static files: a file name, no schema',
  'GET /docs/static/index.html': 'the Swagger UI plugin’s page: no input',
  'GET /docs/static/swagger-initializer.js': 'the Swagger UI plugin’s script: no input',
  'GET /metrics': 'Prometheus text for a scraper (src/http/metrics.ts): no input but its bearer METRICS_TOKEN, compared in constant time; tested in test/metrics.test.ts',
  'GET /respond/:token': 'the response links’ public HTML page (src/modules/responses): the token is the credential, a bad one a plain 404/410 page; tested in test/responses.test.ts and test/web/respond.e2e.test.ts',
  'POST /respond/:token': 'the response links’ HTML form post (application/x-www-form-urlencoded), its mistakes shown on the page; tested in test/responses.test.ts',
  'GET /openapi.json': 'the contract itself (this suite reads it): no input; validated as OpenAPI 3.1 in test/http-edge.test.ts',
};

/** Routes with a body limit of their own (bytes) rather than the app's BODY_LIMIT_BYTES, with why. */
export const ownBodyLimits: Record<string, { bytes: number; why: string }> = {
  'POST /v1/imports': { bytes: 12 * 1024 * 1024, why: 'a CSV file of up to 5 MB as a JSON string (docs/imports.md); past 5 MB its schema names body.csv' },
};

// The parts of OpenAPI 3.1 the suites read.
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  example?: unknown;
  examples?: unknown[];
  items?: JsonSchema;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
}
export interface Parameter {
  in: 'path' | 'query' | 'header' | 'cookie';
  name: string;
  required?: boolean;
  schema?: JsonSchema;
}
export interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}
export interface OpenApi {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema> };
}

export interface Walked {
  method: string;
  url: string;
  label: string;
  op: Operation;
  params: Parameter[];
  query: Parameter[];
  body?: { schema: JsonSchema; example: Record<string, unknown> };
}
export type WithBody = Walked & { body: NonNullable<Walked['body']> };

export const NIL = '00000000-0000-4000-8000-000000000000';
export const routeKey = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

/** The walker of one app: its document, and every route it describes. */
export async function routeWalker(app: FastifyInstance) {
  const doc = (await app.inject({ url: '/openapi.json' })).json() as OpenApi;

  const resolve = (s: JsonSchema | undefined): JsonSchema => {
    let out = s ?? {};
    for (let depth = 0; out.$ref && depth < 10; depth++) out = doc.components.schemas[out.$ref.split('/').pop()!] ?? {};
    return out;
  };
  const operation = (r: { method: string; url: string }): Operation | undefined =>
    doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.[r.method.toLowerCase()];

  /** The JSON types a schema accepts (integer counts as number); empty when it says nothing. */
  const jsonTypes = (s: JsonSchema | undefined): Set<string> => {
    const r = resolve(s);
    const out = new Set<string>();
    for (const ty of [r.type ?? []].flat()) out.add(ty === 'integer' ? 'number' : ty);
    for (const v of [...(r.enum ?? []), ...('const' in r ? [r.const] : [])]) out.add(v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
    for (const sub of [...(r.anyOf ?? []), ...(r.oneOf ?? [])]) for (const ty of jsonTypes(sub)) out.add(ty);
    // allOf: each part restricts; the first one that says something is enough for "what type".
    for (const sub of r.allOf ?? []) if (out.size === 0) for (const ty of jsonTypes(sub)) out.add(ty);
    return out;
  };

  /** A value that is valid for the param's schema (only its shape matters before the handler runs). */
  const validParam = (p: Parameter) => {
    const s = resolve(p.schema);
    if (s.format === 'uuid') return NIL;
    if (s.enum?.length) return String(s.enum[0]);
    return 'zz-sample';
  };

  const walked = (): Walked[] =>
    app.routeTable
      .filter((r) => !(routeKey(r) in notWalked))
      .map((r) => {
        const op = operation(r);
        if (!op) throw new Error(`${routeKey(r)} is not in /openapi.json: describe it, or list it in notWalked with a reason`);
        const json = op.requestBody?.content['application/json'];
        const schema = json && resolve(json.schema);
        const example = schema && (schema.example ?? schema.examples?.[0] ?? json?.schema.example);
        return {
          method: r.method,
          url: r.url,
          label: routeKey(r),
          op,
          params: (op.parameters ?? []).filter((p) => p.in === 'path'),
          query: (op.parameters ?? []).filter((p) => p.in === 'query'),
          ...(schema ? { body: { schema, example: structuredClone((example ?? {}) as Record<string, unknown>) } } : {}),
        };
      });

  const withBody = () => walked().filter((r): r is WithBody => r.body !== undefined);

  /** The route's URL with valid path parameters, `overrides` (already encoded) and a query string. */
  const urlOf = (r: Walked, overrides: Record<string, string> = {}, qs = '') =>
    fillPath(r.url, { ...Object.fromEntries(r.params.map((p) => [p.name, validParam(p)])), ...overrides }) + qs;

  return { doc, resolve, operation, jsonTypes, validParam, walked, withBody, urlOf };
}
