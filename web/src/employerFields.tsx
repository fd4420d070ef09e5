import { ZoneField } from './zoneField';
import { Field, label, type Action } from './ui';

type Basics = { name: string; kind: string; timeZone: string };

/** The name, kind and time zone fields that adding and editing an employer share. */
export function EmployerBasics<V extends Basics>({ v, setV, action }: { v: V; setV: (v: V) => void; action: Action }) {
  return (
    <>
      <Field label="Name" name="name" action={action}>
        {(p) => <input {...p} value={v.name} onChange={(e) => setV({ ...v, name: e.target.value })} />}
      </Field>
      <Field label="Kind" name="kind" action={action}>
        {(p) => (
          <select {...p} value={v.kind} onChange={(e) => setV({ ...v, kind: e.target.value as V['kind'] })}>
            {['district', 'school', 'company', 'other'].map((k) => (
              <option key={k} value={k}>
                {label(k)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <ZoneField value={v.timeZone} onChange={(timeZone) => setV({ ...v, timeZone })} action={action} />
    </>
  );
}
