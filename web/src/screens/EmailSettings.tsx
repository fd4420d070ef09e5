import { useState, type FormEvent } from 'react';
import { all, call, type S } from '../api';
import { Confirm } from '../confirm';
import { Link } from '../router';
import { useSession } from '../session';
import { dateTime } from '../time';
import { Field, FormError, FormFooter, Loaded, label, useAction, useLoad } from '../ui';

type Settings = S['AgencyEmail'];

/**
 * Settings › Email (admins): the agency's own outgoing mail (docs/email.md). The password and the
 * DKIM key are write-only: never shown back, left empty to keep the saved ones. A test email
 * answers what the server said; removing goes back to the platform's sender. Below, the follow-ups
 * whose sending failed, with the server's answer.
 */
export default function EmailSettings() {
  const state = useLoad(() => call((c) => c.GET('/v1/agency/email')), []);
  return (
    <>
      <Loaded state={state}>{(saved) => <EmailForm saved={saved} onChange={state.reload} />}</Loaded>
      <DeliveryFailures />
    </>
  );
}

const blank = (s: Settings) => ({
  host: s.host ?? '',
  port: String(s.port ?? 587),
  tls: s.tls ?? 'starttls',
  username: s.username ?? '',
  password: '',
  domain: s.domain ?? '',
  fromAddress: s.fromAddress ?? '',
  fromName: s.fromName ?? '',
  sendAs: s.sendAs ?? 'agency',
  dkim: s.dkim !== null,
  selector: s.dkim?.selector ?? '',
  privateKey: '',
});

function EmailForm({ saved, onChange }: { saved: Settings; onChange: () => void }) {
  const [v, setV] = useState(() => blank(saved));
  const [done, setDone] = useState<string | null>(null);
  const action = useAction();
  const set = (p: Partial<typeof v>) => {
    setDone(null);
    setV({ ...v, ...p });
  };
  const dkim = () => {
    if (!v.dkim) return saved.dkim ? { dkim: null } : {};
    // An unchanged selector without a new key keeps the saved key; otherwise the API asks for one.
    if (saved.dkim && !v.privateKey && v.selector === saved.dkim.selector) return {};
    return { dkim: { selector: v.selector, privateKey: v.privateKey } };
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await action.run(() =>
      call((c) =>
        c.PUT('/v1/agency/email', {
          body: {
            host: v.host,
            port: Number(v.port),
            tls: v.tls,
            username: v.username.trim() || null,
            ...(v.password ? { password: v.password } : {}),
            domain: v.domain,
            fromAddress: v.fromAddress,
            fromName: v.fromName,
            sendAs: v.sendAs,
            ...dkim(),
          },
        }),
      ),
    );
    if (r) {
      // The secrets are sent once: the fields empty again ("leave empty to keep").
      setV((x) => ({ ...x, password: '', privateKey: '' }));
      onChange();
      setDone('Saved. Follow-ups and invites go out through it (workers pick it up within 30 s).');
    }
  };
  const remove = async () => {
    const r = await action.run(() => call((c) => c.DELETE('/v1/agency/email')));
    if (r) {
      // The form starts afresh, from the platform's sender.
      setV(blank(r));
      setDone(null);
      onChange();
    }
  };
  const fields = ['host', 'port', 'tls', 'username', 'password', 'domain', 'fromAddress', 'fromName', 'sendAs', 'dkim', 'dkim.selector', 'dkim.privateKey'];
  return (
    <>
      <p className="muted" data-testid="email-mode">
        {saved.configured
          ? `Email goes out through ${saved.host}:${saved.port} from ${saved.fromName} <${saved.fromAddress}>${saved.sendAs === 'recruiter' ? ', recruiters on the domain sending as themselves' : ''}.`
          : "No sender of the agency's own: email goes out from the platform's address under the agency's name, replies going to the recruiter."}
      </p>
      <form className="card form" onSubmit={submit} noValidate aria-label="Agency email">
        <h2>Outgoing mail server</h2>
        <div className="row wrap">
          <Field label="SMTP host" name="host" action={action}>
            {(p) => <input {...p} value={v.host} onChange={(e) => set({ host: e.target.value })} autoComplete="off" placeholder="smtp.agency.example" />}
          </Field>
          <Field label="Port" name="port" action={action}>
            {(p) => <input {...p} type="number" min={1} max={65535} value={v.port} onChange={(e) => set({ port: e.target.value })} />}
          </Field>
          <Field label="Security" name="tls" action={action}>
            {(p) => (
              <select {...p} value={v.tls} onChange={(e) => set({ tls: e.target.value as typeof v.tls })}>
                <option value="starttls">STARTTLS (usually port 587)</option>
                <option value="tls">TLS from the start (usually port 465)</option>
                <option value="none">None (a relay on a private network only)</option>
              </select>
            )}
          </Field>
        </div>
        <div className="row wrap">
          <Field label="User name" name="username" action={action} hint="Empty: the server takes mail without signing in">
            {(p) => <input {...p} value={v.username} onChange={(e) => set({ username: e.target.value })} autoComplete="off" />}
          </Field>
          <Field label="Password" name="password" action={action} hint={saved.hasPassword ? 'A password is saved: leave empty to keep it. It is never shown.' : 'Stored encrypted; never shown again.'}>
            {(p) => <input {...p} type="password" value={v.password} onChange={(e) => set({ password: e.target.value })} autoComplete="new-password" />}
          </Field>
        </div>
        <h2>Sender</h2>
        <div className="row wrap">
          <Field label="Sending domain" name="domain" action={action} hint="The From address, and recruiters sending as themselves, must be on it">
            {(p) => <input {...p} value={v.domain} onChange={(e) => set({ domain: e.target.value })} placeholder="agency.example" />}
          </Field>
          <Field label="From address" name="fromAddress" action={action}>
            {(p) => <input {...p} type="email" value={v.fromAddress} onChange={(e) => set({ fromAddress: e.target.value })} placeholder="recruiting@agency.example" />}
          </Field>
          <Field label="From name" name="fromName" action={action}>
            {(p) => <input {...p} value={v.fromName} onChange={(e) => set({ fromName: e.target.value })} />}
          </Field>
        </div>
        <fieldset>
          <legend>Send as</legend>
          <div className="checks">
            <label className="check">
              <input type="radio" name="sendAs" value="agency" checked={v.sendAs === 'agency'} onChange={() => set({ sendAs: 'agency' })} /> The agency, from the address above
            </label>
            <label className="check">
              <input type="radio" name="sendAs" value="recruiter" checked={v.sendAs === 'recruiter'} onChange={() => set({ sendAs: 'recruiter' })} /> Each recruiter, when their address is on the domain
            </label>
          </div>
          {action.field('sendAs') && <small className="field-error">{action.field('sendAs')}</small>}
        </fieldset>
        <fieldset>
          <legend>DKIM signing (optional)</legend>
          <label className="check">
            <input type="checkbox" checked={v.dkim} onChange={(e) => set({ dkim: e.target.checked })} /> Sign every message with DKIM (d= the domain above)
          </label>
          {v.dkim && (
            <div className="row wrap">
              <Field label="Selector" name="dkim.selector" action={action}>
                {(p) => <input {...p} value={v.selector} onChange={(e) => set({ selector: e.target.value })} placeholder="afterview" />}
              </Field>
              <Field
                label="Private key (PEM)"
                name="dkim.privateKey"
                action={action}
                hint={saved.dkim ? 'A key is saved: leave empty to keep it. It is never shown.' : 'RSA or Ed25519; stored encrypted, never shown again.'}
              >
                {(p) => <textarea {...p} rows={4} value={v.privateKey} onChange={(e) => set({ privateKey: e.target.value })} spellCheck={false} placeholder="-----BEGIN PRIVATE KEY-----" />}
              </Field>
            </div>
          )}
        </fieldset>
        <FormFooter action={action} shown={fields} submit="Save email settings">
          {done && <span role="status">{done}</span>}
          {saved.configured && (
            <Confirm
              trigger="Remove…"
              label="Remove the agency's email settings"
              question="Remove the agency's email settings?"
              detail="Email goes out from the platform's address again, under the agency's name. The saved password and DKIM key are deleted."
              confirm="Remove"
              onConfirm={remove}
              busy={action.busy}
              small={false}
            />
          )}
        </FormFooter>
      </form>
      {saved.configured && <TestEmail />}
    </>
  );
}

/** "Send a test email" through the saved settings: the server's answer, delivered or not. */
function TestEmail() {
  const s = useSession();
  const action = useAction();
  const [to, setTo] = useState('');
  const [result, setResult] = useState<S['AgencyEmailTestResult'] | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setResult(null);
    const r = await action.run(() => call((c) => c.POST('/v1/agency/email/test', { body: to.trim() ? { to: to.trim() } : {} })));
    if (r) setResult(r);
  };
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="Send a test email">
      <h2>Send a test email</h2>
      <Field label="To" name="to" action={action} hint={`Empty: to you (${s.user.email})`}>
        {(p) => <input {...p} type="email" value={to} onChange={(e) => setTo(e.target.value)} />}
      </Field>
      <FormFooter action={action} shown={['to']} submit="Send a test email" />
      <div role="status" data-testid="test-result">
        {result && (
          <p className={result.delivered ? 'ok' : 'form-error'}>
            {result.delivered ? `Delivered, from ${result.from}. The server answered: ` : `Not delivered, from ${result.from}. The server answered: `}
            <code>{result.response}</code>
          </p>
        )}
      </div>
    </form>
  );
}

/**
 * The agency's follow-ups whose sending failed (a refused login, TLS, a refused address), newest
 * first, with the server's answer: `GET /v1/follow-ups?status=failed`.
 */
function DeliveryFailures() {
  const s = useSession();
  const state = useLoad(async () => {
    const rows = await all((cursor) => call((c) => c.GET('/v1/follow-ups', { params: { query: { status: 'failed', limit: 100, ...(cursor ? { cursor } : {}) } } })), 500);
    return rows.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt)).slice(0, 20);
  }, []);
  return (
    <section className="card" aria-labelledby="failures-title" data-testid="delivery-failures">
      <h2 id="failures-title">Delivery failures</h2>
      <Loaded state={state} empty={(d) => d.length === 0 && 'No follow-up failed to send.'}>
        {(rows) => (
          <ul className="rows">
            {rows.map((f) => (
              <li key={f.id} className="row-item" data-testid="delivery-failure">
                <Link to={`/interviews/${f.interviewId}`} className="row-main">
                  <strong>
                    {label(f.kind)} to {f.recipient.name} · {f.vars.candidate ?? 'Candidate'}
                  </strong>
                  <span className="form-error">{f.lastError ?? 'Failed'}</span>
                  <span className="muted">
                    {dateTime(f.updatedAt, s.zone)} · {f.attempts} attempt{f.attempts === 1 ? '' : 's'}
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
