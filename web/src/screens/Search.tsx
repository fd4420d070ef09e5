import { useState, type ReactNode } from 'react';
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

/** One kind's matches: a titled list of links, and a pointer to the rest when there are more. */
function Group<T extends { id: string }>(props: { id: string; title: string; items: T[]; more: ReactNode; row: (x: T) => { to: string; name: string; detail: string; badge?: string } }) {
  if (props.items.length === 0) return null;
  return (
    <section className="search-group" aria-labelledby={props.id}>
      <h2 id={props.id}>{props.title}</h2>
      <ul className="rows">
        {props.items.map((x) => {
          const r = props.row(x);
          return (
            <li key={x.id} className="row-item">
              <Link to={r.to} className="row-main">
                <strong>{r.name}</strong>
                <span className="muted">{r.detail}</span>
              </Link>
              {r.badge && <Badge value={r.badge} />}
            </li>
          );
        })}
      </ul>
      {props.more}
    </section>
  );
}

const refine = (what: string, more: boolean) => more && <p className="muted">More {what} match: refine the search.</p>;

function Results({ r, zone }: { r: S['SearchResult']; zone: string }) {
  return (
    <>
      <Group
        id="sr-candidates"
        title="Candidates"
        items={r.candidates}
        more={r.more.candidates && <Link to={`/candidates?q=${encodeURIComponent(r.q)}`}>All candidates matching “{r.q}”</Link>}
        row={(c) => ({ to: `/candidates/${c.id}`, name: c.name, detail: standing(c, zone), ...(c.latestApplication ? { badge: c.latestApplication.stage } : {}) })}
      />
      <Group id="sr-employers" title="Employers" items={r.employers} more={refine('employers', r.more.employers)} row={(e) => ({ to: `/employers/${e.id}`, name: e.name, detail: label(e.kind) })} />
      <Group
        id="sr-contacts"
        title="Contacts"
        items={r.contacts}
        more={refine('contacts', r.more.contacts)}
        row={(c) => ({ to: `/employers/${c.employerId}`, name: c.name, detail: [c.title, c.email, c.phone].filter(Boolean).join(' · ') })}
      />
      <Group
        id="sr-positions"
        title="Positions"
        items={r.positions}
        more={refine('positions', r.more.positions)}
        row={(p) => ({ to: `/positions/${p.id}`, name: p.title, detail: `${p.openings} opening${p.openings === 1 ? '' : 's'}`, badge: p.status })}
      />
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
