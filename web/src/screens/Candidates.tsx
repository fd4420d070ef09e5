import { useState } from 'react';
import { call } from '../api';
import { prime } from '../cache';
import { Link, navigate } from '../router';
import { ListHead } from '../lists';
import { announce } from '../status';
import { useSession } from '../session';
import { CandidateForm } from '../candidateForm';
import { Badge, Field, Loaded, useLoad } from '../ui';
import { standing } from './Search';

export default function Candidates() {
  const s = useSession();
  const [q, setQ] = useState(() => new URLSearchParams(location.search).get('q') ?? '');
  const [adding, setAdding] = useState(false);
  const state = useLoad(async () => {
    const rows = (await call((c) => c.GET('/v1/candidates', { params: { query: { limit: 50, ...(q.trim() ? { q: q.trim() } : {}) } } }))).data;
    prime('candidate', rows);
    return rows;
  }, [q]);
  return (
    <section aria-labelledby="c-title">
      <ListHead id="c-title" title="Candidates" canAdd={s.can('recruiter')} adding={adding} addLabel="Add a candidate" onAdd={() => setAdding(true)} more={<Link to="/import?kind=candidates">Import CSV</Link>} />
      {adding && <NewCandidate onCancel={() => setAdding(false)} />}
      <form role="search" aria-label="Candidates" onSubmit={(e) => e.preventDefault()}>
        <Field label="Search by name or email" name="q">
          {(p) => <input {...p} type="search" value={q} onChange={(e) => (setQ(e.target.value), history.replaceState(null, '', e.target.value ? `?q=${encodeURIComponent(e.target.value)}` : location.pathname))} />}
        </Field>
      </form>
      <Loaded state={state} empty={(d) => d.length === 0 && (q ? 'No candidate matches.' : 'No candidates yet.')}>
        {(rows) => (
          <ul className="rows">
            {rows.map((c) => (
              <li key={c.id} className="row-item">
                <Link to={`/candidates/${c.id}`} className="row-main">
                  <strong>{c.name}</strong>
                  <span className="muted">{[c.email, c.phone].filter(Boolean).join(' · ')}</span>
                  <span className="muted">{standing(c, s.zone)}</span>
                </Link>
                {c.tags.length > 0 && <span className="muted">{c.tags.join(', ')}</span>}
                {c.latestApplication && <Badge value={c.latestApplication.stage} />}
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </section>
  );
}

function NewCandidate({ onCancel }: { onCancel: () => void }) {
  const done = (c: { id: string; name: string }) => {
    navigate(`/candidates/${c.id}`);
    announce(`${c.name} added.`);
  };
  return <CandidateForm onDone={done} onCancel={onCancel} />;
}
