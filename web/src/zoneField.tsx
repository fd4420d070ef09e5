import { ZONES } from './time';
import { Field, type Action } from './ui';

/**
 * A time-zone select in a Field: the common zones, plus the current one when it is another.
 * `empty` labels the "no zone of its own" choice (the agency's, the employer's); without it a zone
 * must be picked. `also` offers more zones after the current one (the user's, the employer's).
 */
export function ZoneField(props: { value: string; onChange: (zone: string) => void; action: Action; label?: string; hint?: string; empty?: string; also?: string[] }) {
  const { value, onChange, action, label = 'Time zone', hint, empty, also = [] } = props;
  return (
    <Field label={label} name="timeZone" action={action} {...(hint ? { hint } : {})}>
      {(p) => (
        <select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
          {empty !== undefined && <option value="">{empty}</option>}
          {[...new Set([...(value ? [value] : []), ...also, ...ZONES])].map((z) => (
            <option key={z}>{z}</option>
          ))}
        </select>
      )}
    </Field>
  );
}
