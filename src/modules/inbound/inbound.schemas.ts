import { z } from 'zod';
import { instant } from '../../lib/schemas.js';
import { pageQuery } from '../../lib/pagination.js';
import { inboundReplyStatuses } from '../../db/schema/index.js';
import { LIMITS } from '../../lib/limits.js';

const ID = '01938a8e-1c2b-7d3e-8f40-5a6b7c8d9e0f';
const FU = '01938a96-7c8d-7e9f-80b1-c2d3e4f5a6b7';

/** What the mail provider's inbound webhook posts (mapped from its own format by a small adapter). */
export const inboundEmailBody = z
  .strictObject({
    from: z.string().trim().min(3).max(320).describe('The sender, `Name <address>` or an address'),
    to: z.string().trim().max(2000).optional(),
    subject: z.string().max(1000).default(''),
    text: z.string().max(200_000).describe('The plain-text body'),
    messageId: z.string().trim().max(1000).optional().describe('The email’s own Message-ID: the same one twice is recorded once'),
    inReplyTo: z.string().trim().max(2000).optional(),
    references: z.string().trim().max(20_000).optional(),
    headers: z.record(z.string().max(100), z.string().max(2000)).optional().describe('Other headers, e.g. Auto-Submitted'),
    calendar: z
      .string()
      .max(100_000)
      .optional()
      .describe('The email’s text/calendar part, if any: an answer to an interview invite (METHOD:REPLY) sets that participant’s response; one that cannot be read is 422 naming this field'),
    receivedAt: instant.optional(),
  })
  .meta({
    id: 'InboundEmail',
    example: {
      from: 'Dana Whitfield <dana.whitfield@hvcsd.example.org>',
      to: 'replies@agency.example',
      subject: 'Re: Thank you for the interview for the 4th Grade Teacher position',
      text: 'Thanks for the note. We are still interviewing and will decide by December 12.\n\nOn Wed, Dec 3 Jordan wrote:\n> Dear Dana, ...',
      messageId: '<CAF=abc123@mail.example.org>',
      inReplyTo: `<fu-${FU}@afterview>`,
      references: `<fu-${FU}@afterview>`,
    },
  });

export const inboundReplySchema = z
  .object({
    id: z.uuid(),
    status: z
      .enum(inboundReplyStatuses)
      .describe('matched: recorded as the employer’s reply; out_of_office: an automatic answer, ignored; unmatched: waiting for a recruiter; assigned: a recruiter assigned it; calendar_reply: a participant’s answer to an interview invite, recorded on the interview'),
    from: z.string().max(LIMITS.address),
    subject: z.string().max(LIMITS.subject),
    text: z.string().max(LIMITS.inboundText),
    followUpId: z.uuid().nullable(),
    applicationId: z.uuid().nullable(),
    replyId: z.uuid().nullable().describe('The employer reply recorded from it'),
    receivedAt: instant,
    createdAt: instant,
  })
  .meta({
    id: 'InboundReply',
    example: {
      id: ID,
      status: 'matched',
      from: 'Dana Whitfield <dana.whitfield@hvcsd.example.org>',
      subject: 'Re: Thank you for the interview for the 4th Grade Teacher position',
      text: 'Thanks for the note. We are still interviewing and will decide by December 12.',
      followUpId: FU,
      applicationId: ID,
      replyId: ID,
      receivedAt: '2026-12-04T15:02:00.000Z',
      createdAt: '2026-12-04T15:02:01.000Z',
    },
  });

export const inboundSecretSchema = z
  .object({
    secret: z.string().max(LIMITS.token).describe('ins_…: shown once. The provider sends it as `Authorization: Bearer <secret>`'),
    url: z.string().max(LIMITS.url).describe('Where the provider posts inbound emails'),
  })
  .meta({ id: 'InboundSecret', example: { secret: `ins_01938a8e1c2b7d3e8f405a6b7c8d9e0f_3q2-7wAb0Yk6xPqfL1n8hX4mZsT9vRcD2eJuGiKoN5w`, url: 'https://api.afterview.example/v1/inbound/email' } });

export const listInboundQuery = z.strictObject({ ...pageQuery, status: z.enum(inboundReplyStatuses).optional() });

export const assignInboundBody = z
  .strictObject({
    applicationId: z.uuid(),
    interviewId: z.uuid().optional().describe('An interview of that application the answer is about'),
  })
  .meta({ id: 'AssignInboundReplyRequest', example: { applicationId: ID } });
