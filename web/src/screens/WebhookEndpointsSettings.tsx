import { useState, type FormEvent } from 'react';
import { all, call, type S } from '../api';
import { useSession } from '../session';
import { dateTime } from '../time';
import { Confirm } from '../confirm';
import { Badge, Field, FormError, FormFooter, Loaded, useAction, useLoad } from '../ui';

type Endpoint = S['WebhookEndpoint'];
type EventType = S['CreateWebhookEndpointRequestInput']['eventTypes'][number];

// Every event type of the API's catalogue but the test event: a new, renamed or removed type
// fails the typecheck until it is listed here.
const EVENT_SET = {
  'employer.created': true, 'employer.updated': true, 'employer.deleted': true,
  'contact.created': true, 'contact.updated': true, 'contact.deleted': true,
  'position.created': true, 'position.updated': true, 'position.deleted': true,
  'candidate.created': true, 'candidate.updated': true, 'candidate.erased': true,
  'application.created': true, 'application.updated': true, 'application.stage_changed': true, 'application.deleted': true,
  'outcome.logged': true,
  'reply.recorded': true,
  'interview.scheduled': true, 'interview.updated': true, 'interview.rescheduled': true, 'interview.cancelled': true,
  'interview.no_show': true, 'interview.completed': true, 'interview.timeline_set': true, 'interview.participant_added': true,
  'interview.participant_removed': true, 'interview.participant_responded': true, 'interview.deleted': true,
  'followup.planned': true, 'followup.cancelled': true, 'followup.rescheduled': true, 'followup.undone': true, 'followup.completed': true,
  'followup.skipped': true, 'followup.approved': true, 'followup.paused': true, 'followup.declined': true, 'followup.edited': true, 'followup.sent': true, 'followup.failed': true, 'followup.delivery_uncertain': true,
  'playbook.updated': true,
  'agency.updated': true,
  'inbound_reply.received': true, 'inbound_reply.assigned': true, 'response_link.answered': true,
  'webhook_endpoint.created': true, 'webhook_endpoint.updated': true, 'webhook_endpoint.deleted': true, 'webhook_endpoint.paused': true,
  'webhook_endpoint.resumed': true, 'webhook_endpoint.secret_rotated': true, 'webhook_endpoint.recovered': true,
  'webhook_delivery.redelivered': true,
  'followup_template.updated': true,
  'user.created': true, 'user.updated': true, 'user.deactivated': true, 'user.reactivated': true,
  'user.sessions_ended': true, 'user.password_changed': true, 'user.password_reset': true, 'session.ended': true,
  'invitation.created': true, 'invitation.resent': true, 'invitation.revoked': true, 'invitation.accepted': true,
  'api_key.created': true, 'api_key.revoked': true,
  'external_id.linked': true, 'external_id.unlinked': true,
  'candidate_note.added': true, 'candidate_note.edited': true, 'candidate_note.deleted': true,
} satisfies Record<Exclude<EventType, '*' | 'webhook.test'>, true>;
const EVENT_TYPES = Object.keys(EVENT_SET) as EventType[];
const GROUPS = [...new Set(EVENT_TYPES.map((t) => t.split('.')[0]!))];

/** Webhook endpoints: subscribe a URL (secret shown once), test, pause, rotate, and each one's delivery log with redelivery. */
export function WebhookEndpointsSettings() {
  const state = useLoad(() => all((cursor) => call((c) => c.GET('/v1/webhook-endpoints', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }))), []);
  const [secret, setSecret] = useState<{ title: string; value: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <>
      {secret && <SecretOnce title={secret.title} value={secret.value} onDone={() => setSecret(null)} />}
      <Loaded state={state} empty={(d) => d.length === 0 && 'No webhook endpoints yet: add one below to receive events as they happen.'}>
        {(endpoints) => (
          <ul className="rows">
            {endpoints.map((e) => (
              <li key={e.id} className="card" data-testid="webhook-endpoint">
                <EndpointRow e={e} open={open === e.id} toggle={() => setOpen(open === e.id ? null : e.id)} onChanged={state.reload} onSecret={(value) => setSecret({ title: `New secret for ${e.url}`, value })} />
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      <NewEndpoint
        onCreated={(e) => {
          setSecret({ title: `Signing secret for ${e.url}`, value: e.secret });
          state.reload();
        }}
      />
    </>
  );
}

function SecretOnce({ title, value, onDone }: { title: string; value: string; onDone: () => void }) {
  return (
    <div className="card secret" role="status">
      <p>
        <strong>{title}: copy it now, it is not shown again.</strong> Verify each delivery's signature with it (Standard Webhooks).
      </p>
      <code data-testid="webhook-secret">{value}</code>
      <div className="row">
        <button type="button" className="small" onClick={() => void navigator.clipboard?.writeText(value)}>
          Copy
        </button>
        <button type="button" className="small" onClick={onDone}>
          I have saved it
        </button>
      </div>
    </div>
  );
}

function EndpointRow({ e, open, toggle, onChanged, onSecret }: { e: Endpoint; open: boolean; toggle: () => void; onChanged: () => void; onSecret: (s: string) => void }) {
  const s = useSession();
  const action = useAction();
  const id = { path: { id: e.id } };
  const run = async (fn: () => Promise<unknown>) => {
    if ((await action.run(async () => (await fn(), true))) === true) onChanged();
  };
  const events = e.eventTypes.includes('*') ? 'all events' : `${e.eventTypes.length} event type${e.eventTypes.length === 1 ? '' : 's'}`;
  return (
    <>
      <div className="page-head">
        <div className="row-main">
          <strong className="break">{e.url}</strong>
          <span className="muted">
            {e.description ? `${e.description} · ` : ''}
            {events}
            {e.disabledReason ? ` · ${e.disabledReason}` : ''}
          </span>
        </div>
        <Badge value={e.status} />
      </div>
      {e.circuit.state !== 'closed' && (
        <p className="form-error" data-testid="circuit">
          Not answering: {e.circuit.consecutiveFailures} failed tries in a row. Deliveries wait;
          {e.circuit.state === 'open' && e.circuit.retryAt ? ` the next try is at ${dateTime(e.circuit.retryAt, s.zone)}.` : ' the next try goes soon.'}
        </p>
      )}
      <div className="row wrap">
        <button type="button" className="small" onClick={() => void run(() => call((c) => c.POST('/v1/webhook-endpoints/{id}/test', { params: id })))}>
          Send a test event
        </button>
        {e.status === 'active' ? (
          <button type="button" className="small" onClick={() => void run(() => call((c) => c.POST('/v1/webhook-endpoints/{id}/pause', { params: id })))}>
            Pause
          </button>
        ) : (
          <button type="button" className="small" onClick={() => void run(() => call((c) => c.POST('/v1/webhook-endpoints/{id}/resume', { params: id })))}>
            Resume
          </button>
        )}
        <Confirm
          trigger="Rotate secret…"
          question={`Replace the signing secret of ${e.url}?`}
          detail="The new one is shown once. The old one keeps signing for 24 hours, time to update the receiver."
          confirm="Rotate secret"
          onConfirm={() => run(async () => onSecret((await call((c) => c.POST('/v1/webhook-endpoints/{id}/rotate-secret', { params: id }))).secret))}
          busy={action.busy}
        />
        <Confirm
          trigger="Delete…"
          label={`Delete ${e.url}`}
          question={`Delete ${e.url} and its delivery log?`}
          detail="Events stop going to it. This cannot be undone."
          confirm="Delete"
          onConfirm={() => run(() => call((c) => c.DELETE('/v1/webhook-endpoints/{id}', { params: id })))}
          busy={action.busy}
        />
        <button type="button" className="small" onClick={toggle} aria-expanded={open}>
          {open ? 'Hide deliveries' : 'Deliveries'}
        </button>
      </div>
      <FormError action={action} />
      {open && <Deliveries endpointId={e.id} />}
    </>
  );
}

function Deliveries({ endpointId }: { endpointId: string }) {
  const s = useSession();
  const state = useLoad(() => call((c) => c.GET('/v1/webhook-endpoints/{id}/deliveries', { params: { path: { id: endpointId }, query: { limit: 50 } } })), [endpointId]);
  const [detail, setDetail] = useState<string | null>(null);
  const action = useAction();
  const redeliver = async (deliveryId: string) => {
    if (await action.run(() => call((c) => c.POST('/v1/webhook-endpoints/{id}/deliveries/{deliveryId}/redeliver', { params: { path: { id: endpointId, deliveryId } } })))) state.reload();
  };
  return (
    <div className="panel" data-testid="deliveries">
      <FormError action={action} />
      <Loaded state={state} empty={(d) => d.data.length === 0 && 'No deliveries yet.'}>
        {(page) => (
          <table>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">When</th>
                <th scope="col">Status</th>
                <th scope="col">Tries</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {page.data.map((d) => (
                <tr key={d.id}>
                  <td>
                    <button type="button" className="link" onClick={() => setDetail(detail === d.id ? null : d.id)} aria-expanded={detail === d.id}>
                      {d.eventType}
                    </button>
                    {detail === d.id && <DeliveryDetail endpointId={endpointId} deliveryId={d.id} />}
                  </td>
                  <td>{dateTime(d.createdAt, s.zone)}</td>
                  <td>
                    <Badge value={d.status} /> {d.lastStatusCode ?? ''} <span className="muted">{d.lastError ?? ''}</span>
                  </td>
                  <td>{d.attempts}</td>
                  <td>
                    <button type="button" className="small" onClick={() => void redeliver(d.id)}>
                      Redeliver
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
    </div>
  );
}

function DeliveryDetail({ endpointId, deliveryId }: { endpointId: string; deliveryId: string }) {
  const s = useSession();
  const state = useLoad(() => call((c) => c.GET('/v1/webhook-endpoints/{id}/deliveries/{deliveryId}', { params: { path: { id: endpointId, deliveryId } } })), [deliveryId]);
  return (
    <Loaded state={state}>
      {(d) => (
        <div>
          <ol className="timeline">
            {d.attemptLog.map((a) => (
              <li key={a.attempt}>
                {dateTime(a.attemptedAt, s.zone)}: {a.statusCode ?? 'no answer'} in {a.durationMs} ms {a.error ? `· ${a.error}` : ''}
              </li>
            ))}
          </ol>
          <pre className="payload">{JSON.stringify(d.payload, null, 2)}</pre>
        </div>
      )}
    </Loaded>
  );
}

function NewEndpoint({ onCreated }: { onCreated: (e: S['WebhookEndpointWithSecret']) => void }) {
  const action = useAction();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [allEvents, setAllEvents] = useState(true);
  const [types, setTypes] = useState<EventType[]>([]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const created = await action.run(() =>
      call((c) => c.POST('/v1/webhook-endpoints', { body: { url, eventTypes: allEvents ? ['*'] : types, ...(description.trim() ? { description: description.trim() } : {}) } })),
    );
    if (created) {
      setUrl('');
      setDescription('');
      setTypes([]);
      onCreated(created);
    }
  };
  return (
    <form className="card form" onSubmit={submit} noValidate>
      <h2>Add an endpoint</h2>
      <div className="row wrap">
        <Field label="URL" name="url" action={action} hint="https:// on the public internet">
          {(p) => <input {...p} type="url" value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://example.com/afterview" />}
        </Field>
        <Field label="Description" name="description" action={action}>
          {(p) => <input {...p} value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
      </div>
      <fieldset>
        <legend>Events</legend>
        <label className="check">
          <input type="checkbox" checked={allEvents} onChange={(e) => setAllEvents(e.target.checked)} /> All events, including ones added later
        </label>
        {!allEvents &&
          GROUPS.map((g) => (
            <div key={g} className="row wrap">
              {EVENT_TYPES.filter((t) => t.startsWith(`${g}.`)).map((t) => (
                <label key={t} className="check">
                  <input type="checkbox" checked={types.includes(t)} onChange={(e) => setTypes(e.target.checked ? [...types, t] : types.filter((x) => x !== t))} /> {t}
                </label>
              ))}
            </div>
          ))}
        {action.field('eventTypes') && <small className="field-error">{action.field('eventTypes')}</small>}
      </fieldset>
      <FormFooter action={action} shown={['url', 'description', 'eventTypes']} submit="Add endpoint" />
    </form>
  );
}
