import { planSentence } from './planSentence';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { call, ifMatch, type S } from './api';
import { LinkedIn } from './activity';
import { getContact } from './cache';
import { Confirm } from './confirm';
import { outgoing, type Outgoing } from './outgoing';
import { useSession } from './session';
import { announce } from './status';
import { dateTime, isoToZoned, zonedToIso, zoneName } from './time';
import { Badge, Field, FormError, label, useAction, usePanel } from './ui';

type FollowUp = S['FollowUp'];
type Panel = null | 'done' | 'skip' | 'reschedule' | 'edit' | 'resend' | 'sent' | 'send' | 'approve';
const TASKS = ['task', 'phone', 'linkedin'];
const isOpen = (f: FollowUp) => f.status === 'pending' || f.status === 'queued';
/** Waiting for a person rather than for its time: a review (stale) or a new decision date (paused). */
export const isHeld = (f: FollowUp) => f.status === 'stale' || f.status === 'paused';
export const isAwaiting = (f: FollowUp) => f.status === 'awaiting_approval';
/**
 * The undo window's hook (issue 16 §2, its API built separately): each listener hears of a Send now
 * the API accepted, with the follow-up it answered, before the row follows it to sent. The Undo
 * toast subscribes here (`sendNowListeners.add(...)`) and cancels within the window.
 */
export const sendNowListeners = new Set<(f: FollowUp) => void>();
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
  const failed = f.status === 'failed';
  const title = f.kind === 'thank_you' && f.vars.interviewer ? `Thank-you note to ${f.vars.interviewer}` : label(f.kind);
  const held = isHeld(f);
  const awaiting = isAwaiting(f);
  const write = s.can('recruiter') && (open || uncertain || failed || held || awaiting);
  const action = useAction();
  const act = (run: () => Promise<FollowUp>, what?: string | ((u: FollowUp) => string)) =>
    action.run(async () => {
      const updated = await run();
      setPanel(null);
      onChange(updated);
      if (what) announce(`${title}: ${typeof what === 'string' ? what : what(updated)}`);
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
  const approve = () => act(() => call((c) => c.POST('/v1/follow-ups/{id}/approve', { params: { ...id, header: ifMatch(f.version) }, body: {} })), (u) => approvedText(u, s.zone));
  const decline = () => act(() => call((c) => c.POST('/v1/follow-ups/{id}/decline', { params: { ...id, header: ifMatch(f.version) }, body: {} })), 'declined; it will not be sent.');
  const showRecipientZone = recipientZone && recipientZone !== s.zone;
  return (
    <li className={`fu fu-${f.status}${f.overdue ? ' overdue' : ''}`} data-testid="followup" data-kind={f.kind} data-id={f.id}>
      <div className="fu-head">
        <strong className="fu-title">{title}</strong>
        <span className="fu-badges">
          {f.overdue && <span className="badge badge-overdue">Overdue</span>}
          {f.edited && (
            <span className="badge badge-edited" data-testid="edited" title="Its text was written by hand: sent as written, not from the template">
              Edited
            </span>
          )}
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
      {f.holdReason && (
        <p className={`fu-hold fu-hold-${f.status}`} data-testid="hold-reason">
          {f.holdReason}
        </p>
      )}
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
          {failed && (
            <button type="button" className="primary small" onClick={() => setPanel(panel === 'resend' ? null : 'resend')} aria-expanded={panel === 'resend'}>
              Send again…
            </button>
          )}
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
          {awaiting && (
            <>
              <button type="button" className="primary small" onClick={() => void approve()} disabled={action.busy}>
                Approve
              </button>
              {f.channel === 'email' && (
                <button type="button" className="small" onClick={() => setPanel(panel === 'approve' ? null : 'approve')} aria-expanded={panel === 'approve'}>
                  Edit and approve…
                </button>
              )}
              <Confirm
                trigger="Decline…"
                label={`Decline: ${title}`}
                question={`Decline “${title}”?`}
                detail="It is cancelled and never sent; re-planning does not bring it back."
                confirm="Decline"
                cancel="Keep it waiting"
                onConfirm={decline}
                busy={action.busy}
              />
            </>
          )}
          {f.channel === 'email' && (f.status === 'pending' || held) && (
            <button type="button" className="primary small" onClick={() => setPanel(panel === 'send' ? null : 'send')} aria-expanded={panel === 'send'}>
              Send now…
            </button>
          )}
          {TASKS.includes(f.channel) && !awaiting && (
            <button type="button" className="small" onClick={() => setPanel(panel === 'done' ? null : 'done')} aria-expanded={panel === 'done'}>
              Done…
            </button>
          )}
          {f.channel === 'email' && (open || held) && (
            <button type="button" className="small" onClick={() => setPanel(panel === 'edit' ? null : 'edit')} aria-expanded={panel === 'edit'}>
              Edit text…
            </button>
          )}
          {(f.status === 'pending' || held) && (
            <button type="button" className="small" onClick={() => setPanel(panel === 'reschedule' ? null : 'reschedule')} aria-expanded={panel === 'reschedule'}>
              Reschedule…
            </button>
          )}
          {!awaiting && (
            <button type="button" className="small" onClick={() => setPanel(panel === 'skip' ? null : 'skip')} aria-expanded={panel === 'skip'}>
              Skip…
            </button>
          )}
        </div>
      )}
      {sending && open && (
        <p className="muted" role="status">
          {sending === 'sending' ? 'Sending…' : 'Handed to the mail worker; it shows as sent once it goes.'}
        </p>
      )}
      {panel === null && <FormError action={action} />}
      {panel === 'send' && <SendNowPanel f={f} send={send} action={action} close={() => setPanel(null)} />}
      {panel && panel !== 'send' && <ActionPanel key={panel} panel={panel} f={f} act={act} send={send} action={action} close={() => setPanel(null)} />}
    </li>
  );
}

type Run = (run: () => Promise<FollowUp>, what?: string | ((u: FollowUp) => string)) => Promise<unknown>;

/** "approved; it goes Wed 8 Sept, 13:00." */
export const approvedText = (u: FollowUp, zone: string, own = false) =>
  `approved${own ? ' with your text' : ''}; ${u.channel === 'email' ? 'it goes' : 'due'} ${dateTime(u.dueAt, zone)}.`;

/**
 * "Send now…": the email as it will go (recipient, subject, body), and a button that sends it. The
 * API's answer goes to `sendNowListeners` (the undo window) before the row follows it to sent.
 */
function SendNowPanel({ f, send, action, close }: { f: FollowUp; send: Run; action: ReturnType<typeof useAction>; close: () => void }) {
  const panelProps = usePanel<HTMLDivElement>(close);
  const [mail, setMail] = useState<{ text?: Outgoing; error?: string }>({});
  const go = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    let live = true;
    outgoing(f).then(
      (text) => live && setMail({ text }),
      (e: Error) => live && setMail({ error: e.message }),
    );
    return () => void (live = false);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [f.id, f.version]);
  // The panel has no field: the focus goes to its button once the text is in.
  useEffect(() => {
    if (mail.text) go.current?.focus();
  }, [mail.text]);
  const sendIt = () =>
    send(async () => {
      const u = await call((c) => c.POST('/v1/follow-ups/{id}/send-now', { params: { path: { id: f.id }, header: ifMatch(f.version) }, body: {} }));
      for (const l of sendNowListeners) l(u);
      return u;
    });
  const m = mail.text;
  const headingId = `send-${f.id}`;
  return (
    <div className="panel send-now" role="group" aria-labelledby={headingId} {...panelProps} data-testid="send-now">
      <p id={headingId} className="confirm-question">
        Send this email now?
      </p>
      {!m && !mail.error && (
        <p className="muted" aria-busy="true">
          Loading the text that will go out…
        </p>
      )}
      {mail.error && <p className="form-error">Could not load the text that will go out ({mail.error}); it goes as its template renders it.</p>}
      {m && (
        <dl className="outgoing">
          <dt>To</dt>
          <dd data-testid="outgoing-to">{m.to}</dd>
          <dt>Subject</dt>
          <dd data-testid="outgoing-subject">{m.subject}</dd>
          <dt>Text</dt>
          <dd className="outgoing-body" data-testid="outgoing-body">
            {m.body}
          </dd>
        </dl>
      )}
      {m?.draft && <p className="muted">It goes to the candidate as a draft to send themselves (no relay consent, or a draft step).</p>}
      {m?.threaded && <p className="muted">It answers the earlier emails to {f.recipient.name}, in the same thread.</p>}
      {m?.responseLink && <p className="muted">The one-click answer link is added as it goes.</p>}
      <FormError action={action} />
      <div className="row">
        <button ref={go} type="button" className="primary small" disabled={action.busy || (!m && !mail.error)} onClick={() => void sendIt()}>
          Send it now
        </button>
        <button type="button" className="small" onClick={close}>
          Cancel
        </button>
      </div>
    </div>
  );
}

function ActionPanel({ panel, f, act, send, action, close }: { panel: Exclude<Panel, null | 'send'>; f: FollowUp; act: Run; send: Run; action: ReturnType<typeof useAction>; close: () => void }) {
  const s = useSession();
  const due = isoToZoned(f.dueAt, s.zone);
  const [text, setText] = useState('');
  const [day, setDay] = useState(due.day);
  const [at, setAt] = useState(due.time);
  const [subject, setSubject] = useState(f.subject ?? '');
  const [body, setBody] = useState(f.body ?? '');
  const editing = panel === 'edit' || panel === 'approve';
  const rendered = useRendered(editing ? f : null, (t) => {
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
    if (panel === 'approve') {
      // Only a text that differs from the template's is sent as its own (and marks it edited).
      const own = { subject: edited(subject, f.subject, rendered.text?.subject), body: edited(body, f.body, rendered.text?.body) };
      const text = Object.fromEntries(Object.entries(own).filter(([, v]) => v !== null));
      void act(() => call((c) => c.POST('/v1/follow-ups/{id}/approve', { params, body: text })), (u) => approvedText(u, s.zone, Object.keys(text).length > 0));
    }
    const why = text.trim() ? { reason: text } : {};
    if (panel === 'resend') void send(() => call((c) => c.POST('/v1/follow-ups/{id}/resend', { params, body: why })));
    if (panel === 'sent') void act(() => call((c) => c.POST('/v1/follow-ups/{id}/mark-sent', { params, body: why })), 'marked sent.');
  };
  const verb = { done: 'Mark done', skip: 'Skip it', reschedule: 'Move it', edit: 'Save text', approve: 'Approve with this text', resend: 'Resend now', sent: 'Mark sent' }[panel];
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
      {editing ? (
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
          {panel === 'resend' && (
            <p className="muted">
              {f.status === 'failed'
                ? 'It goes out now through the agency’s mail settings: mend what the server refused first (Settings › Email).'
                : 'It goes out again now. If the first one did arrive, they get it twice.'}
            </p>
          )}
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
