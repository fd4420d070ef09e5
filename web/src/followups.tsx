import { planSentence } from './planSentence';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { call, ifMatch, type S } from './api';
import { LinkedIn } from './activity';
import { getContact } from './cache';
import { useSession } from './session';
import { announce } from './status';
import { dateTime, isoToZoned, zonedToIso, zoneName } from './time';
import { Badge, Field, FormError, label, useAction, usePanel } from './ui';

type FollowUp = S['FollowUp'];
type Panel = null | 'done' | 'skip' | 'reschedule' | 'edit' | 'resend' | 'sent';
const TASKS = ['task', 'phone', 'linkedin'];
const isOpen = (f: FollowUp) => f.status === 'pending' || f.status === 'queued';
/** Its worker stopped mid-send: the recruiter resends it or marks it sent (docs/followups.md#delivery). */
export const isUncertain = (f: FollowUp) => f.status === 'uncertain';
/** After "Send now": re-read the follow-up after these pauses until the worker has sent it. */
const FOLLOW_MS = [300, 600, 1200, 2400, 4800, 9600];
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

const recipientLine = (f: FollowUp) => {
  const r = f.recipient;
  const who = r.type === 'recruiter' ? 'you (task)' : r.name;
  return `${label(f.channel)} · ${who}${r.email && f.channel === 'email' ? ` <${r.email}>` : ''}`;
};

/**
 * One follow-up: what, to whom, when (in the recipient's zone when known, and the user's), why,
 * and the recruiter's actions on it.
 */
export function FollowUpItem({ f, recipientZone, onChange }: { f: FollowUp; recipientZone?: string | undefined; onChange: (f: FollowUp) => void }) {
  const s = useSession();
  const [panel, setPanel] = useState<Panel>(null);
  const [sending, setSending] = useState<null | 'sending' | 'waiting'>(null);
  const open = isOpen(f);
  // The latest onChange (lists pass closures over their rows) and whether the row is still shown.
  const latest = useRef(onChange);
  latest.current = onChange;
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => void (mounted.current = false);
  }, []);
  const uncertain = isUncertain(f);
  const title = f.kind === 'thank_you' && f.vars.interviewer ? `Thank-you note to ${f.vars.interviewer}` : label(f.kind);
  const write = s.can('recruiter') && (open || uncertain);
  const action = useAction();
  const act = (run: () => Promise<FollowUp>, what?: string) =>
    action.run(async () => {
      const updated = await run();
      setPanel(null);
      onChange(updated);
      if (what) announce(`${title}: ${what}`);
    });
  const id = { path: { id: f.id } };
  /** Hands it to the worker (send now, resend) and follows it to sent. */
  const send = async (run: () => Promise<FollowUp>) => {
    let u = await action.run(run);
    if (!u) return;
    setPanel(null);
    latest.current(u);
    // The worker sends it within a second or two: follow it there, a bounded few times.
    setSending('sending');
    for (const ms of FOLLOW_MS) {
      if (!isOpen(u)) break;
      await pause(ms);
      if (!mounted.current) return;
      const next = await call((c) => c.GET('/v1/follow-ups/{id}', { params: id })).catch(() => null);
      if (!mounted.current) return;
      if (next) latest.current((u = next));
    }
    setSending(isOpen(u) ? 'waiting' : null);
  };
  const sendNow = () => send(() => call((c) => c.POST('/v1/follow-ups/{id}/send-now', { params: { ...id, header: ifMatch(f.version) }, body: {} })));
  const showRecipientZone = recipientZone && recipientZone !== s.zone;
  return (
    <li className={`fu fu-${f.status}${f.overdue ? ' overdue' : ''}`} data-testid="followup" data-kind={f.kind} data-id={f.id}>
      <div className="fu-head">
        <strong className="fu-title">{title}</strong>
        <span className="fu-badges">
          {f.overdue && <span className="badge badge-overdue">Overdue</span>}
          <Badge value={f.status} />
        </span>
      </div>
      <div className="fu-meta">
        <span data-testid="recipient">{recipientLine(f)}</span>
        {f.channel === 'linkedin' && f.recipient.type === 'contact' && <ContactLinkedIn id={f.recipient.contactId} name={f.recipient.name} />}
        <span className="muted"> · {label(f.voice)}</span>
      </div>
      <div className="fu-when">
        {showRecipientZone && (
          <span data-testid="due-recipient">
            {dateTime(f.dueAt, recipientZone)} <span className="muted">their time ({zoneName(recipientZone)})</span>
            {' · '}
          </span>
        )}
        <span data-testid="due-user">
          {dateTime(f.dueAt, s.zone)} <span className="muted">{showRecipientZone ? 'your time' : zoneName(s.zone)}</span>
        </span>
      </div>
      <p className="fu-reason" data-testid="why">
        {planSentence(f, s.zone)}
      </p>
      {f.basis && (
        <details className="fu-rule">
          <summary>How this time was worked out</summary>
          <p>{f.reason}</p>
        </details>
      )}
      {f.subject && <p className="fu-text">Subject: {f.subject}</p>}
      {f.cancelReason && <p className="muted">{f.cancelReason}</p>}
      {f.notes && <p className="muted">Notes: {f.notes}</p>}
      {uncertain && (
        <p className="fu-uncertain" data-testid="uncertain">
          May not have been sent: check and resend
        </p>
      )}
      {f.lastError && <p className="form-error">{uncertain ? f.lastError : `Last attempt: ${f.lastError}`}</p>}
      {write && (
        <div className="fu-actions">
          {uncertain && (
            <>
              <button type="button" className="primary small" onClick={() => setPanel(panel === 'resend' ? null : 'resend')} aria-expanded={panel === 'resend'}>
                Resend…
              </button>
              <button type="button" className="small" onClick={() => setPanel(panel === 'sent' ? null : 'sent')} aria-expanded={panel === 'sent'}>
                Mark sent…
              </button>
            </>
          )}
          {f.channel === 'email' && f.status === 'pending' && (
            <button type="button" className="primary small" onClick={() => void sendNow()} disabled={action.busy}>
              Send now
            </button>
          )}
          {TASKS.includes(f.channel) && (
            <button type="button" className="small" onClick={() => setPanel(panel === 'done' ? null : 'done')} aria-expanded={panel === 'done'}>
              Done…
            </button>
          )}
          {f.channel === 'email' && open && (
            <button type="button" className="small" onClick={() => setPanel(panel === 'edit' ? null : 'edit')} aria-expanded={panel === 'edit'}>
              Edit text…
            </button>
          )}
          {f.status === 'pending' && (
            <button type="button" className="small" onClick={() => setPanel(panel === 'reschedule' ? null : 'reschedule')} aria-expanded={panel === 'reschedule'}>
              Reschedule…
            </button>
          )}
          <button type="button" className="small" onClick={() => setPanel(panel === 'skip' ? null : 'skip')} aria-expanded={panel === 'skip'}>
            Skip…
          </button>
        </div>
      )}
      {sending && open && (
        <p className="muted" role="status">
          {sending === 'sending' ? 'Sending…' : 'Handed to the mail worker; it shows as sent once it goes.'}
        </p>
      )}
      {panel === null && <FormError action={action} />}
      {panel && <ActionPanel key={panel} panel={panel} f={f} act={act} send={send} action={action} close={() => setPanel(null)} />}
    </li>
  );
}

type Run = (run: () => Promise<FollowUp>, what?: string) => Promise<unknown>;

function ActionPanel({ panel, f, act, send, action, close }: { panel: Exclude<Panel, null>; f: FollowUp; act: Run; send: Run; action: ReturnType<typeof useAction>; close: () => void }) {
  const s = useSession();
  const due = isoToZoned(f.dueAt, s.zone);
  const [text, setText] = useState('');
  const [day, setDay] = useState(due.day);
  const [at, setAt] = useState(due.time);
  const [subject, setSubject] = useState(f.subject ?? '');
  const [body, setBody] = useState(f.body ?? '');
  const rendered = useRendered(panel === 'edit' ? f : null, (t) => {
    if (f.subject === null) setSubject(t.subject);
    if (f.body === null) setBody(t.body);
  });
  // Unchanged template text is not saved as an edit: the follow-up keeps following the template.
  const edited = (v: string, own: string | null, template: string | undefined) => (!v.trim() || (own === null && v === template) ? null : v);
  const params = { path: { id: f.id }, header: ifMatch(f.version) };
  const panelProps = usePanel(close);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (panel === 'done') void act(() => call((c) => c.POST('/v1/follow-ups/{id}/complete', { params, body: text.trim() ? { notes: text } : {} })), 'marked done.');
    if (panel === 'skip') void act(() => call((c) => c.POST('/v1/follow-ups/{id}/skip', { params, body: { reason: text } })), 'skipped.');
    if (panel === 'reschedule') void act(() => call((c) => c.POST('/v1/follow-ups/{id}/reschedule', { params, body: { dueAt: zonedToIso(day, at, s.zone), reason: text } })), `moved to ${dateTime(zonedToIso(day, at, s.zone), s.zone)}.`);
    if (panel === 'edit') void act(() => call((c) => c.PATCH('/v1/follow-ups/{id}', { params, body: { subject: edited(subject, f.subject, rendered.text?.subject), body: edited(body, f.body, rendered.text?.body) } })), 'text saved.');
    const why = text.trim() ? { reason: text } : {};
    if (panel === 'resend') void send(() => call((c) => c.POST('/v1/follow-ups/{id}/resend', { params, body: why })));
    if (panel === 'sent') void act(() => call((c) => c.POST('/v1/follow-ups/{id}/mark-sent', { params, body: why })), 'marked sent.');
  };
  const verb = { done: 'Mark done', skip: 'Skip it', reschedule: 'Move it', edit: 'Save text', resend: 'Resend now', sent: 'Mark sent' }[panel];
  const fieldLabel = { done: 'Note (optional)', resend: 'Why (optional)', sent: 'How you know it arrived (optional)' }[panel as string] ?? 'Reason';
  return (
    <form className="panel" onSubmit={submit} {...panelProps}>
      {panel === 'reschedule' && (
        <div className="row">
          <Field label={`Day (${zoneName(s.zone)})`} name="dueAt" action={action}>
            {(p) => <input {...p} type="date" value={day} onChange={(e) => setDay(e.target.value)} required autoFocus />}
          </Field>
          <Field label="Time" name="dueAt.time">
            {(p) => <input {...p} type="time" value={at} onChange={(e) => setAt(e.target.value)} required />}
          </Field>
        </div>
      )}
      {panel === 'edit' ? (
        <>
          <Field label="Subject" name="subject" action={action} hint="Unchanged or empty: the agency's template, as it reads when sent">
            {(p) => <input {...p} value={subject} onChange={(e) => setSubject(e.target.value)} maxLength={300} readOnly={rendered.loading} aria-busy={rendered.loading} autoFocus />}
          </Field>
          <Field label="Text" name="body" action={action} hint={f.voice === 'draft_to_candidate' ? 'Sent as written, to the candidate with a short note on top' : 'Sent exactly as written'}>
            {(p) => <textarea {...p} rows={10} value={body} onChange={(e) => setBody(e.target.value)} readOnly={rendered.loading} aria-busy={rendered.loading} placeholder={rendered.loading ? 'Loading the text that would go out…' : undefined} />}
          </Field>
          {rendered.error && <p className="muted">Could not load the text that would go out ({rendered.error}); an empty field keeps the template.</p>}
        </>
      ) : (
        <>
          {panel === 'resend' && <p className="muted">It goes out again now. If the first one did arrive, they get it twice.</p>}
          {panel === 'sent' && <p className="muted">Only if you know it arrived: it is in the sent folder, or they answered it.</p>}
          <Field label={fieldLabel} name={panel === 'done' ? 'notes' : 'reason'} action={action}>
            {(p) => <input {...p} value={text} onChange={(e) => setText(e.target.value)} autoFocus={panel !== 'reschedule'} />}
          </Field>
        </>
      )}
      <FormError action={action} shown={['notes', 'reason', 'dueAt', 'subject', 'body']} />
      <div className="row">
        <button type="submit" className="primary small" disabled={action.busy}>
          {verb}
        </button>
        <button type="button" className="small" onClick={close}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Replaces one follow-up in a list after an action. */
export const replaceIn = (list: FollowUp[], f: FollowUp) => list.map((x) => (x.id === f.id ? f : x));

/**
 * The subject and body a follow-up would go out with, from its template and its own facts
 * (`POST /v1/follow-up-templates/{id}/preview` with its id); `fill` gets them once loaded.
 */
function useRendered(f: FollowUp | null, fill: (t: { subject: string; body: string }) => void) {
  const [state, setState] = useState<{ text?: { subject: string; body: string }; error?: string; loading: boolean }>({ loading: f !== null && (f.subject === null || f.body === null) });
  const fillRef = useRef(fill);
  fillRef.current = fill;
  const id = f && (f.subject === null || f.body === null) ? f.id : null;
  useEffect(() => {
    if (!f || !id) return;
    let live = true;
    call((c) => c.POST('/v1/follow-up-templates/{templateId}/preview', { params: { path: { templateId: f.templateId } }, body: { followUpId: f.id } }))
      .then(
        (p) => {
          if (!live) return;
          setState({ text: { subject: p.subject, body: p.body }, loading: false });
          fillRef.current(p);
        },
        (e: Error) => live && setState({ error: e.message, loading: false }),
      );
    return () => void (live = false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);
  return state;
}

/** The contact's LinkedIn profile, for a LinkedIn step: a link once their record is in (cached). */
function ContactLinkedIn({ id, name }: { id: string; name: string }) {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    getContact(id).then(
      (c) => live && setUrl(c.linkedinUrl),
      () => undefined,
    );
    return () => void (live = false);
  }, [id]);
  return url ? (
    <>
      {' · '}
      <LinkedIn url={url} name={name} />
    </>
  ) : null;
}
