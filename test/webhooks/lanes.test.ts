import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { DETACHED, ENDPOINT_JOBS, EndpointLanes, SLOW_AFTER_MS } from '../../src/modules/webhooks/webhooks.lanes.js';

/**
 * A worker's per-endpoint lanes (webhooks.lanes.ts) on fake timers: what a job of an endpoint is
 * told to do while others of that endpoint run, or hang. (test/webhooks/fairness.test.ts runs them
 * with real receivers.)
 */
beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

const never = () => new Promise<never>(() => undefined);
const later = () => {
  let done!: (v: string) => void;
  const p = new Promise<string>((resolve) => (done = resolve));
  return { work: () => p, done };
};

describe('an endpoint’s lane', () => {
  it('runs two of its jobs at once; a third waits a moment for one of them, then goes back to Redis', async () => {
    const lanes = new EndpointLanes(pino({ level: 'silent' }));
    const jobs = Array.from({ length: ENDPOINT_JOBS }, later);
    for (const j of jobs) {
      expect(await lanes.enter('e')).toBe(0);
      void lanes.run('e', j.work);
    }
    // Another endpoint is not held up.
    expect(await lanes.enter('other')).toBe(0);

    const third = lanes.enter('e');
    await vi.advanceTimersByTimeAsync(100);
    jobs[0]!.done('ok');
    expect(await third).toBe(0);

    const fourth = lanes.enter('e');
    await vi.advanceTimersByTimeAsync(300);
    expect(await fourth).toBeGreaterThan(0);
  });

  it('a job still waiting for answers after a second leaves its slot; meanwhile the endpoint’s jobs go back to Redis, and come back once it ends', async () => {
    const lanes = new EndpointLanes(pino({ level: 'silent' }));
    const hanging = later();
    expect(await lanes.enter('e')).toBe(0);
    const first = lanes.run('e', hanging.work);
    expect(await lanes.enter('e')).toBe(0);
    void lanes.run('e', never);
    const waiting = lanes.enter('e');
    await vi.advanceTimersByTimeAsync(SLOW_AFTER_MS);
    expect(await first).toBe(DETACHED);
    // The job that waited is sent back, and so is the next one.
    expect(await waiting).toBeGreaterThan(0);
    expect(await lanes.enter('e')).toBeGreaterThan(0);
    // The fast endpoint beside it still runs at once.
    expect(await lanes.enter('other')).toBe(0);
    // The slow job finishes; the other one still hangs, so the endpoint still counts as slow.
    hanging.done('late');
    await vi.advanceTimersByTimeAsync(0);
    expect(await lanes.enter('e')).toBeGreaterThan(0);
  });

  it('a job that finishes in time answers its result', async () => {
    const lanes = new EndpointLanes(pino({ level: 'silent' }));
    expect(await lanes.enter('e')).toBe(0);
    expect(await lanes.run('e', async () => 'recorded')).toBe('recorded');
    expect(await lanes.enter('e')).toBe(0);
  });
});
