import { describe, expect, it } from 'vitest';
import { serializerCompiler as zodSerializer } from '@fastify/type-provider-zod';
import { serializerCompiler } from '../src/http/serializer.js';
import { pageOf } from '../src/lib/pagination.js';
import { interviewSchema } from '../src/modules/interviews/interviews.schemas.js';
import { userSchema } from '../src/modules/auth/auth.schemas.js';
import { problemSchema } from '../src/http/problem.js';

const compile = (schema: unknown) => serializerCompiler({ schema, method: 'GET', url: '/x', httpStatus: '200' } as never) as (d: unknown) => string;
const zod = (schema: unknown) => zodSerializer({ schema, method: 'GET', url: '/x' } as never) as (d: unknown) => string;

const interview = {
  id: '01938a8e-4c5d-7e6f-8071-8293a4b5c6d7',
  applicationId: '01938a8e-3a4b-7c5d-8e6f-708192a3b4c5',
  candidateId: '01938a8e-2a3b-7c4d-9e5f-60718293a4b5',
  positionId: '01938a8e-1a2b-7c3d-8e4f-5061728394a5',
  employerId: '01938a8e-1c2b-7d3e-8f40-5a6b7c8d9e0f',
  candidateName: 'Jordan "JL" Lee',
  positionTitle: '5th grade teacher',
  employerName: 'Lincoln Elementary',
  round: 2,
  format: 'onsite',
  startsAt: new Date('2026-12-03T15:00:00Z'),
  endsAt: new Date('2026-12-03T16:00:00Z'),
  timeZone: 'America/New_York',
  arrangedVia: 'email',
  status: 'completed',
  decisionExpectedBy: '2026-12-12',
  highlights: 'Said "great" — with ünïcödé and \u2028 in it',
  location: null,
  meetingUrl: 'https://meet.example.org/abc?x=1&y=2',
  notes: null,
  completedAt: new Date('2026-12-03T16:05:00Z'),
  cancelReason: null,
  participants: [{ contactId: '01938a8e-5d6e-7f80-8192-a3b4c5d6e7f8', name: 'Pat', email: null, role: 'interviewer', highlight: null, notes: 'x', response: 'accepted', respondedAt: new Date('2026-12-02T09:00:00Z') }],
  version: 3,
  createdAt: new Date('2026-11-26T14:30:00Z'),
  updatedAt: new Date('2026-12-03T16:05:00Z'),
};

describe('the response serializer', () => {
  it('writes exactly what zod’s encoder writes, dates as ISO strings', () => {
    const page = { data: [interview, { ...interview, id: '01938a8e-4c5d-7e6f-8071-8293a4b5c6d8' }], nextCursor: null };
    const schema = pageOf(interviewSchema);
    expect(JSON.parse(compile(schema)(page))).toEqual(JSON.parse(zod(schema)(page)));
    expect(JSON.parse(compile(schema)(page)).data[0].startsAt).toBe('2026-12-03T15:00:00.000Z');
  });

  it('never writes a field the schema does not declare', () => {
    const out = JSON.parse(
      compile(userSchema)({
        id: '01a2164a-4086-731f-b299-4f86930d5721',
        email: 'a@b.co',
        name: 'A',
        role: 'owner',
        status: 'active',
        timeZone: null,
        lastLoginAt: null,
        dailyDigest: true,
        version: 1,
        createdAt: new Date(),
        updatedAt: new Date(),
        passwordHash: '$argon2id$secret',
        tenantId: 'x',
      }),
    );
    expect(out).not.toHaveProperty('passwordHash');
    expect(out).not.toHaveProperty('tenantId');
  });

  it('keeps the extension members of a problem', () => {
    const out = JSON.parse(compile(problemSchema)({ type: 't', title: 'T', status: 409, code: 'conflict', requestId: 'r', existingId: 'abc' }));
    expect(out.existingId).toBe('abc');
  });
});
