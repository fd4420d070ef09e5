import { useState, type FormEvent, type ReactNode } from 'react';
import { PASSWORD_HINT, ROLE_WITH_ARTICLE } from '../account';
import { call, session, type S } from '../api';
import { Link, navigate } from '../router';
import { Field, FormFooter, LoadError, Loading, useAction, useLoad } from '../ui';
import { ZoneField } from '../zoneField';

/**
 * The pages an email links to (accepting an invitation, resetting a password) and "forgot
 * password". The link's token is after `#token=`: the browser never sends it with the page
 * request, so it is in no server log; the page posts it.
 */
export default function AccountPage({ path }: { path: string }) {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  return (
    <main className="signin" id="main">
      {path === '/accept-invitation' && <AcceptInvitation token={token} />}
      {path === '/reset-password' && <ResetPassword token={token} />}
      {path === '/forgot-password' && <ForgotPassword />}
    </main>
  );
}

/** Signed in by the answer: the tokens kept, the link's token out of the address bar, on to Today. */
function signedIn(tokens: S['TokenResponse'], slug?: string) {
  session.set(tokens);
  if (slug) localStorage.setItem('afterview.agency', slug);
  navigate('/', true);
}

function Page({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="account" aria-labelledby="account-title">
      <h1 id="account-title">{title}</h1>
      {children}
    </section>
  );
}

function AcceptInvitation({ token }: { token: string }) {
  const offer = useLoad(() => call((c) => c.POST('/v1/auth/invitation', { body: { token } })), [token]);
  const action = useAction();
  const [v, setV] = useState({ name: '', password: '', timeZone: '' });
  if (offer.error) {
    return (
      <Page title="This invitation cannot be used">
        <LoadError error={offer.error} />
        <p>
          Ask the agency’s admin to send a new one, or <Link to="/">sign in</Link> if you have an account already.
        </p>
      </Page>
    );
  }
  if (!offer.data) return <Loading rows={3} />;
  const { agency, email, role } = offer.data;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = { token, name: v.name, password: v.password, ...(v.timeZone ? { timeZone: v.timeZone } : {}) };
    const tokens = await action.run(() => call((c) => c.POST('/v1/auth/accept-invitation', { body })));
    if (tokens) signedIn(tokens, agency.slug);
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="account-title">
      <h1 id="account-title">Join {agency.name}</h1>
      <p data-testid="invitation-offer">
        You are invited as {ROLE_WITH_ARTICLE[role]}. You will sign in to the agency <strong>{agency.slug}</strong> as <strong>{email}</strong>.
      </p>
      <Field label="Your name" name="name" action={action}>
        {(p) => <input {...p} value={v.name} onChange={(e) => setV({ ...v, name: e.target.value })} autoComplete="name" required />}
      </Field>
      <Field label="Choose a password" name="password" action={action} hint={PASSWORD_HINT}>
        {(p) => <input {...p} type="password" value={v.password} onChange={(e) => setV({ ...v, password: e.target.value })} autoComplete="new-password" required />}
      </Field>
      <ZoneField label="Your time zone" value={v.timeZone} onChange={(timeZone) => setV({ ...v, timeZone })} action={action} empty="The agency’s" />
      <FormFooter action={action} shown={['name', 'password', 'timeZone']} submit={action.busy ? 'Joining…' : 'Join and sign in'} />
    </form>
  );
}

function ResetPassword({ token }: { token: string }) {
  const action = useAction();
  const [password, setPassword] = useState('');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const tokens = await action.run(() => call((c) => c.POST('/v1/auth/reset-password', { body: { token, password } })));
    if (tokens) signedIn(tokens);
  };
  return (
    <form onSubmit={submit} noValidate aria-labelledby="account-title">
      <h1 id="account-title">Choose a new password</h1>
      <p className="muted">Saving it signs you out everywhere else.</p>
      <Field label="New password" name="password" action={action} hint={PASSWORD_HINT}>
        {(p) => <input {...p} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" required />}
      </Field>
      <FormFooter action={action} shown={['password']} submit={action.busy ? 'Saving…' : 'Save and sign in'} />
      {action.field('token') && (
        <p>
          <Link to="/forgot-password">Ask for a new link</Link>
        </p>
      )}
    </form>
  );
}

function ForgotPassword() {
  const action = useAction();
  const [agency, setAgency] = useState(() => localStorage.getItem('afterview.agency') ?? '');
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const res = await action.run(() => call((c) => c.POST('/v1/auth/forgot-password', { body: { agency: agency.trim(), email: email.trim() } })));
    if (res) setSent(res.detail);
  };
  if (sent) {
    return (
      <Page title="Check your email">
        <p role="status">{sent}</p>
        <Link to="/">Back to sign in</Link>
      </Page>
    );
  }
  return (
    <form onSubmit={submit} noValidate aria-labelledby="account-title">
      <h1 id="account-title">Reset your password</h1>
      <p className="muted">We email you a link to choose a new one.</p>
      <Field label="Agency" name="agency" action={action} hint="Your agency's short name, e.g. demo">
        {(p) => <input {...p} value={agency} onChange={(e) => setAgency(e.target.value)} autoComplete="organization" autoCapitalize="none" required />}
      </Field>
      <Field label="Email" name="email" action={action}>
        {(p) => <input {...p} type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="username" required />}
      </Field>
      <FormFooter action={action} shown={['agency', 'email']} submit={action.busy ? 'Sending…' : 'Email me a link'} />
      <p className="signin-more">
        <Link to="/">Back to sign in</Link>
      </p>
    </form>
  );
}
