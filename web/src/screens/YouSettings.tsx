import { useState, type FormEvent } from 'react';
import { device, PASSWORD_HINT } from '../account';
import { all, call, ifMatch, type S } from '../api';
import { Confirm } from '../confirm';
import { useSession } from '../session';
import { dateTime } from '../time';
import { ZoneField } from '../zoneField';
import { Field, FormError, FormFooter, Loaded, useAction, useLoad, type Loadable } from '../ui';

/** Settings › You: the signed-in user's own name, zone and digest, where they are signed in, and their password. */
export function YouSettings() {
  const sessions = useLoad(() => all((cursor) => call((c) => c.GET('/v1/me/sessions', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }))), []);
  return (
    <>
      <Profile />
      <Sessions state={sessions} />
      <ChangePassword onChanged={sessions.reload} />
    </>
  );
}

/** Name, time zone and daily digest (PATCH /v1/me). */
function Profile() {
  const s = useSession();
  const action = useAction();
  const [v, setV] = useState({ name: s.user.name, timeZone: s.user.timeZone ?? '', dailyDigest: s.user.dailyDigest });
  const [saved, setSaved] = useState(false);
  // An edit after a save makes its "Saved" stale.
  const change = (p: Partial<typeof v>) => {
    setSaved(false);
    setV({ ...v, ...p });
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const user = await action.run(() =>
      call((c) =>
        c.PATCH('/v1/me', {
          params: { header: ifMatch(s.user.version) },
          body: { name: v.name, timeZone: v.timeZone || null, dailyDigest: v.dailyDigest },
        }),
      ),
    );
    if (user) {
      s.setUser(user);
      setSaved(true);
    }
  };
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="Your settings">
      <div className="row wrap">
        <Field label="Your name" name="name" action={action}>
          {(p) => <input {...p} value={v.name} onChange={(e) => change({ name: e.target.value })} />}
        </Field>
        <ZoneField label="Your time zone" value={v.timeZone} onChange={(timeZone) => change({ timeZone })} action={action} hint="Empty: the agency's" empty={`The agency's (${s.me.agency.timeZone})`} />
      </div>
      {s.can('recruiter') && (
        <label className="check">
          <input type="checkbox" checked={v.dailyDigest} onChange={(e) => change({ dailyDigest: e.target.checked })} /> Email me my follow-ups at 07:30 each
          morning
        </label>
      )}
      <FormFooter action={action} shown={['name', 'timeZone', 'dailyDigest']} submit="Save">
        {saved && <span role="status">Saved</span>}
      </FormFooter>
    </form>
  );
}

/** Where you are signed in: each other session can be signed out, or all of them at once. */
function Sessions({ state }: { state: Loadable<S['Session'][]> }) {
  const s = useSession();
  const action = useAction();
  const [note, setNote] = useState<string | null>(null);
  const end = async (id: string) => {
    setNote(null);
    if (await action.run(() => call((c) => c.DELETE('/v1/me/sessions/{id}', { params: { path: { id } } })).then(() => true))) state.reload();
  };
  const endOthers = async () => {
    const r = await action.run(() => call((c) => c.DELETE('/v1/me/sessions')));
    if (r) {
      setNote(`Signed out of ${r.ended} other ${r.ended === 1 ? 'session' : 'sessions'}.`);
      state.reload();
    }
  };
  return (
    <section className="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Where you are signed in</h2>
      <Loaded state={state}>
        {(sessions) => (
          <>
            <ul className="rows" data-testid="sessions">
              {sessions.map((x) => (
                <li key={x.id} className="row-item" data-testid="session">
                  <span className="row-main">
                    <strong title={x.userAgent ?? undefined}>{device(x.userAgent)}</strong>
                    <span className="muted">
                      {x.ipAddress ?? 'address unknown'} · signed in {dateTime(x.createdAt, s.zone)} · last active {dateTime(x.lastUsedAt, s.zone)}
                    </span>
                  </span>
                  {x.current ? (
                    <span className="badge badge-open">This session</span>
                  ) : (
                    <button type="button" className="small" onClick={() => void end(x.id)} disabled={action.busy}>
                      Sign out
                    </button>
                  )}
                </li>
              ))}
            </ul>
            {sessions.some((x) => !x.current) && (
              <Confirm trigger="Sign out everywhere else…" question="Sign out of every other session?" confirm="Sign out everywhere else" onConfirm={endOthers} busy={action.busy} />
            )}
          </>
        )}
      </Loaded>
      <FormError action={action} />
      {note && <p role="status">{note}</p>}
    </section>
  );
}

/** PATCH /v1/me/password: this session stays signed in, the others end. */
function ChangePassword({ onChanged }: { onChanged: () => void }) {
  const action = useAction();
  const [v, setV] = useState({ currentPassword: '', newPassword: '' });
  const [done, setDone] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setDone(null);
    const r = await action.run(() => call((c) => c.PATCH('/v1/me/password', { body: v })));
    if (r) {
      setV({ currentPassword: '', newPassword: '' });
      setDone(`Password changed.${r.sessionsEnded ? ` ${r.sessionsEnded} other ${r.sessionsEnded === 1 ? 'session was' : 'sessions were'} signed out.` : ''}`);
      onChanged();
    }
  };
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="Change your password">
      <h2>Change your password</h2>
      <div className="row wrap">
        <Field label="Current password" name="currentPassword" action={action}>
          {(p) => <input {...p} type="password" autoComplete="current-password" value={v.currentPassword} onChange={(e) => setV({ ...v, currentPassword: e.target.value })} />}
        </Field>
        <Field label="New password" name="newPassword" action={action} hint={PASSWORD_HINT}>
          {(p) => <input {...p} type="password" autoComplete="new-password" value={v.newPassword} onChange={(e) => setV({ ...v, newPassword: e.target.value })} />}
        </Field>
      </div>
      <FormFooter action={action} shown={['currentPassword', 'newPassword']} submit="Change password">
        {done && <span role="status">{done}</span>}
      </FormFooter>
    </form>
  );
}
