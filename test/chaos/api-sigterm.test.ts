import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bearer, newTenant, uniq, type TestTenant } from '../helpers/app.js';
import { chaosStack, type AfterviewProcess, type ChaosStack } from './stack.js';

/**
 * Chaos (d): the API process gets SIGTERM (a deploy) while clients write to it. The contract
 * (src/server.ts, docs/chaos.md): every request it had accepted before the signal is finished and
 * answered; one arriving during the drain on an open connection gets a 503 problem with
 * Retry-After; after that, connections are refused. No 500, and a client that retries what got no
 * success with its Idempotency-Key, against the next process, makes each change exactly once.
 */
let stack: ChaosStack;
let api: AfterviewProcess;

beforeAll(async () => {
  stack = await chaosStack('term');
  api = await stack.startProcess('api');
}, 150_000);
afterAll(async () => stack?.close());

interface Sent {
  rid: string;
  name: string;
  key: string;
  status: number | null;
  error: string | null;
  contentType: string;
  retryAfter: string | null;
}

/** A client loop: candidates created one after another, each with its own request id and key, until the server is gone. */
async function client(address: string, tenant: TestTenant, sent: Sent[]) {
  for (;;) {
    const s: Sent = { rid: uniq('rid-chaos'), name: uniq('Cand'), key: uniq('key'), status: null, error: null, contentType: '', retryAfter: null };
    sent.push(s);
    try {
      const res = await fetch(`${address}/v1/candidates`, {
        method: 'POST',
        headers: { ...bearer(tenant.token), 'content-type': 'application/json', 'x-request-id': s.rid, 'idempotency-key': s.key },
        body: JSON.stringify({ name: s.name }),
      });
      await res.text();
      s.status = res.status;
      s.contentType = res.headers.get('content-type') ?? '';
      s.retryAfter = res.headers.get('retry-after');
    } catch (err) {
      s.error = String((err as { cause?: { code?: string } }).cause?.code ?? err);
      // Refused: the server is gone; this client stops.
      if (s.error === 'ECONNREFUSED') return;
    }
  }
}

describe('chaos: API SIGTERM under load', () => {
  it('finishes what it accepted, answers no 500, and retried writes happen exactly once', async () => {
    const tenant = await newTenant(stack.client(() => api.address));
    const sent: Sent[] = [];
    const clients = Promise.all(Array.from({ length: 8 }, () => client(api.address, tenant, sent)));
    await vi.waitFor(() => expect(sent.filter((s) => s.status === 201).length).toBeGreaterThanOrEqual(40), { timeout: 30_000, interval: 10 });
    // Within its grace period (before: killed by the timeout, held by keep-alive connections).
    expect(await api.stop('SIGTERM'), 'a clean exit').toEqual({ code: 0, signal: null });
    await clients;

    // The request ids the API had read before it began shutting down.
    const down = api.lines.findIndex((l) => l.msg === 'shutting down');
    expect(down).toBeGreaterThan(0);
    const accepted = new Set(api.lines.slice(0, down).filter((l) => l.msg === 'incoming request').map((l) => String(l.reqId)));
    const ours = sent.filter((s) => accepted.has(s.rid));
    expect(ours.length).toBeGreaterThanOrEqual(40);
    // Each was finished and answered: no reset, no error, no 503 of the drain.
    expect(ours.filter((s) => s.status !== 201).map((s) => `${s.rid}: ${s.status ?? s.error}`)).toEqual([]);
    // The rest: a 503 problem with Retry-After, or no connection; never a 500.
    const others = sent.filter((s) => !accepted.has(s.rid));
    for (const s of others) {
      if (s.status === null) expect(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']).toContain(s.error);
      else if (s.status !== 201) expect({ status: s.status, problem: s.contentType.startsWith('application/problem+json'), retryAfter: s.retryAfter !== null }).toEqual({ status: 503, problem: true, retryAfter: true });
    }

    // The next process; every write that got no success is sent again with its key.
    api = await stack.startProcess('api');
    for (const s of sent.filter((x) => x.status !== 201)) {
      const res = await fetch(`${api.address}/v1/candidates`, {
        method: 'POST',
        headers: { ...bearer(tenant.token), 'content-type': 'application/json', 'idempotency-key': s.key },
        body: JSON.stringify({ name: s.name }),
      });
      // A first try that committed before the process went is known by its key (409 idempotency_answer_lost).
      expect([201, 409], await res.text()).toContain(res.status);
    }
    const names = await stack.db.admin.query<{ name: string; n: number }>('SELECT name, count(*)::int AS n FROM candidates WHERE tenant_id = $1 GROUP BY name', [tenant.tenantId]);
    const count = new Map(names.rows.map((r) => [r.name, r.n]));
    expect(sent.filter((s) => count.get(s.name) !== 1).map((s) => `${s.name}: ${count.get(s.name) ?? 0}`)).toEqual([]);
  }, 120_000);
});
