import { useEffect, useMemo, useRef, useState } from 'react';
import { call, type S } from './api';
import { NameOf } from './cache';
import { FollowUpItem } from './followups';
import { Link } from './router';
import { useSession } from './session';
import { announce } from './status';
import { dateTime } from './time';
import { FormError, label, useAction, useLoad } from './ui';

type FollowUp = S['FollowUp'];

/**
 * "Waiting for you": the follow-ups the playbook holds for the recruiter's approval (docs/followups.md),
 * grouped by interview, each with Approve, Edit and approve… and Decline…; an interview with several
 * has "Approve all". An approved or declined row leaves the list and the focus goes to its heading,
 * which stays (saying nothing waits) once something was listed.
 */
export function WaitingForYou({ rows, onChange }: { rows: FollowUp[]; onChange: (f: FollowUp) => void }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const [had, setHad] = useState(rows.length > 0);
  const count = useRef(rows.length);
  useEffect(() => {
    if (rows.length > 0) setHad(true);
    // A row acted on leaves the list: its button goes with it, so the focus moves to the heading.
    if (rows.length < count.current && (!document.activeElement || document.activeElement === document.body)) heading.current?.focus();
    count.current = rows.length;
  }, [rows.length]);
  const groups = useMemo(() => {
    const by = new Map<string, FollowUp[]>();
    for (const f of rows) by.set(f.interviewId, [...(by.get(f.interviewId) ?? []), f]);
    return [...by.values()];
  }, [rows]);
  if (!had) return null;
  return (
    <section className="card attention" aria-labelledby="waiting-title" data-testid="waiting-for-you">
      <h2 id="waiting-title" ref={heading} tabIndex={-1}>
        Waiting for you ({rows.length})
      </h2>
      {rows.length === 0 ? (
        <p className="muted">Nothing waits for your approval now.</p>
      ) : (
        <p className="muted">The playbook holds these for your approval: nothing goes until you approve it.</p>
      )}
      {groups.map((g) => (
        <WaitingGroup key={g[0]!.interviewId} rows={g} onChange={onChange} />
      ))}
    </section>
  );
}

function WaitingGroup({ rows, onChange }: { rows: FollowUp[]; onChange: (f: FollowUp) => void }) {
  const s = useSession();
  const action = useAction();
  const first = rows[0]!;
  const v = first.vars;
  const approveAll = async () => {
    const r = await action.run(() => call((c) => c.POST('/v1/interviews/{id}/follow-ups/approve', { params: { path: { id: first.interviewId } }, body: {} })));
    if (!r) return;
    r.data.forEach(onChange);
    announce(`Approved ${r.data.length} follow-up${r.data.length === 1 ? '' : 's'} for ${v.candidate ?? 'the candidate'}.`);
  };
  return (
    <div className="waiting-group" data-testid="waiting-group">
      <h3>
        <Link to={`/candidates/${first.candidateId}`}>{v.candidate ?? 'Candidate'}</Link>
        <span className="muted">
          {' '}
          · <Link to={`/interviews/${first.interviewId}`}>{[v.position, v.employer].filter(Boolean).join(' at ') || 'Interview'}</Link>
        </span>
      </h3>
      {rows.length > 1 && s.can('recruiter') && (
        <div className="row">
          <button type="button" className="small" onClick={() => void approveAll()} disabled={action.busy}>
            Approve all {rows.length}
          </button>
        </div>
      )}
      <FormError action={action} />
      <ul className="fus">
        {rows.map((f) => (
          <FollowUpItem key={f.id} f={f} onChange={onChange} />
        ))}
      </ul>
    </div>
  );
}

/**
 * Interviews still to come that a participant declined (their answer to the calendar invite,
 * `GET /v1/interview-declines`): a warning to rearrange or find someone else.
 */
export function Declines({ recruiterId }: { recruiterId: string }) {
  const s = useSession();
  const state = useLoad(() => call((c) => c.GET('/v1/interview-declines', { params: { query: { recruiterId } } })), [recruiterId]);
  const list = state.data?.data ?? [];
  if (list.length === 0) return null;
  return (
    <section className="card attention" aria-labelledby="declines-title" data-testid="declines">
      <h2 id="declines-title">Declined invitations ({list.length})</h2>
      <p className="muted">A participant declined the calendar invite of these interviews: rearrange them, or change who takes part.</p>
      <ul className="rows">
        {list.map((d) => (
          <li key={`${d.interviewId}:${d.contactId}`} className="row-item" data-testid="decline">
            <Link to={`/interviews/${d.interviewId}`} className="row-main">
              <strong>
                {d.name} ({label(d.role)}) declined
              </strong>
              <span className="muted">
                <NameOf kind="candidate" id={d.candidateId} />’s interview, {dateTime(d.startsAt, d.timeZone)}
                {d.timeZone !== s.zone ? ` their time (${dateTime(d.startsAt, s.zone)} yours)` : ''}
                {d.respondedAt ? ` · answered ${dateTime(d.respondedAt, s.zone)}` : ''}
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
