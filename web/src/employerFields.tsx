import { ZONES } from './time';
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
      <Field label="Time zone" name="timeZone" action={action}>
        {(p) => (
          <select {...p} value={v.timeZone} onChange={(e) => setV({ ...v, timeZone: e.target.value })}>
            {[...new Set([v.timeZone, ...ZONES])].map((z) => (
              <option key={z}>{z}</option>
            ))}
          </select>
        )}
      </Field>
    </>
  );
}
