import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createTestApp, type TestApp } from './helpers/app.js';

/** What SDK generators and integrators read from the document (issue 20: the contract). */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ env: { PUBLIC_URL: 'https://api.agency.example' } });
});
afterAll(() => t.close());

type Doc = { servers: { url: string }[]; paths: Record<string, Record<string, { operationId?: string }>> };
const served = async () => (await t.app.inject({ url: '/openapi.json' })).json() as Doc;

describe('the OpenAPI document', () => {
  it('names every operation with a unique camelCase operationId, stable for the routes integrators know', async () => {
    const doc = await served();
    const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([m, o]) => ({ at: `${m.toUpperCase()} ${path}`, id: o.operationId })));
    expect(ops.filter((o) => !o.id || !/^[a-z][A-Za-z0-9]*$/.test(o.id))).toEqual([]);
    expect(new Set(ops.map((o) => o.id)).size).toBe(ops.length);
    const byRoute = Object.fromEntries(ops.map((o) => [o.at, o.id]));
    expect(byRoute).toMatchObject({
      'GET /v1/candidates': 'listCandidates',
      'POST /v1/candidates': 'createCandidate',
      'GET /v1/candidates/{id}': 'getCandidate',
      'PATCH /v1/candidates/{id}': 'updateCandidate',
      'POST /v1/interviews/{id}/complete': 'completeInterview',
      'GET /v1/employers/{id}/contacts': 'listEmployerContacts',
      'POST /v1/auth/login': 'signIn',
      'DELETE /v1/api-keys/{id}': 'revokeApiKey',
    });
  });

  it('names this deployment as its server (PUBLIC_URL); the committed one names the quick start’s', async () => {
    expect((await served()).servers.map((s) => s.url)).toEqual(['https://api.agency.example']);
    const committed = JSON.parse(readFileSync('openapi/openapi.json', 'utf8')) as Doc;
    expect(committed.servers.map((s) => s.url)).toEqual(['http://localhost:3000']);
  });

  it('the generated client types are keyed by operationId', () => {
    const types = readFileSync('openapi/schema.d.ts', 'utf8');
    expect(types).toMatch(/export interface operations \{\n\s+checkLiveness: \{/);
    expect(types).toContain('    completeInterview: {');
  });
});
