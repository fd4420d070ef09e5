import { useEffect, useId, useRef, useState, type ReactNode } from 'react';

type ConfirmProps = {
  /** The button's text ("Revoke…"). */
  trigger: string;
  /** The button's accessible name when its text alone is ambiguous in a list ("Revoke the key CRM"). */
  label?: string;
  question: string;
  /** What follows, under the question. */
  detail?: ReactNode;
  /** The button that acts ("Revoke"). */
  confirm: string;
  /** The button that does not ("Cancel", "Keep"). */
  cancel?: string;
  onConfirm: () => Promise<unknown>;
  busy?: boolean;
  small?: boolean;
};

/**
 * A button that asks before an action that cannot be undone from here: `trigger` opens a modal
 * dialog (`role="alertdialog"`, named by the question) with `confirm` and `cancel`. The focus starts
 * on `cancel`, the safe choice; Escape closes it like Cancel; the focus returns to the trigger.
 */
export function Confirm({ trigger, label, question, detail, confirm, cancel = 'Cancel', onConfirm, busy = false, small = true }: ConfirmProps) {
  const [open, setOpen] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const safe = useRef<HTMLButtonElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const id = useId();
  useEffect(() => {
    const d = dialog.current;
    if (!open || !d || d.open) return;
    d.showModal();
    safe.current?.focus();
  }, [open]);
  const close = () => dialog.current?.close();
  return (
    <>
      <button ref={opener} type="button" className={small ? 'small' : undefined} aria-haspopup="dialog" aria-label={label} onClick={() => setOpen(true)}>
        {trigger}
      </button>
      {open && (
        <dialog
          ref={dialog}
          role="alertdialog"
          aria-modal="true"
          aria-labelledby={`${id}-q`}
          aria-describedby={detail ? `${id}-d` : undefined}
          className="confirm-dialog"
          onClose={() => {
            setOpen(false);
            opener.current?.focus();
          }}
        >
          <p id={`${id}-q`} className="confirm-question">
            {question}
          </p>
          {detail && (
            <p id={`${id}-d`} className="muted">
              {detail}
            </p>
          )}
          <div className="row">
            <button type="button" className="danger" disabled={busy} onClick={() => void onConfirm().finally(close)}>
              {confirm}
            </button>
            <button ref={safe} type="button" onClick={close}>
              {cancel}
            </button>
          </div>
        </dialog>
      )}
    </>
  );
}
