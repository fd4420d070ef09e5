import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, expectProblem, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { adminPool } from './helpers/db.js';

/** Notes on a candidate: their own records, with author, version, events, export and erasure. */
let t: TestApp;
let tenant: TestTenant;
beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

type Note = Schemas['CandidateNote'];
const candidate = async () =>
  json<{ id: string }>(
    await t.app.inject({ method: 'POST', url: '/v1/candidates', headers: bearer(tenant.token), payload: { name: 'Noted Person', email: `noted-${Math.random().toString(36).slice(2)}@example.org` } }),
  );
const write = (id: string, body: unknown, token = tenant.token) => t.app.inject({ method: 'POST', url: `/v1/candidates/${id}/notes`, headers: bearer(token), payload: body as object });
const change = (id: string, noteId: string, body: unknown, version: number, token = tenant.token) =>
  t.app.inject({ method: 'PATCH', url: `/v1/candidates/${id}/notes/${noteId}`, headers: { ...bearer(token), 'if-match': `"${version}"` }, payload: body as object });
const list = async (id: string) => json<{ data: Note[] }>(await t.app.inject({ url: `/v1/candidates/${id}/notes`, headers: bearer(tenant.token) })).data;

describe('candidate notes', () => {
  it('a recruiter writes notes, reads them newest first, and edits one (marked edited, If-Match guarded)', async () => {
    const c = await candidate();
    const first = await write(c.id, { body: 'Called: available from January.' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers.etag).toBe('"1"');
    const a = json<Note>(first);
    const b = json<Note>(await write(c.id, { body: '  Reference from Lincoln Elementary is glowing.  ' }));
    expect(b.body).toBe('Reference from Lincoln Elementary is glowing.');
    expect((await list(c.id)).map((n) => n.id)).toEqual([b.id, a.id]);
    expect(a).toMatchObject({ candidateId: c.id, authorId: tenant.ownerId, edited: false, version: 1 });

    const edited = await change(c.id, a.id, { body: 'Called: available from February.' }, 1);
    expect(edited.statusCode, edited.body).toBe(200);
    expect(json<Note>(edited)).toMatchObject({ body: 'Called: available from February.', edited: true, version: 2 });
    const stale = await change(c.id, a.id, { body: 'Lost update' }, 1);
    expectProblem(stale, 412, 'precondition_failed');
    expect((await list(c.id)).find((n) => n.id === a.id)?.body).toBe('Called: available from February.');

    const del = await t.app.inject({ method: 'DELETE', url: `/v1/candidates/${c.id}/notes/${b.id}`, headers: { ...bearer(tenant.token), 'if-match': '"1"' } });
    expect(del.statusCode).toBe(204);
    expect((await list(c.id)).map((n) => n.id)).toEqual([a.id]);

    const events = await adminPool().query<{ type: string; payload: unknown }>(
      `SELECT type, payload FROM events WHERE tenant_id = $1 AND payload->'data'->>'candidateId' = $2 AND type LIKE 'candidate_note.%' ORDER BY tx_id, id`,
      [tenant.tenantId, c.id],
    );
    expect(events.rows.map((r) => r.type)).toEqual(['candidate_note.added', 'candidate_note.added', 'candidate_note.edited', 'candidate_note.deleted']);
    // Events name the note, never its text.
    expect(JSON.stringify(events.rows)).not.toMatch(/January|February|Lincoln/);
  });

  it('a note is its author’s: another recruiter may not change it, an admin may; a viewer only reads', async () => {
    const c = await candidate();
    const author = await userWithRole(t.app, tenant, 'recruiter');
    const other = await userWithRole(t.app, tenant, 'recruiter');
    const viewer = await userWithRole(t.app, tenant, 'viewer');
    const note = json<Note>(await write(c.id, { body: 'Mine' }, author.token));
    expect(note.authorId).toBe(author.id);
    expectProblem(await change(c.id, note.id, { body: 'Not yours' }, 1, other.token), 403, 'forbidden');
    expectProblem(await write(c.id, { body: 'Viewer' }, viewer.token), 403);
    expect((await t.app.inject({ url: `/v1/candidates/${c.id}/notes`, headers: bearer(viewer.token) })).statusCode).toBe(200);
    expect((await change(c.id, note.id, { body: 'Fixed by an admin' }, 1)).statusCode).toBe(200);
  });

  it('bad input is a 400 naming the field; a note of another candidate is 404; nothing is written', async () => {
    const c = await candidate();
    const other = await candidate();
    for (const [body, field] of [
      [{ body: '   ' }, 'body.body'],
      [{ body: 'x'.repeat(10_001) }, 'body.body'],
      [{ text: 'wrong field' }, 'body.text'],
    ] as const) {
      const res = await write(c.id, body);
      expectProblem(res, 400, 'validation_failed');
      expect(JSON.stringify(res.json().errors)).toContain(field);
    }
    const note = json<Note>(await write(c.id, { body: 'On c' }));
    expectProblem(await change(other.id, note.id, { body: 'Through the wrong candidate' }, 1), 404, 'not_found');
    expect((await list(c.id)).map((n) => n.body)).toEqual(['On c']);
  });

  it('the export carries the notes; erasure deletes them and refuses new ones', async () => {
    const c = await candidate();
    await write(c.id, { body: 'Prefers the north side' });
    const exported = await t.app.inject({ url: `/v1/candidates/${c.id}/export`, headers: bearer(tenant.token) });
    expect(exported.json().candidateNotes.map((n: Note) => n.body)).toEqual(['Prefers the north side']);
    expect((await t.app.inject({ method: 'POST', url: `/v1/candidates/${c.id}/erase`, headers: bearer(tenant.token), payload: {} })).statusCode).toBe(200);
    expect(await list(c.id)).toEqual([]);
    expectProblem(await write(c.id, { body: 'After erasure' }), 409, 'conflict');
    const rows = await adminPool().query('SELECT body FROM candidate_notes WHERE tenant_id = $1 AND candidate_id = $2', [tenant.tenantId, c.id]);
    expect(rows.rows).toEqual([]);
    const timeline = await adminPool().query<{ changes: unknown }>('SELECT changes FROM activities WHERE tenant_id = $1 AND candidate_id = $2', [tenant.tenantId, c.id]);
    expect(JSON.stringify(timeline.rows)).not.toContain('north side');
  });
});
