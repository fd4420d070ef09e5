import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { api, call, refresh, session, type S } from './api';

const ranks = { viewer: 0, recruiter: 1, admin: 2, owner: 3 } as const;
export type Role = keyof typeof ranks;

export interface Session {
  me: S['Me'];
  user: S['User'];
  role: Role;
  /** The user's zone, else the agency's: where "today" and "your time" are. */
  zone: string;
  can: (role: Role) => boolean;
  /** After the user changed themselves (PATCH /v1/me): the new zone applies at once. */
  setUser: (user: S['User']) => void;
  signOut: () => Promise<void>;
}

const Ctx = createContext<Session | null>(null);

// Started when the bundle runs, before React renders: the session is being restored meanwhile.
const restoring = session.hasRefresh() ? refresh() : Promise.resolve(false);

export function useSession(): Session {
  const s = useContext(Ctx);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

export const loadMe = () => call((c) => c.GET('/v1/me'));

export async function signIn(body: S['LoginRequestInput']) {
  session.set(await call((c) => c.POST('/v1/auth/login', { body })));
}

/**
 * Restores the session on load from the stored refresh token (rotated on each use), then
 * renders `children` signed in, or `signedOut` (the sign-in screen).
 */
export function SessionProvider({ children, signedOut }: { children: ReactNode; signedOut: (onSignedIn: () => void) => ReactNode }) {
  const [me, setMe] = useState<S['Me'] | null | undefined>(undefined);
  const load = () =>
    loadMe().then(
      (m) => setMe(m),
      () => setMe(null),
    );
  useEffect(() => {
    // Signed in by the restore at start, or since by a page of an emailed link (its tokens are set).
    void restoring.then(() => (session.hasRefresh() ? load() : setMe(null)));
    const off = session.onChange((signedIn) => {
      if (!signedIn) setMe(null);
    });
    return () => void off();
  }, []);
  if (me === undefined) return <div className="boot" aria-busy="true" />;
  if (me === null || !me.user) return <>{signedOut(() => void load())}</>;
  const user = me.user;
  const role = user.role as Role;
  const value: Session = {
    me,
    user,
    role,
    zone: user.timeZone ?? me.agency.timeZone,
    can: (r) => ranks[role] >= ranks[r],
    setUser: (u) => setMe({ ...me, user: u }),
    signOut: async () => {
      const refreshToken = localStorage.getItem('afterview.refresh');
      if (refreshToken) await api.POST('/v1/auth/logout', { body: { refreshToken } }).catch(() => undefined);
      session.clear();
    },
  };
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}
