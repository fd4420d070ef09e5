import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const PREFIX = 'sealed:v1:';

/**
 * Answers that show a secret once (an API key, a webhook or inbound secret, a generated password)
 * are kept for their Idempotency-Key replay encrypted, never in clear (docs/idempotency.md):
 * AES-256-GCM under a key derived from JWT_SECRET (HKDF), bound to the row's own scope (its
 * tenant, principal, route and key are the additional data), so a sealed answer copied to another
 * row does not open. A changed JWT_SECRET leaves them unreadable: their replay is answered as lost.
 */
export function answerSeal(secret: string) {
  const key = Buffer.from(hkdfSync('sha256', secret, 'afterview', 'idempotency answers v1', 32));
  return {
    seal(plain: string, scope: string): string {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(scope));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return `${PREFIX}${iv.toString('base64url')}.${body.toString('base64url')}.${cipher.getAuthTag().toString('base64url')}`;
    },
    /** The answer, or null when it was sealed under another secret or altered; undefined when not sealed. */
    open(stored: string, scope: string): string | null | undefined {
      if (!stored.startsWith(PREFIX)) return undefined;
      const [iv, body, tag] = stored.slice(PREFIX.length).split('.');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv!, 'base64url')).setAAD(Buffer.from(scope));
        decipher.setAuthTag(Buffer.from(tag!, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body!, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}
