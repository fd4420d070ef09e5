import { call, type S } from './api';

export type Template = S['FollowUpTemplate'];
export type TemplateList = S['FollowUpTemplateList'];

let list: Promise<TemplateList> | null = null;

/** The agency's templates, loaded once per session (forgetTemplates() after a save). */
export function templateList(): Promise<TemplateList> {
  list ??= call((c) => c.GET('/v1/follow-up-templates'));
  list.catch(() => (list = null));
  return list;
}
export const forgetTemplates = () => void (list = null);

/**
 * The template a follow-up is written from, as the API chooses it: kind (a candidate update also
 * by the event in its key), channel (a task uses the step's email wording) and voice (a draft for
 * the candidate is in the candidate's words); without that template, the step's email one.
 */
export function templateIdFor(f: Pick<S['FollowUp'], 'kind' | 'key' | 'channel' | 'voice'>, ids: string[]): string | undefined {
  const event = f.kind === 'candidate_update' ? (f.key.split(':')[1] ?? 'completed') : null;
  const voice = f.voice === 'agency' ? 'agency' : 'candidate';
  const id = (channel: string) => [f.kind, event, channel, voice].filter(Boolean).join('.');
  const exact = id(f.channel === 'task' ? 'email' : f.channel);
  if (ids.includes(exact)) return exact;
  if (ids.includes(id('email'))) return id('email');
  return ids.find((x) => x.startsWith(`${f.kind}.`));
}
