import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'csv-parse/sync';
import { fixedClock } from '../src/lib/clock.js';
import { findJob, handlerOf } from '../src/jobs/registry.js';
import { bearer, createTestApp, expectProblem, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool, timeline } from './helpers/db.js';

/** CSV imports of candidates: the preview, the run as a job, its rows, re-running the same file, a large file, and another agency. */
let t: TestApp;
const clock = fixedClock('2026-12-07T15:00:00.000Z');
beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(() => t.close());

type Import = Schemas['Import'];

const preview = async (tenant: TestTenant, csv: string, fileName = 'candidates.csv') => {
  const res = await t.app.inject({ method: 'POST', url: '/v1/imports', headers: bearer(tenant.token), payload: { kind: 'candidates', fileName, csv } });
  if (res.statusCode !== 201) throw new Error(`preview failed: ${res.statusCode} ${res.body}`);
  return json<Import>(res);
};

/** Asks for the run (the API enqueues the job) and runs the job's handler as the worker would, with the payload it was queued with. */
const run = async (tenant: TestTenant, id: string) => {
  const res = await t.app.inject({ method: 'POST', url: `/v1/imports/${id}/run`, headers: bearer(tenant.token) });
  expect(res.statusCode, res.body).toBe(202);
  expect(json<Import>(res).status).toBe('queued');
  // The job is handed to BullMQ as the change commits, in the background: wait until it is there.
  const job = await vi.waitFor(
    async () => {
      const found = await t.deps.queues.get('maintenance').getJob(`import-${id}`);
      if (!found) throw new Error('the run is not queued yet');
      return found;
    },
    { timeout: 10_000, interval: 20 },
  );
  expect(job?.name).toBe('imports.run');
  expect(job?.data).toEqual({ tenantId: tenant.tenantId, importId: id });
  const handler = await handlerOf(findJob('imports.run')!);
  await handler(t.deps, job!.data, job!);
  const done = await t.app.inject({ url: `/v1/imports/${id}`, headers: bearer(tenant.token) });
  return json<Import>(done);
};

const candidateByEmail = async (tenant: TestTenant, email: string) => {
  const res = await t.app.inject({ url: `/v1/candidates?q=${encodeURIComponent(email)}`, headers: bearer(tenant.token) });
  return json<{ data: Schemas['Candidate'][] }>(res).data.find((c) => c.email === email);
};

const FILE = (slug: string) =>
  [
    'Name,Email,Phone,LinkedIn URL,Time Zone,Tags,Relay Consent,Owner',
    `Ada Park,ada-${slug}@example.org,(212) 555-0123,linkedin.com/in/ada-park,America/New_York,Math; Grade-5,yes,Sam`,
    `Jordan Lee,jordan-${slug}@example.org,212 555 0199,,,,,Sam`,
    `Kim Ode,kim-${slug}@example.org,,,,science,no,Sam`,
    `Bad Phone,bad-${slug}@example.org,call me,,,,,Sam`,
    `No Email,,,,,,,Sam`,
    `Wrong Consent,wc-${slug}@example.org,,,Mars/Olympus,,maybe,Sam`,
    `Ada Again,ADA-${slug}@example.org,,,,,,Sam`,
  ].join('\r\n') + '\r\n';

describe('POST /v1/imports (the preview)', () => {
  it('counts the rows to create, update and skip and names each error by row and column, importing nothing', async () => {
    const tenant = await newTenant(t.app);
    // Jordan exists with the same phone (nothing to change); Kim exists with another tag.
    for (const [name, email, extra] of [
      ['Jordan Lee', `jordan-${tenant.slug}@example.org`, { phone: '+12125550199' }],
      ['Kim Ode', `kim-${tenant.slug}@example.org`, { tags: ['history'] }],
    ] as const) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/candidates', headers: bearer(tenant.token), payload: { name, email, ...extra } });
      expect(res.statusCode, res.body).toBe(201);
    }
    const imp = await preview(tenant, FILE(tenant.slug));
    expect(imp).toMatchObject({ kind: 'candidates', status: 'previewed', fileName: 'candidates.csv', total: 7, processed: 0, ignoredColumns: ['Owner'] });
    expect(imp.preview).toEqual({ create: 1, update: 1, skip: 1, error: 4 });
    expect(imp.createdAt).toBe('2026-12-07T15:00:00.000Z');
    expect(imp.errors).toEqual([
      { row: 5, column: 'Phone', message: expect.stringContaining('Not a number that can be dialled') },
      { row: 6, column: 'Email', message: 'Required: candidates are matched by email' },
      { row: 7, column: 'Time Zone', message: 'Must be an IANA time zone such as America/New_York' },
      { row: 7, column: 'Relay Consent', message: 'Must be yes or no (true/false, 1/0)' },
      { row: 8, column: 'Email', message: 'The same email as row 2' },
    ]);
    // Nothing was imported yet.
    expect(await candidateByEmail(tenant, `ada-${tenant.slug}@example.org`)).toBeUndefined();
    const rows = json<{ data: Schemas['ImportRow'][] }>(await t.app.inject({ url: `/v1/imports/${imp.id}/rows?limit=3`, headers: bearer(tenant.token) }));
    expect(rows.data.map((r) => [r.row, r.action, r.outcome])).toEqual([[2, 'create', null], [3, 'skip', null], [4, 'update', null]]);
  });

  it('a file that cannot be read is a 400 naming body.csv; a file over 5 MB too; nothing is kept', async () => {
    const tenant = await newTenant(t.app);
    const post = (csv: string) => t.app.inject({ method: 'POST', url: '/v1/imports', headers: bearer(tenant.token), payload: { kind: 'candidates', csv } });
    const unclosed = expectProblem(await post('name,email\n"Ada Park,ada@example.org\n'), 400, 'validation_failed');
    expect(unclosed.errors?.[0]?.field).toBe('body.csv');
    const noEmail = expectProblem(await post('name,phone\nAda,2125550123\n'), 400, 'validation_failed');
    expect(noEmail.errors).toEqual([{ field: 'body.csv', message: expect.stringContaining('"email"') }]);
    const big = 'name,email\n' + 'x'.repeat(5_000_000);
    const tooBig = expectProblem(await post(big), 400, 'validation_failed');
    expect(tooBig.errors?.[0]).toMatchObject({ field: 'body.csv', message: expect.stringContaining('5 MB') });
    const kept = await adminPool().query('SELECT count(*)::int AS n FROM imports WHERE tenant_id = $1', [tenant.tenantId]);
    expect(kept.rows[0].n).toBe(0);
  });
});

describe('POST /v1/imports/{id}/run', () => {
  it('imports through the candidates’ service (activity and event each), reports each row’s outcome as CSV, and the same file again changes nothing', async () => {
    const tenant = await newTenant(t.app);
    await t.app.inject({ method: 'POST', url: '/v1/candidates', headers: bearer(tenant.token), payload: { name: 'Kim Ode', email: `kim-${tenant.slug}@example.org`, tags: ['history'] } });
    const imp = await preview(tenant, FILE(tenant.slug));
    clock.set('2026-12-07T15:05:00.000Z');
    const done = await run(tenant, imp.id);
    expect(done).toMatchObject({ status: 'completed', total: 7, processed: 7, startedAt: '2026-12-07T15:05:00.000Z', finishedAt: '2026-12-07T15:05:00.000Z' });
    expect(done.results).toEqual({ created: 2, updated: 1, skipped: 0, failed: 4 });

    const ada = (await candidateByEmail(tenant, `ada-${tenant.slug}@example.org`))!;
    expect(ada).toMatchObject({
      name: 'Ada Park',
      phone: '+12125550123',
      linkedinUrl: 'https://www.linkedin.com/in/ada-park',
      timeZone: 'America/New_York',
      tags: ['math', 'grade-5'],
      relayConsent: true,
      relayConsentAt: '2026-12-07T15:05:00.000Z',
    });
    const kim = (await candidateByEmail(tenant, `kim-${tenant.slug}@example.org`))!;
    expect(kim).toMatchObject({ tags: ['science'], relayConsent: false, version: 2 });
    expect((await timeline(tenant.tenantId, ada.id)).map((r) => [r.action, r.event_type])).toEqual([['candidate.created', 'candidate.created']]);
    expect((await timeline(tenant.tenantId, kim.id)).map((r) => [r.action, r.event_type])).toEqual([
      ['candidate.created', 'candidate.created'],
      ['candidate.updated', 'candidate.updated'],
    ]);

    // Each row's outcome, downloadable as CSV.
    const csv = await t.app.inject({ url: `/v1/imports/${imp.id}/rows`, headers: { ...bearer(tenant.token), accept: 'text/csv' } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = parse(csv.body, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.row, r.action, r.outcome])).toEqual([
      ['2', 'create', 'created'],
      ['3', 'create', 'created'],
      ['4', 'update', 'updated'],
      ['5', 'error', 'failed'],
      ['6', 'error', 'failed'],
      ['7', 'error', 'failed'],
      ['8', 'error', 'failed'],
    ]);
    expect(rows[0]!.recordId).toBe(ada.id);
    expect(rows[2]!.message).toBe('Changed tags');
    expect(rows[3]!.errors).toMatch(/^Phone: Not a number that can be dialled/);

    // Running it again is refused; the same file again plans nothing and changes nothing.
    expectProblem(await t.app.inject({ method: 'POST', url: `/v1/imports/${imp.id}/run`, headers: bearer(tenant.token) }), 409, 'conflict');
    const again = await preview(tenant, FILE(tenant.slug));
    expect(again.preview).toEqual({ create: 0, update: 0, skip: 3, error: 4 });
    clock.set('2026-12-07T15:10:00.000Z');
    const second = await run(tenant, again.id);
    expect(second.results).toEqual({ created: 0, updated: 0, skipped: 3, failed: 4 });
    expect(await candidateByEmail(tenant, `ada-${tenant.slug}@example.org`)).toEqual(ada);
    expect(await candidateByEmail(tenant, `kim-${tenant.slug}@example.org`)).toEqual(kim);
    const count = await adminPool().query('SELECT count(*)::int AS n FROM candidates WHERE tenant_id = $1', [tenant.tenantId]);
    expect(count.rows[0].n).toBe(3);
  });

  it('reads Bullhorn’s candidate export headers (First Name, Last Name, Mobile Phone, Skills)', async () => {
    const tenant = await newTenant(t.app);
    const imp = await preview(tenant, `Candidate ID,First Name,Last Name,Email,Mobile Phone,Skills,Status\n1042,Noor,Haddad,noor-${tenant.slug}@example.org,+44 20 7946 0958,ELA;Grade-3,Active\n`);
    expect(imp.preview).toEqual({ create: 1, update: 0, skip: 0, error: 0 });
    expect(imp.ignoredColumns).toEqual(['Candidate ID', 'Status']);
    await run(tenant, imp.id);
    expect(await candidateByEmail(tenant, `noor-${tenant.slug}@example.org`)).toMatchObject({ name: 'Noor Haddad', phone: '+442079460958', tags: ['ela', 'grade-3'] });
  });

  it('imports a file of 10,000 rows, every row with its outcome', { timeout: 600_000 }, async () => {
    const tenant = await newTenant(t.app);
    const lines = ['name,email,tags'];
    for (let i = 0; i < 10_000; i++) lines.push(`Person ${i},p${i}-${tenant.slug}@example.org,bulk`);
    const imp = await preview(tenant, lines.join('\n'), 'big.csv');
    expect(imp.total).toBe(10_000);
    expect(imp.preview).toEqual({ create: 10_000, update: 0, skip: 0, error: 0 });
    const done = await run(tenant, imp.id);
    expect(done).toMatchObject({ status: 'completed', processed: 10_000, results: { created: 10_000, updated: 0, skipped: 0, failed: 0 } });
    const counts = await adminPool().query(
      `SELECT (SELECT count(*)::int FROM candidates WHERE tenant_id = $1) AS candidates,
              (SELECT count(*)::int FROM import_rows WHERE tenant_id = $1 AND import_id = $2 AND outcome = 'created' AND record_id IS NOT NULL) AS rows`,
      [tenant.tenantId, imp.id],
    );
    expect(counts.rows[0]).toEqual({ candidates: 10_000, rows: 10_000 });
  });
});

describe('access', () => {
  it('another agency cannot see, run or download an import; a viewer reads but cannot import', async () => {
    const a = await newTenant(t.app);
    const b = await newTenant(t.app);
    const imp = await preview(a, `name,email\nAda,ada-${a.slug}@example.org\n`);
    for (const [method, url] of [['GET', `/v1/imports/${imp.id}`], ['POST', `/v1/imports/${imp.id}/run`], ['GET', `/v1/imports/${imp.id}/rows`]] as const) {
      expectProblem(await t.app.inject({ method, url, headers: bearer(b.token) }), 404, 'not_found');
    }
    const viewer = await userWithRole(t.app, a, 'viewer');
    expect((await t.app.inject({ url: `/v1/imports/${imp.id}`, headers: bearer(viewer.token) })).statusCode).toBe(200);
    expectProblem(await t.app.inject({ method: 'POST', url: '/v1/imports', headers: bearer(viewer.token), payload: { kind: 'candidates', csv: 'name,email\n' } }), 403, 'forbidden');
    expect((await t.app.inject({ url: `/v1/imports/${imp.id}`, headers: bearer(a.token) })).json().status).toBe('previewed');
  });
});
