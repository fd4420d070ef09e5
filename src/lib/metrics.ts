import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type pg from 'pg';
import type { Queue } from 'bullmq';

/**
 * The Prometheus metrics of one process (docs/operations.md#metrics): a registry per process (a
 * test process holds several apps), served by `GET /metrics` behind METRICS_TOKEN on the API and on
 * METRICS_PORT by any process. Counters move where the thing happens; the gauges of the pool and
 * the queues are read at each scrape.
 */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  followUpLateness: Histogram<'channel'>;
  followUpSends: Counter<'outcome'>;
  webhookAttempts: Counter<'outcome'>;
  inboundEmails: Counter<'outcome'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'afterview_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'afterview_http_request_duration_seconds',
      help: 'API requests by route pattern and status, and how long they took',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    followUpLateness: new Histogram({
      name: 'afterview_followup_lateness_seconds',
      help: 'How long after its sending time (due time plus undo window) a follow-up was sent',
      labelNames: ['channel'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 900, 3600, 86_400],
      registers: [registry],
    }),
    followUpSends: new Counter({ name: 'afterview_followup_sends_total', help: 'Follow-up send attempts by outcome (sent, failed, retrying, skipped)', labelNames: ['outcome'], registers: [registry] }),
    webhookAttempts: new Counter({ name: 'afterview_webhook_attempts_total', help: 'Webhook delivery tries by outcome (succeeded, retrying, failed)', labelNames: ['outcome'], registers: [registry] }),
    inboundEmails: new Counter({ name: 'afterview_inbound_emails_total', help: 'Inbound replies received from the mail provider (stored, duplicate)', labelNames: ['outcome'], registers: [registry] }),
  };
}

/** Gauges read at each scrape: the PostgreSQL pool and the queues' depths. */
export function watchResources(metrics: Metrics, pool: pg.Pool, queues: () => Iterable<[string, Queue]>): void {
  new Gauge({
    name: 'afterview_db_pool_connections',
    help: 'PostgreSQL pool connections: total, idle, and requests waiting for one',
    labelNames: ['state'],
    registers: [metrics.registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
  new Gauge({
    name: 'afterview_queue_jobs',
    help: 'Jobs per queue and state (waiting, delayed, active, failed); absent while Redis does not answer',
    labelNames: ['queue', 'state'],
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const [name, queue] of queues()) {
        const counts = await Promise.race([
          queue.getJobCounts('waiting', 'delayed', 'active', 'failed', 'prioritized'),
          new Promise<null>((resolve) => setTimeout(() => resolve(null), 1_000).unref()),
        ]).catch(() => null);
        if (!counts) continue;
        this.set({ queue: name, state: 'waiting' }, (counts.waiting ?? 0) + (counts.prioritized ?? 0));
        for (const state of ['delayed', 'active', 'failed'] as const) this.set({ queue: name, state }, counts[state] ?? 0);
      }
    },
  });
}
