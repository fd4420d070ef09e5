import { useState } from 'react';
import { call, ifMatch, type S } from '../api';
import { getPosition, NameOf } from '../cache';
import { Link } from '../router';
import { useSession } from '../session';
import { announce } from '../status';
import { NEXT, STAGES, type Stage } from '../stages';
import { date } from '../time';
import { Badge, FormError, label, Loaded, useAction, useLoad } from '../ui';

type Row = S['ApplicationListItem'];

/**
 * A position's pipeline: its candidates by stage, one column each, every card moved along the
 * allowed transitions. One call for the applications (their rows carry the candidates' names).
 */
export default function PositionPage({ id }: { id: string }) {
  const s = useSession();
  const state = useLoad(async () => {
    const [position, apps] = await Promise.all([
      getPosition(id),
      call((c) => c.GET('/v1/applications', { params: { query: { positionId: id, limit: 100 } } })),
    ]);
    return { position, apps: apps.data, more: apps.nextCursor !== null };
  }, [id]);
  return (
    <Loaded state={state}>
      {({ position, apps, more }) => (
        <section aria-labelledby="p-title">
          <div className="page-head">
            <h1 id="p-title">{position.title}</h1>
            <Badge value={position.status} />
          </div>
          <p className="muted">
            At{' '}
            <Link to={`/employers/${position.employerId}`}>
              <NameOf kind="employer" id={position.employerId} />
            </Link>
            {' · '}
            {position.openings} opening{position.openings === 1 ? '' : 's'}
            {position.targetFillDate ? ` · fill by ${position.targetFillDate}` : ''}
          </p>
          {apps.length === 0 && <p className="empty">Nobody is put forward for this position yet. Put a candidate forward from their page.</p>}
          {more && <p className="muted">Showing the newest 100 applications.</p>}
          <div className="pipeline">
            {STAGES.map((stage) => {
              const here = apps.filter((a) => a.stage === stage);
              return (
                <section key={stage} className="pipeline-column" aria-labelledby={`stage-${stage}`}>
                  <h2 id={`stage-${stage}`}>
                    {label(stage)} <span className="muted">({here.length})</span>
                  </h2>
                  <ul className="rows">
                    {here.map((a) => (
                      <Card key={a.id} app={a} zone={s.zone} write={s.can('recruiter')} onMoved={state.reload} />
                    ))}
                  </ul>
                </section>
              );
            })}
          </div>
        </section>
      )}
    </Loaded>
  );
}

function Card({ app, zone, write, onMoved }: { app: Row; zone: string; write: boolean; onMoved: () => void }) {
  const moves = NEXT[app.stage];
  const [to, setTo] = useState<Stage | ''>('');
  const action = useAction();
  const move = async () => {
    if (!to) return;
    const ok = await action.run(() =>
      call((c) => c.POST('/v1/applications/{id}/stage', { params: { path: { id: app.id }, header: ifMatch(app.version) }, body: { stage: to } })),
    );
    if (ok) {
      announce(`${app.candidateName} moved to ${label(to).toLowerCase()}.`);
      setTo('');
      onMoved();
    }
  };
  return (
    <li className="row-item pipeline-card">
      <span className="row-main">
        <Link to={`/candidates/${app.candidateId}`}>
          <strong>{app.candidateName}</strong>
        </Link>
        <span className="muted">Since {date(app.stageChangedAt, zone)}</span>
      </span>
      {write && moves.length > 0 && (
        <form
          className="inline"
          onSubmit={(e) => {
            e.preventDefault();
            void move();
          }}
        >
          <select aria-label={`Move ${app.candidateName} to`} value={to} onChange={(e) => (setTo(e.target.value as Stage), action.reset())}>
            <option value="">Move to…</option>
            {moves.map((m) => (
              <option key={m} value={m}>
                {label(m)}
              </option>
            ))}
          </select>
          <button type="submit" className="small" disabled={!to || action.busy}>
            Move
          </button>
          <FormError action={action} />
        </form>
      )}
    </li>
  );
}
