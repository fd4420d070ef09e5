import type { FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.js';
import { AppError } from '../../lib/errors.js';
import { parseTenantToken } from '../../lib/secrets.js';

/**
 * The tokens of emailed links: `inv_<tenant>_<secret>` (an invitation), `pwr_<tenant>_<secret>`
 * (a password reset), 256 random bits, stored as SHA-256 only. A link that is not one we sent,
 * was altered, or belongs to another agency is `link_invalid`; one past its time `link_expired`;
 * one already used `link_used`. Each names `body.token` and changes nothing.
 */
export const INVITATION_PREFIX = 'inv';
export const RESET_PREFIX = 'pwr';

const field = 'body.token';

export const linkInvalid = () =>
  new AppError('link_invalid', 'This link is not valid. Open the link of the latest email, whole, or ask for a new one', [{ field, message: 'Not a valid link' }]);
export const linkExpired = (detail: string) => new AppError('link_expired', detail, [{ field, message: 'Expired' }]);
export const linkUsed = (detail: string) => new AppError('link_used', detail, [{ field, message: 'Already used' }]);

/** The agency a link's token names, or link_invalid. */
export function linkTenant(prefix: string, token: string): string {
  const parsed = parseTenantToken(prefix, token);
  if (!parsed) throw linkInvalid();
  return parsed.tenantId;
}

/** The per-address limit of a public account route, in buckets of its own (ten accounts' worth of attempts). */
export const publicLimit = (deps: Deps, name: string) => ({
  max: deps.config.LOGIN_RATE_LIMIT_MAX * 10,
  timeWindow: deps.config.RATE_LIMIT_WINDOW_MS,
  keyGenerator: (req: FastifyRequest) => `${name}:${req.ip}`,
});
