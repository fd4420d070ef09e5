import { useEffect, useState } from 'react';
import type { S } from './api';
import { listUsers } from './cache';
import { useSession } from './session';
import { dateTime } from './time';
import { label } from './ui';

type Entry = S['Activity'];
type Context = { followUps: S['FollowUp'][]; interviews: S['Interview'][]; apps: { id: string; position: { title: string }; employer: { name: string } }[]; candidate: { name: string } };

/** A follow-up as a phrase: "a thank-you to Pat Principal", "a status check with Dana Diaz". */
function followUpPhrase(f: S['FollowUp'] | undefined) {
  if (!f) return 'a follow-up';
  const to = f.recipient.type === 'recruiter' ? '' : ` to ${f.recipient.name}`;
  const what: Record<S['FollowUp']['kind'], string> = {
    thank_you: 'a thank-you',
    timeline_request: 'a request for the timeline',
    recruiter_check_in: 'a recruiter check-in',
    status_check: 'a status check',
    post_decision_thanks: 'a thanks-anyway note',
    linkedin_connect: 'a LinkedIn invitation',
    candidate_update: 'an update',
  };
  return `${what[f.kind]}${to}`;
}

/**
 * One line of the activity feed as a sentence: who did what to whom ("Olive Owner planned a
 * thank-you to Pat Principal"), from the entry and the records the page has loaded anyway.
 */
function sentence(entries: Entry[], who: string, ctx: Context, zone: string): string {
  const a = entries[0]!;
  const fu = (e: Entry) => followUpPhrase(ctx.followUps.find((f) => f.id === e.subject.id));
  const app = ctx.apps.find((x) => x.id === a.applicationId);
  const iv = ctx.interviews.find((x) => x.id === a.interviewId);
  const round = iv ? `round ${iv.round} (${dateTime(iv.startsAt, zone)})` : 'an interview';
  const changed = (k: string) => a.changes[k] as { before: unknown; after: unknown } | undefined;
  const list = (verb: string) => {
    if (entries.length === 1) return `${who} ${verb} ${fu(a)}`;
    const counts = new Map<string, number>();
    for (const e of entries) counts.set(fu(e), (counts.get(fu(e)) ?? 0) + 1);
    return `${who} ${verb} ${entries.length} follow-ups: ${[...counts].map(([p, n]) => (n > 1 ? `${p} (×${n})` : p)).join(', ')}`;
  };
  switch (a.action) {
    case 'followup.planned':
      return list('planned');
    case 'followup.cancelled':
      return list('called off');
    case 'followup.sent':
      return `${who === 'Afterview' ? 'Afterview' : who} sent ${fu(a)}`;
    case 'followup.completed':
      return `${who} marked ${fu(a)} done`;
    case 'followup.skipped':
      return `${who} skipped ${fu(a)}`;
    case 'followup.edited':
      return `${who} edited the text of ${fu(a)}`;
    case 'followup.rescheduled': {
      const due = changed('dueAt')?.after;
      return `${who} moved ${fu(a)}${typeof due === 'string' ? ` to ${dateTime(due, zone)}` : ''}`;
    }
    case 'interview.scheduled':
      return `${who} scheduled ${round}${app ? ` for ${app.position.title}` : ''}`;
    case 'interview.completed':
      return `${who} completed ${round}`;
    case 'interview.cancelled':
      return `${who} cancelled ${round}`;
    case 'interview.timeline_set':
      return `${who} set the employer’s timeline of ${round}`;
    case 'application.created':
      return `${who} put ${ctx.candidate.name} forward for ${app?.position.title ?? 'a position'}`;
    case 'application.stage_changed': {
      const st = changed('stage');
      return `${who} moved ${app?.position.title ?? 'the application'}${st ? ` from ${label(String(st.before))} to ${label(String(st.after))}` : ''}`;
    }
    case 'outcome.logged':
      return `${who} logged an outcome for ${app?.position.title ?? 'an application'}`;
    case 'reply.recorded':
      return `${who} recorded a reply from ${app?.employer.name ?? 'the employer'}`;
    case 'candidate.created':
      return `${who} added ${ctx.candidate.name}`;
    case 'candidate.updated':
      return `${who} changed ${ctx.candidate.name}’s ${candidateFields(Object.keys(a.changes)) || 'details'}`;
    case 'candidate_note.added':
      return `${who} wrote a note`;
    case 'candidate_note.edited':
      return `${who} edited a note`;
    case 'candidate_note.deleted':
      return `${who} deleted a note`;
    default:
      return `${who}: ${a.action.replace(/[._]/g, ' ')}`;
  }
}

/** A candidate's changed fields in words, in the edit form's order: "name, phone, LinkedIn". */
const CANDIDATE_FIELDS: Record<string, string> = {
  name: 'name',
  email: 'email',
  phone: 'phone',
  linkedinUrl: 'LinkedIn',
  timeZone: 'time zone',
  relayConsent: 'relay consent',
  relayConsentAt: 'relay consent',
  statusUpdatesOptIn: 'status updates choice',
  tags: 'tags',
  notes: 'notes',
};
const candidateFields = (keys: string[]) => {
  const order = Object.keys(CANDIDATE_FIELDS);
  const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
  return [...new Set([...keys].sort((x, y) => rank(x) - rank(y)).map((k) => CANDIDATE_FIELDS[k] ?? label(k).toLowerCase()))].join(', ');
};

/** Entries one after another of the same planning or calling off, by the same actor at the same time, read as one line. */
function grouped(entries: Entry[]) {
  const out: Entry[][] = [];
  for (const e of entries) {
    const last = out.at(-1)?.[0];
    const same = last && ['followup.planned', 'followup.cancelled'].includes(e.action) && last.action === e.action && last.actor.id === e.actor.id && last.createdAt === e.createdAt;
    if (same) out.at(-1)!.push(e);
    else out.push([e]);
  }
  return out;
}

/** The candidate page's activity: who did what, newest first. */
export function ActivityFeed({ entries, ctx }: { entries: Entry[]; ctx: Context }) {
  const s = useSession();
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    listUsers().then(
      (users) => live && setNames(new Map(users.map((u) => [u.id, u.name]))),
      () => undefined,
    );
    return () => void (live = false);
  }, []);
  const who = (e: Entry) => (e.actor.type === 'system' ? 'Afterview' : e.actor.type === 'api_key' ? 'An integration' : e.actor.id === s.user.id ? 'You' : (names.get(e.actor.id ?? '') ?? 'Someone'));
  if (entries.length === 0) return <p className="empty">No activity yet.</p>;
  return (
    <ol className="timeline" data-testid="activity">
      {grouped(entries).map((g) => (
        <li key={g[0]!.id}>
          <span className="muted">{dateTime(g[0]!.createdAt, s.zone)}</span> {sentence(g, who(g[0]!), ctx, s.zone)}
        </li>
      ))}
    </ol>
  );
}

/** A LinkedIn profile address as a link (opened in a new tab), or nothing. */
export function LinkedIn({ url, name }: { url: string | null | undefined; name: string }) {
  if (!url) return null;
  const href = /^https?:\/\//i.test(url) ? url : `https://${url}`;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer" aria-label={`${name} on LinkedIn`}>
      LinkedIn
    </a>
  );
}
