import { useState } from 'react';
import { call, type S } from '../api';
import { prime } from '../cache';
import { Link, navigate, useLocation } from '../router';
import { useSession } from '../session';
import { date } from '../time';
import { Badge, Field, label, Loaded, useLoad } from '../ui';

/** One box to find anyone: candidates, employers, contacts and positions (GET /v1/search). */
export default function Search() {
  const s = useSession();
  const { search } = useLocation();
  const q = new URLSearchParams(search).get('q')?.trim() ?? '';
  const [text, setText] = useState(q);
  const state = useLoad(async () => {
    if (q.length < 2) return null;
    const r = await call((c) => c.GET('/v1/search', { params: { query: { q, perKind: 10 } } }));
    prime('candidate', r.candidates);
    prime('employer', r.employers);
    prime('position', r.positions);
    return r;
  }, [q]);
  return (
    <section aria-labelledby="s-title">
      <h1 id="s-title">Search</h1>
      <form role="search" aria-label="Search again" onSubmit={(e) => (e.preventDefault(), navigate(`/search?q=${encodeURIComponent(text.trim())}`))}>
        <Field label="Name, email or position title" name="q" hint="Two characters at least.">
          {(p) => <input {...p} type="search" value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
        <button type="submit" className="primary" disabled={text.trim().length < 2}>
          Search
        </button>
      </form>
      <Loaded state={state} empty={(r) => (r === null ? 'Type a name, an email or a title.' : total(r) === 0 ? `Nothing matches “${q}”.` : null)}>
        {(r) => r && total(r) > 0 && <Results r={r} zone={s.zone} />}
      </Loaded>
    </section>
  );
}

const total = (r: S['SearchResult']) => r.candidates.length + r.employers.length + r.contacts.length + r.positions.length;

function Results({ r, zone }: { r: S['SearchResult']; zone: string }) {
  return (
    <>
      {r.candidates.length > 0 && (
        <section className="search-group" aria-labelledby="sr-candidates">
          <h2 id="sr-candidates">Candidates</h2>
          <ul className="rows">
            {r.candidates.map((c) => (
              <li key={c.id} className="row-item">
                <Link to={`/candidates/${c.id}`} className="row-main">
                  <strong>{c.name}</strong>
                  <span className="muted">{standing(c, zone)}</span>
                </Link>
                {c.latestApplication && <Badge value={c.latestApplication.stage} />}
              </li>
            ))}
          </ul>
          {r.more.candidates && <Link to={`/candidates?q=${encodeURIComponent(r.q)}`}>All candidates matching “{r.q}”</Link>}
        </section>
      )}
      {r.employers.length > 0 && (
        <section className="search-group" aria-labelledby="sr-employers">
          <h2 id="sr-employers">Employers</h2>
          <ul className="rows">
            {r.employers.map((e) => (
              <li key={e.id} className="row-item">
                <Link to={`/employers/${e.id}`} className="row-main">
                  <strong>{e.name}</strong>
                  <span className="muted">{label(e.kind)}</span>
                </Link>
              </li>
            ))}
          </ul>
          {r.more.employers && <p className="muted">More employers match: refine the search.</p>}
        </section>
      )}
      {r.contacts.length > 0 && (
        <section className="search-group" aria-labelledby="sr-contacts">
          <h2 id="sr-contacts">Contacts</h2>
          <ul className="rows">
            {r.contacts.map((c) => (
              <li key={c.id} className="row-item">
                <Link to={`/employers/${c.employerId}`} className="row-main">
                  <strong>{c.name}</strong>
                  <span className="muted">{[c.title, c.email, c.phone].filter(Boolean).join(' · ')}</span>
                </Link>
              </li>
            ))}
          </ul>
          {r.more.contacts && <p className="muted">More contacts match: refine the search.</p>}
        </section>
      )}
      {r.positions.length > 0 && (
        <section className="search-group" aria-labelledby="sr-positions">
          <h2 id="sr-positions">Positions</h2>
          <ul className="rows">
            {r.positions.map((p) => (
              <li key={p.id} className="row-item">
                <Link to={`/positions/${p.id}`} className="row-main">
                  <strong>{p.title}</strong>
                  <span className="muted">
                    {p.openings} opening{p.openings === 1 ? '' : 's'}
                  </span>
                </Link>
                <Badge value={p.status} />
              </li>
            ))}
          </ul>
          {r.more.positions && <p className="muted">More positions match: refine the search.</p>}
        </section>
      )}
    </>
  );
}

/** "Interviewing · 5th grade teacher at Lincoln · last activity Thu, 3 Dec 2026" */
export function standing(c: S['CandidateListItem'], zone: string) {
  const a = c.latestApplication;
  return [
    a ? `${label(a.stage)} · ${a.positionTitle} at ${a.employerName}` : 'No applications',
    c.openApplications > 1 ? `${c.openApplications} open` : null,
    c.lastActivityAt ? `last activity ${date(c.lastActivityAt, zone)}` : null,
  ]
    .filter(Boolean)
    .join(' · ');
}
