import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../../src/config.js';

// The run's own database, named by the global setup (test/helpers/global-setup.ts).
const db = process.env.AFTERVIEW_TEST_DB ?? 'afterview_test';
const pgHost = process.env.TEST_PG_HOST ?? '127.0.0.1:5432';

export const testAdminUrl = `postgres://postgres@${pgHost}/${db}`;
export const testAppUrl = `postgres://afterview_app:afterview_app@${pgHost}/${db}`;

/** The config every test app starts from: the test database, quiet logs, a fixed JWT secret. */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    DATABASE_URL: testAppUrl,
    DATABASE_ADMIN_URL: testAdminUrl,
    DATABASE_POOL_MAX: '5',
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `afterview-test-${process.pid}`,
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    RATE_LIMIT_MAX: '100000',
    LOGIN_RATE_LIMIT_MAX: '100000',
    SEED_DEMO: '0',
    // Encrypts agencies' SMTP passwords and DKIM keys (test/agency.email.test.ts).
    SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
    // One test file relays events (test/webhooks/delivery.test.ts); elsewhere workers do not.
    WEBHOOK_RELAY: '0',
    // Test receivers listen on http://127.0.0.1; refusals of loopback are tested with these off.
    WEBHOOK_ALLOW_LOOPBACK: '1',
    WEBHOOK_ALLOW_HTTP: '1',
    // Emails of tests without an SMTP sink (invitations, password notices) go to a folder of the run's.
    MAIL_OUTBOX_DIR: join(tmpdir(), `afterview-test-outbox-${process.env.AFTERVIEW_TEST_DB ?? 'run'}`),
    ...overrides,
  });
}
