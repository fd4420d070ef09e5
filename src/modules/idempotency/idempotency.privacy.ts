import type { Tx } from '../../db/client.js';
import { forgetAnswersQuoting } from './idempotency.repo.js';

/** Answers kept for Idempotency-Key replays that quote any of `needles` (ids, an email) are forgotten. */
export const eraseFor = (tx: Tx, needles: readonly string[]) => forgetAnswersQuoting(tx, needles);
