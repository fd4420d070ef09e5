import { useEffect, useState } from 'react';
import { ApiError, call, ifMatch, type S } from './api';
import { sendNowListeners } from './followups';
import { useSession } from './session';
import { announce } from './status';

type FollowUp = S['FollowUp'];

const clock = (iso: string, zone: string) =>
  new Date(iso).toLocaleTimeString('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });

/**
 * The undo window (docs/followups.md#the-undo-window): after Send now, the email waits `undoSeconds`
 * before it leaves. This toast says when it leaves and offers Undo until then; Undo puts the
 * follow-up back as it was (the API answers 409 once the worker has it, and the toast says so).
 */
export function UndoToast() {
  const s = useSession();
  const [f, setF] = useState<FollowUp | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const on = (u: FollowUp) => setF(u.undoSeconds > 0 ? u : null);
    sendNowListeners.add(on);
    return () => void sendNowListeners.delete(on);
  }, []);
  // Gone from view once the window has passed (by this browser's clock).
  useEffect(() => {
    if (!f) return;
    const left = Date.parse(f.sendsAt) - Date.now();
    const timer = setTimeout(() => setF(null), Math.max(0, Math.min(left, f.undoSeconds * 1000)) + 500);
    return () => clearTimeout(timer);
  }, [f]);
  if (!f) return null;
  const undo = async () => {
    setBusy(true);
    try {
      await call((c) => c.POST('/v1/follow-ups/{id}/undo', { params: { path: { id: f.id }, header: ifMatch(f.version) }, body: {} }));
      announce(`Not sent: the email to ${f.recipient.name} is back as it was.`);
    } catch (e) {
      announce(e instanceof ApiError && e.status === 409 ? `Too late to undo: the email to ${f.recipient.name} is on its way.` : `Undo failed: ${(e as Error).message}`);
    } finally {
      setBusy(false);
      setF(null);
    }
  };
  return (
    <aside className="toast shown undo-toast" aria-label="Undo sending" data-testid="undo-toast">
      <p className="toast-text">
        Sending to {f.recipient.name} at {clock(f.sendsAt, s.zone)}.
      </p>
      <button type="button" className="small" onClick={() => void undo()} disabled={busy}>
        Undo
      </button>
      <button type="button" className="small" onClick={() => setF(null)} aria-label="Dismiss">
        ×
      </button>
    </aside>
  );
}
