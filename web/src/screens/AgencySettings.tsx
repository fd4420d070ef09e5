import { useState, type FormEvent } from 'react';
import { call, ifMatch, type S } from '../api';
import { DaysOff, type Holiday } from '../employerFields';
import { announce } from '../status';
import { ZoneField } from '../zoneField';
import { Field, FormFooter, Loaded, useAction, useLoad } from '../ui';

/** Settings › Agency (admins): the agency's name, time zone and days off (PATCH /v1/agency). */
export function AgencySettings() {
  const state = useLoad(() => call((c) => c.GET('/v1/agency')), []);
  return <Loaded state={state}>{(a) => <AgencyForm key={a.version} initial={a} onSaved={state.reload} />}</Loaded>;
}

function AgencyForm({ initial, onSaved }: { initial: S['AgencySettings']; onSaved: () => void }) {
  const action = useAction();
  const [v, setV] = useState({ name: initial.name, timeZone: initial.timeZone, holidays: initial.holidays as Holiday[] });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const saved = await action.run(() =>
      call((c) => c.PATCH('/v1/agency', { params: { header: ifMatch(initial.version) }, body: { name: v.name, timeZone: v.timeZone, holidays: v.holidays } })),
    );
    if (saved) {
      announce('Agency settings saved.');
      onSaved();
    }
  };
  return (
    <form className="card form" onSubmit={submit} noValidate aria-label="Agency settings">
      <div className="row wrap">
        <Field label="Agency name" name="name" action={action}>
          {(p) => <input {...p} value={v.name} onChange={(e) => setV({ ...v, name: e.target.value })} />}
        </Field>
        <ZoneField label="Agency time zone" value={v.timeZone} onChange={(timeZone) => setV({ ...v, timeZone })} action={action} hint="New employers’ and recruiters’ zone unless they have their own" />
      </div>
      <DaysOff
        value={v.holidays}
        onChange={(holidays) => setV({ ...v, holidays })}
        action={action}
        about="Follow-ups to employers and recruiters’ tasks are not planned on the agency’s days off"
        also=" Steps already planned keep their times; the next re-plan skips the new days."
      />
      <FormFooter action={action} shown={['name', 'timeZone', 'holidays']} submit="Save" />
    </form>
  );
}
