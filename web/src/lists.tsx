import type { ReactNode } from 'react';

/** A list screen's heading, with its add button while nothing is being added. */
export function ListHead({ id, title, canAdd, adding, addLabel, onAdd, more }: { id: string; title: string; canAdd: boolean; adding: boolean; addLabel: string; onAdd: () => void; more?: ReactNode }) {
  return (
    <div className="page-head">
      <h1 id={id}>{title}</h1>
      {canAdd && !adding && (
        <div className="row wrap">
          {more}
          <button type="button" className="primary" onClick={onAdd}>
            {addLabel}
          </button>
        </div>
      )}
    </div>
  );
}

/**
 * A titled list whose rows edit in place: `editing` is the id of the row being edited, or `newKey` while
 * one is being added; `form(item)` edits `item`, `form()` adds one.
 */
export function EditableRows<T extends { id: string }>(props: {
  title: string;
  addLabel: string;
  newKey: string;
  empty: string;
  items: T[];
  write: boolean;
  editing: string | null;
  setEditing: (key: string) => void;
  name: (item: T) => string;
  form: (item?: T) => ReactNode;
  row: (item: T) => ReactNode;
}) {
  const { title, addLabel, newKey, empty, items, write, editing, setEditing, name, form, row } = props;
  return (
    <>
      <div className="page-head">
        <h2>{title}</h2>
        {write && editing !== newKey && (
          <button type="button" onClick={() => setEditing(newKey)}>
            {addLabel}
          </button>
        )}
      </div>
      {editing === newKey && form()}
      {items.length === 0 && <p className="empty">{empty}</p>}
      <ul className="rows">
        {items.map((item) =>
          editing === item.id ? (
            <li key={item.id}>{form(item)}</li>
          ) : (
            <li key={item.id} className="row-item">
              {row(item)}
              {write && (
                <button type="button" className="small" onClick={() => setEditing(item.id)} aria-label={`Edit ${name(item)}`}>
                  Edit
                </button>
              )}
            </li>
          ),
        )}
      </ul>
    </>
  );
}
