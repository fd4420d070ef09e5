import type { FastifyInstance } from 'fastify';
import type { fixedClock } from '../../src/lib/clock.js';
import { bearer, uniq, type TestTenant } from './app.js';
import { adminPool } from './db.js';
import { recruitingStory } from './story.js';

/**
 * The reports' fixture with known promises, its figures worked out by hand in test/reports.test.ts
 * (and used by the Reports page's test): one school in a district, one position, three
 * applications interviewed Mon 1, Tue 2 and Wed 3 Feb 2027, replies, an offer and a rejection.
 * Leaves the clock at Mon 15 Feb 2027 15:00Z.
 */
export async function reportsFixture(app: FastifyInstance, tenant: TestTenant, clock: ReturnType<typeof fixedClock>) {
  async function call(method: 'GET' | 'POST', url: string, payload?: object, at?: string) {
    if (at) clock.set(at);
    const res = await app.inject({ method, url, headers: bearer(tenant.token), ...(payload ? { payload } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json() as { id: string } & Record<string, unknown>;
  }
  async function interview(applicationId: string, day: string, hiringManager: string, other: string, decision: string) {
    clock.set('2027-01-25T15:00:00Z');
    const iv = await call('POST', '/v1/interviews', {
      applicationId,
      format: 'onsite',
      startsAt: `${day}T15:00:00.000Z`,
      endsAt: `${day}T16:00:00.000Z`,
      timeZone: 'America/New_York',
      arrangedVia: 'email',
      participants: [
        { contactId: hiringManager, role: 'hiring_manager' },
        { contactId: other, role: 'interviewer' },
      ],
    });
    await call('POST', `/v1/interviews/${iv.id}/complete`, { decisionExpectedBy: decision }, `${day}T16:10:00Z`);
    return iv.id;
  }
  /** Marks the interview's thank-yous sent, as the worker would have (the delivery itself is tested elsewhere). */
  async function thankYousSent(interviewId: string, at: Record<string, string>) {
    for (const [contactId, sentAt] of Object.entries(at)) {
      await adminPool().query("UPDATE follow_ups SET status = 'sent', sent_at = $3 WHERE interview_id = $1 AND kind = 'thank_you' AND contact_id = $2", [
        interviewId,
        contactId,
        sentAt,
      ]);
    }
  }

  clock.set('2027-01-25T15:00:00Z');
  const story = await recruitingStory(app, tenant);
  const pat = story.principal.id;
  const terry = story.teacher.id;
  const more = [];
  for (const name of ['Casey Two', 'Robin Three']) {
    const c = await call('POST', '/v1/candidates', { name, email: `${uniq()}@example.org`, relayConsent: true });
    more.push(await call('POST', '/v1/applications', { candidateId: c.id, positionId: story.position.id }));
  }
  const [app1, app2, app3] = [story.application.id, more[0]!.id, more[1]!.id];
  const iv1 = await interview(app1, '2027-02-01', pat, terry, '2027-02-05');
  await thankYousSent(iv1, { [pat]: '2027-02-01T18:00:00Z', [terry]: '2027-02-01T18:00:00Z' });
  const iv2 = await interview(app2, '2027-02-02', pat, terry, '2027-02-09');
  await thankYousSent(iv2, { [pat]: '2027-02-02T18:00:00Z', [terry]: '2027-02-02T18:10:00Z' });
  const iv3 = await interview(app3, '2027-02-03', terry, pat, '2027-02-19');
  await call('POST', `/v1/applications/${app2}/replies`, { channel: 'email', summary: 'Still deciding.', receivedAt: '2027-02-03T18:00:00.000Z' }, '2027-02-03T18:05:00Z');
  await call('POST', `/v1/applications/${app1}/replies`, { channel: 'phone', summary: 'By the 10th.', newDecisionExpectedBy: '2027-02-10', receivedAt: '2027-02-04T15:00:00.000Z' }, '2027-02-04T15:05:00Z');
  await call('POST', `/v1/applications/${app2}/outcomes`, { kind: 'rejected' }, '2027-02-08T15:00:00Z');
  await call('POST', `/v1/applications/${app1}/outcomes`, { kind: 'offer' }, '2027-02-12T20:00:00Z');
  clock.set('2027-02-15T15:00:00Z');
  return { story, applications: [app1, app2, app3] as const, interviews: [iv1, iv2, iv3] as const };
}
