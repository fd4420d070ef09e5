import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, all, call, type S } from '../api';
import { Confirm } from '../confirm';
import { useSession } from '../session';
import { forgetTemplates, templateList, type Template, type TemplateList } from '../templates';
import { dateTime } from '../time';
import { Field, FormError, Loaded, label, useAction, useLoad } from '../ui';

type Text = { subject: string; body: string };

const CHANNEL: Record<string, string> = { email: 'Email', phone: 'Call notes', linkedin: 'LinkedIn note' };
const VOICE: Record<string, string> = { candidate: 'candidate’s words', agency: 'recruiter’s words' };
const EVENT: Record<string, string> = { completed: 'after the interview', notes_sent: 'thank-yous sent', reply: 'employer replied', outcome: 'outcome' };
export const templateName = (t: Template) => [t.event && EVENT[t.event], CHANNEL[t.channel], VOICE[t.voice]].filter(Boolean).join(' · ');

/** How long the draft rests before the preview asks the API (a keystroke does not call it). */
const PREVIEW_DEBOUNCE_MS = 300;

/** Settings → Templates: admins edit the agency's wording with a live preview; everyone else reads it. */
export function TemplatesSettings() {
  const state = useLoad(() => call((c) => c.GET('/v1/follow-up-templates')), []);
  return (
    <Loaded state={state} empty={(d) => d.data.length === 0 && 'No templates.'}>
      {(d) => <Templates list={d} />}
    </Loaded>
  );
}

function Templates({ list }: { list: TemplateList }) {
  const canEdit = useSession().can('admin');
  const [templates, setTemplates] = useState(list.data);
  const [selected, setSelected] = useState(list.data[0]!.id);
  // Unsaved drafts by template: switching templates keeps what was typed.
  const [drafts, setDrafts] = useState<Record<string, Text>>({});
  const t = templates.find((x) => x.id === selected) ?? templates[0]!;
  const kinds = [...new Set(templates.map((x) => x.kind))];
  /** `sent`: the text a save sent; a draft typed while it was in flight is newer and stays. A reset sends none. */
  const saved = (n: Template, sent?: Text) => {
    forgetTemplates();
    setTemplates((ts) => ts.map((x) => (x.id === n.id ? n : x)));
    setDrafts(({ [n.id]: d, ...rest }) => (d && sent && (d.subject !== sent.subject || d.body !== sent.body) ? { ...rest, [n.id]: d } : rest));
  };
  const draft = drafts[t.id] ?? { subject: t.subject, body: t.body };
  const dirty = (x: Template) => drafts[x.id] !== undefined && (drafts[x.id]!.subject !== x.subject || drafts[x.id]!.body !== x.body);
  return (
    <div className="tpl">
      <nav className="tpl-list" aria-label="Templates">
        {kinds.map((k) => (
          <div key={k}>
            <h2>{label(k)}</h2>
            <ul>
              {templates
                .filter((x) => x.kind === k)
                .map((x) => (
                  <li key={x.id}>
                    <button type="button" aria-current={x.id === t.id ? 'true' : undefined} onClick={() => setSelected(x.id)} data-template={x.id}>
                      {templateName(x)}
                      {x.custom && <span className="badge">Custom</span>}
                      {dirty(x) && <span className="badge badge-pending">Unsaved</span>}
                    </button>
                  </li>
                ))}
            </ul>
          </div>
        ))}
      </nav>
      <TemplateEditor key={t.id} t={t} draft={draft} setDraft={(d) => setDrafts((x) => ({ ...x, [t.id]: d }))} variables={list.variables} canEdit={canEdit} onSaved={saved} />
    </div>
  );
}

type Preview = S['FollowUpTemplatePreview'];

function TemplateEditor({ t, draft, setDraft, variables, canEdit, onSaved }: { t: Template; draft: Text; setDraft: (d: Text) => void; variables: string[]; canEdit: boolean; onSaved: (t: Template, sent?: Text) => void }) {
  const s = useSession();
  const action = useAction();
  const [factsFrom, setFactsFrom] = useState('');
  const [preview, setPreview] = useState<{ data?: Preview; error?: Error; loading: boolean }>({ loading: true });
  const [status, setStatus] = useState('');
  const subjectRef = useRef<HTMLInputElement>(null);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const lastField = useRef<'subject' | 'body'>('body');
  const first = useRef(true);
  const dirty = draft.subject !== t.subject || draft.body !== t.body;

  // The follow-ups still to go out that use this template (by themselves or once approved), to preview with their real facts.
  // The combined email carries several follow-ups at once: none is written from it alone.
  const candidates = useLoad(
    () =>
      t.kind === 'combined'
        ? Promise.resolve([])
        : Promise.all(
        (['pending', 'awaiting_approval'] as const).map((status) =>
          all((cursor) => call((c) => c.GET('/v1/follow-ups', { params: { query: { kind: t.kind as Exclude<typeof t.kind, 'combined'>, status, limit: 100, ...(cursor ? { cursor } : {}) } } })), 100),
        ),
      ).then((lists) =>
        lists
          .flat()
          .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.id.localeCompare(b.id))
          .filter((f) => f.templateId === t.id)
          .slice(0, 30),
      ),
    [t.id],
  );

  // The live preview: the draft as it is, rendered by the API, once typing rests.
  useEffect(() => {
    let live = true;
    const timer = setTimeout(
      () => {
        setPreview((p) => ({ ...p, loading: true }));
        call((c) =>
          c.POST('/v1/follow-up-templates/{templateId}/preview', {
            params: { path: { templateId: t.id } },
            body: { subject: draft.subject, body: draft.body, ...(factsFrom ? { followUpId: factsFrom } : {}) },
          }),
        ).then(
          (data) => live && setPreview({ data, loading: false }),
          (error: Error) => live && setPreview((p) => ({ ...p, error, loading: false })),
        );
      },
      first.current ? 0 : PREVIEW_DEBOUNCE_MS,
    );
    first.current = false;
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [t.id, draft.subject, draft.body, factsFrom]);
  // An answer replaces the error; an error keeps the last good text, dimmed, until the next answer.
  const previewError = preview.error;
  const stale = preview.data && (previewError || preview.loading);
  const previewFields = previewError instanceof ApiError ? previewError.fields : {};
  const fieldError = (name: 'subject' | 'body') => action.field(name) ?? previewFields[name];

  const edit = (d: Text) => {
    setDraft(d);
    setStatus('');
    if (action.error || action.busy) action.reset();
  };
  const insert = (v: string) => {
    const token = `{{${v}}}`;
    const el = lastField.current === 'subject' ? subjectRef.current : bodyRef.current;
    const key = lastField.current;
    const value = draft[key];
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? value.length;
    edit({ ...draft, [key]: value.slice(0, start) + token + value.slice(end) });
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + token.length, start + token.length);
    });
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const sent = draft;
    const n = await action.run(() => call((c) => c.PUT('/v1/follow-up-templates/{templateId}', { params: { path: { templateId: t.id } }, body: sent })));
    if (n) {
      onSaved(n, sent);
      setStatus('Saved. Follow-ups not sent yet use the new text, unless a recruiter edited theirs.');
    }
  };
  const reset = async () => {
    const n = await action.run(() => call((c) => c.DELETE('/v1/follow-up-templates/{templateId}', { params: { path: { templateId: t.id } } })));
    if (n) {
      onSaved(n);
      setStatus('Back to the standard wording.');
    }
  };
  const chosen = candidates.data?.find((f) => f.id === factsFrom);
  return (
    <form className="tpl-edit card form" onSubmit={save} noValidate aria-labelledby="tpl-title" data-testid="template-editor">
      <div className="tpl-head">
        <h2 id="tpl-title">
          {label(t.kind)} <span className="muted">· {templateName(t)}</span>
        </h2>
        <span className={`badge${t.custom ? ' badge-pending' : ''}`} data-testid="template-state">
          {t.custom ? 'The agency’s text' : 'Standard wording'}
        </span>
      </div>
      <p className="muted">
        {t.description}
        {t.custom && t.updatedAt && <> · changed {dateTime(t.updatedAt, s.zone)}</>}
        {!canEdit && <> · Only admins change templates.</>}
      </p>
      <Field label={t.channel === 'email' ? 'Subject' : 'Title'} name="subject" error={fieldError('subject')}>
        {(p) => (
          <input
            {...p}
            ref={subjectRef}
            value={draft.subject}
            readOnly={!canEdit}
            maxLength={300}
            onFocus={() => (lastField.current = 'subject')}
            onChange={(e) => edit({ ...draft, subject: e.target.value })}
          />
        )}
      </Field>
      <Field label={t.channel === 'email' ? 'Body' : t.channel === 'phone' ? 'Talking points' : 'Note'} name="body" error={fieldError('body')}>
        {(p) => (
          <textarea {...p} ref={bodyRef} rows={10} value={draft.body} readOnly={!canEdit} onFocus={() => (lastField.current = 'body')} onChange={(e) => edit({ ...draft, body: e.target.value })} />
        )}
      </Field>
      <div className="tpl-vars">
        <span id="tpl-vars-label" className="muted">
          Variables{canEdit ? ' (insert at the cursor)' : ''}:
        </span>{' '}
        <ul aria-labelledby="tpl-vars-label" data-testid="template-variables">
          {variables.map((v) => {
            const value = preview.data?.variables[v];
            const title = value ? `${v}: ${value}` : `${v}: empty here`;
            return (
              <li key={v}>
                {canEdit ? (
                  <button type="button" className="small var" title={title} onClick={() => insert(v)}>
                    {`{{${v}}}`}
                  </button>
                ) : (
                  <code title={title}>{`{{${v}}}`}</code>
                )}
              </li>
            );
          })}
        </ul>
        <small className="hint">
          <code>{'{{#highlight}}…{{/highlight}}'}</code> shows only when there is a highlight, <code>{'{{^highlight}}…{{/highlight}}'}</code> only when there is none.
        </small>
      </div>

      <div className="field">
        <label htmlFor="tpl-facts">Preview with</label>
        <select id="tpl-facts" value={factsFrom} onChange={(e) => setFactsFrom(e.target.value)}>
          <option value="">Sample facts (the worked example)</option>
          {candidates.data?.map((f) => (
            <option key={f.id} value={f.id}>
              {[f.recipient.name, f.vars.candidate, dateTime(f.dueAt, s.zone)].filter(Boolean).join(' · ')}
            </option>
          ))}
        </select>
        {candidates.data?.length === 0 && <small className="hint">No follow-up waiting to go out uses this template.</small>}
      </div>
      <section className={`tpl-preview${stale ? ' stale' : ''}`} aria-label="Preview" aria-busy={preview.loading} data-testid="template-preview">
        {preview.data ? (
          <>
            <p className="tpl-preview-subject">
              <span className="muted">{t.channel === 'email' ? 'Subject' : 'Title'}:</span> <strong data-testid="preview-subject">{preview.data.subject}</strong>
            </p>
            <div className="tpl-preview-body" data-testid="preview-body">
              {preview.data.body}
            </div>
            <p className="muted tpl-preview-note">
              {previewError
                ? 'The preview shows the last text that could be rendered: fix the marked field.'
                : chosen
                  ? `With the facts of the follow-up to ${chosen.recipient.name}.`
                  : 'With sample facts.'}
              {t.voice === 'candidate' && t.channel === 'email' && ' When it goes to the candidate as a draft, a short note to them comes on top.'}
            </p>
          </>
        ) : previewError ? (
          <p className="muted">The preview appears when the template can be rendered: fix the marked field.</p>
        ) : (
          <div className="skeleton tpl-preview-skeleton" />
        )}
      </section>

      {canEdit && (
        <>
          <FormError action={action} shown={['subject', 'body']} />
          <div className="row wrap">
            <button type="submit" className="primary" disabled={action.busy || !dirty}>
              Save template
            </button>
            {dirty && (
              <button type="button" onClick={() => edit({ subject: t.subject, body: t.body })}>
                Discard changes
              </button>
            )}
            {t.custom && (
              <Confirm
                trigger="Reset to the standard wording…"
                question="Replace the agency’s text with the standard wording?"
                detail="The agency’s text is not kept."
                confirm="Reset"
                cancel="Keep"
                onConfirm={reset}
                busy={action.busy}
                small={false}
              />
            )}
            <span role="status" className="muted">
              {status}
            </span>
          </div>
        </>
      )}
    </form>
  );
}
