import { useState, type FormEvent } from 'react';
import { call, ifMatch, type S } from './api';
import { useSession } from './session';
import { dateTime, isoToZoned, zonedToIso, zoneName } from './time';
import { Badge, Field, FormError, label, useAction } from './ui';

type FollowUp = S['FollowUp'];
type Panel = null | 'done' | 'skip' | 'reschedule' | 'edit';
const TASKS = ['task', 'phone', 'linkedin'];

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
  const open = f.status === 'pending' || f.status === 'queued';
  const write = s.can('recruiter') && open;
  const action = useAction();
  const act = (run: () => Promise<FollowUp>) =>
    action.run(async () => {
      const updated = await run();
      setPanel(null);
      onChange(updated);
    });
  const id = { path: { id: f.id } };
  const sendNow = () => act(() => call((c) => c.POST('/v1/follow-ups/{id}/send-now', { params: { ...id, header: ifMatch(f.version) }, body: {} })));
  const title = f.kind === 'thank_you' && f.vars.interviewer ? `Thank-you note to ${f.vars.interviewer}` : label(f.kind);
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
      <p className="fu-reason">{f.reason}</p>
      {f.subject && <p className="fu-text">Subject: {f.subject}</p>}
      {f.cancelReason && <p className="muted">{f.cancelReason}</p>}
      {f.notes && <p className="muted">Notes: {f.notes}</p>}
      {f.lastError && <p className="form-error">Last attempt: {f.lastError}</p>}
      {write && (
        <div className="fu-actions">
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
          {f.channel === 'email' && (
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
      {panel === null && <FormError action={action} />}
      {panel && <ActionPanel key={panel} panel={panel} f={f} act={act} action={action} close={() => setPanel(null)} />}
    </li>
  );
}

function ActionPanel({ panel, f, act, action, close }: { panel: Exclude<Panel, null>; f: FollowUp; act: (run: () => Promise<FollowUp>) => Promise<unknown>; action: ReturnType<typeof useAction>; close: () => void }) {
  const s = useSession();
  const due = isoToZoned(f.dueAt, s.zone);
  const [text, setText] = useState('');
  const [day, setDay] = useState(due.day);
  const [at, setAt] = useState(due.time);
  const [subject, setSubject] = useState(f.subject ?? '');
  const [body, setBody] = useState(f.body ?? '');
  const params = { path: { id: f.id }, header: ifMatch(f.version) };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (panel === 'done') void act(() => call((c) => c.POST('/v1/follow-ups/{id}/complete', { params, body: text.trim() ? { notes: text } : {} })));
    if (panel === 'skip') void act(() => call((c) => c.POST('/v1/follow-ups/{id}/skip', { params, body: { reason: text } })));
    if (panel === 'reschedule') void act(() => call((c) => c.POST('/v1/follow-ups/{id}/reschedule', { params, body: { dueAt: zonedToIso(day, at, s.zone), reason: text } })));
    if (panel === 'edit') void act(() => call((c) => c.PATCH('/v1/follow-ups/{id}', { params, body: { subject: subject.trim() || null, body: body.trim() || null } })));
  };
  const verb = { done: 'Mark done', skip: 'Skip it', reschedule: 'Move it', edit: 'Save text' }[panel];
  return (
    <form className="panel" onSubmit={submit}>
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
          <Field label="Subject" name="subject" action={action} hint="Leave empty to send the standard wording">
            {(p) => <input {...p} value={subject} onChange={(e) => setSubject(e.target.value)} maxLength={300} autoFocus />}
          </Field>
          <Field label="Text" name="body" action={action} hint="Sent exactly as written; empty sends the standard wording">
            {(p) => <textarea {...p} rows={6} value={body} onChange={(e) => setBody(e.target.value)} />}
          </Field>
        </>
      ) : (
        <Field label={panel === 'done' ? 'Note (optional)' : 'Reason'} name={panel === 'done' ? 'notes' : 'reason'} action={action}>
          {(p) => <input {...p} value={text} onChange={(e) => setText(e.target.value)} autoFocus={panel !== 'reschedule'} />}
        </Field>
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
