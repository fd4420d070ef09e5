import { useState, type FormEvent } from 'react';
import { call, ifMatch, type S } from '../api';
import { LinkedIn } from '../activity';
import { forget, listEmployers } from '../cache';
import { DaysOff, EmployerBasics, type Holiday } from '../employerFields';
import { EditableRows } from '../lists';
import { Link } from '../router';
import { announce } from '../status';
import { useSession } from '../session';
import { date } from '../time';
import { ZoneField } from '../zoneField';
import { employerRecord, reliability } from '../reliability';
import { Badge, Field, FormFooter, Loaded, label, useAction, useLoad, usePanel } from '../ui';

async function loadEmployer(id: string) {
  const p = { params: { path: { id }, query: { limit: 100 } } };
  const [employer, contacts, positions, record, employers] = await Promise.all([
    call((c) => c.GET('/v1/employers/{id}', { params: { path: { id } } })),
    call((c) => c.GET('/v1/employers/{id}/contacts', p)),
    call((c) => c.GET('/v1/employers/{id}/positions', p)),
    employerRecord(id),
    // Its district and schools, by name: the agency's list, cached for the session.
    listEmployers(),
  ]);
  return { employer, contacts: contacts.data, positions: positions.data, record, employers };
}

export default function EmployerPage({ id }: { id: string }) {
  const s = useSession();
  const state = useLoad(() => loadEmployer(id), [id]);
  const [editing, setEditing] = useState<string | null>(null);
  const [pool, setPool] = useState<S['Position'] | null>(null);
  const write = s.can('recruiter');
  const done = (what: string) => {
    forget(id);
    setEditing(null);
    state.reload();
    announce(what);
  };
  return (
    <Loaded state={state}>
      {({ employer, contacts, positions, record, employers }) => {
        const parent = employers.find((x) => x.id === employer.parentId);
        const schools = employers.filter((x) => x.parentId === employer.id);
        return (
          <section aria-labelledby="emp-title">
            <div className="page-head">
              <h1 id="emp-title">{employer.name}</h1>
              {write && editing !== 'employer' && (
                <button type="button" onClick={() => setEditing('employer')}>
                  Edit
                </button>
              )}
            </div>
            {editing === 'employer' ? (
              <EmployerForm e={employer} onDone={done} onCancel={() => setEditing(null)} />
            ) : (
              <>
                <p className="muted" data-testid="employer-details">
                  {label(employer.kind)}
                  {parent && (
                    <>
                      {' '}
                      of <Link to={`/employers/${parent.id}`}>{parent.name}</Link>
                    </>
                  )}{' '}
                  · {employer.timeZone}
                  {employer.website ? ` · ${employer.website}` : ''}
                </p>
                {schools.length > 0 && (
                  <p className="muted" data-testid="schools">
                    Schools:{' '}
                    {schools.map((x, i) => (
                      <span key={x.id}>
                        {i > 0 && ', '}
                        <Link to={`/employers/${x.id}`}>{x.name}</Link>
                      </span>
                    ))}
                  </p>
                )}
                {employer.holidays.length > 0 && (
                  <>
                    <h2>Days off</h2>
                    <ul className="rows compact" data-testid="days-off">
                      {[...employer.holidays]
                        .sort((a, b) => a.start.localeCompare(b.start))
                        .map((h) => (
                          <li key={`${h.start}-${h.name}`}>
                            <strong>{h.name}</strong> <span className="muted">{dayRange(h.start, h.end)}</span>
                          </li>
                        ))}
                    </ul>
                  </>
                )}
              </>
            )}
            {reliability(record) && (
              <p data-testid="reliability">{reliability(record)}</p>
            )}
            <EditableRows
              title="Contacts"
              addLabel="Add a contact"
              newKey="new-contact"
              empty="No contacts yet."
              items={contacts}
              write={write}
              editing={editing}
              setEditing={setEditing}
              name={(c) => c.name}
              form={(c) => <ContactForm employerId={employer.id} c={c} onDone={done} onCancel={() => setEditing(null)} />}
              row={(c) => (
                <span className="row-main">
                  <strong>{c.name}</strong>
                  <span className="muted">
                    {[c.title, c.email, c.phone, c.timeZone].filter(Boolean).join(' · ')} <LinkedIn url={c.linkedinUrl} name={c.name} />
                  </span>
                </span>
              )}
            />
            <EditableRows
              title="Positions"
              addLabel="Add a position"
              newKey="new-position"
              empty="No positions yet."
              items={positions}
              write={write}
              editing={editing}
              setEditing={setEditing}
              name={(p) => p.title}
              form={(p) => <PositionForm employerId={employer.id} p={p} onDone={done} onCancel={() => setEditing(null)} />}
              row={(p) => (
                <>
                  <span className="row-main">
                    <Link to={`/positions/${p.id}`}>
                      <strong>{p.title}</strong>
                    </Link>
                    <span className="muted">
                      {p.openings} opening{p.openings === 1 ? '' : 's'}
                      {p.targetFillDate ? ` · fill by ${p.targetFillDate}` : ''}
                    </span>
                  </span>
                  <Badge value={p.status} />
                  {p.status === 'open' && (
                    <button type="button" className="small" onClick={() => setPool(pool?.id === p.id ? null : p)} aria-label={`Candidates to re-engage for ${p.title}`}>
                      Re-engage
                    </button>
                  )}
                </>
              )}
            />
            {pool && <Reengage position={pool} zone={s.zone} />}
          </section>
        );
      }}
    </Loaded>
  );
}

/** The talent pool of an open position: candidates this district or its schools turned down before. */
function Reengage({ position, zone }: { position: S['Position']; zone: string }) {
  const state = useLoad(
    () => call((c) => c.GET('/v1/positions/{id}/re-engagement', { params: { path: { id: position.id }, query: { limit: 50 } } })),
    [position.id],
  );
  return (
    <section className="card" aria-labelledby="pool-title">
      <h2 id="pool-title">To re-engage for {position.title}</h2>
      <p className="muted">Turned down before by this employer, its district or the district’s other schools; latest first.</p>
      <Loaded state={state}>
        {(page) =>
          page.data.length === 0 ? (
            <p className="empty">No one in the pool for this position.</p>
          ) : (
            <ul className="rows">
              {page.data.map(({ candidate, lastDecision }) => (
                <li key={candidate.id} className="row-item">
                  <Link to={`/candidates/${candidate.id}`} className="row-main">
                    <strong>{candidate.name}</strong>
                    <span className="muted">
                      {label(lastDecision.outcome)} for {lastDecision.positionTitle} · {date(lastDecision.decidedAt, zone)}
                      {candidate.tags.length ? ` · ${candidate.tags.join(', ')}` : ''}
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
    </section>
  );
}

const nullable = (v: string) => (v.trim() ? v.trim() : null);

/** "2026-12-24".."2027-01-01" → "Thu 24 Dec 2026 – Fri 1 Jan 2027"; one day alone when they are the same. */
function dayRange(start: string, end: string) {
  const f = (d: string) => date(`${d}T12:00:00Z`, 'UTC');
  return start === end ? f(start) : `${f(start)} – ${f(end)}`;
}

function EmployerForm({ e, onDone, onCancel }: { e: S['Employer']; onDone: (what: string) => void; onCancel: () => void }) {
  const action = useAction();
  const panel = usePanel(onCancel);
  const [v, setV] = useState({ name: e.name, kind: e.kind, parentId: e.parentId ?? '', timeZone: e.timeZone, website: e.website ?? '', notes: e.notes ?? '' });
  const [holidays, setHolidays] = useState<Holiday[]>(e.holidays);
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const ok = await action.run(() =>
      call((c) =>
        c.PATCH('/v1/employers/{id}', {
          params: { path: { id: e.id }, header: ifMatch(e.version) },
          body: { name: v.name, kind: v.kind, parentId: v.parentId || null, timeZone: v.timeZone, holidays, website: nullable(v.website), notes: nullable(v.notes) },
        }),
      ),
    );
    if (ok) onDone(`${v.name} saved.`);
  };
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label={`Edit ${e.name}`} {...panel}>
      <div className="row wrap">
        <EmployerBasics v={v} setV={setV} action={action} self={e.id} />
        <Field label="Website" name="website" action={action}>
          {(p) => <input {...p} type="url" value={v.website} onChange={(x) => setV({ ...v, website: x.target.value })} />}
        </Field>
      </div>
      <Field label="Notes" name="notes" action={action}>
        {(p) => <textarea {...p} rows={2} value={v.notes} onChange={(x) => setV({ ...v, notes: x.target.value })} />}
      </Field>
      <DaysOff value={holidays} onChange={setHolidays} action={action} />
      <FormFooter action={action} shown={['name', 'kind', 'parentId', 'timeZone', 'website', 'notes', ...holidays.flatMap((_, i) => ['name', 'start', 'end'].map((k) => `holidays.${i}.${k}`))]} submit="Save" onCancel={onCancel} />
    </form>
  );
}

function ContactForm({ employerId, c, onDone, onCancel }: { employerId: string; c?: S['Contact']; onDone: (what: string) => void; onCancel: () => void }) {
  const action = useAction();
  const panel = usePanel(onCancel);
  const [v, setV] = useState({
    name: c?.name ?? '',
    title: c?.title ?? '',
    email: c?.email ?? '',
    phone: c?.phone ?? '',
    linkedinUrl: c?.linkedinUrl ?? '',
    timeZone: c?.timeZone ?? '',
    preferredChannel: c?.preferredChannel ?? 'email',
  });
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const body = {
      name: v.name,
      title: nullable(v.title),
      email: nullable(v.email),
      phone: nullable(v.phone),
      linkedinUrl: nullable(v.linkedinUrl),
      timeZone: nullable(v.timeZone),
      preferredChannel: v.preferredChannel,
    };
    const ok = await action.run(() =>
      c
        ? call((x) => x.PATCH('/v1/contacts/{id}', { params: { path: { id: c.id }, header: ifMatch(c.version) }, body }))
        : call((x) => x.POST('/v1/contacts', { body: { employerId, ...body } })),
    );
    if (ok) {
      if (c) forget(c.id);
      onDone(c ? `${v.name} saved.` : `${v.name} added.`);
    }
  };
  const text = (k: 'name' | 'title' | 'email' | 'phone' | 'linkedinUrl', lbl: string, type = 'text') => (
    <Field label={lbl} name={k} action={action} {...(k === 'phone' ? { hint: 'With the country code: +15555550123' } : {})}>
      {(p) => <input {...p} type={type} value={v[k]} onChange={(x) => setV({ ...v, [k]: x.target.value })} />}
    </Field>
  );
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label={c ? `Edit ${c.name}` : 'New contact'} {...panel}>
      <div className="row wrap">
        {text('name', 'Name')}
        {text('title', 'Title')}
        {text('email', 'Email', 'email')}
        {text('phone', 'Phone', 'tel')}
        {text('linkedinUrl', 'LinkedIn URL', 'url')}
        <ZoneField value={v.timeZone} onChange={(timeZone) => setV({ ...v, timeZone })} action={action} hint="Empty: the employer's" empty="The employer's" />
        <Field label="Prefers" name="preferredChannel" action={action}>
          {(p) => (
            <select {...p} value={v.preferredChannel} onChange={(x) => setV({ ...v, preferredChannel: x.target.value as typeof v.preferredChannel })}>
              <option value="email">Email</option>
              <option value="phone">Phone</option>
              <option value="linkedin">LinkedIn</option>
            </select>
          )}
        </Field>
      </div>
      <FormFooter action={action} shown={['name', 'title', 'email', 'phone', 'linkedinUrl', 'timeZone', 'preferredChannel']} submit="Save contact" onCancel={onCancel} />
    </form>
  );
}

function PositionForm({ employerId, p: pos, onDone, onCancel }: { employerId: string; p?: S['Position']; onDone: (what: string) => void; onCancel: () => void }) {
  const action = useAction();
  const panel = usePanel(onCancel);
  const [v, setV] = useState({ title: pos?.title ?? '', status: pos?.status ?? 'open', openings: String(pos?.openings ?? 1), targetFillDate: pos?.targetFillDate ?? '' });
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const body = { title: v.title, status: v.status, openings: Number(v.openings), targetFillDate: v.targetFillDate || null };
    const ok = await action.run(() =>
      pos
        ? call((x) => x.PATCH('/v1/positions/{id}', { params: { path: { id: pos.id }, header: ifMatch(pos.version) }, body }))
        : call((x) => x.POST('/v1/positions', { body: { employerId, ...body } })),
    );
    if (ok) {
      if (pos) forget(pos.id);
      onDone(pos ? `${v.title} saved.` : `${v.title} added.`);
    }
  };
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label={pos ? `Edit ${pos.title}` : 'New position'} {...panel}>
      <div className="row wrap">
        <Field label="Title" name="title" action={action}>
          {(p) => <input {...p} value={v.title} onChange={(x) => setV({ ...v, title: x.target.value })} />}
        </Field>
        <Field label="Status" name="status" action={action}>
          {(p) => (
            <select {...p} value={v.status} onChange={(x) => setV({ ...v, status: x.target.value as typeof v.status })}>
              {['open', 'on_hold', 'filled', 'closed'].map((k) => (
                <option key={k} value={k}>
                  {label(k)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Openings" name="openings" action={action}>
          {(p) => <input {...p} type="number" min={1} value={v.openings} onChange={(x) => setV({ ...v, openings: x.target.value })} />}
        </Field>
        <Field label="Fill by" name="targetFillDate" action={action}>
          {(p) => <input {...p} type="date" value={v.targetFillDate} onChange={(x) => setV({ ...v, targetFillDate: x.target.value })} />}
        </Field>
      </div>
      <FormFooter action={action} shown={['title', 'status', 'openings', 'targetFillDate']} submit="Save position" onCancel={onCancel} />
    </form>
  );
}
