import { startTransition, useEffect, useMemo, useState } from 'react';
import { all, call, type S } from '../api';
import { FollowUpItem, isUncertain, replaceIn } from '../followups';
import { Link } from '../router';
import { useSession } from '../session';
import { date, endOfDay } from '../time';
import { Loaded, useLoad } from '../ui';

type FollowUp = S['FollowUp'];
const FIRST = 40;

/**
 * Open follow-ups due before the end of today (overdue ones included), of one recruiter or the
 * team, and whatever may not have been sent (uncertain) whenever it was due.
 */
async function dueToday(zone: string, recruiterId?: string) {
  const dueBefore = endOfDay(Date.now(), zone);
  const base = { limit: 100, ...(recruiterId ? { recruiterId } : {}) };
  const page = (status: 'pending' | 'queued' | 'uncertain', more: { dueBefore?: string } = {}) =>
    all((cursor) => call((c) => c.GET('/v1/follow-ups', { params: { query: { ...base, status, ...more, ...(cursor ? { cursor } : {}) } } })), 2000);
  const [pending, queued, uncertain] = await Promise.all([page('pending', { dueBefore }), page('queued'), page('uncertain')]);
  return [...uncertain, ...queued, ...pending].sort((a, b) => a.dueAt.localeCompare(b.dueAt));
}

export function Today() {
  const s = useSession();
  const admin = s.can('admin');
  const state = useLoad(async () => {
    const [rows, users] = await Promise.all([
      dueToday(s.zone, admin ? undefined : s.user.id),
      admin ? all((cursor) => call((c) => c.GET('/v1/users', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }))) : Promise.resolve([] as S['User'][]),
    ]);
    return { rows, users };
  }, [s.zone, s.user.id, admin]);
  const [rows, setRows] = useState<FollowUp[]>([]);
  useEffect(() => setRows(state.data?.rows ?? []), [state.data]);
  const [who, setWho] = useState(s.user.id);
  // The first screenful renders at once; the rest of a long list right after, without blocking input.
  const [shown, setShown] = useState(FIRST);
  useEffect(() => {
    if (!state.data || shown !== FIRST) return;
    const t = setTimeout(() => startTransition(() => setShown(Infinity)), 0);
    return () => clearTimeout(t);
  }, [state.data, shown]);

  // What was uncertain when loaded stays in its box once resent or marked sent, where its outcome shows.
  const unsureIds = useMemo(() => new Set(state.data?.rows.filter(isUncertain).map((f) => f.id)), [state.data]);
  const [mine, unsure] = useMemo(() => {
    const own = rows.filter((f) => f.ownerId === who);
    return [own.filter((f) => !unsureIds.has(f.id)), own.filter((f) => unsureIds.has(f.id))];
  }, [rows, who, unsureIds]);
  const stillUnsure = unsure.filter(isUncertain).length;
  const groups = useMemo(() => {
    const by = new Map<string, FollowUp[]>();
    for (const f of mine) {
      const g = by.get(f.interviewId);
      if (g) g.push(f);
      else by.set(f.interviewId, [f]);
    }
    return [...by.values()];
  }, [mine]);
  const visible = useMemo(() => {
    let left = shown;
    return groups.map((g) => {
      const part = left >= g.length ? g : g.slice(0, Math.max(0, left));
      left -= part.length;
      return part;
    });
  }, [groups, shown]);
  const overdue = mine.filter((f) => f.overdue).length;

  return (
    <section aria-labelledby="today-title">
      <div className="page-head">
        <h1 id="today-title">Today</h1>
        <span className="muted">{date(new Date().toISOString(), s.zone)}</span>
      </div>
      <Loaded state={state}>
        {({ users }) => (
          <>
            {admin && <TeamCounts rows={rows} users={users} who={who} setWho={setWho} />}
            <p className="summary" data-testid="today-summary">
              {mine.length === 0 ? 'Nothing due today.' : `${mine.length} due today${overdue ? `, ${overdue} overdue` : ''}, for ${groups.length} interview${groups.length === 1 ? '' : 's'}.`}
              {stillUnsure > 0 && ` ${stillUnsure} may not have been sent.`}
            </p>
            {unsure.length > 0 && (
              <section className="card attention" aria-labelledby="uncertain-title" data-testid="today-uncertain">
                <h2 id="uncertain-title">May not have been sent: check and resend</h2>
                <p className="muted">The worker stopped while sending these. Check with the recipient, then resend or mark sent.</p>
                <ul className="fus">
                  {unsure.map((f) => (
                    <FollowUpItem key={f.id} f={f} onChange={(u) => setRows((r) => replaceIn(r, u))} />
                  ))}
                </ul>
              </section>
            )}
            {visible.map((g) => {
              if (g.length === 0) return null;
              const v = g[0]!.vars;
              return (
                <article key={g[0]!.interviewId} className="card group" data-testid="today-group">
                  <h2>
                    <Link to={`/candidates/${g[0]!.candidateId}`}>{v.candidate ?? 'Candidate'}</Link>
                    <span className="muted">
                      {' '}
                      · <Link to={`/interviews/${g[0]!.interviewId}`}>{[v.position, v.employer].filter(Boolean).join(' at ') || 'Interview'}</Link>
                    </span>
                  </h2>
                  <ul className="fus">
                    {g.map((f) => (
                      <FollowUpItem key={f.id} f={f} onChange={(u) => setRows((r) => replaceIn(r, u))} />
                    ))}
                  </ul>
                </article>
              );
            })}
          </>
        )}
      </Loaded>
    </section>
  );
}

function TeamCounts({ rows, users, who, setWho }: { rows: FollowUp[]; users: S['User'][]; who: string; setWho: (id: string) => void }) {
  const counts = new Map<string, { due: number; overdue: number }>();
  for (const f of rows) {
    if (isUncertain(f)) continue;
    const c = counts.get(f.ownerId) ?? { due: 0, overdue: 0 };
    c.due++;
    if (f.overdue) c.overdue++;
    counts.set(f.ownerId, c);
  }
  const team = users.filter((u) => counts.has(u.id) || u.role !== 'viewer');
  return (
    <div className="card team" data-testid="team-counts">
      <h2>Team</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Recruiter</th>
            <th scope="col">Due today</th>
            <th scope="col">Overdue</th>
          </tr>
        </thead>
        <tbody>
          {team.map((u) => (
            <tr key={u.id} aria-selected={u.id === who}>
              <td>
                <button type="button" className="link" onClick={() => setWho(u.id)} aria-pressed={u.id === who}>
                  {u.name}
                </button>
              </td>
              <td>{counts.get(u.id)?.due ?? 0}</td>
              <td>{counts.get(u.id)?.overdue ?? 0}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
