import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../src/modules/web/web.routes.js';
import { createTestApp, expectProblem, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
}, 120_000);
afterAll(() => t.close());

describe('serving the web client', () => {
  it('answers / and any client route with index.html, never cached, under a CSP without inline script or framing', async () => {
    for (const url of ['/', '/interviews/01a216f6-db67-778b-b281-3e86574808f0', '/settings?tab=keys']) {
      const res = await t.app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<div id="root"></div>');
      expect(res.headers['cache-control']).toBe('no-cache');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("connect-src 'self'");
    }
  });

  it('serves the hashed assets compressed and cached for a year', async () => {
    const js = readdirSync(join(WEB_DIST, 'assets')).find((f) => f.startsWith('index-') && f.endsWith('.js'))!;
    const res = await t.app.inject({ url: `/assets/${js}`, headers: { 'accept-encoding': 'gzip, br' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(['br', 'gzip']).toContain(res.headers['content-encoding']);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const plain = await t.app.inject({ url: `/assets/${js}` });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.length).toBeGreaterThan(res.rawPayload.length);
  });

  it('leaves the API, its docs and unknown files alone: problem+json 404s, not the page', async () => {
    expectProblem(await t.app.inject({ url: '/v1/nope' }), 404, 'route_not_found');
    expectProblem(await t.app.inject({ url: '/v1' }), 404, 'route_not_found');
    expectProblem(await t.app.inject({ url: '/assets/missing.js' }), 404, 'route_not_found');
    expect(expectProblem(await t.app.inject({ url: '/%E0%A4%A' }), 400, 'validation_failed').errors).toEqual([{ field: 'path', message: 'Not a valid URL' }]);
    expectProblem(await t.app.inject({ url: '/../package.json' }), 404, 'route_not_found');
    const spec = await t.app.inject({ url: '/openapi.json' });
    expect(spec.statusCode).toBe(200);
    expect(spec.json().paths['/v1/follow-ups/{id}/send-now']).toBeDefined();
    const docs = await t.app.inject({ url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
    expectProblem(await t.app.inject({ url: '/v1/me' }), 401, 'unauthenticated');
  });
});
