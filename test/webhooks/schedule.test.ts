import { describe, expect, it } from 'vitest';
import { nextDelayMs, retryAfterMs } from '../../src/modules/webhooks/webhooks.send.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
/** The schedule, written out here rather than read from the code it checks. */
const WAITS = [5_000, 5 * MIN, 30 * MIN, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR];

describe('the retry schedule', () => {
  it('when try n fails, then the next comes after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; after the 8th try there is none', () => {
    const mid = () => 0.5; // no jitter
    expect(WAITS.map((_, step) => nextDelayMs(step, null, mid))).toEqual(WAITS);
    expect(nextDelayMs(WAITS.length, null, mid)).toBeNull();
  });

  it('when jitter applies, then each wait stays within ±10 % of the schedule', () => {
    for (const [step, wait] of WAITS.entries()) {
      expect(nextDelayMs(step, null, () => 0)).toBe(Math.round(wait * 0.9));
      expect(nextDelayMs(step, null, () => 0.999999)).toBeLessThanOrEqual(Math.round(wait * 1.1));
      expect(nextDelayMs(step, null, () => 0.999999)).toBeGreaterThan(wait);
    }
  });

  it('when the receiver asks for a longer wait (Retry-After), then it is honoured, up to 10 h; a shorter one does not hurry the schedule', () => {
    const mid = () => 0.5;
    expect(nextDelayMs(0, 120_000, mid)).toBe(120_000);
    expect(nextDelayMs(1, 1_000, mid)).toBe(5 * MIN);
    expect(nextDelayMs(0, 48 * HOUR, mid)).toBe(10 * HOUR);
    // The schedule still ends after the 8th try, whatever the receiver asks.
    expect(nextDelayMs(WAITS.length, 1_000, mid)).toBeNull();
  });
});

describe('Retry-After', () => {
  const now = new Date('2026-12-04T10:00:00Z');
  it('when given in seconds or as an HTTP date, then it is read as a wait from now', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(' 7 ', now)).toBe(7_000);
    expect(retryAfterMs('Fri, 04 Dec 2026 10:05:00 GMT', now)).toBe(5 * MIN);
    expect(retryAfterMs('Fri, 04 Dec 2026 09:00:00 GMT', now)).toBe(0);
  });
  it('when absent or unreadable, then there is none', () => {
    expect(retryAfterMs(undefined, now)).toBeNull();
    expect(retryAfterMs('', now)).toBeNull();
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs('-5', now)).toBeNull();
  });
});
