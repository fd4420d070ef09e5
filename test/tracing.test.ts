import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QueueEvents } from 'bullmq';
import { bearer, createTestApp, newTenant, type TestApp, type TestTenant } from './helpers/app.js';
import { testConfig } from './helpers/env.js';
import { startTracing, type Tracing } from '../src/lib/tracing.js';
import { startWorkers, type RunningWorkers } from '../src/jobs/worker.js';
import { enqueue } from '../src/jobs/enqueue.js';
import { purgeIdempotencyKeysJob } from '../src/modules/idempotency/idempotency.jobs.js';

/** OpenTelemetry traces (docs/metrics.md#traces), read at a real OTLP/HTTP receiver on 127.0.0.1. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: number | string } }[];
}
let receiver: Server;
const received: { resource: Record<string, string>; span: OtlpSpan }[] = [];
const bodies: string[] = [];
let tracing: Tracing | null;
let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      bodies.push(body);
      const parsed = JSON.parse(body) as { resourceSpans: { resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const rs of parsed.resourceSpans) {
        const resource = Object.fromEntries(rs.resource.attributes.map((a) => [a.key, String(a.value.stringValue ?? a.value.intValue)]));
        for (const ss of rs.scopeSpans) for (const span of ss.spans) received.push({ resource, span });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/v1/traces`;
  tracing = await startTracing(testConfig({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url, OTEL_SERVICE_NAME: 'afterview-test' }), 'all');
  t = await createTestApp();
  tenant = await newTenant(t.app);
});
afterAll(async () => {
  await t?.close();
  await tracing?.shutdown();
  receiver?.close();
});

const attr = (s: OtlpSpan, key: string) => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v === undefined ? undefined : String(v.stringValue ?? v.intValue);
};

describe('traces', () => {
  it('a span per request continues the caller’s trace and carries the request id, the route and the status, never the query', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parentId = '00f067aa0ba902b7';
    const res = await t.app.inject({
      url: '/v1/candidates?q=Jane%20Doe',
      headers: { ...bearer(tenant.token), traceparent: `00-${traceId}-${parentId}-01`, 'x-request-id': 'trace-me-123' },
    });
    expect(res.statusCode).toBe(200);
    const bad = await t.app.inject({ url: '/v1/candidates/not-a-uuid', headers: bearer(tenant.token) });
    expect(bad.statusCode).toBe(400);
    // Jobs get theirs: one the worker runs.
    const workers: RunningWorkers = await startWorkers(t.deps, { schedules: false, relay: false });
    const events = new QueueEvents('maintenance', { connection: { url: t.deps.config.REDIS_URL }, prefix: t.deps.config.QUEUE_PREFIX });
    try {
      const jobId = `trace-purge-${Date.now()}`;
      await enqueue(t.deps, purgeIdempotencyKeysJob, {}, { jobId });
      await (await t.deps.queues.get('maintenance').getJob(jobId))!.waitUntilFinished(events, 15_000);
    } finally {
      await events.close();
      await workers.close();
    }
    await tracing!.shutdown();
    tracing = null;

    const request = received.find((r) => attr(r.span, 'afterview.request_id') === 'trace-me-123');
    expect(request, `spans: ${received.map((r) => r.span.name).join(', ')}`).toBeDefined();
    expect(request!.span).toMatchObject({ traceId, parentSpanId: parentId, name: 'GET /v1/candidates' });
    expect(attr(request!.span, 'http.route')).toBe('/v1/candidates');
    expect(attr(request!.span, 'http.response.status_code')).toBe('200');
    expect(request!.resource['service.name']).toBe('afterview-test');
    const refused = received.find((r) => r.span.name === 'GET /v1/candidates/:id');
    expect(refused && attr(refused.span, 'http.response.status_code')).toBe('400');
    const job = received.find((r) => r.span.name === 'job idempotency.purge-expired');
    expect(job && attr(job.span, 'messaging.destination.name')).toBe('maintenance');
    // No personal data: the search's words and the token never reach the collector.
    expect(bodies.join('\n')).not.toMatch(/Jane|Doe/);
    expect(bodies.join('\n')).not.toContain(tenant.token);
  });
});
