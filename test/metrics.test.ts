import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { fixedClock } from '../src/lib/clock.js';
import { deliverFollowUp } from '../src/modules/followups/followups.delivery.js';
import { serveMetrics } from '../src/http/metrics.js';
import { bearer, createTestApp, expectProblem, json, newTenant, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { smtpSink } from './helpers/smtpSink.js';
import { recruitingStory, scheduledInterview } from './helpers/story.js';

/** Issue 20 item 5: a small story, then a scrape; the counters it should move moved. Interviews in May 2028, New York. */
const TOKEN = 'metrics-token-metrics-token-metrics-token';
const clock = fixedClock('2028-05-02T12:00:00Z');
const sink = smtpSink();
let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  const port = await sink.listen();
  t = await createTestApp({ clock, env: { METRICS_TOKEN: TOKEN, QUEUE_PREFIX: `afterview-metrics-${process.pid}`, SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: 'followups@agency.example' } });
  tenant = await newTenant(t.app);
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

const scrape = async () => {
  const res = await t.app.inject({ url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.body;
};
/** The value of a sample, e.g. `afterview_http_request_duration_seconds_count{method="POST",route="/v1/candidates",status="201"}`. */
const sample = (text: string, name: string, labels: Record<string, string> = {}) => {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(name) && (l[name.length] === ' ' || l[name.length] === '{') && want.every((w) => l.includes(w)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : undefined;
};

describe('/metrics', () => {
  it('refuses a scrape without the token, and is 404 where no token is set', async () => {
    expectProblem(await t.app.inject({ url: '/metrics' }), 401, 'invalid_token');
    expectProblem(await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer not-the-token' } }), 401, 'invalid_token');
    const off = await createTestApp();
    try {
      expectProblem(await off.app.inject({ url: '/metrics' }), 404, 'not_found');
    } finally {
      await off.close();
    }
  });

  it('after a small story: requests by route and status, a follow-up sent and how late, an inbound reply, the pool and the queues', async () => {
    const before = await scrape();
    const created = { route: '/v1/candidates', method: 'POST', status: '201' };
    const n0 = sample(before, 'afterview_http_request_duration_seconds_count', created) ?? 0;

    clock.set('2028-04-25T12:00:00Z');
    const story = await recruitingStory(t.app, tenant);
    const interview = await scheduledInterview(t.app, tenant, story, '2028-05-02T10:00:00-04:00');
    clock.set('2028-05-02T15:10:00Z');
    expect((await t.app.inject({ method: 'POST', url: `/v1/interviews/${interview.id}/complete`, headers: bearer(tenant.token), payload: {} })).statusCode).toBe(200);
    const thankYou = json<{ data: Schemas['FollowUp'][] }>(await t.app.inject({ url: `/v1/follow-ups?interviewId=${interview.id}&kind=thank_you`, headers: bearer(tenant.token) })).data[0]!;
    // Sent 90 s after it was to leave (lateness counts from its due time plus its undo window).
    clock.set(new Date(new Date(thankYou.sendsAt).getTime() + 90_000));
    expect(await deliverFollowUp(t.deps, { tenantId: tenant.tenantId, followUpId: thankYou.id, version: thankYou.version }, { number: 1, of: 3 })).toMatchObject({ outcome: 'sent' });
    const secret = json<Schemas['InboundSecret']>(await t.app.inject({ method: 'POST', url: '/v1/inbound/secret', headers: bearer(tenant.token) })).secret;
    const inbound = await t.app.inject({
      method: 'POST',
      url: '/v1/inbound/email',
      headers: { authorization: `Bearer ${secret}` },
      payload: { from: 'Pat Principal <pat@school.example.org>', subject: 'Re: Thank you', text: 'Thanks!', messageId: '<metrics@school.example.org>', inReplyTo: `<fu-${thankYou.id}@afterview>` },
    });
    expect(inbound.statusCode, inbound.body).toBe(202);

    const after = await scrape();
    expect(sample(after, 'afterview_http_request_duration_seconds_count', created)).toBe(n0 + 1);
    expect(sample(after, 'afterview_http_request_duration_seconds_count', { route: '/v1/interviews/:id/complete', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'afterview_followup_sends_total', { outcome: 'sent' })).toBe(1);
    expect(sample(after, 'afterview_followup_lateness_seconds_count', { channel: 'email' })).toBe(1);
    expect(sample(after, 'afterview_followup_lateness_seconds_sum', { channel: 'email' })).toBe(90);
    expect(sample(after, 'afterview_followup_lateness_seconds_bucket', { channel: 'email', le: '60' })).toBe(0);
    expect(sample(after, 'afterview_followup_lateness_seconds_bucket', { channel: 'email', le: '120' })).toBe(1);
    expect(sample(after, 'afterview_inbound_emails_total', { outcome: 'stored_matched' })).toBe(1);
    expect(sample(after, 'afterview_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
    // Read from Redis at the scrape, every queue and state.
    for (const queue of ['maintenance', 'followups', 'webhooks']) {
      for (const state of ['waiting', 'delayed', 'active', 'failed']) expect(sample(after, 'afterview_queue_jobs', { queue, state }), `${queue} ${state}`).toBeGreaterThanOrEqual(0);
    }
    expect(after).toContain('afterview_process_resident_memory_bytes');
  });

  it('METRICS_PORT: the same registry on a listener of its own, the worker’s only HTTP', async () => {
    const server = await serveMetrics(t.deps.metrics, '127.0.0.1', await freePort());
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('afterview_followup_sends_total');
      expect((await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/other`)).status).toBe(404);
    } finally {
      server.close();
    }
  });
});

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
