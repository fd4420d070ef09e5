import { useState, type FormEvent } from 'react';
import { all, call, ifMatch, type S } from '../api';
import { getCandidate, getContact, getEmployer, getPosition } from '../cache';
import { FollowUpItem, replaceIn } from '../followups';
import { employerRecord, reliability } from '../reliability';
import { Link } from '../router';
import { announce } from '../status';
import { useSession } from '../session';
import { dateTime, time, zoneName } from '../time';
import { Badge, Field, FormError, FormFooter, Loaded, label, useAction, useLoad, usePanel } from '../ui';

type FollowUp = S['FollowUp'];

async function loadInterview(id: string) {
  const iv = await call((c) => c.GET('/v1/interviews/{id}', { params: { path: { id } } }));
  const [candidate, position, employer, plan, contacts, record] = await Promise.all([
    getCandidate(iv.candidateId),
    getPosition(iv.positionId),
    getEmployer(iv.employerId),
    all((cursor) => call((c) => c.GET('/v1/follow-ups', { params: { query: { interviewId: id, limit: 100, ...(cursor ? { cursor } : {}) } } }))),
    Promise.all(iv.participants.map((p) => getContact(p.contactId))),
    employerRecord(iv.employerId),
  ]);
  // The recipient's zone, as the planner takes it: the contact's own, else their employer's.
  const zones = new Map<string, string>();
  for (const ct of contacts) zones.set(ct.id, ct.timeZone ?? (await getEmployer(ct.employerId)).timeZone);
  return { iv, candidate, position, employer, plan, zones, record };
}

export default function InterviewPage({ id }: { id: string }) {
  const s = useSession();
  const state = useLoad(() => loadInterview(id), [id]);
  const [panel, setPanel] = useState<null | 'complete' | 'timeline' | 'cancel'>(null);
  const [plan, setPlan] = useState<FollowUp[] | null>(null);
  const rows = plan ?? state.data?.plan ?? [];
  const reload = (what: string) => {
    setPlan(null);
    setPanel(null);
    state.reload();
    announce(what);
  };
  return (
    <Loaded state={state}>
      {({ iv, candidate, position, employer, zones, record }) => {
        const recipientZone = (f: FollowUp) =>
          f.recipient.type === 'contact' ? zones.get(f.recipient.contactId) : f.recipient.type === 'candidate' ? (candidate.timeZone ?? employer.timeZone) : s.zone;
        // What still needs sending or a person's action stays in view: a failed email goes again from here.
        const open = rows.filter((f) => ['pending', 'queued', 'awaiting_approval', 'stale', 'paused', 'uncertain', 'failed'].includes(f.status));
        const awaiting = rows.filter((f) => f.status === 'awaiting_approval');
        const closed = rows.filter((f) => !open.includes(f));
        return (
          <section aria-labelledby="iv-title">
            <div className="page-head">
              <h1 id="iv-title">
                <Link to={`/candidates/${candidate.id}`}>{candidate.name}</Link> <span className="muted">· {position.title} at {employer.name}</span>
              </h1>
              <Badge value={iv.status} />
            </div>
            <div className="card facts">
              <p data-testid="interview-when">
                Round {iv.round}, {label(iv.format)}: {dateTime(iv.startsAt, iv.timeZone)}–{time(iv.endsAt, iv.timeZone)} {zoneName(iv.timeZone)} time
                {iv.timeZone !== s.zone && (
                  <span className="muted">
                    {' '}
                    ({dateTime(iv.startsAt, s.zone)} your time)
                  </span>
                )}
              </p>
              <p className="muted">
                Arranged via {iv.arrangedVia}
                {iv.location ? ` · ${iv.location}` : ''}
                {iv.decisionExpectedBy ? ` · decision expected by ${iv.decisionExpectedBy}` : ''}
              </p>
              {iv.highlights && <p>Highlights: {iv.highlights}</p>}
              <ul className="people">
                {iv.participants.map((p) => (
                  <li key={p.contactId} data-testid="participant">
                    <strong>{p.name}</strong> <span className="muted">{label(p.role)}</span>
                    {p.highlight && <span> · “{p.highlight}”</span>}
                    {/* "No answer yet" only while it is to come: an interview entered afterwards sent no invite. */}
                    {(p.response !== 'needs_action' || iv.status === 'scheduled') && (
                      <span data-testid="response">
                        {' · '}
                        <span className="muted">Invite: </span>
                        <Badge value={p.response} />
                        {p.respondedAt && <span className="muted"> {dateTime(p.respondedAt, s.zone)}</span>}
                      </span>
                    )}
                  </li>
                ))}
              </ul>
              {s.can('recruiter') && (
                <div className="row">
                  {iv.status === 'scheduled' && (
                    <button type="button" className="primary" onClick={() => setPanel('complete')} aria-expanded={panel === 'complete'}>
                      Complete…
                    </button>
                  )}
                  {iv.status === 'completed' && (
                    <button type="button" onClick={() => setPanel('timeline')} aria-expanded={panel === 'timeline'}>
                      Set the employer's timeline…
                    </button>
                  )}
                  {iv.status === 'scheduled' && (
                    <button type="button" onClick={() => setPanel('cancel')} aria-expanded={panel === 'cancel'}>
                      Cancel interview…
                    </button>
                  )}
                </div>
              )}
            </div>
            {panel === 'complete' && <CompleteForm iv={iv} onDone={() => reload('Interview completed; its follow-ups are planned below.')} onCancel={() => setPanel(null)} />}
            {panel === 'timeline' && <TimelineForm iv={iv} onDone={() => reload('Timeline saved; the plan follows it.')} onCancel={() => setPanel(null)} />}
            {panel === 'cancel' && <CancelForm iv={iv} onDone={() => reload('Interview cancelled.')} onCancel={() => setPanel(null)} />}
            <div className="page-head">
              <h2>The plan</h2>
              {awaiting.length > 1 && s.can('recruiter') && <ApproveAll interviewId={iv.id} count={awaiting.length} onDone={(approved) => setPlan(approved.reduce(replaceIn, rows))} />}
            </div>
            {reliability(record) && rows.some((f) => f.kind === 'status_check') && (
              <p className="muted" data-testid="reliability">
                {employer.name}: {reliability(record)}
              </p>
            )}
            {rows.length === 0 ? (
              <p className="empty">{iv.status === 'scheduled' ? 'Complete the interview to plan its follow-ups.' : 'Nothing planned.'}</p>
            ) : (
              <>
                <ol className="fus plan" data-testid="plan">
                  {open.map((f) => (
                    <FollowUpItem key={f.id} f={f} recipientZone={recipientZone(f)} onChange={(u) => setPlan(replaceIn(rows, u))} />
                  ))}
                </ol>
                {closed.length > 0 && (
                  <details>
                    <summary>Done, sent or dropped ({closed.length})</summary>
                    <ol className="fus plan">
                      {closed.map((f) => (
                        <FollowUpItem key={f.id} f={f} recipientZone={recipientZone(f)} onChange={(u) => setPlan(replaceIn(rows, u))} />
                      ))}
                    </ol>
                  </details>
                )}
              </>
            )}
          </section>
        );
      }}
    </Loaded>
  );
}

/** Approves every step of the interview waiting for approval (`POST /v1/interviews/{id}/follow-ups/approve`). */
function ApproveAll({ interviewId, count, onDone }: { interviewId: string; count: number; onDone: (approved: FollowUp[]) => void }) {
  const action = useAction();
  const run = async () => {
    const r = await action.run(() => call((c) => c.POST('/v1/interviews/{id}/follow-ups/approve', { params: { path: { id: interviewId } }, body: {} })));
    if (!r) return;
    onDone(r.data);
    announce(`Approved ${r.data.length} follow-up${r.data.length === 1 ? '' : 's'}.`);
  };
  return (
    <div>
      <button type="button" onClick={() => void run()} disabled={action.busy}>
        Approve all {count} waiting
      </button>
      <FormError action={action} />
    </div>
  );
}

function CompleteForm({ iv, onDone, onCancel }: { iv: S['Interview']; onDone: () => void; onCancel: () => void }) {
  const action = useAction();
  const panel = usePanel(onCancel);
  const [highlights, setHighlights] = useState(iv.highlights ?? '');
  const [decision, setDecision] = useState('');
  const [people, setPeople] = useState(iv.participants.map((p) => ({ contactId: p.contactId, name: p.name, highlight: p.highlight ?? '', notes: p.notes ?? '' })));
  const setPerson = (i: number, k: 'highlight' | 'notes', v: string) => setPeople((ps) => ps.map((p, j) => (j === i ? { ...p, [k]: v } : p)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await action.run(() =>
      call((c) =>
        c.POST('/v1/interviews/{id}/complete', {
          params: { path: { id: iv.id }, header: ifMatch(iv.version) },
          body: {
            ...(highlights.trim() ? { highlights: highlights.trim() } : {}),
            ...(decision ? { decisionExpectedBy: decision } : {}),
            participants: people.map((p) => ({
              contactId: p.contactId,
              ...(p.highlight.trim() ? { highlight: p.highlight.trim() } : {}),
              ...(p.notes.trim() ? { notes: p.notes.trim() } : {}),
            })),
          },
        }),
      ),
    );
    if (ok) onDone();
  };
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="complete-title" {...panel}>
      <h2 id="complete-title">Complete the interview</h2>
      <Field label="Highlights" name="highlights" action={action} hint="What went well; quoted in the thank-you notes">
        {(p) => <textarea {...p} rows={3} value={highlights} onChange={(e) => setHighlights(e.target.value)} />}
      </Field>
      <Field label="Employer's decision expected by" name="decisionExpectedBy" action={action} hint="Leave empty if they gave no timeline">
        {(p) => <input {...p} type="date" value={decision} onChange={(e) => setDecision(e.target.value)} />}
      </Field>
      {people.map((p, i) => (
        <fieldset key={p.contactId}>
          <legend>{p.name}</legend>
          <Field label={`What went well with ${p.name}`} name={`participants.${i}.highlight`} action={action}>
            {(q) => <input {...q} value={p.highlight} onChange={(e) => setPerson(i, 'highlight', e.target.value)} />}
          </Field>
          <Field label="Notes" name={`participants.${i}.notes`} action={action}>
            {(q) => <input {...q} value={p.notes} onChange={(e) => setPerson(i, 'notes', e.target.value)} />}
          </Field>
        </fieldset>
      ))}
      <FormFooter action={action} shown={['highlights', 'decisionExpectedBy', ...people.flatMap((_, i) => [`participants.${i}.highlight`, `participants.${i}.notes`])]} submit="Complete and plan follow-ups" onCancel={onCancel} />
    </form>
  );
}

function TimelineForm({ iv, onDone, onCancel }: { iv: S['Interview']; onDone: () => void; onCancel: () => void }) {
  const action = useAction();
  const panel = usePanel(onCancel);
  const [decision, setDecision] = useState(iv.decisionExpectedBy ?? '');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await action.run(() =>
      call((c) => c.POST('/v1/interviews/{id}/timeline', { params: { path: { id: iv.id }, header: ifMatch(iv.version) }, body: { decisionExpectedBy: decision || null } })),
    );
    if (ok) onDone();
  };
  return (
    <form className="card form" onSubmit={submit} {...panel}>
      <Field label="Decision expected by" name="decisionExpectedBy" action={action}>
        {(p) => <input {...p} type="date" value={decision} onChange={(e) => setDecision(e.target.value)} />}
      </Field>
      <FormFooter action={action} shown={['decisionExpectedBy']} submit="Save and re-plan" onCancel={onCancel} />
    </form>
  );
}

function CancelForm({ iv, onDone, onCancel }: { iv: S['Interview']; onDone: () => void; onCancel: () => void }) {
  const action = useAction();
  const panel = usePanel(onCancel);
  const [reason, setReason] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await action.run(() => call((c) => c.POST('/v1/interviews/{id}/cancel', { params: { path: { id: iv.id }, header: ifMatch(iv.version) }, body: { reason } })));
    if (ok) onDone();
  };
  return (
    <form className="card form" onSubmit={submit} {...panel}>
      <Field label="Why is it cancelled?" name="reason" action={action}>
        {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <FormFooter action={action} shown={['reason']} submit="Cancel the interview" onCancel={onCancel} cancel="Keep it" />
    </form>
  );
}
