import type { Deps } from '../deps.js';
import { allTenantIds } from '../db/client.js';
import { logout, signup } from '../modules/auth/auth.service.js';

export const demo = {
  agency: 'demo',
  email: 'owner@demo.afterview.test',
  password: 'demo-password-2026',
};

/** On an empty database, creates the demo agency and says how to sign in to it. */
export async function seedDemo(deps: Deps): Promise<boolean> {
  if ((await allTenantIds(deps.db)).length > 0) return false;
  const seeded = await signup(
    { ...deps, config: { ...deps.config, SIGNUP_ENABLED: true } },
    {
      agencyName: 'Hudson Valley Teachers (demo)',
      slug: demo.agency,
      timeZone: 'America/New_York',
      owner: { name: 'Dana Demo', email: demo.email, password: demo.password },
    },
    { ip: '127.0.0.1', userAgent: 'npm start (demo seed)' },
  );
  // Nobody holds the seed's tokens: its session would only sit in the owner's sessions list.
  await logout(deps, seeded.refreshToken);
  return true;
}
