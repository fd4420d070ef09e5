import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, expectProblem, json, newTenant, type Schemas, type TestApp, type TestTenant } from './helpers/app.js';
import { recruitingStory, scheduledInterview, type Story } from './helpers/story.js';
import { adminPool } from './helpers/db.js';
import { fixedClock } from '../src/lib/clock.js';

// Issue 16, through the API with the injected clock: when a follow-up may go, and who decides.
// The interviews run Thu 3 Dec 2026 10:00–11:00 New York (15:00–16:00Z) unless a test says otherwise.
const clock = fixedClock('2026-11-26T12:00:00Z');
let t: TestApp;
let tenant: TestTenant;

beforeAll(async () => {
  t = await createTestApp({ clock });
  tenant = await newTenant(t.app);
});
afterAll(() => t.close());

type FollowUp = Schemas['FollowUp'];
const h = () => bearer(tenant.token);
const post = (url: string, payload: object, headers: Record<string, string> = h()) => t.app.inject({ method: 'POST', url, headers, payload });
const ofInterview = async (id: string) => {
  const res = await t.app.inject({ url: `/v1/follow-ups?interviewId=${id}&limit=100`, headers: h() });
  expect(res.statusCode, res.body).toBe(200);
  return json<{ data: FollowUp[] }>(res).data;
};

/** A fresh story with an interview completed at `completedAt`, without a timeline unless given. */
async function completed(opts: { extra?: object; startsAt?: string; completedAt?: string } = {}): Promise<{ story: Story; id: string }> {
  clock.set('2026-01-05T12:00:00Z');
  const story = await recruitingStory(t.app, tenant);
  const interview = await scheduledInterview(t.app, tenant, story, opts.startsAt);
  clock.set(opts.completedAt ?? '2026-12-03T16:10:00Z');
  const res = await post(`/v1/interviews/${interview.id}/complete`, opts.extra ?? {});
  expect(res.statusCode, res.body).toBe(200);
  return { story, id: interview.id };
}

describe('dated outcomes (decidedAt)', () => {
  it('when a rejection decided Monday afternoon is logged Tuesday morning, then the thanks-anyway counts from Monday', async () => {
    const { story, id } = await completed();
    clock.set('2026-12-08T13:00:00Z'); // Tue 08:00 New York
    const res = await post(`/v1/applications/${story.application.id}/outcomes`, { kind: 'rejected', decidedAt: '2026-12-07T21:00:00Z' });
    expect(res.statusCode, res.body).toBe(201);
    expect(json<Schemas['LoggedOutcome']>(res)).toMatchObject({ decidedAt: '2026-12-07T21:00:00.000Z', createdAt: '2026-12-08T13:00:00.000Z' });
    const thanks = (await ofInterview(id)).filter((f) => f.kind === 'post_decision_thanks' && f.status !== 'cancelled');
    // Decided Mon 7 Dec 16:00 New York: the next business day, Tue 8 Dec 09:30 (not Wed 9 Dec, counted from the logging).
    expect(thanks.map((f) => [f.contactId, f.dueAt])).toEqual([
      [story.principal.id, '2026-12-08T14:30:00.000Z'],
      [story.teacher.id, '2026-12-08T14:30:00.000Z'],
    ]);
    expect(thanks[0]!.reason).toMatch(/^outcome rejected decided Mon 2026-12-07 16:00 America\/New_York/);
    const listed = json<{ data: Schemas['Outcome'][] }>(await t.app.inject({ url: `/v1/applications/${story.application.id}/outcomes`, headers: h() }));
    expect(listed.data.map((o) => o.decidedAt)).toEqual(['2026-12-07T21:00:00.000Z']);
    const ev = await adminPool().query("SELECT payload FROM events WHERE tenant_id = $1 AND type = 'outcome.logged' AND payload->'data'->>'applicationId' = $2", [
      tenant.tenantId,
      story.application.id,
    ]);
    expect(ev.rows.map((r) => r.payload.data.decidedAt)).toEqual(['2026-12-07T21:00:00.000Z']);
  });

  it('without decidedAt, the decision is dated when it is logged', async () => {
    const { story } = await completed();
    clock.set('2026-12-08T15:00:00Z');
    const res = await post(`/v1/applications/${story.application.id}/outcomes`, { kind: 'offer' });
    expect(res.statusCode, res.body).toBe(201);
    expect(json<Schemas['LoggedOutcome']>(res).decidedAt).toBe('2026-12-08T15:00:00.000Z');
  });

  it('a decidedAt in the future or before the interview is 400 naming body.decidedAt, and nothing is logged', async () => {
    const { story, id } = await completed();
    clock.set('2026-12-08T15:00:00Z');
    const before = await ofInterview(id);
    for (const decidedAt of ['2026-12-08T15:00:01Z', '2026-12-03T14:59:00Z', 'yesterday']) {
      const bad = expectProblem(await post(`/v1/applications/${story.application.id}/outcomes`, { kind: 'rejected', decidedAt }), 400, 'validation_failed');
      expect(bad.errors?.map((e) => e.field)).toEqual(['body.decidedAt']);
    }
    const listed = json<{ data: unknown[] }>(await t.app.inject({ url: `/v1/applications/${story.application.id}/outcomes`, headers: h() }));
    expect(listed.data).toEqual([]);
    const app = json<Schemas['ApplicationDetail']>(await t.app.inject({ url: `/v1/applications/${story.application.id}`, headers: h() }));
    expect(app.stage).not.toBe('rejected');
    expect((await ofInterview(id)).map((f) => [f.id, f.status, f.version])).toEqual(before.map((f) => [f.id, f.status, f.version]));
    const logged = await adminPool().query("SELECT count(*)::int AS n FROM events WHERE tenant_id = $1 AND type = 'outcome.logged' AND payload->'data'->>'applicationId' = $2", [
      tenant.tenantId,
      story.application.id,
    ]);
    expect(logged.rows[0].n).toBe(0);
  });
});
