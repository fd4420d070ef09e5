import { lazy, Suspense, useState, type FormEvent } from 'react';
import { all, call, type S } from '../api';
import { Confirm } from '../confirm';
import { useSession } from '../session';
import { dateTime } from '../time';
import { Field, FormFooter, Loaded, Loading, label, useAction, useLoad } from '../ui';
import { AgencySettings } from './AgencySettings';
import { TemplatesSettings } from './TemplatesSettings';
import { UsersSettings } from './UsersSettings';
import { YouSettings } from './YouSettings';
import { WebhookEndpointsSettings } from './WebhookEndpointsSettings';

// Admins only, and rarely opened: its own chunk.
const EmailSettings = lazy(() => import('./EmailSettings'));

const tabs = [
  ['you', 'You'],
  ['agency', 'Agency'],
  ['playbook', 'Playbook'],
  ['users', 'Users and roles'],
  ['keys', 'API keys'],
  ['templates', 'Templates'],
  ['webhooks', 'Webhooks'],
  ['email', 'Email'],
] as const;

export default function Settings() {
  const s = useSession();
  const admin = s.can('admin');
  // Everyone changes their own settings and reads the agency's templates; the rest is for admins.
  const shown = admin ? tabs : tabs.filter(([k]) => k === 'you' || k === 'templates');
  const [tab, setTab] = useState<(typeof tabs)[number][0]>(shown[0]![0]);
  return (
    <section aria-labelledby="set-title">
      <h1 id="set-title">Settings</h1>
      {!admin && <p className="muted">Only admins change the agency's settings; here you change your own and read the wording the agency's follow-ups use.</p>}
      <div role="tablist" className="tabs" aria-label="Settings">
        {shown.map(([k, text]) => (
          <button key={k} type="button" role="tab" id={`tab-${k}`} aria-selected={tab === k} aria-controls={`panel-${k}`} onClick={() => setTab(k)}>
            {text}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'you' && <YouSettings />}
        {tab === 'agency' && <AgencySettings />}
        {tab === 'playbook' && <PlaybookSettings />}
        {tab === 'users' && <UsersSettings />}
        {tab === 'keys' && <KeysSettings />}
        {tab === 'templates' && <TemplatesSettings />}
        {tab === 'webhooks' && <WebhookEndpointsSettings />}
        {tab === 'email' && (
          <Suspense fallback={<Loading />}>
            <EmailSettings />
          </Suspense>
        )}
      </div>
    </section>
  );
}

type Playbook = S['Playbook'];
const sections: { key: Exclude<keyof Playbook, 'businessDays'>; title: string; fields: [string, string][] }[] = [
  { key: 'businessHours', title: 'Business hours', fields: [['start', 'Start'], ['end', 'End']] },
  { key: 'thankYou', title: 'Thank-you notes', fields: [['sameDayCutoff', 'Same day if the interview ends before'], ['sameDayDelayMinutes', 'Minutes after the end'], ['sameDayLatest', 'At the latest'], ['nextDayTime', 'Otherwise next business day at']] },
  { key: 'timelineRequest', title: 'Ask for the timeline', fields: [['afterBusinessDays', 'Business days after'], ['time', 'At']] },
  { key: 'recruiterCheckIn', title: 'Recruiter check-in', fields: [['afterBusinessDays', 'Business days after'], ['time', 'At']] },
  {
    key: 'statusCheck',
    title: 'Status checks',
    fields: [['beforeDecisionBusinessDays', 'Business days before the decision date'], ['defaultWindowBusinessDays', 'Without a date: business days after'], ['afterDateBusinessDays', 'Next check after (business days)'], ['maxChecks', 'At most'], ['time', 'At']],
  },
  { key: 'postDecisionThanks', title: 'Thanks after a decision', fields: [['afterBusinessDays', 'Business days after'], ['time', 'At']] },
  { key: 'candidateQuietHours', title: 'Candidate quiet hours', fields: [['start', 'From'], ['end', 'Until']] },
];
const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function PlaybookSettings() {
  const state = useLoad(() => call((c) => c.GET('/v1/playbook')), []);
  return <Loaded state={state}>{(p) => <PlaybookForm initial={p} />}</Loaded>;
}

function PlaybookForm({ initial }: { initial: Playbook }) {
  const [p, setP] = useState<Playbook>(initial);
  const [saved, setSaved] = useState(false);
  const action = useAction();
  const setField = (sec: string, k: string, v: string | number) => {
    setSaved(false);
    setP((x) => ({ ...x, [sec]: { ...(x as unknown as Record<string, Record<string, unknown>>)[sec], [k]: v } }));
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await action.run(() => call((c) => c.PUT('/v1/playbook', { body: p })));
    if (r) {
      setP(r);
      setSaved(true);
    }
  };
  return (
    <form className="form" onSubmit={submit} noValidate>
      <fieldset>
        <legend>Business days</legend>
        <div className="row wrap">
          {DAYS.map((d, i) => (
            <label key={d} className="check">
              <input
                type="checkbox"
                checked={p.businessDays.includes(i + 1)}
                onChange={(e) => setP({ ...p, businessDays: e.target.checked ? [...p.businessDays, i + 1].sort() : p.businessDays.filter((x) => x !== i + 1) })}
              />{' '}
              {d}
            </label>
          ))}
        </div>
        {action.field('businessDays') && <small className="field-error">{action.field('businessDays')}</small>}
      </fieldset>
      {sections.map((sec) => (
        <fieldset key={sec.key}>
          <legend>{sec.title}</legend>
          <div className="row wrap">
            {sec.fields.map(([k, text]) => {
              const v = (p[sec.key] as Record<string, string | number>)[k];
              const numeric = typeof v === 'number';
              return (
                <Field key={k} label={text} name={`${sec.key}.${k}`} action={action}>
                  {(q) => <input {...q} type={numeric ? 'number' : 'time'} value={v ?? ''} onChange={(e) => setField(sec.key, k, numeric ? Number(e.target.value) : e.target.value)} />}
                </Field>
              );
            })}
          </div>
        </fieldset>
      ))}
      <FormFooter action={action} shown={['businessDays', ...sections.flatMap((s) => s.fields.map(([k]) => `${s.key}.${k}`))]} submit="Save playbook">
        {saved && <span role="status">Saved. New timings apply from each interview's next re-plan.</span>}
      </FormFooter>
    </form>
  );
}

// Typed against the API's list: a scope added, renamed or removed there fails the typecheck here.
type Scope = S['ApiKey']['scopes'][number];
const SCOPE_SET = {
  'agency:read': true, 'users:read': true,
  'employers:read': true, 'employers:write': true,
  'candidates:read': true, 'candidates:write': true, 'candidates:privacy': true,
  'interviews:read': true, 'interviews:write': true,
  'followups:read': true, 'followups:write': true,
  'activity:read': true, 'events:read': true,
  'external_ids:read': true, 'external_ids:write': true,
  'reports:read': true,
  'webhooks:read': true, 'webhooks:write': true,
} satisfies Record<Scope, true>;
const SCOPES = Object.keys(SCOPE_SET) as Scope[];

function KeysSettings() {
  const s = useSession();
  const state = useLoad(() => all((cursor) => call((c) => c.GET('/v1/api-keys', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }))), []);
  const action = useAction();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<S['ApiKey']['scopes']>([]);
  const [secret, setSecret] = useState<string | null>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const k = await action.run(() => call((c) => c.POST('/v1/api-keys', { body: { name, scopes } })));
    if (k) {
      setSecret(k.secret);
      setName('');
      setScopes([]);
      state.reload();
    }
  };
  const revoke = async (id: string) => {
    if (await action.run(() => call((c) => c.DELETE('/v1/api-keys/{id}', { params: { path: { id } } })).then(() => true))) state.reload();
  };
  return (
    <>
      {secret && (
        <div className="card secret" role="status">
          <p>
            <strong>Copy this key now: it is not shown again.</strong>
          </p>
          <code data-testid="api-key-secret">{secret}</code>
          <div className="row">
            <button type="button" className="small" onClick={() => void navigator.clipboard?.writeText(secret)}>
              Copy
            </button>
            <button type="button" className="small" onClick={() => setSecret(null)}>
              I have saved it
            </button>
          </div>
        </div>
      )}
      <Loaded state={state} empty={(d) => d.length === 0 && 'No API keys yet.'}>
        {(keys) => (
          <ul className="rows">
            {keys.map((k) => (
              <li key={k.id} className="row-item">
                <span className="row-main">
                  <strong>{k.name}</strong>
                  <span className="muted">
                    {k.prefix}… · {k.scopes.join(', ')} · {k.lastUsedAt ? `last used ${dateTime(k.lastUsedAt, s.zone)}` : 'never used'}
                  </span>
                </span>
                <Confirm
                  trigger="Revoke…"
                  label={`Revoke the key ${k.name}`}
                  question={`Revoke the key ${k.name}?`}
                  detail="Every program using it is refused from then on. This cannot be undone: a new key would have a new secret."
                  confirm="Revoke"
                  onConfirm={() => revoke(k.id)}
                  busy={action.busy}
                />
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      <form className="card form" onSubmit={create} noValidate>
        <h2>New API key</h2>
        <Field label="Name" name="name" action={action}>
          {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
        </Field>
        <fieldset>
          <legend>Scopes</legend>
          <div className="row wrap">
            {SCOPES.map((sc) => (
              <label key={sc} className="check">
                <input type="checkbox" checked={scopes.includes(sc)} onChange={(e) => setScopes(e.target.checked ? [...scopes, sc] : scopes.filter((x) => x !== sc))} /> {sc}
              </label>
            ))}
          </div>
          {action.field('scopes') && <small className="field-error">{action.field('scopes')}</small>}
        </fieldset>
        <FormFooter action={action} shown={['name', 'scopes']} submit="Create key" />
      </form>
    </>
  );
}
