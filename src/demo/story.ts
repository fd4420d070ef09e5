import type { FastifyInstance } from 'fastify';
import { DateTime } from 'luxon';
import { demo } from './seed.js';

const ZONE = 'America/New_York';

/**
 * The demo agency's day, written through the public API as a recruiter would: a district and its
 * school, their people and positions, three candidates, and three interviews (one completed two
 * days ago with its plan, one just ended waiting to be completed, one tomorrow).
 * Addresses are on example.org; without SMTP_URL the notes land in the .eml outbox.
 */
export async function seedDemoStory(app: FastifyInstance, now: Date): Promise<void> {
  const login = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: demo });
  const headers = { authorization: `Bearer ${(login.json() as { accessToken: string }).accessToken}` };
  const post = async (url: string, payload: object): Promise<{ id: string }> => {
    const res = await app.inject({ method: 'POST', url, headers, payload });
    if (res.statusCode >= 300) throw new Error(`demo story: POST ${url} answered ${res.statusCode} ${res.body}`);
    return res.json() as { id: string };
  };
  const district = await post('/v1/employers', { name: 'Hudson Valley Central School District', kind: 'district', timeZone: ZONE });
  const school = await post('/v1/employers', { name: 'Riverside Elementary', kind: 'school', parentId: district.id, website: 'https://riverside.example.org' });
  const pat = await post('/v1/contacts', {
    employerId: school.id,
    name: 'Pat Alvarez',
    title: 'Principal',
    email: 'pat.alvarez@riverside.example.org',
    linkedinUrl: 'https://www.linkedin.com/in/pat-alvarez-example',
  });
  const terry = await post('/v1/contacts', { employerId: school.id, name: 'Terry Chen', title: 'Grade 5 lead teacher', email: 'terry.chen@riverside.example.org' });
  const sam = await post('/v1/contacts', { employerId: district.id, name: 'Sam Okafor', title: 'Assistant superintendent', phone: '+15555550100', preferredChannel: 'phone' });
  const grade5 = await post('/v1/positions', { employerId: school.id, title: '5th grade teacher', openings: 2 });
  const reading = await post('/v1/positions', { employerId: school.id, title: 'Reading specialist' });
  const jordan = await post('/v1/candidates', { name: 'Jordan Lee', email: 'jordan.lee@example.org', relayConsent: true, tags: ['elementary'] });
  const morgan = await post('/v1/candidates', { name: 'Morgan Patel', email: 'morgan.patel@example.org', relayConsent: true });
  const riley = await post('/v1/candidates', { name: 'Riley Brooks', email: 'riley.brooks@example.org', relayConsent: false });
  const apps = {
    jordan: await post('/v1/applications', { candidateId: jordan.id, positionId: grade5.id }),
    morgan: await post('/v1/applications', { candidateId: morgan.id, positionId: reading.id }),
    riley: await post('/v1/applications', { candidateId: riley.id, positionId: grade5.id }),
  };
  const local = DateTime.fromJSDate(now, { zone: ZONE });
  const interview = (applicationId: string, start: DateTime, participants: object[]) =>
    post('/v1/interviews', {
      applicationId,
      format: 'onsite',
      startsAt: start.toUTC().toISO(),
      endsAt: start.plus({ hours: 1 }).toUTC().toISO(),
      timeZone: ZONE,
      arrangedVia: 'email',
      location: 'Riverside Elementary, room 12',
      participants,
    });
  const done = await interview(apps.jordan.id, local.minus({ days: 2 }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 }), [
    { contactId: pat.id, role: 'hiring_manager' },
    { contactId: terry.id, role: 'interviewer', highlight: 'Loved the reading-corner idea' },
  ]);
  await post(`/v1/interviews/${done.id}/complete`, { highlights: 'The demo lesson landed well' });
  // Ended an hour ago in the daytime; at night, yesterday afternoon's: either way, still to complete.
  const justDone = local.hour >= 11 && local.hour < 21 ? local.minus({ hours: 2 }).startOf('hour') : local.minus({ days: local.hour < 11 ? 1 : 0 }).set({ hour: 15, minute: 0, second: 0, millisecond: 0 });
  await interview(apps.morgan.id, justDone, [
    { contactId: pat.id, role: 'hiring_manager' },
    { contactId: sam.id, role: 'interviewer' },
  ]);
  await interview(apps.riley.id, local.plus({ days: 1 }).set({ hour: 14, minute: 0, second: 0, millisecond: 0 }), [{ contactId: terry.id, role: 'interviewer' }]);
}
