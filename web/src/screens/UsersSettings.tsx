import { useState, type FormEvent } from 'react';
import { all, call, type S } from '../api';
import { forgetLists } from '../cache';
import { Confirm } from '../confirm';
import { useSession } from '../session';
import { dateTime } from '../time';
import { Field, FormError, FormFooter, Loaded, label, useAction, useLoad, type Loadable } from '../ui';

const ROLES = ['viewer', 'recruiter', 'admin', 'owner'] as const;

/** Settings › Users and roles (admins): the team, their roles and sessions, and invitations. */
export function UsersSettings() {
  const s = useSession();
  const state = useLoad(() => all((cursor) => call((c) => c.GET('/v1/users', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }))), []);
  const invitations = useLoad(() => all((cursor) => call((c) => c.GET('/v1/invitations', { params: { query: { limit: 100, status: 'pending', ...(cursor ? { cursor } : {}) } } }))), []);
  const action = useAction();
  const [note, setNote] = useState<string | null>(null);
  const update = async (u: S['User'], body: S['UpdateUserRequestInput']) => {
    if (await action.run(() => call((c) => c.PATCH('/v1/users/{id}', { params: { path: { id: u.id }, header: { 'if-match': `"${u.version}"` } }, body })))) {
      forgetLists();
      state.reload();
    }
  };
  const endSessions = async (u: S['User']) => {
    const r = await action.run(() => call((c) => c.DELETE('/v1/users/{id}/sessions', { params: { path: { id: u.id } } })));
    if (r) setNote(`${u.name} was signed out of ${r.ended} ${r.ended === 1 ? 'session' : 'sessions'}.`);
  };
  const mayChange = (u: S['User']) => u.role !== 'owner' || s.can('owner');
  return (
    <>
      <Loaded state={state}>
        {(users) => (
          <table className="table stack" aria-label="Users">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Sessions</th>
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id}>
                  <td data-label="Name">{u.name}</td>
                  <td data-label="Email">{u.email}</td>
                  <td data-label="Role">
                    <select aria-label={`Role of ${u.name}`} value={u.role} disabled={!mayChange(u)} onChange={(e) => void update(u, { role: e.target.value as 'viewer' })}>
                      {ROLES.filter((r) => r !== 'owner' || s.can('owner') || u.role === 'owner').map((r) => (
                        <option key={r} value={r}>
                          {label(r)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td data-label="Status">
                    {u.id === s.user.id ? (
                      label(u.status)
                    ) : (
                      u.status === 'active' ? (
                        <Confirm
                          trigger="Deactivate…"
                          label={`Deactivate ${u.name}`}
                          question={`Deactivate ${u.name}?`}
                          detail="They are signed out and cannot sign in until an admin reactivates them."
                          confirm="Deactivate"
                          onConfirm={() => update(u, { status: 'deactivated' })}
                          busy={action.busy}
                        />
                      ) : (
                        <button type="button" className="small" onClick={() => void update(u, { status: 'active' })} aria-label={`Reactivate ${u.name}`}>
                          Reactivate
                        </button>
                      )
                    )}
                  </td>
                  <td data-label="Sessions">
                    {u.id !== s.user.id && u.status === 'active' && mayChange(u) && (
                      <Confirm trigger="Sign out everywhere…" question={`Sign ${u.name} out everywhere?`} confirm="Sign out" onConfirm={() => endSessions(u)} busy={action.busy} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
      <FormError action={action} />
      {note && <p role="status">{note}</p>}
      <Invitations state={invitations} />
      <InviteForm onInvited={invitations.reload} />
    </>
  );
}

/** Pending invitations: sent again with a new link, or withdrawn. */
function Invitations({ state }: { state: Loadable<S['Invitation'][]> }) {
  const s = useSession();
  const action = useAction();
  const resend = async (id: string) => {
    if (await action.run(() => call((c) => c.POST('/v1/invitations/{id}/resend', { params: { path: { id } } })))) state.reload();
  };
  const withdraw = async (id: string) => {
    if (await action.run(() => call((c) => c.DELETE('/v1/invitations/{id}', { params: { path: { id } } })).then(() => true))) state.reload();
  };
  return (
    <section className="card" aria-labelledby="invitations-title">
      <h2 id="invitations-title">Pending invitations</h2>
      <Loaded state={state} empty={(d) => d.length === 0 && 'No one is waiting to join.'}>
        {(list) => (
          <ul className="rows" data-testid="invitations">
            {list.map((i) => (
              <li key={i.id} className="row-item" data-testid="invitation">
                <span className="row-main">
                  <strong>{i.email}</strong>
                  <span className="muted">
                    {label(i.role)} · link valid until {dateTime(i.expiresAt, s.zone)}
                    {i.emailError ? ` · the email could not be sent (${i.emailError})` : i.lastSentAt ? ` · sent ${dateTime(i.lastSentAt, s.zone)}` : ''}
                  </span>
                </span>
                <span className="row">
                  <button type="button" className="small" onClick={() => void resend(i.id)} disabled={action.busy}>
                    Resend
                  </button>
                  <Confirm trigger="Withdraw…" question={`Withdraw the invitation of ${i.email}?`} confirm="Withdraw" onConfirm={() => withdraw(i.id)} busy={action.busy} />
                </span>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      <FormError action={action} />
    </section>
  );
}

/** Invite by email and role: they choose their own name and password from the emailed link. */
function InviteForm({ onInvited }: { onInvited: () => void }) {
  const s = useSession();
  const action = useAction();
  const [v, setV] = useState({ email: '', role: 'recruiter' as S['Invitation']['role'] });
  const [sent, setSent] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setSent(null);
    const i = await action.run(() => call((c) => c.POST('/v1/invitations', { body: v })));
    if (i) {
      setSent(i.emailError ? `Invitation saved, but the email could not be sent: ${i.emailError}. Resend it once mail works.` : `Invitation sent to ${i.email}.`);
      setV({ email: '', role: 'recruiter' });
      onInvited();
    }
  };
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="Invite someone">
      <h2>Invite someone</h2>
      <p className="muted">They get an email with a link, valid 72 hours, to choose their name and password.</p>
      <div className="row wrap">
        <Field label="Email" name="email" action={action}>
          {(p) => <input {...p} type="email" value={v.email} onChange={(e) => setV({ ...v, email: e.target.value })} />}
        </Field>
        <Field label="Role" name="role" action={action}>
          {(p) => (
            <select {...p} value={v.role} onChange={(e) => setV({ ...v, role: e.target.value as typeof v.role })}>
              {ROLES.filter((r) => r !== 'owner' || s.can('owner')).map((r) => (
                <option key={r} value={r}>
                  {label(r)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <FormFooter action={action} shown={['email', 'role']} submit="Send invitation">
        {sent && <span role="status">{sent}</span>}
      </FormFooter>
    </form>
  );
}
