import { z } from 'zod';
import type { App } from '../../http/types.js';
import type { Deps } from '../../deps.js';
import { actorOf } from '../../http/auth.js';
import { ifMatchHeader, withEtag as etag } from '../../http/ifMatch.js';
import { idempotencyHeader } from '../../http/idempotencyHeader.js';
import { problemResponses } from '../../http/problem.js';
import { idParam } from '../../lib/schemas.js';
import { pageOf } from '../../lib/pagination.js';
import * as svc from './followups.service.js';
import { playbookSchema } from '../../core/followups/playbook.js';
import * as tpl from './followups.templateApi.js';
import {
  approveAllBody,
  approveFollowUpBody,
  declineFollowUpBody,
  cancelFollowUpBody,
  completeFollowUpBody,
  editFollowUpBody,
  followUpSchema,
  listFollowUpsQuery,
  markSentFollowUpBody,
  rescheduleFollowUpBody,
  resendFollowUpBody,
  sendNowFollowUpBody,
  skipFollowUpBody,
  undoFollowUpBody,
} from './followups.schemas.js';
import { LIMITS } from '../../lib/limits.js';

const read = { access: { role: 'viewer' as const, scope: 'followups:read' as const } };
const write = { access: { role: 'recruiter' as const, scope: 'followups:write' as const } };
const ifMatchAndKey = idempotencyHeader.extend({ 'if-match': ifMatchHeader });

type FollowUp = Awaited<ReturnType<typeof svc.getFollowUp>>;

export function followUpsRoutes(app: App, deps: Deps) {
  const tags = ['follow-ups'];
  const security = [{ bearer: [] }];
  const one = { 200: followUpSchema, ...problemResponses(409, 412) };

  app.get('/v1/follow-ups', {
    schema: {
      tags,
      security,
      summary: 'Follow-ups by due time, with filters',
      description: 'A recruiter’s due list: `?recruiterId=…&overdue=true`, or `?dueBefore=…&status=pending`.',
      querystring: listFollowUpsQuery,
      response: { 200: pageOf(followUpSchema), ...problemResponses() },
    },
    config: read,
    handler: async (req) => svc.listFollowUps(deps, actorOf(req), req.query),
  });
  app.get('/v1/follow-ups/:id', {
    schema: { tags, security, summary: 'Get a follow-up with the reason for its time', params: idParam, response: { 200: followUpSchema, ...problemResponses() } },
    config: read,
    handler: async (req, reply) => etag(reply, await svc.getFollowUp(deps, actorOf(req), req.params.id)),
  });
  app.patch('/v1/follow-ups/:id', {
    schema: {
      tags,
      security,
      summary: 'Edit the subject or body of a follow-up not sent yet',
      params: idParam,
      headers: z.object({ 'if-match': ifMatchHeader }),
      body: editFollowUpBody,
      response: one,
    },
    config: write,
    handler: async (req, reply) => etag(reply, await svc.editFollowUp(deps, actorOf(req), req.params.id, req.body, req.headers['if-match'])),
  });

  const action = <B extends z.ZodType>(
    path: string,
    summary: string,
    description: string,
    body: B,
    run: (actor: ReturnType<typeof actorOf>, id: string, body: z.output<B>, ifMatch?: number) => Promise<FollowUp>,
  ) =>
    app.post(`/v1/follow-ups/:id/${path}`, {
      schema: { tags, security, summary, description, params: idParam, headers: ifMatchAndKey, body, response: one },
      config: write,
      handler: async (req, reply) =>
        etag(reply, await run(actorOf(req), req.params.id, req.body as z.output<B>, req.headers['if-match'] as number | undefined)),
    });

  action('reschedule', 'Move a pending follow-up', 'Only a pending one (409 otherwise); the time must be in the future.', rescheduleFollowUpBody, (a, id, b, m) =>
    svc.rescheduleFollowUp(deps, a, id, b, m),
  );
  action(
    'send-now',
    'Send a pending email follow-up now',
    'Due at once; it leaves when its undo window is over (`sendsAt`), and `POST …/undo` until then puts it back as it was. The answer is the follow-up still `pending` (watch for `sent`). ' +
      'Also for one more than 3 days overdue, which the worker does not send alone. A task or a follow-up not pending answers 409.',
    sendNowFollowUpBody,
    (a, id, b, m) => svc.sendFollowUpNow(deps, a, id, b, m),
  );
  action(
    'complete',
    'Close a recruiter task with notes',
    'For tasks (channel task, phone, linkedin) still pending or queued; an email follow-up or a closed one answers 409.',
    completeFollowUpBody,
    (a, id, b, m) => svc.completeFollowUp(deps, a, id, b, m),
  );
  action('skip', 'Skip a follow-up', 'A pending, queued, held, awaiting approval, uncertain or failed one; re-planning will not bring it back.', skipFollowUpBody, (a, id, b, m) =>
    svc.skipFollowUp(deps, a, id, b, m),
  );
  action('cancel', 'Cancel a follow-up', 'A pending, queued, held, awaiting approval, uncertain or failed one; re-planning will not bring it back.', cancelFollowUpBody, (a, id, b, m) =>
    svc.cancelFollowUp(deps, a, id, b, m),
  );
  action(
    'undo',
    'Undo an email in its undo window',
    'For a pending email that is due but has not left yet (`inUndoWindow`: dueAt ≤ now < sendsAt). One a recruiter released ' +
      '(send-now, resend, approve) goes back to where it was (pending at its planned time, stale, paused, uncertain, awaiting approval) ' +
      'unless its planned time has come; otherwise it is cancelled ("undone by <name>"). After the window, before the due time, or once ' +
      'the worker claimed it (`queued`) or sent it: 409 naming the status, nothing changed.',
    undoFollowUpBody,
    (a, id, b, m) => svc.undoFollowUp(deps, a, id, b, m),
  );
  action(
    'resend',
    'Send an uncertain or failed follow-up again',
    'For one whose worker stopped mid-send (`uncertain`), or whose sending gave up (`failed`: mend the cause first, e.g. the agency’s ' +
      'mail server settings): pending and due at once, handed to the worker as the change commits. If an uncertain one did go out, ' +
      'the recipient gets it twice (same Message-ID). Another status answers 409.',
    resendFollowUpBody,
    (a, id, b, m) => svc.resendFollowUp(deps, a, id, b, m),
  );
  action(
    'mark-sent',
    'Confirm that an uncertain follow-up went out',
    'For one whose worker stopped mid-send (`uncertain`) and that you know was received: it becomes `sent`. Another status answers 409.',
    markSentFollowUpBody,
    (a, id, b, m) => svc.markFollowUpSent(deps, a, id, b, m),
  );

  action(
    'approve',
    'Approve a follow-up waiting for approval',
    'For one `awaiting_approval` (the playbook wants a recruiter to approve it): it becomes `pending` and goes at its planned time, ' +
      'or at the next allowed moment for its recipient if that has passed. A `subject` or `body` given is sent as written. Another status answers 409.',
    approveFollowUpBody,
    (a, id, b, m) => svc.approveFollowUp(deps, a, id, b, m),
  );
  action(
    'decline',
    'Decline a follow-up waiting for approval',
    'For one `awaiting_approval`: it is cancelled and never sent; re-planning does not bring it back. Another status answers 409.',
    declineFollowUpBody,
    (a, id, b, m) => svc.declineFollowUp(deps, a, id, b, m),
  );
  app.post('/v1/interviews/:id/follow-ups/approve', {
    schema: {
      tags,
      security,
      summary: 'Approve every follow-up of an interview waiting for approval',
      description: 'Each goes at its planned time, or the next allowed moment if that has passed; the answer lists those approved (none waiting: an empty list).',
      params: idParam,
      headers: idempotencyHeader,
      body: approveAllBody,
      response: { 200: z.object({ data: z.array(followUpSchema).max(LIMITS.page) }).meta({ id: 'ApprovedFollowUps' }), ...problemResponses() },
    },
    config: write,
    handler: async (req) => svc.approveAllFollowUps(deps, actorOf(req), req.params.id, req.body),
  });

  app.get('/v1/playbook', {
    schema: {
      tags,
      security,
      summary: 'The agency’s follow-up playbook',
      description: 'Every timing the planner uses; the defaults until an admin sets them (docs/followups.md).',
      response: { 200: playbookSchema, ...problemResponses() },
    },
    config: read,
    handler: async (req) => svc.getPlaybook(deps, actorOf(req)),
  });
  app.put('/v1/playbook', {
    schema: {
      tags,
      security,
      summary: 'Replace the agency’s follow-up playbook',
      description: 'Omitted settings take their defaults. Planned follow-ups keep their times until their interview is re-planned.',
      body: playbookSchema,
      response: { 200: playbookSchema, ...problemResponses() },
    },
    config: { access: { role: 'admin', scope: null } },
    handler: async (req) => svc.putPlaybook(deps, actorOf(req), req.body),
  });

  followUpTemplatesRoutes(app, deps);
}

/** The agency's templates: everyone reads, admins write (docs/followups.md#templates). */
function followUpTemplatesRoutes(app: App, deps: Deps) {
  const tags = ['follow-ups'];
  const security = [{ bearer: [] }];
  const admin = { access: { role: 'admin' as const, scope: null } };
  const one = { 200: tpl.templateSchema, ...problemResponses(422) };

  app.get('/v1/follow-up-templates', {
    schema: {
      tags,
      security,
      summary: 'The agency’s follow-up templates',
      description: 'One per kind (and candidate-update event), channel and voice: the agency’s own text, else the shipped default. `variables` lists what templates may use.',
      response: { 200: tpl.templateListSchema, ...problemResponses() },
    },
    config: read,
    handler: async (req) => tpl.listTemplates(deps, actorOf(req)),
  });
  app.get('/v1/follow-up-templates/:templateId', {
    schema: { tags, security, summary: 'Get a follow-up template', params: tpl.templateIdParam, response: { 200: tpl.templateSchema, ...problemResponses() } },
    config: read,
    handler: async (req) => tpl.getTemplate(deps, actorOf(req), req.params.templateId),
  });
  app.put('/v1/follow-up-templates/:templateId', {
    schema: {
      tags,
      security,
      summary: 'Replace a follow-up template',
      description:
        'Mustache: `{{variable}}`, `{{#variable}}…{{/variable}}` when it has a value, `{{^variable}}…{{/variable}}` when not. ' +
        'An unknown variable or a syntax error answers 422 naming the field (`body.body`, `body.subject`) and `unknownVariables`. ' +
        'Follow-ups not yet sent use the new text when they go out, unless a recruiter edited them.',
      params: tpl.templateIdParam,
      body: tpl.putTemplateBody,
      response: one,
    },
    config: admin,
    handler: async (req) => tpl.putTemplate(deps, actorOf(req), req.params.templateId, req.body),
  });
  app.delete('/v1/follow-up-templates/:templateId', {
    schema: {
      tags,
      security,
      summary: 'Reset a follow-up template to the shipped default',
      description: 'Answers the template as it now is (the default).',
      params: tpl.templateIdParam,
      response: { 200: tpl.templateSchema, ...problemResponses() },
    },
    config: admin,
    handler: async (req) => tpl.resetTemplate(deps, actorOf(req), req.params.templateId),
  });
  app.post('/v1/follow-up-templates/:templateId/preview', {
    schema: {
      tags,
      security,
      summary: 'Render a template, saved or draft, with a follow-up’s facts or sample facts',
      description: 'Writes nothing. Without `followUpId`, sample facts (the worked example) with any `vars` given; a draft is checked as on save (422).',
      params: tpl.templateIdParam,
      headers: idempotencyHeader,
      body: tpl.previewTemplateBody,
      response: { 200: tpl.previewSchema, ...problemResponses(422) },
    },
    config: read,
    handler: async (req) => tpl.previewTemplate(deps, actorOf(req), req.params.templateId, req.body),
  });
}
