import { useEffect, useState, type FormEvent } from 'react';
import { all, call, ifMatch, type S } from './api';
import { listUsers } from './cache';
import { Confirm } from './confirm';
import { announce } from './status';
import { useSession } from './session';
import { dateTime } from './time';
import { Field, FormError, FormFooter, Loaded, useAction, useLoad, usePanel } from './ui';

type Note = S['CandidateNote'];

/**
 * A candidate's notes, newest first (as the API lists them), each with its author, when, and
 * "edited" once changed. Recruiters add notes; a note's author (or an admin) edits it or, after a
 * confirmation, deletes it.
 */
export function CandidateNotes({ candidateId, onChanged }: { candidateId: string; /** After a note is added, edited or deleted (the page's activity). */ onChanged?: () => void }) {
  const s = useSession();
  const state = useLoad(
    () => all((cursor) => call((c) => c.GET('/v1/candidates/{id}/notes', { params: { path: { id: candidateId }, query: { limit: 100, ...(cursor ? { cursor } : {}) } } })), 500),
    [candidateId],
  );
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let live = true;
    listUsers().then(
      (users) => live && setNames(new Map(users.map((u) => [u.id, u.name]))),
      () => undefined,
    );
    return () => void (live = false);
  }, []);
  const [editing, setEditing] = useState<string | null>(null);
  const done = (what: string) => {
    setEditing(null);
    state.reload();
    onChanged?.();
    announce(what);
  };
  const mayChange = (n: Note) => s.can('recruiter') && (n.authorId === s.user.id || s.can('admin'));
  const author = (n: Note) => (n.authorId === s.user.id ? 'You' : (names.get(n.authorId ?? '') ?? 'Someone'));
  return (
    <section aria-labelledby="notes-title">
      <div className="page-head">
        <h2 id="notes-title">Notes</h2>
        {s.can('recruiter') && editing !== 'new' && (
          <button type="button" onClick={() => setEditing('new')}>
            Add a note…
          </button>
        )}
      </div>
      {editing === 'new' && <NoteForm candidateId={candidateId} onDone={() => done('Note added.')} onCancel={() => setEditing(null)} />}
      <Loaded state={state} empty={(d) => d.length === 0 && 'No notes yet.'}>
        {(notes) => (
          <ol className="notes" data-testid="notes">
            {notes.map((n) =>
              editing === n.id ? (
                <li key={n.id}>
                  <NoteForm candidateId={candidateId} note={n} onDone={() => done('Note saved.')} onCancel={() => setEditing(null)} />
                </li>
              ) : (
                <li key={n.id} className="note" data-testid="note">
                  <div className="page-head">
                    <span className="muted">
                      {author(n)} · {dateTime(n.createdAt, s.zone)}
                      {n.edited && <span title={`Edited ${dateTime(n.updatedAt, s.zone)}`}> · edited</span>}
                    </span>
                    {mayChange(n) && (
                      <span className="row">
                        <button type="button" className="small" onClick={() => setEditing(n.id)} aria-label={`Edit the note of ${dateTime(n.createdAt, s.zone)}`}>
                          Edit
                        </button>
                        <DeleteNote candidateId={candidateId} note={n} label={dateTime(n.createdAt, s.zone)} onDone={() => done('Note deleted.')} />
                      </span>
                    )}
                  </div>
                  <p className="note-body">{n.body}</p>
                </li>
              ),
            )}
          </ol>
        )}
      </Loaded>
    </section>
  );
}

function DeleteNote({ candidateId, note, label, onDone }: { candidateId: string; note: Note; label: string; onDone: () => void }) {
  const action = useAction();
  return (
    <>
      <Confirm
        trigger="Delete…"
        label={`Delete the note of ${label}`}
        question="Delete this note?"
        detail="It cannot be brought back."
        confirm="Delete"
        busy={action.busy}
        onConfirm={async () => {
          const ok = await action.run(() =>
            call((c) => c.DELETE('/v1/candidates/{id}/notes/{noteId}', { params: { path: { id: candidateId, noteId: note.id }, header: ifMatch(note.version) } })).then(() => true),
          );
          if (ok) onDone();
        }}
      />
      <FormError action={action} />
    </>
  );
}

function NoteForm({ candidateId, note, onDone, onCancel }: { candidateId: string; note?: Note; onDone: () => void; onCancel: () => void }) {
  const action = useAction();
  const panel = usePanel(onCancel);
  const [body, setBody] = useState(note?.body ?? '');
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const ok = await action.run(() =>
      note
        ? call((c) => c.PATCH('/v1/candidates/{id}/notes/{noteId}', { params: { path: { id: candidateId, noteId: note.id }, header: ifMatch(note.version) }, body: { body } }))
        : call((c) => c.POST('/v1/candidates/{id}/notes', { params: { path: { id: candidateId } }, body: { body } })),
    );
    if (ok) onDone();
  };
  return (
    <form className="panel" onSubmit={submit} noValidate aria-label={note ? 'Edit the note' : 'New note'} {...panel}>
      <Field label={note ? 'Note' : 'New note'} name="body" action={action}>
        {(p) => <textarea {...p} rows={4} value={body} onChange={(e) => setBody(e.target.value)} />}
      </Field>
      <FormFooter action={action} shown={['body']} submit={note ? 'Save note' : 'Add note'} onCancel={onCancel} />
    </form>
  );
}
