import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, expectProblem, json, newTenant, uniq, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool } from './helpers/db.js';

/**
 * PUT /v1/<records>/by-external-id/{source}/{externalId}: an integrator's upsert by the id its own
 * system gives a record (docs/api.md#sync); GET reads the record by it.
 */
let t: TestApp;
let tenant: TestTenant;
beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

type Candidate = Schemas['Candidate'];
const put = (path: string, payload: object, token = tenant.token) =>
  t.app.inject({ method: 'PUT', url: `/v1/${path}`, headers: bearer(token), payload });
const get = (path: string, token = tenant.token) => t.app.inject({ url: `/v1/${path}`, headers: bearer(token) });
const fieldsOf = (res: { json(): unknown }) => ((res.json() as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field);

async function eventsOf(recordId: string) {
  const res = await adminPool().query<{ type: string }>(
    `SELECT type FROM events WHERE tenant_id = $1 AND (payload->'data'->>'recordId' = $2 OR payload->'data'->>'candidateId' = $2 OR payload->'data'->>'id' = $2 OR payload->'data'->'subject'->>'id' = $2) ORDER BY tx_id, id`,
    [tenant.tenantId, recordId],
  );
  return res.rows.map((r) => r.type);
}
async function countWhere(table: string, column: string, value: string) {
  const res = await adminPool().query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE tenant_id = $1 AND ${column} = $2`, [tenant.tenantId, value]);
  return res.rows[0]!.n;
}

describe('upsert by external id', () => {
  it('when the id is unknown, then 201 creates the candidate with its link; the same body again is 200 and changes nothing; a new field is a PATCH (others kept)', async () => {
    const id = uniq('bh');
    const email = `${id}@example.org`;
    const created = await put(`candidates/by-external-id/bullhorn/${id}`, { name: 'Jordan Lee', email, tags: ['Math'] });
    expect(created.statusCode, created.body).toBe(201);
    const c = json<Candidate>(created);
    expect(c).toMatchObject({ name: 'Jordan Lee', email, tags: ['math'], relayConsent: false, statusUpdatesOptIn: true, version: 1 });
    expect(created.headers.location).toBe(`/v1/candidates/${c.id}`);
    expect(created.headers.etag).toBe('"1"');
    // The link is there, and the record reads by it.
    expect(json<Schemas['ExternalId']>(await get(`external-ids/candidate/bullhorn/${id}`)).id).toBe(c.id);
    const read = await get(`candidates/by-external-id/bullhorn/${id}`);
    expect(read.statusCode).toBe(200);
    expect(json<Candidate>(read).id).toBe(c.id);

    const again = await put(`candidates/by-external-id/bullhorn/${id}`, { name: 'Jordan Lee', email, tags: ['math'] });
    expect(again.statusCode, again.body).toBe(200);
    expect(json<Candidate>(again)).toMatchObject({ id: c.id, version: 1 });

    const changed = await put(`candidates/by-external-id/bullhorn/${id}`, { phone: '(212) 555-0123' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(json<Candidate>(changed)).toMatchObject({ id: c.id, version: 2, phone: '+12125550123', name: 'Jordan Lee', email, tags: ['math'] });
    expect(changed.headers.etag).toBe('"2"');
    expect(await eventsOf(c.id)).toEqual(['candidate.created', 'external_id.linked', 'candidate.updated']);
  });

  it('when a create would be refused, then nothing is written: 400 names what the create requires; a duplicate email is 409 with its existingId and no link', async () => {
    const id = uniq('bh');
    const noName = await put(`candidates/by-external-id/bullhorn/${id}`, { email: `${id}@example.org` });
    expectProblem(noName, 400, 'validation_failed');
    expect(fieldsOf(noName)).toEqual(['body.name']);
    const tooLong = await put(`candidates/by-external-id/bullhorn/${id}`, { name: 'n'.repeat(201) });
    expectProblem(tooLong, 400, 'validation_failed');
    expect(fieldsOf(tooLong)).toEqual(['body.name']);
    expect(await countWhere('external_ids', 'external_id', id)).toBe(0);

    const taken = json<Candidate>(await t.app.inject({ method: 'POST', url: '/v1/candidates', headers: bearer(tenant.token), payload: { name: 'Taken', email: `taken-${id}@example.org` } }));
    const dup = await put(`candidates/by-external-id/bullhorn/${id}`, { name: 'Someone Else', email: `taken-${id}@example.org` });
    expectProblem(dup, 409, 'already_exists');
    expect(dup.json().existingId).toBe(taken.id);
    expect(await countWhere('external_ids', 'external_id', id)).toBe(0);
    expect(await countWhere('candidates', 'name', 'Someone Else')).toBe(0);
    expectProblem(await get(`candidates/by-external-id/bullhorn/${id}`), 404, 'not_found');
  });

  it('when two upserts of one unknown id arrive at once, then one candidate is created (201) and the other updates it (200)', async () => {
    const id = uniq('race');
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => put(`candidates/by-external-id/greenhouse/${id}`, { name: 'Racer', notes: `writer ${i}` })),
    );
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(answers.map((a) => json<Candidate>(a).id)).size).toBe(1);
    expect(await countWhere('external_ids', 'external_id', id)).toBe(1);
    const racers = await adminPool().query(`SELECT id FROM candidates WHERE tenant_id = $1 AND name = 'Racer'`, [tenant.tenantId]);
    expect(racers.rowCount).toBe(1);
  });

  it('employers, contacts and positions: created, linked and updated the same way; the contact’s employer given by our id', async () => {
    const district = await put('employers/by-external-id/jobadder/D-1', { name: 'Hudson District', kind: 'district', timeZone: 'America/New_York' });
    expect(district.statusCode, district.body).toBe(201);
    const school = await put('employers/by-external-id/jobadder/S-1', { name: 'Hudson Elementary', parentId: district.json().id });
    expect(school.statusCode, school.body).toBe(201);
    expect(school.json()).toMatchObject({ kind: 'school', timeZone: 'America/New_York', parentId: district.json().id });
    const contact = await put('contacts/by-external-id/jobadder/C-1', { employerId: school.json().id, name: 'Dana Whitfield', email: 'dana@hudson.example.org' });
    expect(contact.statusCode, contact.body).toBe(201);
    const moved = await put('contacts/by-external-id/jobadder/C-1', { title: 'Principal' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ id: contact.json().id, title: 'Principal', name: 'Dana Whitfield', version: 2 });
    const position = await put('positions/by-external-id/jobadder/P-1', { employerId: school.json().id, title: '5th grade teacher' });
    expect(position.statusCode, position.body).toBe(201);
    expect((await put('positions/by-external-id/jobadder/P-1', { status: 'filled', openings: 0 })).json()).toMatchObject({ id: position.json().id, status: 'filled' });
    // A contact needs its employer to be created: 400 names it.
    const orphan = await put('contacts/by-external-id/jobadder/C-2', { name: 'No Employer' });
    expectProblem(orphan, 400, 'validation_failed');
    expect(fieldsOf(orphan)).toEqual(['body.employerId']);
    // Ids are per type: the same external id of an employer and of a contact are two links.
    expect(json<{ data: unknown[] }>(await get('external-ids?source=jobadder')).data).toHaveLength(4);
  });

  it('when the linked record was deleted, then the upsert creates a new one and links the id to it', async () => {
    const first = await put('employers/by-external-id/bullhorn/gone-1', { name: 'Closed School' });
    expect(first.statusCode).toBe(201);
    const deleted = await t.app.inject({ method: 'DELETE', url: `/v1/employers/${first.json().id}`, headers: bearer(tenant.token) });
    expect(deleted.statusCode, deleted.body).toBe(204);
    const again = await put('employers/by-external-id/bullhorn/gone-1', { name: 'Reopened School' });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json().id).not.toBe(first.json().id);
    expect(json<Schemas['ExternalId']>(await get('external-ids/employer/bullhorn/gone-1')).id).toBe(again.json().id);
  });

  it('another agency’s id is unknown here: 404 to read, and an upsert creates this agency’s own record', async () => {
    const other = await newTenant(t.app);
    expect((await put('employers/by-external-id/bullhorn/shared-1', { name: 'Ours' })).statusCode).toBe(201);
    expectProblem(await get('employers/by-external-id/bullhorn/shared-1', other.token), 404, 'not_found');
    const theirs = await put('employers/by-external-id/bullhorn/shared-1', { name: 'Theirs' }, other.token);
    expect(theirs.statusCode).toBe(201);
    expect(json<Schemas['Employer']>(await get('employers/by-external-id/bullhorn/shared-1')).name).toBe('Ours');
    expectProblem(await get('employers/by-external-id/Bull%20Horn/1'), 400, 'validation_failed');
  });
});
