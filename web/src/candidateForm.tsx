import { useState, type FormEvent } from 'react';
import { call, ifMatch, type S } from './api';
import { useSession } from './session';
import { ZoneField } from './zoneField';
import { Field, FormFooter, useAction, usePanel } from './ui';

type Candidate = S['Candidate'];
const FIELDS = ['name', 'email', 'phone', 'linkedinUrl', 'timeZone', 'relayConsent', 'statusUpdatesOptIn', 'tags'];
const nullable = (v: string) => (v.trim() ? v.trim() : null);
/** "math, grade 5 ,, math" → ["math", "grade 5"]. */
export const splitTags = (v: string) => [...new Set(v.split(',').map((t) => t.trim()).filter(Boolean))];

/**
 * Adding a candidate (`c` absent) or editing one: the same fields. Consent starts unticked when
 * adding: the candidate gives it, the form does not assume it. Edits send `If-Match`; a 412 says
 * someone changed the candidate meanwhile. `onDone` gets the saved candidate.
 */
export function CandidateForm({ c, onDone, onCancel }: { c?: Candidate; onDone: (saved: Candidate) => void; onCancel: () => void }) {
  const s = useSession();
  const action = useAction();
  const panel = usePanel(onCancel);
  const [v, setV] = useState({
    name: c?.name ?? '',
    email: c?.email ?? '',
    phone: c?.phone ?? '',
    linkedinUrl: c?.linkedinUrl ?? '',
    timeZone: c?.timeZone ?? '',
    relayConsent: c?.relayConsent ?? false,
    statusUpdatesOptIn: c?.statusUpdatesOptIn ?? true,
    tags: c?.tags.join(', ') ?? '',
  });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      name: v.name,
      email: nullable(v.email),
      phone: nullable(v.phone),
      linkedinUrl: nullable(v.linkedinUrl),
      timeZone: nullable(v.timeZone),
      relayConsent: v.relayConsent,
      statusUpdatesOptIn: v.statusUpdatesOptIn,
      tags: splitTags(v.tags),
    };
    const saved = await action.run(() =>
      c
        ? call((x) => x.PATCH('/v1/candidates/{id}', { params: { path: { id: c.id }, header: ifMatch(c.version) }, body }))
        : call((x) => x.POST('/v1/candidates', { body: { ...body, overrideErasure: false } })),
    );
    if (saved) onDone(saved);
  };
  const text = (k: 'name' | 'email' | 'phone' | 'linkedinUrl' | 'tags', label: string, type: string, hint?: string) => (
    <Field label={label} name={k} action={action} {...(hint ? { hint } : {})}>
      {(p) => <input {...p} type={type} value={v[k]} onChange={(e) => setV({ ...v, [k]: e.target.value })} />}
    </Field>
  );
  const title = c ? `Edit ${c.name}` : 'New candidate';
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label={title} {...panel}>
      <h2>{title}</h2>
      <div className="row wrap">
        {text('name', 'Name', 'text')}
        {text('email', 'Email', 'email')}
        {text('phone', 'Phone', 'tel', 'Such as (212) 555-0123, or +44 20 7946 0958')}
        {text('linkedinUrl', 'LinkedIn', 'text', 'Such as linkedin.com/in/jordan-lee')}
        <ZoneField value={v.timeZone} onChange={(timeZone) => setV({ ...v, timeZone })} action={action} empty={`The agency's (${s.me.agency.timeZone})`} />
        {text('tags', 'Tags', 'text', 'Separated by commas')}
      </div>
      <div className="checks">
        <label className="check">
          <input type="checkbox" name="relayConsent" checked={v.relayConsent} onChange={(e) => setV({ ...v, relayConsent: e.target.checked })} /> The candidate agrees that we send notes on
          their behalf
        </label>
        <label className="check">
          <input type="checkbox" name="statusUpdatesOptIn" checked={v.statusUpdatesOptIn} onChange={(e) => setV({ ...v, statusUpdatesOptIn: e.target.checked })} /> Send them updates on
          their applications
        </label>
      </div>
      <FormFooter action={action} shown={FIELDS} submit={c ? 'Save' : 'Add'} onCancel={onCancel} />
    </form>
  );
}
