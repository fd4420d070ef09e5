import { z } from 'zod';

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const postgresUrl = z
  .string()
  .url()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// URL');
const redisUrl = z
  .string()
  .url()
  .refine((v) => /^rediss?:\/\//.test(v), 'must be a redis:// URL');

/** The one schema for the environment. Every variable is documented in `.env.example`. */
export const configSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.string().url().optional(),
  /** `GET /metrics` on the API for a scraper with this bearer token (docs/operations.md#metrics); unset: 404. */
  METRICS_TOKEN: z.string().min(32).optional(),
  /** `/metrics` on a listener of its own at HOST:METRICS_PORT, in every process (the worker's only HTTP). */
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** OpenTelemetry traces (docs/metrics.md#traces): `otlp` sends spans over OTLP/HTTP; off by default. */
  OTEL_TRACES_EXPORTER: z.enum(['none', 'otlp']).default('none'),
  /** Where spans go: the collector's OTLP/HTTP traces URL (default http://127.0.0.1:4318/v1/traces). */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.string().url().optional(),
  OTEL_SERVICE_NAME: z.string().min(1).max(100).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.default(false),

  DATABASE_URL: postgresUrl.default('postgres://afterview_app:afterview_app@127.0.0.1:5432/afterview'),
  DATABASE_ADMIN_URL: postgresUrl.default('postgres://postgres@127.0.0.1:5432/afterview'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(20),
  DATABASE_POOL_IDLE_MS: z.coerce.number().int().min(1_000).default(60_000),
  DATABASE_POOL_WAIT_MS: z.coerce.number().int().min(50).max(60_000).default(5_000),
  DATABASE_READ_PIPELINES: z.coerce.number().int().min(0).max(32).default(2),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
  MIGRATE_ON_START: bool.default(true),

  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
  // How often each worker checks that Redis still holds its schedules (docs/jobs.md).
  SCHEDULE_CHECK_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, _ and - only')
    .default('afterview'),

  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ISSUER: z.string().min(1).default('afterview'),
  JWT_AUDIENCE: z.string().min(1).default('afterview-api'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(600),
  REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),

  SIGNUP_ENABLED: bool.default(true),
  SEED_DEMO: bool.default(true),

  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(1024 * 1024),
  REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(600),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
  LOGIN_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(10),
  /** The public answer page of response links: requests per 10 minutes, per address and per link (docs/response-links.md). */
  RESPONSE_RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(30),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(100).default(10_000),

  SMTP_URL: z
    .string()
    .url()
    .refine((v) => /^smtps?:\/\//.test(v), 'must be an smtp:// or smtps:// URL')
    .optional(),
  MAIL_OUTBOX_DIR: z.string().min(1).default('./var/outbox'),
  MAIL_FROM: z.email().default('followups@afterview.local'),
  // The key that encrypts agencies' SMTP passwords and DKIM keys at rest (AES-256-GCM): 32 random
  // bytes, base64. SECRETS_KEY_PREVIOUS still decrypts what the last key wrote (docs/email.md).
  SECRETS_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64 (openssl rand -base64 32)')
    .optional(),
  SECRETS_KEY_PREVIOUS: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes, base64')
    .optional(),
  // How long a worker's claim on a follow-up lasts; still queued after it, the send is uncertain
  // (docs/followups.md#delivery). Longer than the mailer's own timeouts (src/lib/mailer.ts).
  FOLLOWUP_CLAIM_LEASE_MS: z.coerce.number().int().min(1_000).default(300_000),

  WEBHOOK_ALLOW_LOOPBACK: bool.default(false),
  WEBHOOK_ALLOW_HTTP: bool.default(false),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(15_000),
  WEBHOOK_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  WEBHOOK_RELAY: bool.default(true),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parses the environment; a bad value throws one line naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${name}: ${issue.message} (see .env.example)`);
  }
  return parsed.data;
}

/**
 * The address people and providers reach the service at, for links in emails: PUBLIC_URL, else
 * this process's own address (fine on one machine; set PUBLIC_URL anywhere else).
 */
export function publicUrl(config: Pick<Config, 'PUBLIC_URL' | 'HOST' | 'PORT'>): string {
  if (config.PUBLIC_URL) return config.PUBLIC_URL.replace(/\/+$/, '');
  const host = ['0.0.0.0', '::', ''].includes(config.HOST) ? 'localhost' : config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${config.PORT}`;
}
