import { ZoneField } from './zoneField';
import { listEmployers } from './cache';
import { Field, label, useLoad, type Action } from './ui';

type Basics = { name: string; kind: string; timeZone: string; parentId: string };

/**
 * The name, kind, district and time zone fields that adding and editing an employer share. A
 * district has no district above it; anything else may sit under one (a school under its
 * district: the district's contacts are then offered as participants, its days off apply too).
 */
export function EmployerBasics<V extends Basics>({ v, setV, action, self }: { v: V; setV: (v: V) => void; action: Action; self?: string }) {
  const employers = useLoad(listEmployers, []);
  const districts = (employers.data ?? []).filter((e) => e.kind === 'district' && e.id !== self);
  return (
    <>
      <Field label="Name" name="name" action={action}>
        {(p) => <input {...p} value={v.name} onChange={(e) => setV({ ...v, name: e.target.value })} />}
      </Field>
      <Field label="Kind" name="kind" action={action}>
        {(p) => (
          <select {...p} value={v.kind} onChange={(e) => setV({ ...v, kind: e.target.value, ...(e.target.value === 'district' ? { parentId: '' } : {}) })}>
            {['district', 'school', 'company', 'other'].map((k) => (
              <option key={k} value={k}>
                {label(k)}
              </option>
            ))}
          </select>
        )}
      </Field>
      {v.kind !== 'district' && (
        <Field label="District" name="parentId" action={action}>
          {(p) => (
            <select
              {...p}
              value={v.parentId}
              onChange={(e) => {
                const district = districts.find((d) => d.id === e.target.value);
                // A school keeps its district's clock unless told otherwise.
                setV({ ...v, parentId: e.target.value, ...(district && !self ? { timeZone: district.timeZone } : {}) });
              }}
            >
              <option value="">None</option>
              {districts.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
              {v.parentId && !districts.some((d) => d.id === v.parentId) && employers.data && (
                <option value={v.parentId}>{employers.data.find((e) => e.id === v.parentId)?.name ?? 'Another employer'}</option>
              )}
            </select>
          )}
        </Field>
      )}
      <ZoneField value={v.timeZone} onChange={(timeZone) => setV({ ...v, timeZone })} action={action} />
    </>
  );
}

export type Holiday = { name: string; start: string; end: string };

/**
 * An employer's days off (a school break, a public holiday), each a name and its first and last
 * day. Follow-ups to the employer are not planned on them. Errors come back on
 * `holidays.N.field`, shown at that row's field.
 */
export function DaysOff({ value, onChange, action, about = 'Status checks and other follow-ups to this employer skip these days', also = ' A district’s apply to its schools too.' }: { value: Holiday[]; onChange: (v: Holiday[]) => void; action: Action; about?: string; also?: string }) {
  const set = (i: number, h: Partial<Holiday>) => onChange(value.map((x, j) => (j === i ? { ...x, ...h } : x)));
  return (
    <fieldset>
      <legend>Days off</legend>
      <p className="muted">
        {about}
        {value.length === 0 ? '; none entered yet' : ''}.{also}
      </p>
      <ol className="days-off">
        {value.map((h, i) => (
          <li key={i} data-testid="day-off">
            <fieldset className="day-off">
              <legend>Days off {i + 1}</legend>
              <Field label="Name" name={`holidays.${i}.name`} action={action}>
                {(p) => <input {...p} value={h.name} placeholder="Winter break" onChange={(e) => set(i, { name: e.target.value })} />}
              </Field>
              <Field label="From" name={`holidays.${i}.start`} action={action}>
                {(p) => <input {...p} type="date" value={h.start} onChange={(e) => set(i, { start: e.target.value, ...(!h.end || h.end < e.target.value ? { end: e.target.value } : {}) })} />}
              </Field>
              <Field label="To" name={`holidays.${i}.end`} action={action}>
                {(p) => <input {...p} type="date" value={h.end} onChange={(e) => set(i, { end: e.target.value })} />}
              </Field>
              <button type="button" className="small" onClick={() => onChange(value.filter((_, j) => j !== i))} aria-label={`Remove ${h.name || `days off ${i + 1}`}`}>
                Remove
              </button>
            </fieldset>
          </li>
        ))}
      </ol>
      <button type="button" className="small" onClick={() => onChange([...value, { name: '', start: '', end: '' }])}>
        Add days off
      </button>
    </fieldset>
  );
}
