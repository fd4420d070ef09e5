import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'csv-parse/sync';
import { fixedClock } from '../src/lib/clock.js';
import { findJob, handlerOf } from '../src/jobs/registry.js';
import { apiKey, bearer, createTestApp, expectProblem, json, newTenant, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool, timeline } from './helpers/db.js';

/**
 * CSV imports of employers (a district and its schools in one file) and of contacts attached to
 * them; a column mapping in the request. Real PostgreSQL, the job's own handler.
 */
let t: TestApp;
const clock = fixedClock('2026-12-07T15:00:00.000Z');
beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(() => t.close());

type Import = Schemas['Import'];
type Kind = Import['kind'];

const post = (token: string, kind: Kind, csv: string, extra: object = {}) =>
  t.app.inject({ method: 'POST', url: '/v1/imports', headers: bearer(token), payload: { kind, csv, ...extra } });

const preview = async (tenant: TestTenant, kind: Kind, csv: string, extra: object = {}) => {
  const res = await post(tenant.token, kind, csv, extra);
  if (res.statusCode !== 201) throw new Error(`preview failed: ${res.statusCode} ${res.body}`);
  return json<Import>(res);
};

/** Asks for the run and runs the queued job's handler as the worker would. */
const run = async (tenant: TestTenant, id: string) => {
  const res = await t.app.inject({ method: 'POST', url: `/v1/imports/${id}/run`, headers: bearer(tenant.token) });
  expect(res.statusCode, res.body).toBe(202);
  // The job is handed to BullMQ as the change commits, in the background: wait until it is there.
  const job = await vi.waitFor(
    async () => {
      const found = await t.deps.queues.get('maintenance').getJob(`import-${id}`);
      if (!found) throw new Error('the run is not queued yet');
      return found;
    },
    { timeout: 10_000, interval: 20 },
  );
  const handler = await handlerOf(findJob('imports.run')!);
  await handler(t.deps, job!.data, job!);
  return json<Import>(await t.app.inject({ url: `/v1/imports/${id}`, headers: bearer(tenant.token) }));
};

const rowsCsv = async (tenant: TestTenant, id: string) => {
  const res = await t.app.inject({ url: `/v1/imports/${id}/rows`, headers: { ...bearer(tenant.token), accept: 'text/csv' } });
  expect(res.statusCode).toBe(200);
  return parse(res.body, { columns: true }) as Record<string, string>[];
};

const employers = async (tenant: TestTenant) => {
  const res = await t.app.inject({ url: '/v1/employers?limit=100', headers: bearer(tenant.token) });
  return json<{ data: Schemas['Employer'][] }>(res).data;
};
const contacts = async (tenant: TestTenant) => {
  const res = await t.app.inject({ url: '/v1/contacts?limit=100', headers: bearer(tenant.token) });
  return json<{ data: Schemas['Contact'][] }>(res).data;
};

const create = async (tenant: TestTenant, url: string, payload: object) => {
  const res = await t.app.inject({ method: 'POST', url, headers: bearer(tenant.token), payload });
  expect(res.statusCode, res.body).toBe(201);
  return json<{ id: string }>(res);
};

/** A district and its schools, one of them under a district the agency already has; and rows with errors. */
const EMPLOYERS = [
  'Name,Type,District,Time Zone,Website,Notes',
  'Hudson Valley CSD,District,,America/New_York,hvcsd.example.org,',
  'Lincoln Elementary,school,Hudson Valley CSD,,,Front office opens 7:30',
  'Roosevelt Middle,School,Hudson Valley CSD,America/Chicago,https://rms.example.org,',
  'Lincoln Elementary,school,Riverside USD,,,',
  'Bad Kind,campus,,,,',
  'Orphan High,school,Nowhere District,,,',
  'Lincoln Elementary,school,hudson valley csd,,,',
  'Early School,school,Late District,,,',
  'Late District,district,,Mars/Olympus,,',
  ',school,,,,',
].join('\n');

describe('employers: a district and its schools in one file', () => {
  it('previews, runs through the employers’ service, and the same file again changes nothing', async () => {
    const tenant = await newTenant(t.app);
    const riverside = await create(tenant, '/v1/employers', { name: 'Riverside USD', kind: 'district', timeZone: 'America/Los_Angeles' });

    const imp = await preview(tenant, 'employers', EMPLOYERS);
    expect(imp).toMatchObject({ kind: 'employers', status: 'previewed', total: 10, ignoredColumns: [] });
    expect(imp.preview).toEqual({ create: 4, update: 0, skip: 0, error: 6 });
    expect(imp.errors).toEqual([
      { row: 6, column: 'Type', message: 'Must be one of district, school, company, other' },
      { row: 7, column: 'District', message: 'No employer is named “Nowhere District”, in the agency or on an earlier row' },
      { row: 8, column: 'Name', message: 'The same employer as row 3' },
      { row: 9, column: 'District', message: 'No employer is named “Late District”, in the agency or on an earlier row' },
      { row: 10, column: 'Time Zone', message: 'Must be an IANA time zone such as America/New_York' },
      { row: 11, column: 'Name', message: 'Required' },
    ]);
    expect((await employers(tenant)).map((e) => e.name)).toEqual(['Riverside USD']);

    clock.set('2026-12-07T15:05:00.000Z');
    const done = await run(tenant, imp.id);
    expect(done).toMatchObject({ status: 'completed', processed: 10, results: { created: 4, updated: 0, skipped: 0, failed: 6 } });
    const all = await employers(tenant);
    const hudson = all.find((e) => e.name === 'Hudson Valley CSD')!;
    expect(hudson).toMatchObject({ kind: 'district', parentId: null, timeZone: 'America/New_York', website: 'https://hvcsd.example.org' });
    const lincolns = all.filter((e) => e.name === 'Lincoln Elementary');
    expect(lincolns.map((e) => e.parentId).sort()).toEqual([hudson.id, riverside.id].sort());
    // A school without its own zone takes its district's (as POST /v1/employers does).
    expect(lincolns.find((e) => e.parentId === riverside.id)).toMatchObject({ kind: 'school', timeZone: 'America/Los_Angeles' });
    expect(lincolns.find((e) => e.parentId === hudson.id)).toMatchObject({ timeZone: 'America/New_York', notes: 'Front office opens 7:30' });
    expect(all.find((e) => e.name === 'Roosevelt Middle')).toMatchObject({ parentId: hudson.id, timeZone: 'America/Chicago' });
    expect(all).toHaveLength(5);
    expect((await timeline(tenant.tenantId, hudson.id)).map((r) => [r.action, r.event_type])).toEqual([['employer.created', 'employer.created']]);

    const rows = await rowsCsv(tenant, imp.id);
    expect(rows.map((r) => [r.row, r.name, r.action, r.outcome])).toEqual([
      ['2', 'Hudson Valley CSD', 'create', 'created'],
      ['3', 'Lincoln Elementary', 'create', 'created'],
      ['4', 'Roosevelt Middle', 'create', 'created'],
      ['5', 'Lincoln Elementary', 'create', 'created'],
      ['6', '', 'error', 'failed'],
      ['7', '', 'error', 'failed'],
      ['8', '', 'error', 'failed'],
      ['9', '', 'error', 'failed'],
      ['10', '', 'error', 'failed'],
      ['11', '', 'error', 'failed'],
    ]);
    expect(rows[0]!.recordId).toBe(hudson.id);

    // The same file again: every good row is matched (a school by name within its district) and left alone.
    const again = await preview(tenant, 'employers', EMPLOYERS);
    expect(again.preview).toEqual({ create: 0, update: 0, skip: 4, error: 6 });
    clock.set('2026-12-07T15:10:00.000Z');
    expect((await run(tenant, again.id)).results).toEqual({ created: 0, updated: 0, skipped: 4, failed: 6 });
    expect(await employers(tenant)).toEqual(all);

    // A changed cell updates that field only; an empty one leaves it.
    const changed = await preview(tenant, 'employers', 'name,district,website\nRoosevelt Middle,Hudson Valley CSD,rms2.example.org\nLincoln Elementary,Riverside USD,\n');
    expect(changed.preview).toEqual({ create: 0, update: 1, skip: 1, error: 0 });
    await run(tenant, changed.id);
    const roosevelt = (await employers(tenant)).find((e) => e.name === 'Roosevelt Middle')!;
    expect(roosevelt).toMatchObject({ website: 'https://rms2.example.org', timeZone: 'America/Chicago', version: 2 });
    expect((await rowsCsv(tenant, changed.id))[0]!.message).toBe('Changed website');
  });

  it('without a parent column an employer is matched by name alone; two of that name is an error asking for the parent', async () => {
    const tenant = await newTenant(t.app);
    const d1 = await create(tenant, '/v1/employers', { name: 'North District', kind: 'district' });
    const d2 = await create(tenant, '/v1/employers', { name: 'South District', kind: 'district' });
    await create(tenant, '/v1/employers', { name: 'Oak School', parentId: d1.id });
    await create(tenant, '/v1/employers', { name: 'Oak School', parentId: d2.id });
    await create(tenant, '/v1/employers', { name: 'Pine School', parentId: d2.id, notes: 'old' });
    const imp = await preview(tenant, 'employers', 'name,notes\nOak School,x\npine school,new\n');
    expect(imp.errors).toEqual([{ row: 2, column: 'name', message: '2 employers of the agency are named “Oak School”: give the parent in a column "parent" to tell them apart' }]);
    expect(imp.preview).toEqual({ create: 0, update: 1, skip: 0, error: 1 });
    await run(tenant, imp.id);
    // Matched without regard to case; the cell's spelling is kept, its district stays.
    const pine = (await employers(tenant)).find((e) => e.notes === 'new')!;
    expect(pine).toMatchObject({ name: 'pine school', parentId: d2.id });
  });

  it('the run matches each row again: a district added by hand after the preview is used, not duplicated', async () => {
    const tenant = await newTenant(t.app);
    const imp = await preview(tenant, 'employers', 'name,kind,parent\nLakeside District,district,\nHarbor School,school,Lakeside District\n');
    expect(imp.preview).toEqual({ create: 2, update: 0, skip: 0, error: 0 });
    const lakeside = await create(tenant, '/v1/employers', { name: 'Lakeside District', kind: 'district' });
    const done = await run(tenant, imp.id);
    expect(done.results).toEqual({ created: 1, updated: 0, skipped: 1, failed: 0 });
    const all = await employers(tenant);
    expect(all).toHaveLength(2);
    expect(all.find((e) => e.name === 'Harbor School')!.parentId).toBe(lakeside.id);
  });
});

describe('contacts attached to the district and its schools', () => {
  it('finds each employer by name (and district), matches contacts by email, else by name, and a re-run changes nothing', async () => {
    const tenant = await newTenant(t.app);
    await run(tenant, (await preview(tenant, 'employers', EMPLOYERS.split('\n').slice(0, 4).join('\n'))).id);
    const riverside = await create(tenant, '/v1/employers', { name: 'Riverside USD', kind: 'district' });
    const rl = await create(tenant, '/v1/employers', { name: 'Lincoln Elementary', parentId: riverside.id });
    const byName = Object.fromEntries((await employers(tenant)).filter((e) => e.parentId !== riverside.id).map((e) => [e.name, e.id]));
    // Known already: Dana by email (title to change), Sam without an email (an email to add).
    const dana = await create(tenant, '/v1/contacts', { employerId: byName['Hudson Valley CSD']!, name: 'Dana Whitfield', email: 'dana@hvcsd.example.org', title: 'HR Director' });
    const sam = await create(tenant, '/v1/contacts', { employerId: rl.id, name: 'Sam Ortiz' });

    const CONTACTS = [
      'First Name,Last Name,Company,District,Title,Email,Direct Phone,LinkedIn,Status',
      'Dana,Whitfield,Hudson Valley CSD,,Assistant Superintendent,DANA@hvcsd.example.org,(845) 555-0142,,Active',
      'Pat,Principal,Lincoln Elementary,Hudson Valley CSD,Principal,pat@hvcsd.example.org,,linkedin.com/in/pat-principal,Active',
      'Sam,Ortiz,Lincoln Elementary,Riverside USD,Principal,sam@rusd.example.org,,,Active',
      'Lee,Nobody,Lincoln Elementary,,,lee@example.org,,,Active',
      'Kim,Gone,Closed Academy,,,kim@example.org,,,Active',
      'Bad,Email,Roosevelt Middle,,,not-an-email,,,Active',
      'Pat,Again,Lincoln Elementary,Hudson Valley CSD,,pat@hvcsd.example.org,,,Active',
      'Ray,Front Desk,Roosevelt Middle,,Secretary,,555-0100,,Active',
    ].join('\n');
    const imp = await preview(tenant, 'contacts', CONTACTS);
    expect(imp).toMatchObject({ kind: 'contacts', total: 8, ignoredColumns: ['Status'] });
    expect(imp.errors).toEqual([
      { row: 5, column: 'Company', message: '2 employers are named “Lincoln Elementary”: give the district in a column "district" to tell them apart' },
      { row: 6, column: 'Company', message: 'No employer is named “Closed Academy”: import or add it first' },
      { row: 7, column: 'Email', message: 'Must be an email address' },
      { row: 8, column: 'Email', message: 'The same contact as row 3' },
      { row: 9, column: 'Direct Phone', message: expect.stringContaining('Not a number that can be dialled') },
    ]);
    expect(imp.preview).toEqual({ create: 1, update: 2, skip: 0, error: 5 });

    const done = await run(tenant, imp.id);
    expect(done.results).toEqual({ created: 1, updated: 2, skipped: 0, failed: 5 });
    const all = await contacts(tenant);
    expect(all).toHaveLength(3);
    expect(all.find((c) => c.id === dana.id)).toMatchObject({ title: 'Assistant Superintendent', phone: '+18455550142', email: 'dana@hvcsd.example.org', version: 2 });
    expect(all.find((c) => c.id === sam.id)).toMatchObject({ employerId: rl.id, email: 'sam@rusd.example.org', title: 'Principal' });
    const pat = all.find((c) => c.name === 'Pat Principal')!;
    expect(pat).toMatchObject({ employerId: byName['Lincoln Elementary'], linkedinUrl: 'https://www.linkedin.com/in/pat-principal', preferredChannel: 'email' });
    expect((await timeline(tenant.tenantId, pat.id)).map((r) => [r.action, r.event_type])).toEqual([['contact.created', 'contact.created']]);
    expect((await rowsCsv(tenant, imp.id)).slice(0, 3).map((r) => [r.name, r.email, r.outcome, r.message])).toEqual([
      ['Dana Whitfield', 'dana@hvcsd.example.org', 'updated', 'Changed title, phone'],
      ['Pat Principal', 'pat@hvcsd.example.org', 'created', ''],
      ['Sam Ortiz', 'sam@rusd.example.org', 'updated', 'Changed title, email'],
    ]);

    const again = await preview(tenant, 'contacts', CONTACTS);
    expect(again.preview).toEqual({ create: 0, update: 0, skip: 3, error: 5 });
    expect((await run(tenant, again.id)).results).toEqual({ created: 0, updated: 0, skipped: 3, failed: 5 });
    expect(await contacts(tenant)).toEqual(all);
  });

  it('another agency’s employers are not found by name', async () => {
    const a = await newTenant(t.app);
    const b = await newTenant(t.app);
    await create(a, '/v1/employers', { name: 'Private Prep', kind: 'school' });
    const imp = await preview(b, 'contacts', 'employer,name\nPrivate Prep,Dana Whitfield\n');
    expect(imp.errors).toEqual([{ row: 2, column: 'employer', message: 'No employer is named “Private Prep”: import or add it first' }]);
    const parent = await preview(b, 'employers', 'name,parent\nA School,Private Prep\n');
    expect(parent.errors[0]).toMatchObject({ row: 2, column: 'parent', message: expect.stringContaining('No employer is named “Private Prep”') });
  });
});

describe('column mapping and access', () => {
  it('a mapping names which field each column fills (null ignores one); a bad one is a 400 naming it', async () => {
    const tenant = await newTenant(t.app);
    const csv = 'Given,Family,E-mail,Mobile,Owner\nNoor,Haddad,noor@example.org,+44 20 7946 0958,Sam\n';
    const imp = await preview(tenant, 'candidates', csv, { mapping: { Given: 'firstName', Family: 'lastName', 'E-mail': 'email', Mobile: null } });
    expect(imp.preview).toEqual({ create: 1, update: 0, skip: 0, error: 0 });
    expect(imp.ignoredColumns).toEqual(['Mobile', 'Owner']);
    await run(tenant, imp.id);
    const res = await t.app.inject({ url: '/v1/candidates?q=noor', headers: bearer(tenant.token) });
    expect(json<{ data: Schemas['Candidate'][] }>(res).data[0]).toMatchObject({ name: 'Noor Haddad', email: 'noor@example.org', phone: null });

    const notAField = expectProblem(await post(tenant.token, 'employers', csv, { mapping: { Given: 'firstName' } }), 400, 'validation_failed');
    expect(notAField.errors).toEqual([{ field: 'body.mapping.Given', message: expect.stringContaining('Not a field of employers') }]);
    const noColumn = expectProblem(await post(tenant.token, 'candidates', csv, { mapping: { Surname: 'lastName' } }), 400, 'validation_failed');
    expect(noColumn.errors).toEqual([{ field: 'body.mapping.Surname', message: 'no column of the file is named "Surname"' }]);
    const kept = await adminPool().query('SELECT count(*)::int AS n FROM imports WHERE tenant_id = $1', [tenant.tenantId]);
    expect(kept.rows[0].n).toBe(1);
  });

  it('a file without the columns a kind needs is a 400 naming body.csv', async () => {
    const tenant = await newTenant(t.app);
    const noEmployer = expectProblem(await post(tenant.token, 'contacts', 'name,email\nDana,dana@example.org\n'), 400, 'validation_failed');
    expect(noEmployer.errors).toEqual([{ field: 'body.csv', message: expect.stringContaining('"employer"') }]);
    const noName = expectProblem(await post(tenant.token, 'employers', 'kind,website\nschool,x.org\n'), 400, 'validation_failed');
    expect(noName.errors).toEqual([{ field: 'body.csv', message: expect.stringContaining('"name"') }]);
  });

  it('an API key imports employers or contacts only with employers:write as well', async () => {
    const tenant = await newTenant(t.app);
    const candidatesOnly = await apiKey(t.app, tenant, ['candidates:write', 'candidates:read']);
    const both = await apiKey(t.app, tenant, ['candidates:write', 'employers:write']);
    const csv = 'name,kind\nMaple District,district\n';
    const refused = expectProblem(await post(candidatesOnly.secret, 'employers', csv), 403, 'insufficient_scope');
    expect(refused).toMatchObject({ requiredScope: 'employers:write' });
    expect((await post(candidatesOnly.secret, 'candidates', 'name,email\nAda,ada@example.org\n')).statusCode).toBe(201);
    const imp = json<Import>(await post(both.secret, 'employers', csv));
    expect(imp.preview.create).toBe(1);
    // Run, too: a key without the scope cannot start an employers import another made.
    expectProblem(await t.app.inject({ method: 'POST', url: `/v1/imports/${imp.id}/run`, headers: bearer(candidatesOnly.secret) }), 403, 'insufficient_scope');
    // Nor read its rows (the employers' and contacts' names and emails), as JSON or as CSV.
    const rows = expectProblem(await t.app.inject({ url: `/v1/imports/${imp.id}/rows`, headers: bearer(candidatesOnly.secret) }), 403, 'insufficient_scope');
    expect(rows).toMatchObject({ requiredScope: 'employers:read' });
    expectProblem(await t.app.inject({ url: `/v1/imports/${imp.id}/rows`, headers: { ...bearer(candidatesOnly.secret), accept: 'text/csv' } }), 403, 'insufficient_scope');
    const reader = await apiKey(t.app, tenant, ['candidates:read', 'employers:read']);
    expect((await t.app.inject({ url: `/v1/imports/${imp.id}/rows`, headers: bearer(reader.secret) })).statusCode).toBe(200);
  });
});
