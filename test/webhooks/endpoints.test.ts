import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKey, bearer, createTestApp, expectProblem, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from '../helpers/app.js';
import { adminPool, timeline } from '../helpers/db.js';

// No relay runs in this file: deliveries made here stay as they are written.
let t: TestApp;
let strict: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  t = await createTestApp();
  // As in production: https only, no loopback.
  strict = await createTestApp({ env: { WEBHOOK_ALLOW_LOOPBACK: '0', WEBHOOK_ALLOW_HTTP: '0' } });
  tenant = await newTenant(t.app);
});
afterAll(async () => {
  await t.close();
  await strict.close();
});

type Endpoint = Schemas['WebhookEndpoint'];
const h = (token = tenant.token) => bearer(token);
const create = (payload: object, token = tenant.token, app = t.app) =>
  app.inject({ method: 'POST', url: '/v1/webhook-endpoints', headers: h(token), payload });
const hook = (path = '/hook') => `http://127.0.0.1:9${path}`;

describe('webhook endpoints', () => {
  it('create shows the whsec_ secret once; get and list never show it', async () => {
    const res = await create({ url: hook(), eventTypes: ['interview.completed', 'outcome.logged', 'outcome.logged'], description: 'HR system' });
    expect(res.statusCode, res.body).toBe(201);
    const created = json<Schemas['WebhookEndpointWithSecret']>(res);
    expect(created).toMatchObject({ url: hook(), eventTypes: ['interview.completed', 'outcome.logged'], status: 'active', description: 'HR system', version: 1 });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(res.headers.location).toBe(`/v1/webhook-endpoints/${created.id}`);
    const got = await t.app.inject({ url: `/v1/webhook-endpoints/${created.id}`, headers: h() });
    expect(got.statusCode).toBe(200);
    expect(got.headers.etag).toBe('"1"');
    expect(got.body).not.toContain('whsec_');
    expect(got.body).not.toContain(created.secret.slice(6));
    const list = json<{ data: Endpoint[] }>(await t.app.inject({ url: '/v1/webhook-endpoints', headers: h() }));
    expect(list.data.map((e) => e.id)).toContain(created.id);
    expect(JSON.stringify(list)).not.toContain('whsec_');
  });

  it('refuses bad input naming the field, and writes nothing', async () => {
    const own = await newTenant(t.app);
    const cases: [object, string][] = [
      [{ eventTypes: ['*'] }, 'body.url'],
      [{ url: hook() }, 'body.eventTypes'],
      [{ url: hook(), eventTypes: [] }, 'body.eventTypes'],
      [{ url: hook(), eventTypes: ['interview.exploded'] }, 'body.eventTypes.0'],
      [{ url: hook(), eventTypes: ['*'], secret: 'mine' }, 'body.secret'],
      [{ url: hook(), eventTypes: ['*'], description: 'x'.repeat(501) }, 'body.description'],
      [{ url: `${hook()}/${'a'.repeat(2100)}`, eventTypes: ['*'] }, 'body.url'],
    ];
    for (const [payload, field] of cases) {
      const problem = expectProblem(await create(payload, own.token), 400, 'validation_failed');
      expect(problem.errors?.map((e) => e.field), JSON.stringify(payload)).toContain(field);
    }
    const list = json<{ data: Endpoint[] }>(await t.app.inject({ url: '/v1/webhook-endpoints', headers: h(own.token) }));
    expect(list.data).toEqual([]);
  });

  it('refuses URLs that reach private, loopback, link-local or metadata addresses with 422, before any connection', async () => {
    const own = await newTenant(strict.app);
    const refused = [
      'https://10.0.0.1/hook',
      'https://169.254.169.254/latest/meta-data/',
      'https://[::1]/hook',
      'https://0x7f000001/hook',
      'https://2130706433/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://[::ffff:a00:1]/hook',
      'https://[fd00::1]/hook',
      'https://192.168.1.10/hook',
      'https://localhost/hook',
      'http://203.0.113.10/hook',
      'ftp://files.example.org/hook',
      'https://user:pass@8.8.8.8/hook',
    ];
    for (const url of refused) {
      const res = await create({ url, eventTypes: ['*'] }, own.token, strict.app);
      const problem = expectProblem(res, 422, 'unprocessable');
      expect(problem.errors?.[0]?.field, url).toBe('body.url');
    }
    // The test setting allows loopback (and http), and only that: private ranges stay refused.
    expect((await create({ url: 'http://127.0.0.1:9/ok', eventTypes: ['*'] })).statusCode).toBe(201);
    expectProblem(await create({ url: 'http://10.0.0.1/hook', eventTypes: ['*'] }), 422, 'unprocessable');
    expectProblem(await create({ url: 'http://[::ffff:127.0.0.1]/hook', eventTypes: ['*'] }), 422, 'unprocessable');
    const list = json<{ data: Endpoint[] }>(await strict.app.inject({ url: '/v1/webhook-endpoints', headers: h(own.token) }));
    expect(list.data).toEqual([]);
  });

  it('update takes If-Match, re-checks the URL, and keeps the endpoint on a refusal', async () => {
    const ep = json<Endpoint>(await create({ url: hook('/u'), eventTypes: ['*'] }));
    const patch = (payload: object, ifMatch?: string) =>
      t.app.inject({ method: 'PATCH', url: `/v1/webhook-endpoints/${ep.id}`, headers: { ...h(), ...(ifMatch ? { 'if-match': ifMatch } : {}) }, payload });
    const ok = await patch({ eventTypes: ['candidate.created'], description: 'Only candidates' }, '"1"');
    expect(ok.statusCode, ok.body).toBe(200);
    expect(json<Endpoint>(ok)).toMatchObject({ eventTypes: ['candidate.created'], version: 2 });
    expectProblem(await patch({ description: 'stale' }, '"1"'), 412, 'precondition_failed');
    expectProblem(await patch({ url: 'http://10.1.2.3/x' }), 422, 'unprocessable');
    expectProblem(await patch({}), 400, 'validation_failed');
    const now = json<Endpoint>(await t.app.inject({ url: `/v1/webhook-endpoints/${ep.id}`, headers: h() }));
    expect(now).toMatchObject({ url: hook('/u'), description: 'Only candidates', version: 2 });
  });

  it('pause and resume move between states; a second pause or resume is 409', async () => {
    const ep = json<Endpoint>(await create({ url: hook('/p'), eventTypes: ['*'] }));
    const act = (what: string) => t.app.inject({ method: 'POST', url: `/v1/webhook-endpoints/${ep.id}/${what}`, headers: h() });
    expect(json<Endpoint>(await act('pause')).status).toBe('paused');
    expectProblem(await act('pause'), 409, 'conflict');
    expect(json<Endpoint>(await act('resume')).status).toBe('active');
    expectProblem(await act('resume'), 409, 'conflict');
  });

  it('the test event is one delivery for this endpoint, listed with its payload', async () => {
    const ep = json<Endpoint>(await create({ url: hook('/t'), eventTypes: ['candidate.erased'] }));
    await t.app.inject({ method: 'POST', url: `/v1/webhook-endpoints/${ep.id}/pause`, headers: h() });
    const res = await t.app.inject({ method: 'POST', url: `/v1/webhook-endpoints/${ep.id}/test`, headers: h() });
    expect(res.statusCode, res.body).toBe(202);
    const delivery = json<Schemas['WebhookDelivery']>(res);
    expect(delivery).toMatchObject({ endpointId: ep.id, eventType: 'webhook.test', status: 'pending', attempts: 0 });
    const list = json<{ data: Schemas['WebhookDelivery'][] }>(await t.app.inject({ url: `/v1/webhook-endpoints/${ep.id}/deliveries?status=pending`, headers: h() }));
    expect(list.data.map((d) => d.id)).toEqual([delivery.id]);
    const detail = json<Schemas['WebhookDeliveryDetail']>(
      await t.app.inject({ url: `/v1/webhook-endpoints/${ep.id}/deliveries/${delivery.id}`, headers: h() }),
    );
    expect(detail.payload).toMatchObject({ id: delivery.eventId, type: 'webhook.test', version: 1, data: { endpointId: ep.id } });
    expect(detail.attemptLog).toEqual([]);
    const none = json<{ data: unknown[] }>(await t.app.inject({ url: `/v1/webhook-endpoints/${ep.id}/deliveries?status=failed`, headers: h() }));
    expect(none.data).toEqual([]);
    expectProblem(await t.app.inject({ url: `/v1/webhook-endpoints/${ep.id}/deliveries?cursor=nope`, headers: h() }), 400, 'validation_failed');
    const other = json<Endpoint>(await create({ url: hook('/t2'), eventTypes: ['*'] }));
    expectProblem(await t.app.inject({ url: `/v1/webhook-endpoints/${other.id}/deliveries/${delivery.id}`, headers: h() }), 404, 'not_found');
  });

  it('recover needs a since instant; delete removes the endpoint and its log', async () => {
    const ep = json<Endpoint>(await create({ url: hook('/d'), eventTypes: ['*'] }));
    const recover = (payload: object) => t.app.inject({ method: 'POST', url: `/v1/webhook-endpoints/${ep.id}/recover`, headers: h(), payload });
    expect(expectProblem(await recover({}), 400).errors?.[0]?.field).toBe('body.since');
    expect(expectProblem(await recover({ since: 'yesterday' }), 400).errors?.[0]?.field).toBe('body.since');
    expect(json(await recover({ since: '2026-01-01T00:00:00Z' }))).toEqual({ redelivering: 0 });
    expect((await t.app.inject({ method: 'DELETE', url: `/v1/webhook-endpoints/${ep.id}`, headers: h() })).statusCode).toBe(204);
    expectProblem(await t.app.inject({ url: `/v1/webhook-endpoints/${ep.id}`, headers: h() }), 404, 'not_found');
    expectProblem(await t.app.inject({ url: `/v1/webhook-endpoints/${ep.id}/deliveries`, headers: h() }), 404, 'not_found');
  });

  it('redeliver and recover write their activity and event; a refused one (404, 409) and a recovery of nothing write none', async () => {
    const own = await newTenant(t.app);
    const ep = json<Endpoint>(await create({ url: hook('/r'), eventTypes: ['*'] }, own.token));
    const post = (path: string, payload?: object) =>
      t.app.inject({ method: 'POST', url: `/v1/webhook-endpoints/${ep.id}/${path}`, headers: h(own.token), ...(payload ? { payload } : {}) });
    expect((await post('pause')).statusCode).toBe(200);
    const delivery = json<Schemas['WebhookDelivery']>(await post('test'));
    const fail = () => adminPool().query(`UPDATE webhook_deliveries SET status = 'failed', attempts = 8 WHERE id = $1`, [delivery.id]);
    const counts = async () =>
      (
        await adminPool().query<{ activities: number; events: number }>(
          `SELECT (SELECT count(*)::int FROM activities WHERE tenant_id = $1) AS activities, (SELECT count(*)::int FROM events WHERE tenant_id = $1) AS events`,
          [own.tenantId],
        )
      ).rows[0]!;
    const eventsOf = async (type: string) =>
      (await adminPool().query<{ data: Record<string, unknown> }>(`SELECT payload->'data' AS data FROM events WHERE tenant_id = $1 AND type = $2 ORDER BY id`, [own.tenantId, type])).rows.map((r) => r.data);

    await fail();
    const again = await post(`deliveries/${delivery.id}/redeliver`);
    expect(again.statusCode, again.body).toBe(202);
    const rows = await timeline(own.tenantId, delivery.id);
    expect(rows).toEqual([expect.objectContaining({ action: 'webhook_delivery.redelivered', event_type: 'webhook_delivery.redelivered' })]);
    expect(rows[0]!.changes).toMatchObject({ status: { before: 'failed', after: 'pending' } });
    expect(await eventsOf('webhook_delivery.redelivered')).toEqual([
      expect.objectContaining({ webhookDeliveryId: delivery.id, endpointId: ep.id, eventId: delivery.eventId, eventType: 'webhook.test', actor: { type: 'user', id: own.ownerId } }),
    ]);

    await fail();
    const recovered = await post('recover', { since: '2026-01-01T00:00:00Z' });
    expect(json(recovered)).toEqual({ redelivering: 1 });
    expect((await timeline(own.tenantId, ep.id)).map((r) => [r.action, r.event_type])).toContainEqual(['webhook_endpoint.recovered', 'webhook_endpoint.recovered']);
    expect(await eventsOf('webhook_endpoint.recovered')).toEqual([
      expect.objectContaining({ webhookEndpointId: ep.id, since: '2026-01-01T00:00:00.000Z', redelivering: 1, actor: { type: 'user', id: own.ownerId } }),
    ]);

    const other = json<Endpoint>(await create({ url: hook('/r2'), eventTypes: ['*'] }, own.token));
    const start = await counts();
    expect(json(await post('recover', { since: '2026-01-01T00:00:00Z' }))).toEqual({ redelivering: 0 });
    expectProblem(await post(`deliveries/00000000-0000-4000-8000-000000000000/redeliver`), 404, 'not_found');
    expectProblem(
      await t.app.inject({ method: 'POST', url: `/v1/webhook-endpoints/${other.id}/deliveries/${delivery.id}/redeliver`, headers: h(own.token) }),
      404,
      'not_found',
    );
    expectProblem(
      await t.app.inject({ method: 'POST', url: '/v1/webhook-endpoints/00000000-0000-4000-8000-000000000000/recover', headers: h(own.token), payload: { since: '2026-01-01T00:00:00Z' } }),
      404,
      'not_found',
    );
    await adminPool().query(`UPDATE webhook_deliveries SET status = 'failed', claimed_until = now() + interval '1 hour' WHERE id = $1`, [delivery.id]);
    expectProblem(await post(`deliveries/${delivery.id}/redeliver`), 409, 'conflict');
    expect(await counts()).toEqual(start);
    expect(await timeline(own.tenantId, delivery.id)).toHaveLength(1);
  });

  it('admins manage endpoints; recruiters and viewers cannot; API keys need the webhooks scopes', async () => {
    const recruiter = await userWithRole(t.app, tenant, 'recruiter');
    expectProblem(await t.app.inject({ url: '/v1/webhook-endpoints', headers: h(recruiter.token) }), 403, 'forbidden');
    expectProblem(await create({ url: hook(), eventTypes: ['*'] }, recruiter.token), 403, 'forbidden');
    const admin = await userWithRole(t.app, tenant, 'admin');
    expect((await create({ url: hook('/admin'), eventTypes: ['*'] }, admin.token)).statusCode).toBe(201);
    const reader = await apiKey(t.app, tenant, ['webhooks:read']);
    expect((await t.app.inject({ url: '/v1/webhook-endpoints', headers: h(reader.secret) })).statusCode).toBe(200);
    expectProblem(await create({ url: hook(), eventTypes: ['*'] }, reader.secret), 403, 'insufficient_scope');
    const writer = await apiKey(t.app, tenant, ['webhooks:write']);
    expect((await create({ url: hook('/key'), eventTypes: ['*'] }, writer.secret)).statusCode).toBe(201);
  });

  it('the OpenAPI document lists every event under webhooks, with the signature headers', async () => {
    const doc = json<{ webhooks: Record<string, { post: { parameters: { name: string }[] } }> }>(await t.app.inject({ url: '/openapi.json' }));
    const { eventCatalogue } = await import('../../src/core/events.js');
    expect(Object.keys(doc.webhooks).sort()).toEqual(Object.keys(eventCatalogue).sort());
    expect(doc.webhooks['interview.completed']!.post.parameters.map((p) => p.name)).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
  });
});
