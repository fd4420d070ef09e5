import { useEffect, useRef, useState, type FormEvent } from 'react';
import { call, type S } from '../api';
import { forgetLists } from '../cache';
import { plainMessage } from '../messages';
import { Link } from '../router';
import { useSession } from '../session';
import { announce } from '../status';
import { Field, FormError, FormFooter, useAction } from '../ui';

type Import = S['Import'];
type Kind = Import['kind'];

const kinds: { kind: Kind; label: string; columns: string; list: string }[] = [
  { kind: 'candidates', label: 'Candidates', columns: 'name (or First Name and Last Name), email, phone, linkedinUrl, timeZone, tags, relayConsent', list: '/candidates' },
  { kind: 'employers', label: 'Employers (districts and schools)', columns: 'name, kind, parent (a school’s district: a row above it, or one already here), timeZone, website, notes', list: '/employers' },
  { kind: 'contacts', label: 'Contacts at employers', columns: 'employer (its name), district (when two share a name), name (or First Name and Last Name), title, email, phone, linkedinUrl', list: '/employers' },
];

/** How often a running import's progress is asked for. */
const POLL_MS = 500;
const fmt = (n: number) => n.toLocaleString('en-US');
const rows = (n: number) => `${fmt(n)} row${n === 1 ? '' : 's'}`;

/**
 * Import (recruiters and admins): a CSV file of candidates, employers or contacts, previewed
 * (counts, and each error at its row and column) before anything is written; then run as a job,
 * its progress polled until it completes, each row's outcome downloadable (docs/imports.md).
 */
export default function ImportPage() {
  const s = useSession();
  const [kind, setKind] = useState<Kind>(() => {
    const k = new URLSearchParams(location.search).get('kind');
    return kinds.some((x) => x.kind === k) ? (k as Kind) : 'candidates';
  });
  const [file, setFile] = useState<File | null>(null);
  const [imp, setImp] = useState<Import | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const action = useAction();
  if (!s.can('recruiter')) {
    return (
      <section aria-labelledby="imp-title">
        <h1 id="imp-title">Import</h1>
        <p className="empty">Recruiters and admins import files; ask one of them.</p>
      </section>
    );
  }
  const about = kinds.find((k) => k.kind === kind)!;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const chosen = file;
    const previewed = await action.run(async () => {
      if (!chosen) throw new Error('Choose a CSV file first.');
      const csv = await chosen.text();
      return call((c) => c.POST('/v1/imports', { body: { kind, fileName: chosen.name, csv } }));
    });
    if (previewed) setImp(previewed);
  };
  const restart = () => {
    setImp(null);
    setFile(null);
    action.reset();
    if (fileInput.current) fileInput.current.value = '';
  };
  return (
    <section aria-labelledby="imp-title" className="import">
      <div className="page-head">
        <h1 id="imp-title">Import</h1>
        <Link to={about.list}>Back to {about.kind === 'candidates' ? 'candidates' : 'employers'}</Link>
      </div>
      {!imp ? (
        <form className="card form" onSubmit={submit} noValidate aria-label="Choose a file">
          <p className="muted">Nothing is written until you start the import: first you see what the file would create, update and leave as it is, and every problem at its row and column.</p>
          <div className="row wrap">
            <Field label="What the file holds" name="kind" action={action} hint={`Columns read: ${about.columns}. Others are left out.`}>
              {(p) => (
                <select {...p} value={kind} onChange={(e) => (setKind(e.target.value as Kind), action.reset())}>
                  {kinds.map((k) => (
                    <option key={k.kind} value={k.kind}>
                      {k.label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="CSV file" name="csv" action={action} hint="A header row, then one record a row; up to 5 MB and 50,000 rows.">
              {(p) => <input {...p} ref={fileInput} type="file" accept=".csv,text/csv" onChange={(e) => (setFile(e.target.files?.[0] ?? null), action.reset())} />}
            </Field>
          </div>
          <FormFooter action={action} shown={['kind', 'csv']} submit="Preview" disabled={!file} />
        </form>
      ) : (
        <Run key={imp.id} initial={imp} list={about.list} onAnother={restart} />
      )}
    </section>
  );
}

/** A previewed import: its plan and errors, then its run with progress, then what it did. */
function Run({ initial, list, onAnother }: { initial: Import; list: string; onAnother: () => void }) {
  const [imp, setImp] = useState(initial);
  const start = useAction();
  const poll = useAction();
  const download = useAction();
  // A failed poll (the network, say) is tried again at the next tick.
  const [tick, setTick] = useState(0);
  const running = imp.status === 'queued' || imp.status === 'running';
  const finished = imp.status === 'completed' || imp.status === 'failed';

  // While it runs: its progress every half second, until it is done (or the page is left).
  useEffect(() => {
    if (!running) return;
    const timer = setTimeout(() => {
      void poll.run(() => call((c) => c.GET('/v1/imports/{id}', { params: { path: { id: imp.id } } }))).then((next) => {
        if (!next) return setTick((n) => n + 1);
        setImp(next);
        if (next.status === 'completed') {
          forgetLists();
          announce(`Import finished: ${summary(next)}.`);
        }
      });
    }, POLL_MS);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [imp, running, tick]);

  const begin = async () => {
    const queued = await start.run(() => call((c) => c.POST('/v1/imports/{id}/run', { params: { path: { id: imp.id } } })));
    if (queued) setImp(queued);
  };
  const save = () =>
    void download.run(async () => {
      const text = await call((c) => c.GET('/v1/imports/{id}/rows', { params: { path: { id: imp.id }, query: {} }, headers: { accept: 'text/csv' }, parseAs: 'text' }));
      const url = URL.createObjectURL(new Blob([text as unknown as string], { type: 'text/csv;charset=utf-8' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `${(imp.fileName ?? 'import').replace(/\.csv$/i, '')}-outcomes.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    });

  const p = imp.preview;
  const writes = p.create + p.update;
  const pct = imp.total === 0 ? 100 : Math.floor((imp.processed / imp.total) * 100);
  return (
    <>
      <div className="card" aria-labelledby="imp-preview">
        <h2 id="imp-preview">
          {imp.fileName ?? 'The file'}: {rows(imp.total)}
        </h2>
        <ul className="counts" data-testid="import-preview">
          <li>
            <strong>{fmt(p.create)}</strong> to create
          </li>
          <li>
            <strong>{fmt(p.update)}</strong> to update
          </li>
          <li>
            <strong>{fmt(p.skip)}</strong> unchanged
          </li>
          <li className={p.error > 0 ? 'bad' : undefined}>
            <strong>{fmt(p.error)}</strong> with errors
          </li>
        </ul>
        {imp.ignoredColumns.length > 0 && <p className="muted">Columns left out: {imp.ignoredColumns.join(', ')}.</p>}
        {imp.status === 'previewed' && (
          <>
            <p>{writes === 0 ? 'Nothing to write: every row is unchanged or has errors.' : `Starting writes ${rows(writes)}${p.error > 0 ? '; rows with errors are left out' : ''}.`}</p>
            <FormError action={start} />
            <div className="row wrap">
              <button type="button" className="primary" disabled={start.busy || writes === 0} onClick={() => void begin()}>
                Start import
              </button>
              <button type="button" onClick={onAnother}>
                Choose another file
              </button>
            </div>
          </>
        )}
      </div>

      {imp.status !== 'previewed' && (
        <div className="card" aria-labelledby="imp-run">
          <h2 id="imp-run">{finished ? 'Import finished' : 'Importing…'}</h2>
          <div className="progress">
            <progress max={Math.max(imp.total, 1)} value={imp.total === 0 ? 1 : imp.processed} aria-label="Import progress" aria-valuetext={`${pct} %`} />
            <span data-testid="import-progress">
              {fmt(imp.processed)} of {rows(imp.total)} ({pct} %)
            </span>
          </div>
          <FormError action={poll} />
          {finished && (
            <>
              <p role="status" data-testid="import-summary">
                {summary(imp)}.
              </p>
              <FormError action={download} />
              <div className="row wrap">
                <button type="button" disabled={download.busy} onClick={save}>
                  Download row outcomes
                </button>
                <Link to={list}>Open the list</Link>
                <button type="button" onClick={onAnother}>
                  Import another file
                </button>
              </div>
            </>
          )}
        </div>
      )}

      {imp.errors.length > 0 && (
        <div className="card">
          <table className="stack import-errors">
            <caption>
              Rows with errors{p.error > imp.errors.length ? ` (the first ${imp.errors.length}; every row is in the outcomes)` : ''}
            </caption>
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Column</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {imp.errors.map((e, i) => (
                <tr key={i} data-testid="import-error">
                  <td data-label="Row">{e.row}</td>
                  <td data-label="Column">{e.column || '(the whole row)'}</td>
                  <td data-label="Problem" className="break">
                    {plainMessage(e.message)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function summary(imp: Import) {
  const r = imp.results;
  return `${fmt(r.created)} created, ${fmt(r.updated)} updated, ${fmt(r.skipped)} unchanged, ${fmt(r.failed)} not imported`;
}
