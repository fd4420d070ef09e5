import type { Queue } from 'bullmq';
import { vi } from 'vitest';
import { defaultPlaybook } from '../../src/core/followups/playbook.js';

/**
 * Every email waits the playbook's undo window after it falls due (or after Send now, a resend, an
 * approval) before it leaves (docs/followups.md#the-undo-window). Tests that send at a due time
 * move the injected clock past the window with this, rather than turning the window off.
 */
export const UNDO_WINDOW_MS = defaultPlaybook.undoSeconds * 1000;

/**
 * Moves the injected clock on past the default undo window (one second more) and lets the deliver
 * jobs BullMQ holds as delayed run now: their delay was counted on the injected clock, which has
 * moved, while BullMQ waits in real time. A job that still finds its email inside its window
 * waits again by itself (the worker never sends early).
 */
export async function pastUndoWindow(clock: { advance(ms: number): void }, followups: Queue, opts: { jobIds?: string[] } = {}): Promise<void> {
  // A change hands its jobs to BullMQ as it commits, in the background: wait until they are there.
  if (opts.jobIds?.length) {
    await vi.waitFor(
      async () => {
        const found = await Promise.all(opts.jobIds!.map((id) => followups.getJob(id)));
        if (found.some((j) => !j)) throw new Error('deliver jobs not added yet');
      },
      { timeout: 10_000, interval: 20 },
    );
  }
  clock.advance(UNDO_WINDOW_MS + 1_000);
  await followups.promoteJobs();
}
