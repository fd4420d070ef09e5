import { z } from 'zod';
import { followUpStatuses } from '../../db/schema/index.js';
import { followUpKinds } from '../../core/followups/types.js';
import { instant } from '../../lib/schemas.js';
import { LIMITS } from '../../lib/limits.js';

const ID = '01938a8e-1c2b-7d3e-8f40-5a6b7c8d9e0f';
const FU1 = '01938a96-7c8d-7e9f-80b1-c2d3e4f5a6b7';
const FU2 = '01938a96-7c8d-7e9f-80b1-c2d3e4f5a6b8';

const threadExample = {
  id: ID,
  applicationId: ID,
  with: { type: 'contact', contactId: ID, name: 'Dana Whitfield', email: 'dana.whitfield@hvcsd.example.org' },
  subject: 'Thank you for the interview for the 4th Grade Teacher position',
  createdAt: '2026-12-03T18:00:00.000Z',
  messages: [
    {
      followUpId: FU1,
      kind: 'thank_you',
      status: 'sent',
      messageId: `<fu-${FU1}@afterview>`,
      inReplyTo: null,
      references: null,
      subject: 'Thank you for the interview for the 4th Grade Teacher position',
      combined: false,
      sentAt: '2026-12-03T18:00:01.000Z',
      lastError: null,
    },
    {
      followUpId: FU2,
      kind: 'timeline_request',
      status: 'sent',
      messageId: `<fu-${FU2}@afterview>`,
      inReplyTo: `<fu-${FU1}@afterview>`,
      references: `<fu-${FU1}@afterview>`,
      subject: 'Re: Thank you for the interview for the 4th Grade Teacher position',
      combined: false,
      sentAt: '2026-12-04T14:30:01.000Z',
      lastError: null,
    },
  ],
};

export const threadMessageSchema = z.object({
  followUpId: z.uuid(),
  kind: z.enum(followUpKinds),
  status: z.enum(followUpStatuses).describe('The follow-up’s status: `sent` once it went out'),
  messageId: z.string().max(LIMITS.messageId).describe('Its Message-ID, with the angle brackets'),
  inReplyTo: z.string().max(LIMITS.addresses).nullable().describe('The latest earlier message of the thread it answers; null for the first'),
  references: z.string().max(LIMITS.references).nullable().describe('The chain of earlier Message-IDs, oldest first'),
  subject: z.string().max(LIMITS.subject),
  combined: z.boolean().describe('One email to the contact about several applications (playbook combinePerContact): listed in each one’s thread, continuing none; its messageId is shared by every follow-up it carried'),
  sentAt: instant.nullable(),
  lastError: z.string().max(LIMITS.text).nullable().describe('The mail server’s answer to its last failed attempt'),
});

export const threadSchema = z
  .object({
    id: z.uuid(),
    applicationId: z.uuid(),
    with: z.object({
      type: z.enum(['contact', 'candidate']),
      contactId: z.uuid().nullable(),
      name: z.string().max(LIMITS.name).nullable(),
      email: z.string().max(LIMITS.email).nullable(),
    }),
    subject: z.string().max(LIMITS.subject).describe('The subject of its first message; later ones are `Re: <subject>`'),
    createdAt: instant,
    messages: z.array(threadMessageSchema).max(LIMITS.records).describe('In the order they went out (ones not sent yet last)'),
  })
  .meta({
    id: 'EmailThread',
    example: threadExample,
  });

export const threadListSchema = z.object({ data: z.array(threadSchema).max(LIMITS.page) }).meta({ id: 'EmailThreadList' });
export const followUpThreadSchema = z
  .object({ thread: threadSchema.nullable().describe('Null until its email is first sent, and for drafts and tasks') })
  .meta({ id: 'FollowUpThread', example: { thread: threadExample } });
