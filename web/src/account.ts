/** What a password must be, as the API says it (PASSWORD_RULES in src/lib/passwords.ts), shortly. */
export const PASSWORD_HINT = 'At least 12 characters, not easy to guess: not your email, name or agency. A few unrelated words work well.';

export const ROLE_WITH_ARTICLE = { owner: 'an owner', admin: 'an admin', recruiter: 'a recruiter', viewer: 'a viewer' } as const;

/** "Chrome on macOS" from a User-Agent header, or the header itself when it names nothing known. */
export function device(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  const browser = [['Edg/', 'Edge'], ['Firefox/', 'Firefox'], ['Chrome/', 'Chrome'], ['Safari/', 'Safari']].find(([k]) => userAgent.includes(k!))?.[1];
  const os = [['iPhone', 'iPhone'], ['iPad', 'iPad'], ['Android', 'Android'], ['Windows', 'Windows'], ['Mac OS X', 'macOS'], ['Linux', 'Linux']].find(([k]) => userAgent.includes(k!))?.[1];
  return browser ? `${browser}${os ? ` on ${os}` : ''}` : userAgent.slice(0, 60);
}
