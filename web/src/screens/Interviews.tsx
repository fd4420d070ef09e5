import { useState, type FormEvent } from 'react';
import { all, call, type S } from '../api';
import { NameOf, getEmployer, getPosition, listEmployers, listUsers } from '../cache';
import { Link, navigate } from '../router';
import { ListHead } from '../lists';
import { announce } from '../status';
import { useSession } from '../session';
import { dateTime, isoToZoned, time, zonedToIso, zoneName } from '../time';
import { Badge, Field, FormFooter, Loaded, label, useAction, useLoad, usePanel } from '../ui';
import { ZoneField } from '../zoneField';


export default function Interviews() {
  const s = useSession();
  const weekAgo = isoToZoned(new Date(Date.now() - 7 * 86_400_000).toISOString(), s.zone).day;
  const [f, setF] = useState({ from: weekAgo, to: '', employerId: '', recruiterId: '', status: '' });
  const [scheduling, setScheduling] = useState(false);
  // The filters' lists, once per session; the employers' names come from the same list.
  const lists = useLoad(() => Promise.all([listEmployers(), listUsers()]), []);
  const action = useAction();
  const state = useLoad(async () => {
    const query = {
      limit: 100,
      ...(f.from ? { from: zonedToIso(f.from, '00:00', s.zone) } : {}),
      ...(f.to ? { to: zonedToIso(f.to, '23:59', s.zone) } : {}),
      ...(f.employerId ? { employerId: f.employerId } : {}),
      ...(f.recruiterId ? { recruiterId: f.recruiterId } : {}),
      ...(f.status ? { status: f.status as S['Interview']['status'] } : {}),
    };
    // Each row carries its candidate's, position's and employer's names: no call per row.
    const r = await action.run(() => call((c) => c.GET('/v1/interviews', { params: { query } })));
    return r?.data ?? [];
  }, [f.from, f.to, f.employerId, f.recruiterId, f.status, s.zone]);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const [employers, users] = lists.data ?? [[], []];

  return (
    <section aria-labelledby="iv-title">
      <ListHead id="iv-title" title="Interviews" canAdd={s.can('recruiter')} adding={scheduling} addLabel="Schedule an interview" onAdd={() => setScheduling(true)} />
      {scheduling && <ScheduleForm onCancel={() => setScheduling(false)} />}
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter interviews">
        <Field label="From" name="from" action={action}>
          {(p) => <input {...p} type="date" value={f.from} onChange={set('from')} />}
        </Field>
        <Field label="To" name="to" action={action}>
          {(p) => <input {...p} type="date" value={f.to} onChange={set('to')} />}
        </Field>
        <Field label="Employer" name="employerId">
          {(p) => (
            <select {...p} value={f.employerId} onChange={set('employerId')}>
              <option value="">All</option>
              {employers.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Recruiter" name="recruiterId">
          {(p) => (
            <select {...p} value={f.recruiterId} onChange={set('recruiterId')}>
              <option value="">Everyone</option>
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Status" name="status">
          {(p) => (
            <select {...p} value={f.status} onChange={set('status')}>
              <option value="">Any</option>
              {['scheduled', 'completed', 'cancelled', 'no_show'].map((v) => (
                <option key={v} value={v}>
                  {label(v)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </form>
      <Loaded state={state} empty={(d) => d.length === 0 && 'No interviews match these filters.'}>
        {(rows) => (
          <ul className="rows">
            {rows.map((iv) => (
              <li key={iv.id} className="row-item" data-testid="interview-row">
                <Link to={`/interviews/${iv.id}`} className="row-main">
                  <span className="when">
                    {dateTime(iv.startsAt, s.zone)}–{time(iv.endsAt, s.zone)}
                  </span>
                  <strong>{iv.candidateName}</strong>
                  <span className="muted">
                    {iv.positionTitle} · {iv.employerName}
                  </span>
                </Link>
                <span>
                  {label(iv.format)} <Badge value={iv.status} />
                </span>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </section>
  );
}

type Participant = { contactId: string; role: 'interviewer' | 'hiring_manager' | 'coordinator'; highlight?: string };

/** Schedule: candidate → application (its position) → participants from the employer's (and its district's) contacts → time in a zone. */
function ScheduleForm({ onCancel }: { onCancel: () => void }) {
  const s = useSession();
  const [q, setQ] = useState('');
  const [candidate, setCandidate] = useState<S['Candidate'] | null>(null);
  const [applicationId, setApplicationId] = useState('');
  const [participants, setParticipants] = useState<Participant[]>([]);
  const tomorrow = isoToZoned(new Date(Date.now() + 86_400_000).toISOString(), s.zone).day;
  const [v, setV] = useState({ day: tomorrow, start: '10:00', end: '11:00', timeZone: '', format: 'onsite', arrangedVia: 'email', location: '' });
  const action = useAction();
  const panel = usePanel(onCancel);
  const found = useLoad(async () => (q.trim().length < 2 ? [] : (await call((c) => c.GET('/v1/candidates', { params: { query: { q: q.trim(), limit: 8 } } }))).data), [q]);
  const apps = useLoad(async () => {
    if (!candidate) return [];
    const list = (await call((c) => c.GET('/v1/applications', { params: { query: { candidateId: candidate.id, limit: 100 } } }))).data;
    const open = list.filter((a) => !['hired', 'rejected', 'withdrawn'].includes(a.stage));
    return Promise.all(open.map(async (a) => ({ ...a, position: await getPosition(a.positionId), employer: await getEmployer((await getPosition(a.positionId)).employerId) })));
  }, [candidate?.id]);
  const contacts = useLoad(async () => {
    const app = apps.data?.find((a) => a.id === applicationId);
    if (!app) return { employer: null, contacts: [] as S['Contact'][] };
    const position = await getPosition(app.positionId);
    const employer = await getEmployer(position.employerId);
    const ids = [employer.id, ...(employer.parentId ? [employer.parentId] : [])];
    const lists = await Promise.all(ids.map((id) => call((c) => c.GET('/v1/employers/{id}/contacts', { params: { path: { id }, query: { limit: 100 } } }))));
    setV((x) => ({ ...x, timeZone: x.timeZone || employer.timeZone }));
    return { employer, contacts: lists.flatMap((l) => l.data) };
  }, [applicationId, apps.data]);
  const zone = v.timeZone || s.zone;
  const toggle = (contactId: string, on: boolean) => setParticipants((p) => (on ? [...p, { contactId, role: 'interviewer' }] : p.filter((x) => x.contactId !== contactId)));
  const setRole = (contactId: string, role: Participant['role']) => setParticipants((p) => p.map((x) => (x.contactId === contactId ? { ...x, role } : x)));
  const set = (k: keyof typeof v) => (e: { target: { value: string } }) => setV({ ...v, [k]: e.target.value });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const created = await action.run(() =>
      call((c) =>
        c.POST('/v1/interviews', {
          body: {
            applicationId,
            format: v.format as 'onsite',
            arrangedVia: v.arrangedVia as 'email',
            startsAt: zonedToIso(v.day, v.start, zone),
            endsAt: zonedToIso(v.day, v.end, zone),
            timeZone: zone,
            ...(v.location.trim() ? { location: v.location.trim() } : {}),
            participants,
          },
        }),
      ),
    );
    if (created) {
      navigate(`/interviews/${created.id}`);
      announce('Interview scheduled.');
    }
  };
  return (
    <form className="card form" onSubmit={submit} aria-labelledby="schedule-title" {...panel}>
      <h2 id="schedule-title">Schedule an interview</h2>
      {!candidate ? (
        <Field label="Candidate" name="candidate" hint="Type two letters of a name or email">
          {(p) => <input {...p} type="search" value={q} onChange={(e) => setQ(e.target.value)} autoFocus autoComplete="off" />}
        </Field>
      ) : (
        <p>
          Candidate: <strong>{candidate.name}</strong>{' '}
          <button type="button" className="link" onClick={() => (setCandidate(null), setApplicationId(''), setParticipants([]))}>
            change
          </button>
        </p>
      )}
      {!candidate && q.trim().length >= 2 && (
        <ul className="picker" aria-label="Matching candidates">
          {(found.data ?? []).map((c) => (
            <li key={c.id}>
              <button type="button" onClick={() => setCandidate(c)}>
                {c.name} <span className="muted">{c.email}</span>
              </button>
            </li>
          ))}
          {found.data?.length === 0 && <li className="muted">No candidate matches.</li>}
        </ul>
      )}
      {candidate && (
        <Field label="Application (position)" name="applicationId" action={action}>
          {(p) => (
            <select {...p} value={applicationId} onChange={(e) => (setApplicationId(e.target.value), setParticipants([]))} required>
              <option value="">Choose…</option>
              {(apps.data ?? []).map((a) => (
                <option key={a.id} value={a.id}>
                  {a.position.title} at {a.employer.name} ({label(a.stage)})
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      {candidate && apps.data && apps.data.length === 0 && <p className="muted">No application yet: add one from the candidate's page.</p>}
      {applicationId && (
        <fieldset className="participants">
          <legend>Participants</legend>
          {contacts.data?.contacts.length === 0 && <p className="muted">The employer has no contacts yet.</p>}
          {(contacts.data?.contacts ?? []).map((ct) => {
            const on = participants.find((p) => p.contactId === ct.id);
            const i = participants.findIndex((p) => p.contactId === ct.id);
            return (
              <div key={ct.id} className="participant">
                <label>
                  <input type="checkbox" checked={Boolean(on)} onChange={(e) => toggle(ct.id, e.target.checked)} /> {ct.name}
                  <span className="muted"> {ct.title ?? ''}</span>
                </label>
                {on && (
                  <select aria-label={`Role of ${ct.name}`} value={on.role} onChange={(e) => setRole(ct.id, e.target.value as Participant['role'])}>
                    <option value="interviewer">Interviewer</option>
                    <option value="hiring_manager">Hiring manager</option>
                    <option value="coordinator">Coordinator</option>
                  </select>
                )}
                {i >= 0 && action.field(`participants.${i}.contactId`) && <small className="field-error">{action.field(`participants.${i}.contactId`)}</small>}
              </div>
            );
          })}
          {action.field('participants') && <small className="field-error">{action.field('participants')}</small>}
        </fieldset>
      )}
      <div className="row wrap">
        <Field label="Day" name="startsAt" action={action}>
          {(p) => <input {...p} type="date" value={v.day} onChange={set('day')} required />}
        </Field>
        <Field label="Starts" name="startsAt.time">
          {(p) => <input {...p} type="time" value={v.start} onChange={set('start')} required />}
        </Field>
        <Field label="Ends" name="endsAt" action={action}>
          {(p) => <input {...p} type="time" value={v.end} onChange={set('end')} required />}
        </Field>
        <ZoneField value={zone} onChange={(timeZone) => setV({ ...v, timeZone })} action={action} hint={`Times are ${zoneName(zone)} time`} also={[s.zone, ...(contacts.data?.employer ? [contacts.data.employer.timeZone] : [])]} />
      </div>
      <div className="row wrap">
        <Field label="Format" name="format" action={action}>
          {(p) => (
            <select {...p} value={v.format} onChange={set('format')}>
              <option value="onsite">Onsite</option>
              <option value="video">Video</option>
              <option value="phone">Phone</option>
            </select>
          )}
        </Field>
        <Field label="Arranged via" name="arrangedVia" action={action} hint="Phone: the follow-ups become calls">
          {(p) => (
            <select {...p} value={v.arrangedVia} onChange={set('arrangedVia')}>
              <option value="email">Email</option>
              <option value="phone">Phone</option>
            </select>
          )}
        </Field>
        <Field label="Location" name="location" action={action}>
          {(p) => <input {...p} value={v.location} onChange={set('location')} />}
        </Field>
      </div>
      <FormFooter action={action} shown={['applicationId', 'startsAt', 'endsAt', 'timeZone', 'format', 'arrangedVia', 'location', 'participants', ...participants.map((_, i) => `participants.${i}.contactId`)]} submit="Schedule" disabled={!applicationId} onCancel={onCancel} />
    </form>
  );
}

