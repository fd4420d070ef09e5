import { hash, verify } from '@node-rs/argon2';
import { AppError } from './errors.js';

// OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
const OPTIONS = { algorithm: 2 as const, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** Verified against when the user does not exist, so both answers take the same time. */
let dummy: Promise<string> | undefined;
export const dummyHash = (): Promise<string> => (dummy ??= hashPassword('afterview-timing-equaliser'));

/** What a password must be, as the API says it (docs/auth.md#passwords). */
export const PASSWORD_RULES =
  'At least 12 characters (at most 128), not easy to guess: not your email, name or agency, not a common password, not one or two characters repeated. A few unrelated words work well.';

// Common passwords long enough to pass the length rule (lists of breached passwords start so).
const COMMON = new Set([
  '123456789012', '1234567890123', '12345678901234', '123123123123', '111111111111', 'qwertyuiop12', 'qwerty123456',
  'qwertyuiopas', 'password1234', 'password12345', 'passwordpassword', 'password!234', 'iloveyou1234', 'letmein12345',
  'welcome12345', 'changeme1234', 'administrator', 'abcdefghijkl', 'abc123abc123', 'trustno1trustno1', 'afterview123',
]);

/**
 * Refuses a guessable password with a 400 naming `field` (the length is the schema's to check):
 * one of a few characters, a common one, or the user's own email, name or agency (`personal`).
 */
export function assertStrongPassword(password: string, field: string, personal: readonly string[]): void {
  const lower = password.toLowerCase();
  const letters = (s: string) => s.replace(/[^\p{L}]/gu, '');
  // The email, its local part, the name, the agency; also with digits and signs around them.
  const mine = personal.flatMap((p) => [p.toLowerCase(), p.toLowerCase().split('@')[0] ?? '']).filter((p) => letters(p).length >= 3);
  const weak = new Set(lower).size < 5 || COMMON.has(lower) || mine.some((p) => lower === p || letters(lower) === letters(p));
  if (weak) throw new AppError('validation_failed', `The password is too easy to guess. ${PASSWORD_RULES}`, [{ field, message: PASSWORD_RULES }]);
}
