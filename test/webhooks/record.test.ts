import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { CLAIM, RECORD } from '../../src/modules/webhooks/webhooks.statements.js';
import { adminPool } from '../helpers/db.js';
import { createTestApp, newTenant, type TestApp, type TestTenant } from '../helpers/app.js';
import { testAppUrl } from '../helpers/env.js';

/**
 * The record of a try's answer against a delivery another worker has moved on: the first worker's
 * claim lapsed (it hung past the timeout and margin), the sweep queued the next try, and a second
 * worker claimed, sent and recorded it. The first worker's late record must not undo that.
 */
let t: TestApp;
let tenant: TestTenant;
let app: pg.Client;
const admin = () => adminPool();

beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
  app = new pg.Client({ connectionString: testAppUrl });
  await app.connect();
  await app.query("SELECT set_config('app.tenant_id', $1, false)", [tenant.tenantId]);
});
afterAll(async () => {
  await app.end();
  await admin().query('DELETE FROM webhook_endpoints WHERE tenant_id = $1', [tenant.tenantId]);
  await t.close();
});

async function pendingDelivery() {
  const [endpoint, event, delivery] = [uuidv7(), uuidv7(), uuidv7()];
  await admin().query(
    `INSERT INTO webhook_endpoints (tenant_id, id, url, event_types, secret) VALUES ($1, $2, 'https://hooks.example.org/in', '{*}', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')`,
    [tenant.tenantId, endpoint],
  );
  await admin().query(`INSERT INTO events (tenant_id, id, type, payload, published_at) VALUES ($1, $2, 'employer.created', '{"id":"evt_x"}', now())`, [tenant.tenantId, event]);
  await admin().query(
    `INSERT INTO webhook_deliveries (tenant_id, id, endpoint_id, event_id, event_type, next_attempt_at) VALUES ($1, $2, $3, $4, 'employer.created', now() - interval '1 minute')`,
    [tenant.tenantId, delivery, endpoint, event],
  );
  return delivery;
}

const claim = (id: string, attempt: number, now: Date) => app.query(CLAIM.text, [[id], attempt, new Date(now.getTime() + 45_000), now]);
const record = (id: string, attempt: number, outcome: { status: string; code: number | null; next: Date | null; step: number }, now: Date) =>
  app.query(RECORD.text, [[id], [attempt], [outcome.status], [outcome.step], [outcome.next], [outcome.code], [outcome.code === 200 ? null : 'HTTP 500'], ['ok'], [12], [outcome.status === 'succeeded' ? now : null], now]);
const row = async (id: string) =>
  (await admin().query('SELECT status, attempts, last_attempt, last_status_code, next_attempt_at FROM webhook_deliveries WHERE id = $1', [id])).rows[0];
const logged = async (id: string) => (await admin().query('SELECT attempt, status_code FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt', [id])).rows;

describe('recording a try', () => {
  it('when the try’s claim lapsed and another worker recorded the next try, then the late record changes nothing', async () => {
    const id = await pendingDelivery();
    const now = new Date();
    expect((await claim(id, 1, now)).rowCount).toBe(1);
    // Worker A hangs; its claim lapses and the sweep hands try 2 to worker B.
    await admin().query("UPDATE webhook_deliveries SET claimed_until = now() - interval '1 second' WHERE id = $1", [id]);
    expect((await claim(id, 2, now)).rowCount).toBe(1);
    await record(id, 2, { status: 'succeeded', code: 200, next: null, step: 0 }, now);
    expect(await row(id)).toMatchObject({ status: 'succeeded', attempts: 2, last_attempt: 2, last_status_code: 200 });
    // A comes back with try 1's failure.
    const late = await record(id, 1, { status: 'pending', code: 500, next: new Date(now.getTime() + 5_000), step: 1 }, now);
    expect(late.rowCount).toBe(0);
    expect(await row(id)).toMatchObject({ status: 'succeeded', attempts: 2, last_attempt: 2, last_status_code: 200, next_attempt_at: null });
    expect(await logged(id)).toEqual([]);
  });

  it('when a late record runs while another worker claims the next try, then each try is in the attempt log once', async () => {
    const id = await pendingDelivery();
    const now = new Date();
    await claim(id, 1, now);
    await record(id, 1, { status: 'pending', code: 500, next: new Date(now.getTime() - 1), step: 1 }, now);
    // Worker A claims try 2 and hangs past its claim.
    await claim(id, 2, now);
    await admin().query("UPDATE webhook_deliveries SET claimed_until = now() - interval '1 second' WHERE id = $1", [id]);
    // Worker B claims try 3 in a transaction still open when A's late record of try 2 starts.
    const b = new pg.Client({ connectionString: testAppUrl });
    await b.connect();
    try {
      await b.query('BEGIN');
      await b.query("SELECT set_config('app.tenant_id', $1, true)", [tenant.tenantId]);
      expect((await b.query(CLAIM.text, [[id], 3, new Date(now.getTime() + 45_000), now])).rowCount).toBe(1);
      const aPid = (await app.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
      const late = record(id, 2, { status: 'pending', code: 500, next: new Date(now.getTime() + 5_000), step: 2 }, now);
      // A's record has moved try 1 to the log from its snapshot and waits for B's row lock.
      await vi.waitFor(async () => {
        const waiting = await admin().query("SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'", [aPid]);
        expect(waiting.rowCount).toBe(1);
      }, { timeout: 10_000, interval: 20 });
      await b.query('COMMIT');
      expect((await late).rowCount).toBe(0);
      // B records try 3, which moves the try before it (still try 1) to the log: already there.
      await b.query("SELECT set_config('app.tenant_id', $1, false)", [tenant.tenantId]);
      await b.query(RECORD.text, [[id], [3], ['succeeded'], [2], [null], [200], [null], ['ok'], [12], [now], now]);
    } finally {
      await b.end();
    }
    expect(await logged(id)).toEqual([{ attempt: 1, status_code: 500 }]);
    expect(await row(id)).toMatchObject({ status: 'succeeded', attempts: 3, last_attempt: 3, last_status_code: 200 });
  });

  it('when a retried try is recorded, then the one before moves to the attempt log', async () => {
    const id = await pendingDelivery();
    const now = new Date();
    await claim(id, 1, now);
    await record(id, 1, { status: 'pending', code: 500, next: new Date(now.getTime() - 1), step: 1 }, now);
    expect(await logged(id)).toEqual([]);
    await claim(id, 2, now);
    await record(id, 2, { status: 'succeeded', code: 200, next: null, step: 1 }, now);
    expect(await logged(id)).toEqual([{ attempt: 1, status_code: 500 }]);
    expect(await row(id)).toMatchObject({ status: 'succeeded', attempts: 2, last_attempt: 2, last_status_code: 200 });
  });
});
