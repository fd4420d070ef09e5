import { createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

/**
 * Standard Webhooks v1 (symmetric): `webhook-signature: v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>`,
 * keys serialized as `whsec_<base64>`. Framework-free so the worker and the API share it.
 */

const SECRET_PREFIX = 'whsec_';
/** The spec: "at least 24 bytes (192 bits, 512 maximum)". */
const MIN_KEY_BYTES = 24;
const MAX_KEY_BYTES = 64;
const NEW_KEY_BYTES = 32;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class InvalidWebhookSecretError extends Error {
  override name = 'InvalidWebhookSecretError';
  readonly code = 'ERR_WEBHOOK_SECRET';
}

/** A new endpoint secret: `whsec_` + base64 of 32 random bytes. */
export const generateSecret = (): string => SECRET_PREFIX + randomBytes(NEW_KEY_BYTES).toString('base64');

/** The raw key of a secret, given with or without `whsec_`; refuses non-base64 and keys outside 24–64 bytes. */
export function parseSecret(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) {
    throw new InvalidWebhookSecretError('A webhook secret must be base64, optionally prefixed with whsec_');
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
    throw new InvalidWebhookSecretError(
      `A webhook secret must decode to ${MIN_KEY_BYTES}–${MAX_KEY_BYTES} bytes, not ${key.length}`,
    );
  }
  return key;
}

/** Unix seconds of an instant, as `webhook-timestamp` wants them. */
export const unixSeconds = (at: Date): number => Math.floor(at.getTime() / 1000);

export interface SignedMessage {
  /** `webhook-id`: the event's id (`evt_…`, publicEventId), the same on every attempt. */
  id: string;
  /** `webhook-timestamp`: Unix seconds of this attempt. */
  timestamp: number;
  /** The exact string sent as the request body: never re-serialize between signing and sending. */
  body: string;
}

function assertSignable({ id, timestamp }: SignedMessage): void {
  if (id.length === 0 || id.includes('.')) throw new TypeError('A webhook id must be non-empty and contain no "."');
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new TypeError('A webhook timestamp must be a non-negative integer of Unix seconds');
  }
}

/** Parsed keys by secret: a worker signs for the same few endpoints all day. */
const keys = new Map<string, KeyObject>();
function keyOf(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(parseSecret(secret));
    if (keys.size >= 1000) keys.delete(keys.keys().next().value!);
    keys.set(secret, key);
  }
  return key;
}

/**
 * The `webhook-signature` header value: one `v1,<base64>` per secret, space-separated. During a
 * rotation pass the old and the new secret so receivers holding either one verify.
 */
export function signPayload(message: SignedMessage, secrets: readonly string[]): string {
  assertSignable(message);
  if (secrets.length === 0) throw new TypeError('At least one secret is needed to sign a webhook');
  const content = `${message.id}.${message.timestamp}.${message.body}`;
  return secrets
    .map((secret) => `v1,${createHmac('sha256', keyOf(secret)).update(content, 'utf8').digest('base64')}`)
    .join(' ');
}

// A type, not an interface, so that it is also a Record<string, string> (what a request takes).
export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** The three Standard Webhooks headers for one attempt. */
export function webhookHeaders(message: SignedMessage, secrets: readonly string[]): WebhookHeaders {
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(message.timestamp),
    'webhook-signature': signPayload(message, secrets),
  };
}
