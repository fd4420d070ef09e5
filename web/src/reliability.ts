import { call, type S } from './api';

type Row = S['EmployersReport']['data'][number];

/** The employer's (or its district's) record over the last 12 months, from the employers report; null when it cannot be read: the pages load without it. */
export async function employerRecord(employerId: string): Promise<Row | null> {
  const today = new Date().toISOString().slice(0, 10);
  const yearAgo = new Date(Date.now() - 364 * 86_400_000).toISOString().slice(0, 10);
  try {
    const report = await call((c) => c.GET('/v1/reports/employers', { params: { query: { employerId, from: yearAgo, to: today } } }));
    return report.data.find((r) => r.level === 'family') ?? null;
  } catch {
    return null;
  }
}

const days = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** "Usually decides N business days after the date they give; answers our emails in N days", from the last year's promises and answers (docs/reports.md). */
export function reliability(r: Row | null): string | null {
  if (!r) return null;
  const parts: string[] = [];
  if (r.decided > 0 && r.medianLateBusinessDays !== null) {
    parts.push(r.medianLateBusinessDays === 0 ? 'usually decides by the date they give' : `usually decides ${days(r.medianLateBusinessDays, 'business day')} after the date they give`);
  }
  if (r.emailsAnswered > 0 && r.medianAnswerDays !== null) {
    parts.push(r.medianAnswerDays < 1 ? 'answers our emails within a day' : `answers our emails in ${days(Math.round(r.medianAnswerDays), 'day')}`);
  }
  if (parts.length === 0) return null;
  const text = parts.join('; ');
  return `${text[0]!.toUpperCase()}${text.slice(1)} (last 12 months: ${r.kept} of ${r.decided} dates kept, ${r.open} open).`;
}

