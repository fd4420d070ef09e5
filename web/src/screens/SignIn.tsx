import { useState, type FormEvent } from 'react';
import { signIn } from '../session';
import { Link } from '../router';
import { Field, FormFooter, useAction } from '../ui';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const [agency, setAgency] = useState(() => localStorage.getItem('afterview.agency') ?? '');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await action.run(async () => {
      await signIn({ agency: agency.trim(), email: email.trim(), password });
      return true;
    });
    if (ok) {
      localStorage.setItem('afterview.agency', agency.trim());
      onSignedIn();
    }
  };
  return (
    <main className="signin" id="main">
      <form onSubmit={submit} aria-labelledby="signin-title" noValidate>
        <h1 id="signin-title">Sign in to Afterview</h1>
        <Field label="Agency" name="agency" action={action} hint="Your agency's short name, e.g. demo">
          {(p) => <input {...p} value={agency} onChange={(e) => setAgency(e.target.value)} autoComplete="organization" autoCapitalize="none" required />}
        </Field>
        <Field label="Email" name="email" action={action}>
          {(p) => <input {...p} type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="username" required />}
        </Field>
        <Field label="Password" name="password" action={action}>
          {(p) => <input {...p} type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="current-password" required />}
        </Field>
        <FormFooter action={action} shown={['agency', 'email', 'password']} submit={action.busy ? 'Signing in…' : 'Sign in'} />
        <p className="signin-more">
          <Link to="/forgot-password">Forgot your password?</Link>
        </p>
      </form>
    </main>
  );
}
