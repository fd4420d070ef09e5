import { useEffect, useState } from 'react';
import { useLocation } from './router';

/**
 * What a save did ("Outcome logged: Rejected."), in the app's one polite live region: read out
 * by screen readers, shown at the foot of the screen until the next one, a dismissal or a route
 * change. A save that navigates announces after navigating.
 */
type Note = { text: string; path: string; n: number };
let note: Note | null = null;
const listeners = new Set<(n: Note | null) => void>();

export function announce(text: string) {
  note = { text, path: location.pathname, n: (note?.n ?? 0) + 1 };
  listeners.forEach((l) => l(note));
}

export function Announcer() {
  const { path } = useLocation();
  const [current, setCurrent] = useState(note);
  useEffect(() => {
    listeners.add(setCurrent);
    return () => void listeners.delete(setCurrent);
  }, []);
  const shown = current && current.path === path ? current : null;
  return (
    <div className={`toast${shown ? ' shown' : ''}`}>
      {/* The region stays in the page, so that a new message in it is announced. */}
      <p role="status" className="toast-text" data-testid="announcement">
        {shown && <span key={shown.n}>{shown.text}</span>}
      </p>
      {shown && (
        <button type="button" className="small" onClick={() => setCurrent(null)} aria-label="Dismiss the message">
          ×
        </button>
      )}
    </div>
  );
}
