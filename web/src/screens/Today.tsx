import { startTransition, useEffect, useMemo, useState } from 'react';
import { all, call, type S } from '../api';
import { listUsers } from '../cache';
import { FollowUpItem, isAwaiting, isUncertain, replaceIn } from '../followups';
import { Declines, WaitingForYou } from '../todayReview';
import { Link } from '../router';
import { useSession } from '../session';
import { date, dateTime, endOfDay, time } from '../time';
import { Loaded, label, useLoad } from '../ui';

type FollowUp = S['FollowUp'];
const FIRST = 40;

/** The end of today and of tomorrow in `zone`, as ISO. */
const days = (zone: string) => {
  const today = endOfDay(Date.now(), zone);
  return { today, tomorrow: endOfDay(Date.parse(today) + 1, zone) };
};

/**
 * Open follow-ups due before the end of tomorrow (overdue ones included: the page splits today's
 * from tomorrow's), of one recruiter or the team, and, whenever they are due, whatever waits for a
 * person: approval (awaiting_approval), review (stale: planned too late to go by itself) and a
 * check of a send that may not have gone out (uncertain).
 */
async function dueToday(zone: string, recruiterId?: string) {
  const dueBefore = days(zone).tomorrow;
  const base = { limit: 100, ...(recruiterId ? { recruiterId } : {}) };
  const page = (status: 'pending' | 'queued' | 'uncertain' | 'awaiting_approval' | 'stale', more: { dueBefore?: string } = {}) =>
    all((cursor) => call((c) => c.GET('/v1/follow-ups', { params: { query: { ...base, status, ...more, ...(cursor ? { cursor } : {}) } } })), 2000);
  const lists = await Promise.all([page('pending', { dueBefore }), page('queued'), page('uncertain'), page('awaiting_approval'), page('stale')]);
  return lists.flat().sort((a, b) => a.dueAt.localeCompare(b.dueAt));
}

export function Today() {
  const s = useSession();
  const admin = s.can('admin');
  const state = useLoad(async () => {
    const [rows, users] = await Promise.all([
      dueToday(s.zone, admin ? undefined : s.user.id),
      admin ? listUsers() : Promise.resolve([] as S['User'][]),
    ]);
    return { rows, users };
  }, [s.zone, s.user.id, admin]);
  const [fetched, setRows] = useState<FollowUp[]>([]);
  useEffect(() => setRows(state.data?.rows ?? []), [state.data]);
  const [who, setWho] = useState(s.user.id);
  const ends = days(s.zone);
  // What waited for review when loaded (stale, an uncertain send) stays in its box once acted on,
  // where its outcome shows; one waiting for approval joins the day's list once approved, if due by
  // the end of tomorrow.
  const held = useMemo(() => {
    const loaded = state.data?.rows ?? [];
    return {
      waiting: new Set(loaded.filter(isAwaiting).map((f) => f.id)),
      review: new Set(loaded.filter((f) => f.status === 'stale' || isUncertain(f)).map((f) => f.id)),
    };
  }, [state.data]);
  // Tomorrow's pending ones go to their own section; "due today" counts the rest.
  const [rows, later] = useMemo(() => {
    const end = endOfDay(Date.now(), s.zone);
    const dayEnd = days(s.zone).tomorrow;
    const listed = fetched.filter((f) => !held.review.has(f.id) && (!held.waiting.has(f.id) || ((f.status === 'pending' || f.status === 'queued' || f.status === 'sent') && f.dueAt < dayEnd)));
    return [listed.filter((f) => f.dueAt < end || f.status !== 'pending'), listed.filter((f) => f.dueAt >= end && f.status === 'pending')];
  }, [fetched, s.zone, held]);
  // The first screenful renders at once; the rest of a long list right after, without blocking input.
  const [shown, setShown] = useState(FIRST);
  useEffect(() => {
    if (!state.data || shown !== FIRST) return;
    const t = setTimeout(() => startTransition(() => setShown(Infinity)), 0);
    return () => clearTimeout(t);
  }, [state.data, shown]);

  const { mine, unsure, stale, waiting } = useMemo(() => {
    const own = fetched.filter((f) => f.ownerId === who);
    const review = own.filter((f) => held.review.has(f.id));
    const unsureIds = new Set(state.data?.rows.filter(isUncertain).map((f) => f.id));
    return {
      mine: rows.filter((f) => f.ownerId === who),
      unsure: review.filter((f) => unsureIds.has(f.id)),
      stale: review.filter((f) => !unsureIds.has(f.id)),
      // Approved or declined, a row leaves the box (the announcement says what became of it).
      waiting: own.filter(isAwaiting),
    };
  }, [fetched, rows, who, held, state.data]);
  const stillUnsure = unsure.filter(isUncertain).length;
  const update = (u: FollowUp) => setRows((r) => replaceIn(r, u));
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
            <WaitingForYou rows={waiting} onChange={update} />
            <Declines recruiterId={who} />
            {(unsure.length > 0 || stale.length > 0) && (
              <section className="card attention" aria-labelledby="review-title" data-testid="needs-review">
                <h2 id="review-title">Needs review ({unsure.length + stale.length})</h2>
                {unsure.length > 0 && (
                  <section aria-labelledby="uncertain-title" data-testid="today-uncertain">
                    <h3 id="uncertain-title">May not have been sent: check and resend</h3>
                    <p className="muted">The worker stopped while sending these. Check with the recipient, then resend or mark sent.</p>
                    <ul className="fus">
                      {unsure.map((f) => (
                        <FollowUpItem key={f.id} f={f} onChange={update} />
                      ))}
                    </ul>
                  </section>
                )}
                {stale.length > 0 && (
                  <section aria-labelledby="stale-title" data-testid="today-stale">
                    <h3 id="stale-title">Planned too late to go by itself</h3>
                    <p className="muted">Their moment had passed when they were planned (a backfilled interview, say). Send one now, move it, or skip it.</p>
                    <ul className="fus">
                      {stale.map((f) => (
                        <FollowUpItem key={f.id} f={f} onChange={update} />
                      ))}
                    </ul>
                  </section>
                )}
              </section>
            )}
            <NeedsCompleting recruiterId={who} />
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
                      <FollowUpItem key={f.id} f={f} onChange={update} />
                    ))}
                  </ul>
                </article>
              );
            })}
            <Tomorrow recruiterId={who} followUps={later.filter((f) => f.ownerId === who)} from={ends.today} to={ends.tomorrow} />
          </>
        )}
      </Loaded>
    </section>
  );
}

function TeamCounts({ rows, users, who, setWho }: { rows: FollowUp[]; users: S['User'][]; who: string; setWho: (id: string) => void }) {
  const counts = new Map<string, { due: number; overdue: number }>();
  for (const f of rows) {
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

type Interview = S['Interview'];

/** Every page of a recruiter's scheduled interviews starting in [from, to), at most 500. */
const scheduled = (recruiterId: string, range: { from?: string; to: string }) =>
  all((cursor) => call((c) => c.GET('/v1/interviews', { params: { query: { limit: 100, status: 'scheduled', recruiterId, ...range, ...(cursor ? { cursor } : {}) } } })), 500);

function InterviewLine({ iv, when }: { iv: Interview; when: string }) {
  return (
    <li className="row-item">
      <Link to={`/interviews/${iv.id}`} className="row-main">
        <strong>{iv.candidateName}</strong>
        <span className="muted">
          {iv.positionTitle} at {iv.employerName} · {when}
        </span>
      </Link>
    </li>
  );
}

/**
 * Interviews that have ended but are still "scheduled": completing one plans its follow-ups, so
 * until then nothing reminds anyone of them. The API filters on the start (`to`): those that
 * started but run on are left out here.
 */
function NeedsCompleting({ recruiterId }: { recruiterId: string }) {
  const s = useSession();
  const state = useLoad(async () => {
    const now = new Date().toISOString();
    return (await scheduled(recruiterId, { to: now })).filter((iv) => iv.endsAt <= now).reverse();
  }, [recruiterId]);
  const list = state.data ?? [];
  if (list.length === 0) return null;
  return (
    <section className="card attention" aria-labelledby="complete-title" data-testid="needs-completing">
      <h2 id="complete-title">Needs completing ({list.length})</h2>
      <p className="muted">These have ended but are still scheduled: complete one to plan its follow-ups, or cancel it.</p>
      <ul className="rows">
        {list.map((iv) => (
          <InterviewLine key={iv.id} iv={iv} when={`ended ${dateTime(iv.endsAt, s.zone)}`} />
        ))}
      </ul>
    </section>
  );
}

/** Tomorrow's interviews and the follow-ups due tomorrow, to plan the day ahead. */
function Tomorrow({ recruiterId, followUps, from, to }: { recruiterId: string; followUps: FollowUp[]; from: string; to: string }) {
  const s = useSession();
  const interviews = useLoad(() => scheduled(recruiterId, { from, to }), [recruiterId, from, to]);
  const list = interviews.data ?? [];
  return (
    <section className="card" aria-labelledby="tomorrow-title" data-testid="tomorrow">
      <h2 id="tomorrow-title">Tomorrow</h2>
      {list.length === 0 && followUps.length === 0 ? (
        <p className="muted">{interviews.data ? 'Nothing planned for tomorrow yet.' : 'Loading…'}</p>
      ) : (
        <>
          {list.length > 0 && (
            <>
              <h3>Interviews</h3>
              <ul className="rows" data-testid="tomorrow-interviews">
                {list.map((iv) => (
                  <InterviewLine key={iv.id} iv={iv} when={`${time(iv.startsAt, s.zone)}–${time(iv.endsAt, s.zone)}`} />
                ))}
              </ul>
            </>
          )}
          {followUps.length > 0 && (
            <>
              <h3>Follow-ups due</h3>
              <ul className="rows" data-testid="tomorrow-followups">
                {followUps.map((f) => (
                  <li key={f.id} className="row-item">
                    <Link to={`/interviews/${f.interviewId}`} className="row-main">
                      <strong>{f.kind === 'thank_you' && f.vars.interviewer ? `Thank-you note to ${f.vars.interviewer}` : label(f.kind)}</strong>
                      <span className="muted">
                        {f.vars.candidate ?? 'Candidate'} · {label(f.channel)} to {f.recipient.type === 'recruiter' ? 'you' : f.recipient.name} · {time(f.dueAt, s.zone)}
                      </span>
                    </Link>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
    </section>
  );
}
