import { useState, type FormEvent } from 'react';
import { call } from '../api';
import { forgetLists } from '../cache';
import { Link, navigate } from '../router';
import { ListHead } from '../lists';
import { announce } from '../status';
import { useSession } from '../session';
import { EmployerBasics } from '../employerFields';
import { Field, FormFooter, Loaded, label, useAction, useLoad, usePanel } from '../ui';

export default function Employers() {
  const s = useSession();
  const [q, setQ] = useState('');
  const [adding, setAdding] = useState(false);
  const state = useLoad(async () => (await call((c) => c.GET('/v1/employers', { params: { query: { limit: 100, ...(q.trim() ? { q: q.trim() } : {}) } } }))).data, [q]);
  return (
    <section aria-labelledby="e-title">
      <ListHead id="e-title" title="Employers" canAdd={s.can('recruiter')} adding={adding} addLabel="Add an employer" onAdd={() => setAdding(true)} more={<Link to="/import?kind=employers">Import CSV</Link>} />
      {adding && <NewEmployer onCancel={() => setAdding(false)} />}
      <form role="search" aria-label="Employers" onSubmit={(e) => e.preventDefault()}>
        <Field label="Search employers" name="q">
          {(p) => <input {...p} type="search" value={q} onChange={(e) => setQ(e.target.value)} />}
        </Field>
      </form>
      <Loaded state={state} empty={(d) => d.length === 0 && (q ? 'No employer matches.' : 'No employers yet.')}>
        {(rows) => (
          <ul className="rows">
            {rows.map((e) => (
              <li key={e.id} className="row-item">
                <Link to={`/employers/${e.id}`} className="row-main">
                  <strong>{e.name}</strong>
                  <span className="muted">
                    {label(e.kind)} · {e.timeZone}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </section>
  );
}

function NewEmployer({ onCancel }: { onCancel: () => void }) {
  const s = useSession();
  const action = useAction();
  const panel = usePanel(onCancel);
  const [v, setV] = useState({ name: '', kind: 'school', parentId: '', timeZone: s.me.agency.timeZone });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const created = await action.run(() => call((c) => c.POST('/v1/employers', { body: { name: v.name, kind: v.kind as 'school', parentId: v.parentId || null, timeZone: v.timeZone, holidays: [] } })));
    if (created) {
      forgetLists();
      navigate(`/employers/${created.id}`);
      announce(`${created.name} added.`);
    }
  };
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="New employer" {...panel}>
      <h2>New employer</h2>
      <div className="row wrap">
        <EmployerBasics v={v} setV={setV} action={action} />
      </div>
      <FormFooter action={action} shown={['name', 'kind', 'parentId', 'timeZone']} submit="Add" onCancel={onCancel} />
    </form>
  );
}
