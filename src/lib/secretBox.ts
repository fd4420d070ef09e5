import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets an agency gives us that we must use as themselves (its SMTP password, its DKIM private
 * key), encrypted at rest with AES-256-GCM under `SECRETS_KEY`: `v1.<key id>.<iv>.<tag>.<data>`,
 * base64url parts. The key id (8 bytes of the key's SHA-256) says which key sealed a value, so a
 * rotation can decrypt with `SECRETS_KEY_PREVIOUS` what the old key wrote (docs/email.md).
 */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
  /** Whether a value was sealed with the current key (a rotation re-seals the others). */
  current(sealed: string): boolean;
}

const keyId = (key: Buffer) => createHash('sha256').update(key).digest().subarray(0, 8).toString('base64url');

export class SecretsKeyMissing extends Error {
  override name = 'SecretsKeyMissing';
}

export function secretBox(config: { SECRETS_KEY?: string | undefined; SECRETS_KEY_PREVIOUS?: string | undefined }): SecretBox {
  const keys = [config.SECRETS_KEY, config.SECRETS_KEY_PREVIOUS].filter((k): k is string => Boolean(k)).map((k) => Buffer.from(k, 'base64'));
  const byId = new Map(keys.map((k) => [keyId(k), k]));
  const currentKey = keys[0];
  return {
    seal(plain) {
      if (!currentKey) throw new SecretsKeyMissing('SECRETS_KEY is not set: secrets cannot be stored');
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', currentKey, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', keyId(currentKey), iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
    },
    open(sealed) {
      const [v, id, iv, tag, data] = sealed.split('.');
      const key = id ? byId.get(id) : undefined;
      if (v !== 'v1' || !key || !iv || !tag || data === undefined) throw new SecretsKeyMissing('the key that sealed this secret is not configured (SECRETS_KEY, SECRETS_KEY_PREVIOUS)');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    },
    current: (sealed) => currentKey !== undefined && sealed.split('.')[1] === keyId(currentKey),
  };
}
