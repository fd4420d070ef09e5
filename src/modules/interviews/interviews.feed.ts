import { and, asc, eq, gte } from 'drizzle-orm';
import ical, { ICalCalendarMethod } from 'ical-generator';
import type { Deps } from '../../deps.js';
import { publicUrl } from '../../config.js';
import { readTenant, withTenant } from '../../db/client.js';
import { applications, calendarFeeds, interviews, tenants, users } from '../../db/schema/index.js';
import type { Actor } from '../../lib/access.js';
import { AppError } from '../../lib/errors.js';
import { makeTenantToken, parseTenantToken, sha256 } from '../../lib/secrets.js';
import { addInterviewEvent, interviewAbout } from './interviews.calendar.js';
import { loadInterview } from './interviews.repo.js';

export const FEED_PREFIX = 'cal';
/** The feed holds the recruiter's interviews from this long ago on (and every later one, up to the cap). */
const FEED_PAST_MS = 60 * 86_400_000;
const FEED_MAX = 500;

const signedInUser = (actor: Actor) => {
  if (!actor.userId) throw new AppError('forbidden', 'A calendar feed belongs to a signed-in user, not an API key');
  return actor.userId;
};

/**
 * A new private feed URL of the user's interviews (the applications they own) for Google Calendar,
 * Outlook or Apple Calendar to subscribe to; the previous URL stops working. The token in it is
 * shown once and stored as SHA-256.
 */
export async function rotateCalendarFeed(deps: Deps, actor: Actor) {
  const userId = signedInUser(actor);
  const token = makeTenantToken(FEED_PREFIX, actor.tenantId);
  const now = deps.clock.now();
  await withTenant(deps.db, actor.tenantId, (tx) =>
    tx
      .insert(calendarFeeds)
      .values({ tenantId: actor.tenantId, userId, tokenHash: sha256(token), createdAt: now })
      .onConflictDoUpdate({ target: [calendarFeeds.tenantId, calendarFeeds.userId], set: { tokenHash: sha256(token), createdAt: now } }),
  );
  return { url: `${publicUrl(deps.config)}/v1/calendar-feeds/${token}`, createdAt: now };
}

/** Revokes the user's feed URL: calendar apps polling it get 404 from then on. */
export async function revokeCalendarFeed(deps: Deps, actor: Actor) {
  const userId = signedInUser(actor);
  const gone = await withTenant(deps.db, actor.tenantId, (tx) => tx.delete(calendarFeeds).where(eq(calendarFeeds.userId, userId)).returning({ userId: calendarFeeds.userId }));
  return gone.length > 0;
}

const unknownFeed = () => new AppError('not_found', 'No such calendar feed (the link may have been replaced or revoked)');

/** The feed itself (GET /v1/calendar-feeds/{token}): METHOD:PUBLISH, one event per interview, SEQUENCE its version. */
export async function calendarFeed(deps: Deps, token: string): Promise<string> {
  const parsed = parseTenantToken(FEED_PREFIX, token);
  if (!parsed) throw unknownFeed();
  const hash = sha256(token);
  return readTenant(deps.db, parsed.tenantId, async (tx) => {
    const [feed] = await tx
      .select({ userId: calendarFeeds.userId, tokenHash: calendarFeeds.tokenHash, agency: tenants.name, user: users.name, status: users.status })
      .from(calendarFeeds)
      .innerJoin(users, eq(users.id, calendarFeeds.userId))
      .innerJoin(tenants, eq(tenants.id, calendarFeeds.tenantId))
      .where(eq(calendarFeeds.tokenHash, hash));
    if (!feed || feed.status !== 'active') throw unknownFeed();
    const since = new Date(deps.clock.now().getTime() - FEED_PAST_MS);
    const rows = await tx
      .select({ id: interviews.id })
      .from(interviews)
      .innerJoin(applications, eq(applications.id, interviews.applicationId))
      .where(and(eq(applications.ownerId, feed.userId), gte(interviews.startsAt, since)))
      .orderBy(asc(interviews.startsAt))
      .limit(FEED_MAX);
    const calendar = ical({ prodId: { company: 'Afterview', product: 'interviews', language: 'EN' }, method: ICalCalendarMethod.PUBLISH, name: `${feed.agency}: ${feed.user}’s interviews`, ttl: 15 * 60 });
    for (const { id } of rows) {
      const interview = await loadInterview(tx, id);
      const about = interview ? await interviewAbout(tx, interview.applicationId) : undefined;
      if (interview && about) addInterviewEvent(calendar, interview, about, { sequence: interview.version });
    }
    return calendar.toString();
  });
}
