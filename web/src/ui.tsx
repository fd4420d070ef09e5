import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { ApiError } from './api';
import { fieldLabel, plainMessage } from './messages';

/** Loads `load()` when `deps` change; keeps the last data while reloading, so nothing jumps. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const seq = useRef(0);
  const run = useCallback(() => {
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => n === seq.current && setState({ data, loading: false }),
      (error: Error) => n === seq.current && setState((s) => ({ ...s, error, loading: false })),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

/** A write: busy while it runs, its problem kept for the fields it names. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  // reset() also drops the error of a run still in flight: it was about what has been edited since.
  const current = useRef(0);
  const run = async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    const mine = ++current.current;
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      if (current.current === mine) setError(e as Error);
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  const reset = () => {
    current.current++;
    setError(null);
  };
  const fields = error instanceof ApiError ? error.fields : {};
  return { busy, error, run, field: (name: string) => fields[name], reset };
}
export type Action = ReturnType<typeof useAction>;

/** The problem's message when no field shows it. */
export function FormError({ action, shown = [] }: { action: Action; shown?: string[] }) {
  const e = action.error;
  if (!e) return null;
  if (e instanceof ApiError) {
    const rest = (e.problem.errors ?? []).filter((x) => !shown.includes(x.field.replace(/^(body|query|path|header)\./, '')));
    if (e.problem.errors?.length && rest.length === 0) return null;
    const text = e.status === 412 ? 'Someone changed this in the meantime: reload to see their change, then try again.' : (e.problem.detail ?? e.problem.title);
    return (
      <p className="form-error" role="alert">
        {text}
        {rest.length > 0 &&
          rest.map((x) => (
            <span key={x.field}>
              {' '}
              {fieldLabel(x.field)}: {plainMessage(x.message)}.
            </span>
          ))}
      </p>
    );
  }
  return (
    <p className="form-error" role="alert">
      {e.message || 'Something went wrong; try again.'}
    </p>
  );
}

type FormFooterProps = {
  action: Action;
  /** The fields that show their own error (FormError's `shown`). */
  shown?: string[];
  /** The submit button's text. */
  submit: ReactNode;
  /** Keeps submit disabled besides while busy (nothing chosen yet, say). */
  disabled?: boolean;
  /** Adds a Cancel button beside submit. */
  onCancel?: () => void;
  /** The Cancel button's text ("Keep it"). */
  cancel?: string;
  /** More after the buttons, in their row (a "Saved" status). */
  children?: ReactNode;
};

/** A form's end: the problem no field shows, then submit; with Cancel or more, they share a row. */
export function FormFooter({ action, shown = [], submit, disabled = false, onCancel, cancel = 'Cancel', children }: FormFooterProps) {
  const button = (
    <button type="submit" className="primary" disabled={action.busy || disabled}>
      {submit}
    </button>
  );
  return (
    <>
      <FormError action={action} shown={shown} />
      {onCancel || children !== undefined ? (
        <div className="row">
          {button}
          {onCancel && (
            <button type="button" onClick={onCancel}>
              {cancel}
            </button>
          )}
          {children}
        </div>
      ) : (
        button
      )}
    </>
  );
}

type FieldProps = {
  label: string;
  /** The API's name for the field (`participants.0.contactId`): its error shows here. */
  name: string;
  action?: Action;
  hint?: ReactNode;
  /** An error to show instead of the action's (a preview's problem, say). */
  error?: string | undefined;
  children: (props: { id: string; name: string; 'aria-invalid': boolean; 'aria-describedby'?: string }) => ReactNode;
};

export function Field({ label, name, action, hint, error: shown, children }: FieldProps) {
  const id = useId();
  const error = shown ?? action?.field(name);
  const describedBy = [error ? `${id}-err` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, name, 'aria-invalid': Boolean(error), ...(describedBy ? { 'aria-describedby': describedBy } : {}) })}
      {hint && (
        <small id={`${id}-hint`} className="hint">
          {hint}
        </small>
      )}
      {error && (
        <small id={`${id}-err`} className="field-error" data-field={name}>
          {error}
        </small>
      )}
    </div>
  );
}

export function Loading({ rows = 3 }: { rows?: number }) {
  return (
    <div className="loading" aria-busy="true" aria-label="Loading">
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} className="skeleton" />
      ))}
    </div>
  );
}

export const Empty = ({ children }: { children: ReactNode }) => <p className="empty">{children}</p>;

export function LoadError({ error, retry }: { error: Error; retry?: () => void }) {
  return (
    <div className="load-error" role="alert">
      <p>{error instanceof ApiError ? (error.problem.detail ?? error.problem.title) : 'Could not reach Afterview. Check your connection.'}</p>
      {retry && (
        <button type="button" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

/** What `useLoad` gives, as a list handed to another component takes it. */
export type Loadable<T> = { data?: T; error?: Error; loading: boolean; reload: () => void };

/** A list that loads: skeleton first, then an error, the empty text, or the rows. */
export function Loaded<T>({ state, empty, children }: { state: Loadable<T>; empty?: (d: T) => ReactNode; children: (d: T) => ReactNode }) {
  if (state.data === undefined) return state.error ? <LoadError error={state.error} retry={state.reload} /> : <Loading />;
  const e = empty?.(state.data);
  return <>{e ? <Empty>{e}</Empty> : children(state.data)}</>;
}

export const labels: Record<string, string> = {
  thank_you: 'Thank-you note',
  timeline_request: 'Ask for the timeline',
  recruiter_check_in: 'Recruiter check-in',
  status_check: 'Status check',
  post_decision_thanks: 'Thanks anyway',
  linkedin_connect: 'Connect on LinkedIn',
  candidate_update: 'Update the candidate',
  on_behalf: 'on behalf of the candidate',
  draft_to_candidate: 'draft for the candidate to send',
  agency: 'from the agency',
  email: 'Email',
  phone: 'Call',
  linkedin: 'LinkedIn',
  task: 'Task',
  hiring_manager: 'Hiring manager',
  interviewer: 'Interviewer',
  coordinator: 'Coordinator',
  no_show: 'No-show',
  filled_by_other: 'Filled by another',
  on_hold: 'On hold',
  no_decision: 'No decision',
  awaiting_approval: 'Waiting for approval',
  stale: 'Needs review',
  needs_action: 'No answer yet',
};
export const label = (v: string) => labels[v] ?? v.charAt(0).toUpperCase() + v.slice(1).replace(/_/g, ' ');

export function Badge({ value }: { value: string }) {
  return <span className={`badge badge-${value}`}>{label(value)}</span>;
}

/**
 * A panel (a form opened by a button): on opening, the focus moves to its first field unless
 * already inside; Escape, from anywhere inside, closes it; once closed, the focus goes back to
 * the button that opened it when it went nowhere else. Spread the result on the panel's element.
 */
export function usePanel<T extends HTMLElement = HTMLFormElement>(close: () => void) {
  const ref = useRef<T>(null);
  const [opener] = useState(() => document.activeElement as HTMLElement | null);
  const closeRef = useRef(close);
  closeRef.current = close;
  useEffect(() => {
    const el = ref.current;
    if (el && !el.contains(document.activeElement)) el.querySelector<HTMLElement>('input:not([type=hidden]), select, textarea')?.focus();
    return () => {
      setTimeout(() => {
        if ((!document.activeElement || document.activeElement === document.body) && opener?.isConnected) opener.focus();
      }, 0);
    };
  }, [opener]);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    e.preventDefault();
    closeRef.current();
  };
  return { ref, onKeyDown };
}
