import { lazy, Suspense, useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, match, navigate, useLocation } from './router';
import { SessionProvider, useSession } from './session';
import { SignIn } from './screens/SignIn';
import { Announcer } from './status';
import { UndoToast } from './undoToast';
import { Today } from './screens/Today';
import { Loading, label } from './ui';

// Today and sign-in ship in the first chunk; the other screens load when first opened.
const Interviews = lazy(() => import('./screens/Interviews'));
const InterviewPage = lazy(() => import('./screens/InterviewPage'));
const Candidates = lazy(() => import('./screens/Candidates'));
const CandidatePage = lazy(() => import('./screens/CandidatePage'));
const Employers = lazy(() => import('./screens/Employers'));
const EmployerPage = lazy(() => import('./screens/EmployerPage'));
const Settings = lazy(() => import('./screens/Settings'));
const PositionPage = lazy(() => import('./screens/PositionPage'));
const Search = lazy(() => import('./screens/Search'));
const ImportPage = lazy(() => import('./screens/Import'));
// Reports bring Chartist, in a chunk of their own loaded when a chart first draws.
const Reports = lazy(() => import('./screens/Reports'));
// The pages of emailed links and "forgot password": open whether or not someone is signed in.
const AccountPage = lazy(() => import('./screens/AccountPages'));
const accountPages = ['/accept-invitation', '/forgot-password', '/reset-password'];

const routes: [string, (p: Record<string, string>) => ReactNode][] = [
  ['/', () => <Today />],
  ['/interviews', () => <Interviews />],
  ['/interviews/:id', (p) => <InterviewPage id={p.id!} />],
  ['/candidates', () => <Candidates />],
  ['/candidates/:id', (p) => <CandidatePage id={p.id!} />],
  ['/employers', () => <Employers />],
  ['/employers/:id', (p) => <EmployerPage id={p.id!} />],
  ['/positions/:id', (p) => <PositionPage id={p.id!} />],
  ['/search', () => <Search />],
  ['/import', () => <ImportPage />],
  ['/reports', () => <Reports />],
  ['/settings', () => <Settings />],
];

const nav = [
  ['/', 'Today'],
  ['/interviews', 'Interviews'],
  ['/candidates', 'Candidates'],
  ['/employers', 'Employers'],
  ['/reports', 'Reports'],
] as const;

function Shell() {
  const s = useSession();
  const { path } = useLocation();
  let page: ReactNode = <p className="empty">No such page. <Link to="/">Go to Today</Link></p>;
  for (const [pattern, render] of routes) {
    const p = match(pattern, path);
    if (p) {
      page = render(p);
      break;
    }
  }
  const current = (to: string) => (to === '/' ? path === '/' : path.startsWith(to));
  // At phone width the links fold behind a Menu button; a route change folds them again.
  const [menu, setMenu] = useState(false);
  useEffect(() => setMenu(false), [path]);
  useFocusHeading(path);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top" onKeyDown={(e) => e.key === 'Escape' && menu && (setMenu(false), document.getElementById('menu-button')?.focus())}>
        <div className="brand">
          <strong>Afterview</strong>
          <span className="agency" data-testid="agency">
            {s.me.agency.name}
          </span>
        </div>
        <button type="button" id="menu-button" className="menu-button" aria-expanded={menu} aria-controls="menu" onClick={() => setMenu(!menu)}>
          Menu
        </button>
        <div id="menu" className={`menu${menu ? ' open' : ''}`}>
          <nav aria-label="Main">
            {nav.map(([to, text]) => (
              <Link key={to} to={to} aria-current={current(to) ? 'page' : undefined}>
                {text}
              </Link>
            ))}
            <Link to="/settings" aria-current={current('/settings') ? 'page' : undefined}>
              Settings
            </Link>
          </nav>
          <SearchBox />
          <div className="who">
            <span>
              {s.user.name} · <span data-testid="role">{label(s.role)}</span>
            </span>
            <button type="button" className="link" onClick={() => void s.signOut()}>
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Suspense fallback={<Loading rows={5} />}>{page}</Suspense>
      </main>
      <Announcer />
      <UndoToast />
    </>
  );
}

/** The header's search: opens /search with what was typed (two characters at least). */
function SearchBox() {
  const [q, setQ] = useState('');
  return (
    <form
      role="search"
      aria-label="Everything"
      className="search-box"
      onSubmit={(e) => {
        e.preventDefault();
        if (q.trim().length < 2) return;
        navigate(`/search?q=${encodeURIComponent(q.trim())}`);
        setQ('');
      }}
    >
      <input type="search" aria-label="Search all records" title="Candidates, employers, contacts and positions" placeholder="Search" value={q} onChange={(e) => setQ(e.target.value)} />
      <button type="submit" className="small">
        Search
      </button>
    </form>
  );
}

/**
 * After a route change (not the first load), the focus moves to the new page's main heading as soon
 * as it shows (pages render it once their data is in), so a screen reader starts there and Tab
 * goes on from the page, not from the link left behind.
 */
function useFocusHeading(path: string) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const main = document.getElementById('main');
    if (!main) return;
    // The page left behind may still be in the DOM, hidden by Suspense while the next one loads.
    const focus = () => {
      const h = [...main.querySelectorAll('h1')].find((x) => x.getClientRects().length > 0);
      if (!h) return false;
      h.tabIndex = -1;
      h.focus();
      return document.activeElement === h;
    };
    if (focus()) return;
    const watch = new MutationObserver(() => focus() && watch.disconnect());
    watch.observe(main, { childList: true, subtree: true, attributes: true, attributeFilter: ['style'] });
    return () => watch.disconnect();
  }, [path]);
}

export function App() {
  const { path } = useLocation();
  if (accountPages.includes(path)) {
    return (
      <Suspense fallback={<div className="boot" aria-busy="true" />}>
        <AccountPage path={path} />
      </Suspense>
    );
  }
  return (
    <SessionProvider signedOut={(done) => <SignIn onSignedIn={done} />}>
      <Shell />
    </SessionProvider>
  );
}
