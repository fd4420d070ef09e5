import { useState } from 'react';

/** A button that asks before an action that cannot be undone from here: `trigger`, then `question` with `confirm` or Cancel. */
export function Confirm({ trigger, question, confirm, onConfirm, busy = false }: { trigger: string; question: string; confirm: string; onConfirm: () => Promise<unknown>; busy?: boolean }) {
  const [open, setOpen] = useState(false);
  if (!open) {
    return (
      <button type="button" className="small" onClick={() => setOpen(true)}>
        {trigger}
      </button>
    );
  }
  return (
    <span className="row confirm" role="group" aria-label={question}>
      <span>{question}</span>
      <button type="button" className="small danger" disabled={busy} onClick={() => void onConfirm().finally(() => setOpen(false))}>
        {confirm}
      </button>
      <button type="button" className="small" onClick={() => setOpen(false)}>
        Cancel
      </button>
    </span>
  );
}
