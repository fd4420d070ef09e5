import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random token of `bytes` bytes, base64url. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** Tokens and API keys are stored as SHA-256: they are random, so a slow hash adds nothing. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

const HEX = /^[0-9a-f]{32}$/;

/** `<prefix>_<tenant hex>_<secret>`: the tenant part lets the lookup run under that tenant's RLS. */
export function makeTenantToken(prefix: string, tenantId: string, bytes = 32): string {
  return `${prefix}_${tenantId.replaceAll('-', '')}_${randomToken(bytes)}`;
}

export function parseTenantToken(prefix: string, token: string): { tenantId: string } | null {
  const parts = token.split('_');
  if (parts.length < 3 || parts[0] !== prefix) return null;
  const hex = parts[1]!;
  if (!HEX.test(hex) || token.length > 200) return null;
  const tenantId = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  return { tenantId };
}
