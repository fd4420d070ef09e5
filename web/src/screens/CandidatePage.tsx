import { useState, type FormEvent } from 'react';
import { all, call, type S } from '../api';
import { NameOf, forget, getEmployer, getPosition } from '../cache';
import { ActivityFeed, LinkedIn } from '../activity';
import { CandidateForm } from '../candidateForm';
import { CandidateNotes } from '../notes';
import { FollowUpItem, replaceIn } from '../followups';
import { Link } from '../router';
import { announce } from '../status';
import { useSession } from '../session';
import { dateTime } from '../time';
import { Badge, Field, FormFooter, Loaded, label, useAction, useLoad, usePanel } from '../ui';

type FollowUp = S['FollowUp'];
const OUTCOMES = ['offer', 'hired', 'rejected', 'filled_by_other', 'on_hold', 'withdrawn', 'no_decision'] as const;

async function loadCandidate(id: string) {
  const q = { candidateId: id, limit: 100 };
  const [candidate, applications, interviews, followUps, activity] = await Promise.all([
    call((c) => c.GET('/v1/candidates/{id}', { params: { path: { id } } })),
    call((c) => c.GET('/v1/applications', { params: { query: q } })),
    call((c) => c.GET('/v1/interviews', { params: { query: q } })),
    all((cursor) => call((c) => c.GET('/v1/follow-ups', { params: { query: { ...q, ...(cursor ? { cursor } : {}) } } }))),
    call((c) => c.GET('/v1/activity', { params: { query: { candidateId: id, limit: 50 } } })),
  ]);
  const apps = await Promise.all(
    applications.data.map(async (row) => {
      const [a, position] = await Promise.all([call((c) => c.GET('/v1/applications/{id}', { params: { path: { id: row.id } } })), getPosition(row.positionId)]);
      return { ...a, position, employer: await getEmployer(position.employerId) };
    }),
  );
  return { candidate, apps, interviews: interviews.data, followUps, activity: activity.data };
}

export default function CandidatePage({ id }: { id: string }) {
  const s = useSession();
  const state = useLoad(() => loadCandidate(id), [id]);
  const [fus, setFus] = useState<FollowUp[] | null>(null);
  const reload = () => {
    forget(id);
    setFus(null);
    state.reload();
  };
  const [editing, setEditing] = useState(false);
  // Saved: the form closes and says so; the page shows what the API kept (a normalised phone).
  const saved = (c: S['Candidate']) => {
    setEditing(false);
    reload();
    announce(`${c.name} saved.`);
  };
  return (
    <Loaded state={state}>
      {({ candidate, apps, interviews, followUps, activity }) => {
        const rows = fus ?? followUps;
        const open = rows.filter((f) => f.status === 'pending' || f.status === 'queued' || f.status === 'awaiting_approval' || f.status === 'stale');
        return (
          <section aria-labelledby="cand-title">
            <div className="page-head">
              <h1 id="cand-title">{candidate.name}</h1>
              {s.can('recruiter') && !editing && !candidate.erasedAt && (
                <button type="button" onClick={() => setEditing(true)}>
                  Edit
                </button>
              )}
            </div>
            {editing ? (
              <CandidateForm c={candidate} onDone={saved} onCancel={() => setEditing(false)} />
            ) : (
              <div data-testid="candidate-details">
                <p className="muted">
                  {[candidate.email, candidate.phone, candidate.timeZone].filter(Boolean).join(' · ')} <LinkedIn url={candidate.linkedinUrl} name={candidate.name} />
                </p>
                {candidate.tags.length > 0 && <p className="muted">Tags: {candidate.tags.join(', ')}</p>}
                <p className="muted">
                  {candidate.relayConsent ? 'Notes go out on their behalf.' : 'No relay consent: notes go to them as drafts.'}
                  {candidate.statusUpdatesOptIn ? '' : ' Opted out of status updates.'}
                </p>
              </div>
            )}
            <CandidateNotes candidateId={candidate.id} onChanged={reload} />
            <h2>Applications</h2>
            {apps.length === 0 && <p className="empty">No applications yet.</p>}
            {apps.map((a) => (
              <ApplicationCard key={a.id} a={a} interviews={interviews.filter((i) => i.applicationId === a.id)} canWrite={s.can('recruiter')} onChanged={reload} />
            ))}
            {s.can('recruiter') && <NewApplication candidateId={candidate.id} onDone={reload} />}
            <h2>Open follow-ups</h2>
            {open.length === 0 ? (
              <p className="empty">Nothing open.</p>
            ) : (
              <ol className="fus" data-testid="candidate-followups">
                {open.map((f) => (
                  <FollowUpItem key={f.id} f={f} onChange={(u) => setFus(replaceIn(rows, u))} />
                ))}
              </ol>
            )}
            <h2>Activity</h2>
            <ActivityFeed entries={activity} ctx={{ followUps: rows, interviews, apps, candidate }} />
          </section>
        );
      }}
    </Loaded>
  );
}

type App = S['ApplicationDetail'] & { position: S['Position']; employer: S['Employer'] };

function ApplicationCard({ a, interviews, canWrite, onChanged }: { a: App; interviews: S['Interview'][]; canWrite: boolean; onChanged: () => void }) {
  const s = useSession();
  const [panel, setPanel] = useState<null | 'outcome' | 'reply'>(null);
  // Saved: the form closes (a second click cannot record it twice) and says what it did.
  const done = (what: string) => {
    setPanel(null);
    onChanged();
    announce(what);
  };
  return (
    <article className="card" data-testid="application">
      <div className="page-head">
        <h3>
          {a.position.title} <span className="muted">at {a.employer.name}</span>
        </h3>
        <Badge value={a.stage} />
      </div>
      {a.latestOutcome && (
        <p>
          Latest outcome: <strong>{label(a.latestOutcome.kind)}</strong>
          {a.latestOutcome.reason ? `: ${a.latestOutcome.reason}` : ''}
        </p>
      )}
      <ul className="rows compact">
        {interviews.map((iv) => (
          <li key={iv.id}>
            <Link to={`/interviews/${iv.id}`}>
              Round {iv.round}, {dateTime(iv.startsAt, s.zone)}
            </Link>{' '}
            <Badge value={iv.status} />
          </li>
        ))}
      </ul>
      {canWrite && (
        <div className="row">
          <button type="button" onClick={() => setPanel(panel === 'outcome' ? null : 'outcome')} aria-expanded={panel === 'outcome'}>
            Log outcome…
          </button>
          <button type="button" onClick={() => setPanel(panel === 'reply' ? null : 'reply')} aria-expanded={panel === 'reply'}>
            Record employer reply…
          </button>
        </div>
      )}
      {panel === 'outcome' && <OutcomeForm a={a} onDone={done} onCancel={() => setPanel(null)} />}
      {panel === 'reply' && <ReplyForm a={a} interviews={interviews} onDone={done} onCancel={() => setPanel(null)} />}
    </article>
  );
}

function OutcomeForm({ a, onDone, onCancel }: { a: App; onDone: (what: string) => void; onCancel: () => void }) {
  const action = useAction();
  const panel = usePanel(onCancel);
  const [kind, setKind] = useState<(typeof OUTCOMES)[number]>('rejected');
  const [reason, setReason] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await action.run(() => call((c) => c.POST('/v1/applications/{id}/outcomes', { params: { path: { id: a.id } }, body: { kind, ...(reason.trim() ? { reason: reason.trim() } : {}) } })));
    if (ok) onDone(`Outcome logged for ${a.position.title}: ${label(kind)}.`);
  };
  return (
    <form className="panel" onSubmit={submit} {...panel}>
      <div className="row wrap">
        <Field label="Outcome" name="kind" action={action}>
          {(p) => (
            <select {...p} value={kind} onChange={(e) => setKind(e.target.value as typeof kind)}>
              {OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {label(o)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Reason" name="reason" action={action}>
          {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
      </div>
      <FormFooter action={action} shown={['kind', 'reason']} submit="Log outcome" onCancel={onCancel} />
    </form>
  );
}

function ReplyForm({ a, interviews, onDone, onCancel }: { a: App; interviews: S['Interview'][]; onDone: (what: string) => void; onCancel: () => void }) {
  const action = useAction();
  const panel = usePanel(onCancel);
  const [v, setV] = useState({ channel: 'email', summary: '', interviewId: interviews.at(-1)?.id ?? '', newDecisionExpectedBy: '' });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await action.run(() =>
      call((c) =>
        c.POST('/v1/applications/{id}/replies', {
          params: { path: { id: a.id } },
          body: {
            channel: v.channel as 'email',
            summary: v.summary,
            ...(v.interviewId ? { interviewId: v.interviewId } : {}),
            ...(v.newDecisionExpectedBy ? { newDecisionExpectedBy: v.newDecisionExpectedBy } : {}),
          },
        }),
      ),
    );
    if (ok) onDone(`Reply from ${a.employer.name} recorded${v.newDecisionExpectedBy ? `; decision now expected by ${v.newDecisionExpectedBy}` : ''}.`);
  };
  return (
    <form className="panel" onSubmit={submit} {...panel}>
      <div className="row wrap">
        <Field label="Channel" name="channel" action={action}>
          {(p) => (
            <select {...p} value={v.channel} onChange={(e) => setV({ ...v, channel: e.target.value })}>
              {['email', 'phone', 'linkedin', 'other'].map((c) => (
                <option key={c} value={c}>
                  {label(c)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {interviews.length > 0 && (
          <Field label="About the interview" name="interviewId" action={action}>
            {(p) => (
              <select {...p} value={v.interviewId} onChange={(e) => setV({ ...v, interviewId: e.target.value })}>
                <option value="">None in particular</option>
                {interviews.map((iv) => (
                  <option key={iv.id} value={iv.id}>
                    Round {iv.round}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Field label="New decision date" name="newDecisionExpectedBy" action={action}>
          {(p) => <input {...p} type="date" value={v.newDecisionExpectedBy} onChange={(e) => setV({ ...v, newDecisionExpectedBy: e.target.value })} />}
        </Field>
      </div>
      <Field label="What did they say?" name="summary" action={action}>
        {(p) => <textarea {...p} rows={3} value={v.summary} onChange={(e) => setV({ ...v, summary: e.target.value })} />}
      </Field>
      <FormFooter action={action} shown={['channel', 'summary', 'interviewId', 'newDecisionExpectedBy']} submit="Record reply" onCancel={onCancel} />
    </form>
  );
}

function NewApplication({ candidateId, onDone }: { candidateId: string; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Put forward for a position…
      </button>
    );
  const done = (title: string) => {
    setOpen(false);
    onDone();
    announce(`Put forward for ${title}.`);
  };
  return <NewApplicationForm candidateId={candidateId} onDone={done} onCancel={() => setOpen(false)} />;
}

function NewApplicationForm({ candidateId, onDone, onCancel }: { candidateId: string; onDone: (title: string) => void; onCancel: () => void }) {
  const action = useAction();
  const panel = usePanel(onCancel);
  const [positionId, setPositionId] = useState('');
  const positions = useLoad(async () => (await call((c) => c.GET('/v1/positions', { params: { query: { status: 'open', limit: 100 } } }))).data, []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await action.run(() => call((c) => c.POST('/v1/applications', { body: { candidateId, positionId } })));
    if (ok) onDone(positions.data?.find((x) => x.id === positionId)?.title ?? 'the position');
  };
  return (
    <form className="panel" onSubmit={submit} {...panel}>
      <Field label="Position" name="positionId" action={action}>
        {(p) => (
          <select {...p} value={positionId} onChange={(e) => setPositionId(e.target.value)} required>
            <option value="">Choose…</option>
            {(positions.data ?? []).map((x) => (
              <option key={x.id} value={x.id}>
                {x.title}
              </option>
            ))}
          </select>
        )}
      </Field>
      {(positions.data ?? []).length > 0 && (
        <p className="muted">
          {positionId && (
            <>
              At <NameOf kind="employer" id={positions.data!.find((x) => x.id === positionId)!.employerId} />
            </>
          )}
        </p>
      )}
      <FormFooter action={action} shown={['positionId']} submit="Add application" disabled={!positionId} onCancel={onCancel} />
    </form>
  );
}
