import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, expectProblem, json, newTenant, userWithRole, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { asAppRole, timeline } from './helpers/db.js';

let t: TestApp;
let tenant: TestTenant;
let school: Employer;

type Contact = Schemas['Contact'];
type Employer = Schemas['Employer'];
type Page = { data: Contact[]; nextCursor: string | null };
const NIL = '00000000-0000-4000-8000-000000000000';

const addEmployer = async (name: string, token = tenant.token) =>
  json<Employer>(await t.app.inject({ method: 'POST', url: '/v1/employers', headers: bearer(token), payload: { name } }));
const post = (payload: object, token = tenant.token) =>
  t.app.inject({ method: 'POST', url: '/v1/contacts', headers: bearer(token), payload });
const patch = (id: string, payload: object, headers: Record<string, string> = {}, token = tenant.token) =>
  t.app.inject({ method: 'PATCH', url: `/v1/contacts/${id}`, headers: { ...bearer(token), ...headers }, payload });
const del = (url: string, headers: Record<string, string> = {}, token = tenant.token) =>
  t.app.inject({ method: 'DELETE', url, headers: { ...bearer(token), ...headers } });
const get = (url: string, token = tenant.token) => t.app.inject({ url, headers: bearer(token) });

beforeAll(async () => {
  t = await createTestApp();
  tenant = await newTenant(t.app);
  school = await addEmployer('Lincoln Elementary');
});
afterAll(() => t.close());

describe('contacts', () => {
  it('when a contact is added, then it is stored with the defaults, a lower-cased email, a Location and an ETag', async () => {
    const res = await post({
      employerId: school.id,
      name: 'Dana Whitfield',
      title: 'Principal',
      email: ' Dana.Whitfield@HVCSD.example.org ',
      phone: '+18455550142',
      linkedinUrl: 'https://www.linkedin.com/in/dana-whitfield',
    });
    expect(res.statusCode).toBe(201);
    const c = json<Contact>(res);
    expect(res.headers.location).toBe(`/v1/contacts/${c.id}`);
    expect(res.headers.etag).toBe('"1"');
    expect(c).toMatchObject({
      employerId: school.id,
      email: 'dana.whitfield@hvcsd.example.org',
      preferredChannel: 'email',
      timeZone: null,
      notes: null,
      version: 1,
    });
    const read = await get(`/v1/contacts/${c.id}`);
    expect(read.headers.etag).toBe('"1"');
    expect(json<Contact>(read)).toEqual(c);
  });

  it('when two employers have contacts, then each employer’s list shows only its own, by name', async () => {
    const a = await addEmployer('Nested A');
    const b = await addEmployer('Nested B');
    for (const name of ['Zoe Zimmer', 'Adam Abel']) await post({ employerId: a.id, name });
    await post({ employerId: b.id, name: 'Bea Brown', preferredChannel: 'phone', phone: '+15555550100', timeZone: 'America/Chicago' });
    const nested = json<Page>(await get(`/v1/employers/${a.id}/contacts`));
    expect(nested.data.map((c) => c.name)).toEqual(['Adam Abel', 'Zoe Zimmer']);
    const filtered = json<Page>(await get(`/v1/contacts?employerId=${b.id}`));
    expect(filtered.data).toHaveLength(1);
    expect(filtered.data[0]).toMatchObject({ name: 'Bea Brown', preferredChannel: 'phone', timeZone: 'America/Chicago' });
  });

  it('when the employer of the nested list is unknown or another agency’s, then 404', async () => {
    const other = await newTenant(t.app);
    const theirs = await addEmployer('Their School', other.token);
    await post({ employerId: theirs.id, name: 'Their Contact' }, other.token);
    expectProblem(await get(`/v1/employers/${NIL}/contacts`), 404, 'not_found');
    expectProblem(await get(`/v1/employers/${theirs.id}/contacts`), 404, 'not_found');
    expect(json<Page>(await get(`/v1/contacts?employerId=${theirs.id}`)).data).toEqual([]);
  });

  it('lists by name then id, page by page, and finds by part of the name or email, wildcards taken literally', async () => {
    const own = await newTenant(t.app);
    const e = await addEmployer('Paging School', own.token);
    for (const [name, email] of [
      ['Sam Same', 'sam.one@example.org'],
      ['Sam Same', 'sam.two@example.org'],
      ['charlie 100% Chen', null],
      ['Bo Bell', 'bo_bell@example.org'],
      ['Al Aa', 'boxbell@example.org'],
    ] as const) {
      expect((await post({ employerId: e.id, name, email }, own.token)).statusCode).toBe(201);
    }
    const seen: Contact[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = json(await get(`/v1/contacts?limit=2${cursor ? `&cursor=${cursor}` : ''}`, own.token));
      seen.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((c) => c.name)).toEqual(['Al Aa', 'Bo Bell', 'Sam Same', 'Sam Same', 'charlie 100% Chen']);
    expect(seen[2]!.id < seen[3]!.id).toBe(true);
    const find = async (q: string) => json<Page>(await get(`/v1/contacts?q=${encodeURIComponent(q)}`, own.token)).data.map((c) => c.name);
    expect(await find('100%')).toEqual(['charlie 100% Chen']);
    expect(await find('bo_bell')).toEqual(['Bo Bell']);
    expect(await find('SAM.TWO@')).toEqual(['Sam Same']);
    const nestedPage = json<Page>(await get(`/v1/employers/${e.id}/contacts?limit=4`, own.token));
    expect(nestedPage.data).toHaveLength(4);
    const rest = json<Page>(await get(`/v1/employers/${e.id}/contacts?limit=4&cursor=${nestedPage.nextCursor}`, own.token));
    expect(rest).toMatchObject({ data: [{ name: 'charlie 100% Chen' }], nextCursor: null });
  });

  it('a search sees only its own agency, treats % and _ literally, combines q and employerId, and pages by name then id', async () => {
    const own = await newTenant(t.app);
    const other = await newTenant(t.app);
    const a = await addEmployer('Search A', own.token);
    const b = await addEmployer('Search B', own.token);
    const theirs = await addEmployer('Search Theirs', other.token);
    // The other agency's matches sort first: a search that did not keep to the agency would fill
    // the page with ids row-level security then drops.
    for (const name of ['Aaron Lopez', 'Abe Lopez', 'Maria Lopez']) {
      await post({ employerId: theirs.id, name, email: `${name.split(' ')[0]!.toLowerCase()}@other.example.org` }, other.token);
    }
    const mine: Contact[] = [];
    for (const [employer, name, email] of [
      [a, 'Maria Lopez', 'maria@own.example.org'],
      [b, 'Mario Lopez', 'mario@own.example.org'],
      [a, 'Marta 100% Lopez', 'marta_l@own.example.org'],
      [b, 'Ana Lopez', null],
      [a, 'Maria Lopez', 'maria.two@own.example.org'],
      [b, 'Zed Zorro', 'zed@lopez.example.org'],
    ] as const) {
      mine.push(json<Contact>(await post({ employerId: employer.id, name, email }, own.token)));
    }
    const byNameThenId = (x: Contact, y: Contact) => (x.name < y.name ? -1 : x.name > y.name ? 1 : x.id < y.id ? -1 : 1);
    const show = (c: Contact) => `${c.name} <${c.email}>`;
    const expected = (keep: (c: Contact) => boolean) => mine.filter(keep).sort(byNameThenId).map(show);
    const names = async (qs: string, token = own.token) => json<Page>(await get(`/v1/contacts?${qs}`, token)).data.map(show);

    const lopez = expected(() => true);
    expect(lopez).toEqual([
      'Ana Lopez <null>',
      'Maria Lopez <maria@own.example.org>',
      'Maria Lopez <maria.two@own.example.org>',
      'Mario Lopez <mario@own.example.org>',
      'Marta 100% Lopez <marta_l@own.example.org>',
      'Zed Zorro <zed@lopez.example.org>',
    ]);
    expect(await names('q=lopez')).toEqual(lopez);
    expect(await names('q=maria')).toEqual(['Maria Lopez <maria@own.example.org>', 'Maria Lopez <maria.two@own.example.org>']);
    expect(await names('q=maria', other.token)).toEqual(['Maria Lopez <maria@other.example.org>']);
    expect(await names(`q=lopez&employerId=${b.id}`)).toEqual(['Ana Lopez <null>', 'Mario Lopez <mario@own.example.org>', 'Zed Zorro <zed@lopez.example.org>']);
    expect(await names(`q=ria&employerId=${a.id}`)).toEqual(['Maria Lopez <maria@own.example.org>', 'Maria Lopez <maria.two@own.example.org>']);
    expect(await names(`q=ria&employerId=${theirs.id}`)).toEqual([]);
    expect(await names('q=100%25')).toEqual(['Marta 100% Lopez <marta_l@own.example.org>']);
    expect(await names('q=o%25l')).toEqual([]);
    expect(await names('q=rta_l')).toEqual(['Marta 100% Lopez <marta_l@own.example.org>']);
    expect(await names('q=rt__')).toEqual([]);
    expect(await names('q=MARIA.TWO@')).toEqual(['Maria Lopez <maria.two@own.example.org>']);

    const pages = async (qs: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let i = 0; i < 20; i++) {
        const page: Page = json(await get(`/v1/contacts?${qs}&limit=1${cursor ? `&cursor=${cursor}` : ''}`, own.token));
        expect(page.data.length).toBeLessThanOrEqual(1);
        seen.push(...page.data.map(show));
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      return seen;
    };
    expect(await pages('q=lopez')).toEqual(lopez);
    expect(await pages(`q=lopez&employerId=${a.id}`)).toEqual(expected((c) => c.employerId === a.id));
    const two = json<Page>(await get('/v1/contacts?q=lopez&limit=2', own.token));
    const next = json<Page>(await get(`/v1/contacts?q=lopez&limit=2&cursor=${two.nextCursor}`, own.token));
    expect([...two.data, ...next.data].map(show)).toEqual(lopez.slice(0, 4));
  });

  it('the search function returns nothing without a tenant context (it reads past row-level security)', async () => {
    const own = await newTenant(t.app);
    const e = await addEmployer('Context School', own.token);
    await post({ employerId: e.id, name: 'Context Check Contact' }, own.token);
    // As the app's role, on a connection of its own: no context, or another agency's, finds nothing.
    const search = "SELECT app_private.search_contacts('%Context Check Contact%', NULL, NULL, NULL, 10) AS id";
    expect(await asAppRole(null, search)).toEqual([]);
    expect(await asAppRole(tenant.tenantId, search)).toEqual([]);
    expect(await asAppRole(own.tenantId, search)).toHaveLength(1);
  });

  it('when the list query is wrong, then 400 names the parameter', async () => {
    expect(expectProblem(await get('/v1/contacts?cursor=nope'), 400, 'validation_failed').errors?.[0]?.field).toBe('query.cursor');
    expect(expectProblem(await get('/v1/contacts?employerId=school-1'), 400).errors?.[0]?.field).toBe('query.employerId');
    expect(expectProblem(await get(`/v1/employers/${school.id}/contacts?employerId=${school.id}`), 400).errors?.[0]?.field).toBe(
      'query.employerId',
    );
  });

  it('updates with If-Match: the right version wins, a stale one is 412, and the timeline shows before and after', async () => {
    const c = json<Contact>(await post({ employerId: school.id, name: 'Old Name', timeZone: 'America/Denver' }));
    const ok = await patch(c.id, { name: 'New Name', timeZone: null }, { 'if-match': '"1"' });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers.etag).toBe('"2"');
    expect(json<Contact>(ok)).toMatchObject({ name: 'New Name', timeZone: null, version: 2 });
    expectProblem(await patch(c.id, { name: 'Lost Update' }, { 'if-match': '"1"' }), 412, 'precondition_failed');
    expect(json<Contact>(await get(`/v1/contacts/${c.id}`)).name).toBe('New Name');
    const rows = await timeline(tenant.tenantId, c.id);
    expect(rows.map((r) => r.action)).toEqual(['contact.created', 'contact.updated']);
    expect(rows[0]!.changes).toMatchObject({ name: { before: null, after: 'Old Name' }, employerId: { before: null, after: school.id } });
    expect(rows[1]!.changes).toEqual({
      name: { before: 'Old Name', after: 'New Name' },
      timeZone: { before: 'America/Denver', after: null },
    });
    expect(rows.every((r) => r.event_type === r.action)).toBe(true);
  });

  it('when nothing changes, then the version stays and no activity is written', async () => {
    const c = json<Contact>(await post({ employerId: school.id, name: 'Same', email: 'same@example.org' }));
    const res = await patch(c.id, { name: 'Same', email: 'SAME@example.org' });
    expect(json<Contact>(res).version).toBe(1);
    expect((await timeline(tenant.tenantId, c.id)).map((r) => r.action)).toEqual(['contact.created']);
  });

  it('moves a contact to another employer of the agency, but not to an unknown or another agency’s employer', async () => {
    const other = await newTenant(t.app);
    const theirs = await addEmployer('Their District', other.token);
    const next = await addEmployer('Washington Middle');
    const c = json<Contact>(await post({ employerId: school.id, name: 'Mover' }));
    for (const employerId of [NIL, theirs.id]) {
      const p = expectProblem(await patch(c.id, { employerId }), 400, 'validation_failed');
      expect(p.errors?.map((e) => e.field)).toEqual(['body.employerId']);
    }
    const moved = json<Contact>(await patch(c.id, { employerId: next.id }));
    expect(moved).toMatchObject({ employerId: next.id, version: 2 });
    expect(json<Page>(await get(`/v1/employers/${next.id}/contacts`)).data.map((x) => x.id)).toEqual([c.id]);
    const rows = await timeline(tenant.tenantId, c.id);
    expect(rows[1]!.changes).toEqual({ employerId: { before: school.id, after: next.id } });
  });

  it('deletes with If-Match: a stale version is 412, then 204, 404 after, and the timeline records it', async () => {
    const c = json<Contact>(await post({ employerId: school.id, name: 'Leaving' }));
    await patch(c.id, { title: 'Coordinator' });
    expectProblem(await del(`/v1/contacts/${c.id}`, { 'if-match': '"1"' }), 412, 'precondition_failed');
    expect((await del(`/v1/contacts/${c.id}`, { 'if-match': '"2"' })).statusCode).toBe(204);
    expectProblem(await get(`/v1/contacts/${c.id}`), 404, 'not_found');
    expectProblem(await del(`/v1/contacts/${c.id}`), 404, 'not_found');
    const rows = await timeline(tenant.tenantId, c.id);
    expect(rows.map((r) => r.action)).toEqual(['contact.created', 'contact.updated', 'contact.deleted']);
    expect(rows[2]!.changes).toMatchObject({ name: { before: 'Leaving', after: null }, title: { before: 'Coordinator', after: null } });
  });

  it('when an employer still has contacts, then deleting it is 409 and it stays; without them it goes', async () => {
    const e = await addEmployer('Has Contacts');
    const c = json<Contact>(await post({ employerId: e.id, name: 'Still Here' }));
    expectProblem(await del(`/v1/employers/${e.id}`), 409, 'conflict');
    expect((await get(`/v1/employers/${e.id}`)).statusCode).toBe(200);
    expect((await get(`/v1/contacts/${c.id}`)).statusCode).toBe(200);
    expect((await del(`/v1/contacts/${c.id}`)).statusCode).toBe(204);
    expect((await del(`/v1/employers/${e.id}`)).statusCode).toBe(204);
  });

  it.each([
    [{ name: 'X', employerId: NIL }, 'body.employerId'],
    [{ name: 'X', employerId: 'school-1' }, 'body.employerId'],
    [{ name: '' }, 'body.name'],
    [{ name: 'X', email: 'dana@' }, 'body.email'],
    [{ name: 'X', phone: '555-0142' }, 'body.phone'],
    [{ name: 'X', phone: 'call me maybe' }, 'body.phone'],
    [{ name: 'X', phone: '+0845550142' }, 'body.phone'],
    [{ name: 'X', linkedinUrl: 'https://www.example.com/in/dana' }, 'body.linkedinUrl'],
    [{ name: 'X', linkedinUrl: 'ftp://www.linkedin.com/in/dana' }, 'body.linkedinUrl'],
    [{ name: 'X', linkedinUrl: 'linkedin.com:8080/in/dana' }, 'body.linkedinUrl'],
    [{ name: 'X', linkedinUrl: 'https://linkedin.com.evil.example/in/dana' }, 'body.linkedinUrl'],
    [{ name: 'X', preferredChannel: 'fax' }, 'body.preferredChannel'],
    [{ name: 'X', timeZone: 'Eastern' }, 'body.timeZone'],
    [{ name: 'X', id: NIL }, 'body.id'],
  ])('when the body is %j, then 400 names %s and nothing is written', async (payload, field) => {
    const count = async () => json<Page>(await get(`/v1/contacts?employerId=${school.id}&limit=100`)).data.length;
    const before = await count();
    const p = expectProblem(await post({ employerId: school.id, ...payload }), 400, 'validation_failed');
    expect(p.errors?.map((e) => e.field)).toEqual([field]);
    expect(await count()).toBe(before);
  });

  it.each([
    [{ phone: '845-555-0142' }, { phone: '+18455550142' }],
    [{ phone: '(845) 555 0142' }, { phone: '+18455550142' }],
    [{ phone: '+44 20 7946 0958' }, { phone: '+442079460958' }],
    [{ linkedinUrl: 'linkedin.com/in/dana' }, { linkedinUrl: 'https://www.linkedin.com/in/dana' }],
    [{ linkedinUrl: 'http://www.linkedin.com/in/dana' }, { linkedinUrl: 'https://www.linkedin.com/in/dana' }],
    [{ linkedinUrl: 'uk.linkedin.com/in/dana' }, { linkedinUrl: 'https://uk.linkedin.com/in/dana' }],
  ])('when a phone number or LinkedIn address is typed as people do (%j), then it is kept as %j', async (typed, kept) => {
    const res = await post({ employerId: school.id, name: 'Typed As Is', ...typed });
    expect(res.statusCode, res.body).toBe(201);
    expect(json<Contact>(res)).toMatchObject(kept);
  });

  it('when the contact was added with another agency’s employer, then 400 names body.employerId', async () => {
    const other = await newTenant(t.app);
    const theirs = await addEmployer('Not Yours', other.token);
    const p = expectProblem(await post({ employerId: theirs.id, name: 'Sneaky' }), 400, 'validation_failed');
    expect(p.errors?.[0]?.field).toBe('body.employerId');
    expect(json<Page>(await get(`/v1/employers/${theirs.id}/contacts`, other.token)).data).toEqual([]);
  });

  it('when the update is empty or has an unknown field, then 400', async () => {
    const c = json<Contact>(await post({ employerId: school.id, name: 'Strict' }));
    expectProblem(await patch(c.id, {}), 400, 'validation_failed');
    expect(expectProblem(await patch(c.id, { version: 7 }), 400).errors?.[0]?.field).toBe('body.version');
    expect(expectProblem(await patch(c.id, { phone: '555' }), 400).errors?.[0]?.field).toBe('body.phone');
  });

  it('a viewer reads but cannot add, change or delete', async () => {
    const viewer = await userWithRole(t.app, tenant, 'viewer');
    const c = json<Contact>(await post({ employerId: school.id, name: 'Read Only' }));
    expect((await get(`/v1/contacts/${c.id}`, viewer.token)).statusCode).toBe(200);
    expect((await get(`/v1/employers/${school.id}/contacts`, viewer.token)).statusCode).toBe(200);
    expectProblem(await post({ employerId: school.id, name: 'Nope' }, viewer.token), 403, 'forbidden');
    expectProblem(await patch(c.id, { name: 'Nope' }, {}, viewer.token), 403, 'forbidden');
    expectProblem(await del(`/v1/contacts/${c.id}`, {}, viewer.token), 403, 'forbidden');
    expect(json<Contact>(await get(`/v1/contacts/${c.id}`)).version).toBe(1);
  });
});
