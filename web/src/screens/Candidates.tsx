import { useState, type FormEvent } from 'react';
import { call } from '../api';
import { prime } from '../cache';
import { Link, navigate } from '../router';
import { ListHead } from '../lists';
import { announce } from '../status';
import { useSession } from '../session';
import { Field, FormFooter, Loaded, useAction, useLoad, usePanel } from '../ui';

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
      <ListHead id="c-title" title="Candidates" canAdd={s.can('recruiter')} adding={adding} addLabel="Add a candidate" onAdd={() => setAdding(true)} />
      {adding && <CandidateForm onCancel={() => setAdding(false)} />}
      <form role="search" onSubmit={(e) => e.preventDefault()}>
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
                </Link>
                <span className="muted">{c.tags.join(', ')}</span>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </section>
  );
}

function CandidateForm({ onCancel }: { onCancel: () => void }) {
  const action = useAction();
  const panel = usePanel(onCancel);
  const [v, setV] = useState({ name: '', email: '', phone: '', relayConsent: true });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const c = await action.run(() =>
      call((x) =>
        x.POST('/v1/candidates', {
          body: { name: v.name, ...(v.email.trim() ? { email: v.email.trim() } : {}), ...(v.phone.trim() ? { phone: v.phone.trim() } : {}), relayConsent: v.relayConsent, statusUpdatesOptIn: true, overrideErasure: false },
        }),
      ),
    );
    if (c) {
      navigate(`/candidates/${c.id}`);
      announce(`${c.name} added.`);
    }
  };
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="New candidate" {...panel}>
      <h2>New candidate</h2>
      <div className="row wrap">
        <Field label="Name" name="name" action={action}>
          {(p) => <input {...p} value={v.name} onChange={(e) => setV({ ...v, name: e.target.value })} required />}
        </Field>
        <Field label="Email" name="email" action={action}>
          {(p) => <input {...p} type="email" value={v.email} onChange={(e) => setV({ ...v, email: e.target.value })} />}
        </Field>
        <Field label="Phone" name="phone" action={action} hint="With the country code: +15555550123">
          {(p) => <input {...p} type="tel" value={v.phone} onChange={(e) => setV({ ...v, phone: e.target.value })} />}
        </Field>
      </div>
      <label className="check">
        <input type="checkbox" checked={v.relayConsent} onChange={(e) => setV({ ...v, relayConsent: e.target.checked })} /> The candidate agrees that we send notes on their behalf
      </label>
      <FormFooter action={action} shown={['name', 'email', 'phone']} submit="Add" onCancel={onCancel} />
    </form>
  );
}
