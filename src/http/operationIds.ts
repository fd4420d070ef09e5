/**
 * A stable `operationId` for every operation (SDK generators name their methods from it): derived
 * from the method and path, so it changes only when the route does, with the names a rule would
 * get wrong given here. `npm run openapi:check` shows any change as a diff of the document.
 *
 *   GET /v1/candidates → listCandidates          POST /v1/candidates → createCandidate
 *   GET /v1/candidates/{id} → getCandidate       PATCH … → updateCandidate, DELETE … → deleteCandidate
 *   GET /v1/employers/{id}/contacts → listEmployerContacts
 *   POST /v1/interviews/{id}/complete → completeInterview (an action: the last segment, not plural)
 */
const NAMED: Record<string, string> = {
  'GET /healthz': 'checkLiveness',
  'GET /readyz': 'checkReadiness',
  'POST /v1/signup': 'signUp',
  'POST /v1/auth/login': 'signIn',
  'POST /v1/auth/refresh': 'refreshSession',
  'POST /v1/auth/logout': 'signOut',
  'POST /v1/auth/forgot-password': 'requestPasswordReset',
  'POST /v1/auth/reset-password': 'resetPassword',
  'POST /v1/auth/invitation': 'previewInvitation',
  'POST /v1/auth/accept-invitation': 'acceptInvitation',
  'GET /v1/me': 'getMe',
  'PATCH /v1/me': 'updateMe',
  'PATCH /v1/me/password': 'changePassword',
  'GET /v1/me/sessions': 'listMySessions',
  'DELETE /v1/me/sessions': 'endMyOtherSessions',
  'POST /v1/me/calendar-feed': 'rotateMyCalendarFeed',
  'DELETE /v1/me/calendar-feed': 'revokeMyCalendarFeed',
  'GET /v1/calendar-feeds/{token}': 'getCalendarFeed',
  'DELETE /v1/me/sessions/{id}': 'endMySession',
  'DELETE /v1/users/{id}/sessions': 'endUserSessions',
  'GET /v1/activity': 'listActivity',
  'GET /v1/search': 'search',
  'DELETE /v1/invitations/{id}': 'revokeInvitation',
  'DELETE /v1/api-keys/{id}': 'revokeApiKey',
  'PUT /v1/playbook': 'replacePlaybook',
  'PUT /v1/follow-up-templates/{templateId}': 'replaceFollowUpTemplate',
  'DELETE /v1/follow-up-templates/{templateId}': 'resetFollowUpTemplate',
  'POST /v1/interviews/{id}/participants': 'addInterviewParticipant',
  'DELETE /v1/interviews/{id}/participants/{contactId}': 'removeInterviewParticipant',
  'POST /v1/interviews/{id}/no-show': 'markInterviewNoShow',
  'GET /v1/interviews/{id}/calendar.ics': 'getInterviewCalendar',
  'POST /v1/interviews/{id}/timeline': 'setInterviewTimeline',
  'POST /v1/applications/{id}/stage': 'moveApplicationStage',
  'POST /v1/applications/{id}/outcomes': 'recordApplicationOutcome',
  'POST /v1/applications/{id}/replies': 'recordApplicationReply',
  'POST /v1/follow-ups/{id}/send-now': 'sendFollowUpNow',
  'POST /v1/follow-ups/{id}/mark-sent': 'markFollowUpSent',
  'POST /v1/interviews/{id}/follow-ups/approve': 'approveInterviewFollowUps',
  'POST /v1/webhook-endpoints/{id}/rotate-secret': 'rotateWebhookEndpointSecret',
  'POST /v1/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver': 'redeliverWebhookDelivery',
  'GET /v1/webhook-endpoints/{id}/deliveries': 'listWebhookDeliveries',
  'GET /v1/webhook-endpoints/{id}/deliveries/{deliveryId}': 'getWebhookDelivery',
  'POST /v1/inbound/email': 'receiveInboundEmail',
  'POST /v1/inbound/secret': 'rotateInboundSecret',
};

const camel = (s: string) => s.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
const upper = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const isParam = (s: string) => s.startsWith('{');
const plural = (s: string) => s.endsWith('s');
const singular = (s: string) => (s.endsWith('ies') ? `${s.slice(0, -3)}y` : plural(s) ? s.slice(0, -1) : s);
const VERB: Record<string, string> = { GET: 'get', PATCH: 'update', PUT: 'replace', DELETE: 'delete', POST: 'create' };

/** `method` upper case, `path` as the document has it (`/v1/candidates/{id}`). */
export function operationIdFor(method: string, path: string): string | undefined {
  const named = NAMED[`${method} ${path}`];
  if (named) return named;
  const statics = path.replace(/^\/v1\//, '/').split('/').filter(Boolean);
  const last = statics.at(-1);
  // The web client's catch-all and other routes hidden from the document.
  if (!last || !/^[a-z{][\w{}-]*$/.test(last) || !VERB[method]) return undefined;
  const nouns = statics.filter((s) => !isParam(s)).map((s) => upper(camel(s)));
  const owner = nouns.slice(0, -1).map(singular).join('');
  const lastNoun = nouns.at(-1)!;
  if (isParam(last)) return `${VERB[method]}${owner}${singular(lastNoun)}`;
  if (plural(lastNoun) && method === 'GET') return `list${owner}${lastNoun}`;
  if (plural(lastNoun)) return `${VERB[method]}${owner}${singular(lastNoun)}`;
  // A singular last segment after an item is an action on it (POST) or a view of it (GET).
  if (method === 'POST' && statics.length > 1 && isParam(statics.at(-2)!)) return `${camel(last)}${owner}`;
  return `${VERB[method]}${owner}${lastNoun}`;
}
