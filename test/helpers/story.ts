import type { FastifyInstance } from 'fastify';
import { bearer, uniq, type TestTenant } from './app.js';

const must = async (p: Promise<{ statusCode: number; body: string; json(): unknown }>, what: string) => {
  const res = await p;
  if (res.statusCode >= 300) throw new Error(`${what} failed: ${res.statusCode} ${res.body}`);
  return res.json() as { id: string } & Record<string, unknown>;
};

/**
 * The usual story up to an interview: a district with a school, two interviewers and a hiring
 * manager, an open position, a candidate put forward for it.
 */
export async function recruitingStory(app: FastifyInstance, tenant: TestTenant) {
  const h = bearer(tenant.token);
  const post = (url: string, payload: object, what: string) => must(app.inject({ method: 'POST', url, headers: h, payload }), what);
  const district = await post('/v1/employers', { name: `District ${uniq()}`, kind: 'district', timeZone: 'America/New_York' }, 'district');
  const school = await post('/v1/employers', { name: `School ${uniq()}`, kind: 'school', parentId: district.id }, 'school');
  const principal = await post('/v1/contacts', { employerId: school.id, name: 'Pat Principal', email: `pat-${uniq()}@school.example.org`, title: 'Principal' }, 'principal');
  const teacher = await post('/v1/contacts', { employerId: school.id, name: 'Terry Teacher', email: `terry-${uniq()}@school.example.org` }, 'teacher');
  const superintendent = await post('/v1/contacts', { employerId: district.id, name: 'Sam Super', phone: '+15555550100' }, 'superintendent');
  const position = await post('/v1/positions', { employerId: school.id, title: '5th grade teacher' }, 'position');
  const candidate = await post('/v1/candidates', { name: 'Jordan Lee', email: `jordan-${uniq()}@example.org`, relayConsent: true }, 'candidate');
  const application = await post('/v1/applications', { candidateId: candidate.id, positionId: position.id }, 'application');
  return { district, school, principal, teacher, superintendent, position, candidate, application };
}

export type Story = Awaited<ReturnType<typeof recruitingStory>>;

export async function scheduledInterview(app: FastifyInstance, tenant: TestTenant, story: Story, startsAt = '2026-12-03T10:00:00-05:00') {
  const start = new Date(startsAt);
  return must(
    app.inject({
      method: 'POST',
      url: '/v1/interviews',
      headers: bearer(tenant.token),
      payload: {
        applicationId: story.application.id,
        format: 'onsite',
        startsAt: start.toISOString(),
        endsAt: new Date(start.getTime() + 3600_000).toISOString(),
        timeZone: 'America/New_York',
        arrangedVia: 'email',
        participants: [
          { contactId: story.principal.id, role: 'hiring_manager' },
          { contactId: story.teacher.id, role: 'interviewer', highlight: 'Loved the reading-corner idea' },
        ],
      },
    }),
    'interview',
  );
}
