import type { Redis } from 'ioredis';
import type { Deps } from '../../deps.js';
import { AppError } from '../../lib/errors.js';
import { sha256 } from '../../lib/secrets.js';

/**
 * Sign-in attempts per account, counted in Redis BEFORE the password is checked, in one atomic
 * script: N guesses sent at once are counted like N sent one after another (docs/auth.md#login).
 *
 * Two counts per window: the account from this address, and the account from every address it
 * has never signed in from. An address the account signed in from in the last 30 days ("known")
 * is counted on its own only, so an attacker spraying guesses from elsewhere cannot lock the
 * real user out there; a new address shares the account-wide count, so rotating addresses buys
 * no extra guesses. A successful sign-in gives its attempt back and makes the address known.
 */
const ATTEMPT = `
local pair = redis.call('INCR', KEYS[1])
if pair == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local known = redis.call('ZSCORE', KEYS[3], ARGV[2])
local account = 0
if not known then
  account = redis.call('INCR', KEYS[2])
  if account == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[1]) end
end
local max = tonumber(ARGV[3])
if pair > max then return {0, redis.call('PTTL', KEYS[1]), known and 1 or 0} end
if account > max then return {0, redis.call('PTTL', KEYS[2]), 0} end
return {1, 0, known and 1 or 0}`;

// ARGV[4]: which counts to give the attempt back to ('none', 'pair' or 'both'). DECR only what
// still exists: a key that expired meanwhile must not come back as -1 without an expiry.
const SUCCEEDED = `
if ARGV[4] ~= 'none' and redis.call('EXISTS', KEYS[1]) == 1 then redis.call('DECR', KEYS[1]) end
if ARGV[4] == 'both' and redis.call('EXISTS', KEYS[2]) == 1 then redis.call('DECR', KEYS[2]) end
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
redis.call('ZREMRANGEBYRANK', KEYS[3], 0, -21)
redis.call('PEXPIRE', KEYS[3], ARGV[3])
return 1`;

const KNOWN_FOR_MS = 30 * 86_400_000;
type Refund = 'none' | 'pair' | 'both';

type Scripts = Redis & {
  loginAttempt(k1: string, k2: string, k3: string, windowMs: number, address: string, max: number): Promise<[number, number, number]>;
  loginSucceeded(k1: string, k2: string, k3: string, address: string, now: number, keepMs: number, refund: Refund): Promise<number>;
};

function scripts(redis: Redis): Scripts {
  const r = redis as Scripts;
  if (!r.loginAttempt) {
    redis.defineCommand('loginAttempt', { numberOfKeys: 3, lua: ATTEMPT });
    redis.defineCommand('loginSucceeded', { numberOfKeys: 3, lua: SUCCEEDED });
  }
  return r;
}

/** The keys of an account (agency and email) from an address; hashed, so no email or address sits in Redis. */
function keysOf(deps: Deps, account: { agency: string; email: string }, ip: string) {
  const id = sha256(`${account.agency}\n${account.email}`);
  const p = `${deps.config.QUEUE_PREFIX}:login`;
  const address = sha256(ip);
  return { pair: `${p}:pair:${sha256(`${id}\n${ip}`)}`, account: `${p}:account:${id}`, known: `${p}:known:${id}`, address };
}

export interface LoginAttempt {
  /** The password was right: the attempt is given back and the address becomes known. */
  succeeded(): Promise<void>;
}

/**
 * Counts a sign-in attempt, whether or not the account exists (the same work either way), and
 * refuses it with 429 over the limit. Redis unreachable: not counted (fail open), as the other
 * limits; argon2's cost still bounds the guessing rate.
 */
export async function countLoginAttempt(deps: Deps, account: { agency: string; email: string }, ip: string): Promise<LoginAttempt> {
  const k = keysOf(deps, account, ip);
  const redis = scripts(deps.redis);
  const max = deps.config.LOGIN_RATE_LIMIT_MAX;
  let known: number;
  try {
    const [allowed, ttl, wasKnown] = await redis.loginAttempt(k.pair, k.account, k.known, deps.config.RATE_LIMIT_WINDOW_MS, k.address, max);
    if (!allowed) {
      throw new AppError('rate_limited', 'Too many sign-in attempts for this account; wait, or reset your password with "Forgot your password?"', [], {
        retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)),
      });
    }
    known = wasKnown;
  } catch (err) {
    if (err instanceof AppError) throw err;
    deps.log.warn({ err: (err as Error).message }, 'login attempts not counted: Redis unreachable');
    return { succeeded: async () => undefined };
  }
  return {
    // Given back where it was counted: account-wide only when the address was not known.
    succeeded: () => trustAddress(deps, account, ip, known === 1 ? 'pair' : 'both'),
  };
}

/**
 * Makes the address known for the account, so its sign-ins there are counted apart from everyone
 * else's (also after a password reset from it: the way in for a user locked out elsewhere).
 */
export async function trustAddress(deps: Deps, account: { agency: string; email: string }, ip: string, refund: Refund = 'none'): Promise<void> {
  const k = keysOf(deps, account, ip);
  await scripts(deps.redis)
    .loginSucceeded(k.pair, k.account, k.known, k.address, Date.now(), KNOWN_FOR_MS, refund)
    .catch((err: Error) => deps.log.warn({ err: err.message }, 'could not record a sign-in in Redis'));
}
