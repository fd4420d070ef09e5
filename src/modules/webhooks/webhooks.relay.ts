import pg from 'pg';
import type { Deps } from '../../deps.js';
import { relayEvents, sweepDeliveries } from './webhooks.outbox.js';

export interface WebhookRelay {
  /** Runs a relay and sweep pass now (or right after the one running) and resolves when it is done. */
  kick(): Promise<void>;
  /** LISTEN is in place: a commit wakes the relay without waiting for the poll. */
  readonly listening: boolean;
  close(): Promise<void>;
}

const CHANNEL = 'afterview_events';

/**
 * The outbox relay loop of a worker process: woken by LISTEN/NOTIFY when events commit, and by a
 * timer every WEBHOOK_POLL_MS as the fallback (a lost notification, a dropped LISTEN connection).
 * Each pass relays new events to deliveries, then queues the tries that are due.
 */
export function startWebhookRelay(deps: Deps): WebhookRelay {
  const { config, log } = deps;
  let closed = false;
  let current: Promise<void> | null = null;
  let again = false;

  const pass = async () => {
    do {
      again = false;
      try {
        await relayEvents(deps);
        await sweepDeliveries(deps);
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'webhook relay pass failed; the next one retries');
      }
    } while (again && !closed);
  };
  const kick = (): Promise<void> => {
    if (closed) return Promise.resolve();
    if (current) {
      again = true;
      return current;
    }
    current = pass().finally(() => {
      current = null;
    });
    return current;
  };

  const timer = setInterval(() => void kick(), config.WEBHOOK_POLL_MS);
  timer.unref();

  let listener: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;
  const listen = async () => {
    if (closed) return;
    const client = new pg.Client({ connectionString: config.DATABASE_URL, application_name: 'afterview-relay' });
    client.on('notification', () => void kick());
    client.on('error', (err) => {
      log.warn({ err: err.message }, 'webhook relay lost its LISTEN connection; polling until it is back');
      client.end().catch(() => undefined);
      if (listener === client) listener = null;
      retry = setTimeout(() => void listen(), 2_000);
      retry.unref();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      if (closed) return void (await client.end());
      listener = client;
    } catch (err) {
      client.emit('error', err as Error);
    }
  };
  void listen();
  void kick();

  return {
    kick,
    get listening() {
      return listener !== null;
    },
    async close() {
      closed = true;
      clearInterval(timer);
      if (retry) clearTimeout(retry);
      await listener?.end().catch(() => undefined);
      await current;
    },
  };
}
