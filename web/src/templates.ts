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
