import { useEffect, useRef, useState, type ReactNode } from 'react';
import { call, type S } from '../api';
import { listEmployers, listUsers } from '../cache';
import { useSession } from '../session';
import { isoToZoned } from '../time';
import { Field, FormError, Loading, label, useAction, useLoad } from '../ui';
import { Bars, Head, Scroll } from './reportsParts';
import './reports.css';

type Filters = { from: string; to: string; employerId: string; recruiterId: string };
type Query = { from?: string; to?: string; employerId?: string; recruiterId?: string };
type Report = 'employers' | 'follow-ups' | 'pipeline';

const STAGES = ['submitted', 'interviewing', 'offer', 'hired', 'rejected', 'withdrawn', 'on_hold'] as const satisfies readonly (keyof S['PipelineReport']['data'][number]['stages'])[];

const query = (f: Filters): Query => ({
  ...(f.from ? { from: f.from } : {}),
  ...(f.to ? { to: f.to } : {}),
  ...(f.employerId ? { employerId: f.employerId } : {}),
  ...(f.recruiterId ? { recruiterId: f.recruiterId } : {}),
});

const fetchJson = {
  employers: (q: Query) => call((c) => c.GET('/v1/reports/employers', { params: { query: q } })),
  'follow-ups': (q: Query) => call((c) => c.GET('/v1/reports/follow-ups', { params: { query: q } })),
  // JSON pages (default 100 positions); the CSV below has every row.
  pipeline: (q: Query & { cursor?: string }) => call((c) => c.GET('/v1/reports/pipeline', { params: { query: q } })),
};

// The same routes with `Accept: text/csv` answer the rows as CSV (docs/reports.md).
const csv = { headers: { accept: 'text/csv' }, parseAs: 'text' } as const;
const fetchCsv: Record<Report, (q: Query) => Promise<string>> = {
  employers: (q) => call((c) => c.GET('/v1/reports/employers', { params: { query: q }, ...csv })),
  'follow-ups': (q) => call((c) => c.GET('/v1/reports/follow-ups', { params: { query: q }, ...csv })),
  pipeline: (q) => call((c) => c.GET('/v1/reports/pipeline', { params: { query: q }, ...csv })),
};

const pct = (share: number | null) => (share === null ? '–' : `${Math.round(share * 100)}%`);
const num = (n: number | null) => (n === null ? '–' : String(n));

/**
 * Reports: how employers keep their word, how our follow-ups go out, and the pipeline per
 * position, over a period and optionally one employer (or district) and one recruiter. Each chart
 * is drawn by Chartist, loaded with this page only; the table under it has the same figures and is
 * what a screen reader reads (the chart is hidden from it).
 */
export default function Reports() {
  const s = useSession();
  const today = isoToZoned(new Date().toISOString(), s.zone).day;
  const start = isoToZoned(new Date(Date.parse(`${today}T12:00:00Z`) - 89 * 86_400_000).toISOString(), 'UTC').day;
  const [f, setF] = useState<Filters>({ from: start, to: today, employerId: '', recruiterId: '' });
  const lists = useLoad(() => Promise.all([listEmployers(), listUsers()]), []);
  const action = useAction();
  const state = useLoad(async () => {
    const q = query(f);
    const r = await action.run(() => Promise.all([fetchJson.employers(q), fetchJson['follow-ups'](q), fetchJson.pipeline(q)]));
    return r ?? null;
  }, [f.from, f.to, f.employerId, f.recruiterId]);
  const set = (k: keyof Filters) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const [employers, users] = lists.data ?? [[], []];
  const download = useAction();
  const save = (report: Report) =>
    void download.run(async () => {
      const text = await fetchCsv[report](query(f));
      const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `afterview-${report}-${f.from || 'start'}-${f.to || 'today'}.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    });
  const csvButton = (report: Report, name: string) => (
    <button type="button" disabled={download.busy} onClick={() => save(report)} aria-label={`Download CSV of ${name}`}>
      Download CSV
    </button>
  );

  return (
    <section aria-labelledby="rp-title" className="reports">
      <h1 id="rp-title">Reports</h1>
      <form className="filters" onSubmit={(e) => e.preventDefault()} aria-label="Filter reports">
        <Field label="From" name="from" action={action}>
          {(p) => <input {...p} type="date" value={f.from} onChange={set('from')} />}
        </Field>
        <Field label="To" name="to" action={action}>
          {(p) => <input {...p} type="date" value={f.to} onChange={set('to')} />}
        </Field>
        <Field label="Employer" name="employerId" action={action}>
          {(p) => (
            <select {...p} value={f.employerId} onChange={set('employerId')}>
              <option value="">All</option>
              {employers.map((e) => (
                <option key={e.id} value={e.id}>
                  {e.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Recruiter" name="recruiterId" action={action}>
          {(p) => (
            <select {...p} value={f.recruiterId} onChange={set('recruiterId')}>
              <option value="">Everyone</option>
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      </form>
      <FormError action={action} shown={['from', 'to', 'employerId', 'recruiterId']} />
      <FormError action={download} />
      {state.data === undefined ? (
        <Loading rows={6} />
      ) : state.data === null ? null : (
        <div aria-busy={state.loading} data-testid="reports">
          <p className="muted">
            {state.data[0].from} to {state.data[0].to}, days in {state.data[0].timeZone}.
          </p>
          <EmployersSection rows={state.data[0].data} csv={csvButton('employers', 'the employers report')} />
          <FollowUpsSection rows={state.data[1].data} csv={csvButton('follow-ups', 'the follow-ups report')} />
          <PipelineSection first={state.data[2]} q={query(f)} csv={csvButton('pipeline', 'the pipeline report')} />
        </div>
      )}
    </section>
  );
}


function EmployersSection({ rows, csv }: { rows: S['EmployersReport']['data']; csv: ReactNode }) {
  const families = rows.filter((r) => r.level === 'family');
  const labels = families.map((r) => r.familyName);
  return (
    <section aria-labelledby="rp-employers" data-testid="report-employers">
      <Head id="rp-employers" title="Employers: do they keep their word?" csv={csv} />
      {rows.length === 0 ? (
        <p className="empty">No dates promised and no emails answered in this period.</p>
      ) : (
        <>
          <div className="charts">
            <Bars title="Dates kept (%)" labels={labels} series={[families.map((r) => (r.keptShare === null ? 0 : Math.round(r.keptShare * 100)))]} high={100} />
            <Bars title="Median business days late" labels={labels} series={[families.map((r) => r.medianLateBusinessDays ?? 0)]} />
            <Bars title="Median days to answer our emails" labels={labels} series={[families.map((r) => r.medianAnswerDays ?? 0)]} />
          </div>
          <Scroll label="Employers’ figures">
            <table className="stack report">
              <caption>Per employer (a district with its schools) and each contact in it</caption>
              <thead>
                <tr>
                  <th scope="col">Employer or contact</th>
                  <th scope="col">Dates promised</th>
                  <th scope="col">Decided</th>
                  <th scope="col">Kept</th>
                  <th scope="col">Median business days late</th>
                  <th scope="col">Still open</th>
                  <th scope="col">Emails answered</th>
                  <th scope="col">Median days to answer</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.familyId}:${r.contactId ?? r.level}`} className={r.level} data-testid="employer-row">
                    <th scope="row" data-label="Employer or contact">
                      {r.level === 'family' ? r.familyName : (r.contactName ?? 'Not known')}
                    </th>
                    <td data-label="Dates promised">{r.promised}</td>
                    <td data-label="Decided">{r.decided}</td>
                    <td data-label="Kept">
                      {r.kept} ({pct(r.keptShare)})
                    </td>
                    <td data-label="Median business days late">{num(r.medianLateBusinessDays)}</td>
                    <td data-label="Still open">{r.open}</td>
                    <td data-label="Emails answered">{r.emailsAnswered}</td>
                    <td data-label="Median days to answer">{num(r.medianAnswerDays)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
        </>
      )}
    </section>
  );
}

function FollowUpsSection({ rows, csv }: { rows: S['FollowUpsReport']['data']; csv: ReactNode }) {
  const name = (r: (typeof rows)[number]) => `${r.recruiterName}: ${label(r.kind)}`;
  return (
    <section aria-labelledby="rp-followups" data-testid="report-follow-ups">
      <Head id="rp-followups" title="Follow-ups: sent on time?" csv={csv} />
      {rows.length === 0 ? (
        <p className="empty">No follow-ups due in this period.</p>
      ) : (
        <>
          <div className="charts">
            <Bars title="Sent within 5 minutes of due (%)" labels={rows.map(name)} series={[rows.map((r) => (r.onTimeShare === null ? 0 : Math.round(r.onTimeShare * 100)))]} high={100} />
          </div>
          <Scroll label="Follow-ups’ figures">
            <table className="stack report">
              <caption>Per recruiter and kind of follow-up</caption>
              <thead>
                <tr>
                  <th scope="col">Recruiter and kind</th>
                  <th scope="col">Due</th>
                  <th scope="col">Sent</th>
                  <th scope="col">On time</th>
                  <th scope="col">Overdue</th>
                  <th scope="col">Waiting for approval</th>
                  <th scope="col">Answered</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={`${r.recruiterId}:${r.kind}`} data-testid="follow-up-row">
                    <th scope="row" data-label="Recruiter and kind">
                      {name(r)}
                    </th>
                    <td data-label="Due">{r.due}</td>
                    <td data-label="Sent">{r.sent}</td>
                    <td data-label="On time">
                      {r.sentOnTime} ({pct(r.onTimeShare)})
                    </td>
                    <td data-label="Overdue">{r.overdue}</td>
                    <td data-label="Waiting for approval">{r.waitingForApproval}</td>
                    <td data-label="Answered">
                      {r.answered} ({pct(r.answeredShare)})
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
        </>
      )}
    </section>
  );
}

/**
 * The pipeline's first page, and "Show more positions" appending the next ones (nextCursor) to the
 * table and charts; focus then moves to the first position added, so a keyboard goes on from there.
 */
function PipelineSection({ first, q, csv }: { first: S['PipelineReport']; q: Query; csv: ReactNode }) {
  const [more, setMore] = useState({ rows: [] as S['PipelineReport']['data'], cursor: first.nextCursor, focus: -1 });
  useEffect(() => setMore({ rows: [], cursor: first.nextCursor, focus: -1 }), [first]);
  const next = useAction();
  const firstAdded = useRef<HTMLTableCellElement>(null);
  useEffect(() => firstAdded.current?.focus(), [more.focus]);
  const rows = [...first.data, ...more.rows];
  const showMore = () =>
    void next.run(async () => {
      if (!more.cursor) return;
      const page = await fetchJson.pipeline({ ...q, cursor: more.cursor });
      setMore((m) => ({ rows: [...m.rows, ...page.data], cursor: page.nextCursor, focus: first.data.length + m.rows.length }));
    });
  const name = (r: (typeof rows)[number]) => `${r.positionTitle}, ${r.employerName}`;
  return (
    <section aria-labelledby="rp-pipeline" data-testid="report-pipeline">
      <Head id="rp-pipeline" title="Pipeline per position" csv={csv} />
      {rows.length === 0 ? (
        <p className="empty">No applications in the pipeline in this period.</p>
      ) : (
        <>
          <div className="charts">
            <Bars title="Candidates by stage" labels={rows.map(name)} series={STAGES.map((st) => rows.map((r) => r.stages[st]))} legend={STAGES.map(label)} stack />
            <Bars title="Median days from interview to decision" labels={rows.map(name)} series={[rows.map((r) => r.medianDaysToDecision ?? 0)]} />
          </div>
          <Scroll label="Pipeline figures">
            <table className="stack report">
              <caption>Per position: candidates by their stage now, and the employer's decisions in the period</caption>
              <thead>
                <tr>
                  <th scope="col">Position</th>
                  <th scope="col">Candidates</th>
                  {STAGES.map((st) => (
                    <th key={st} scope="col">
                      {label(st)}
                    </th>
                  ))}
                  <th scope="col">Decided</th>
                  <th scope="col">Median days to decision</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r, i) => (
                  <tr key={r.positionId} data-testid="pipeline-row">
                    <th scope="row" data-label="Position" {...(i === more.focus ? { ref: firstAdded, tabIndex: -1 } : {})}>
                      {name(r)}
                    </th>
                    <td data-label="Candidates">{r.candidates}</td>
                    {STAGES.map((st) => (
                      <td key={st} data-label={label(st)}>
                        {r.stages[st]}
                      </td>
                    ))}
                    <td data-label="Decided">{r.decided}</td>
                    <td data-label="Median days to decision">{num(r.medianDaysToDecision)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Scroll>
          <p className="muted" aria-live="polite">
            {rows.length} {rows.length === 1 ? 'position' : 'positions'}
            {more.cursor ? ', more to show' : ''}
          </p>
          {more.cursor ? (
            <button type="button" onClick={showMore} disabled={next.busy}>
              Show more positions
            </button>
          ) : null}
          <FormError action={next} />
        </>
      )}
    </section>
  );
}

