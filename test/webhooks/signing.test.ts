import fc from 'fast-check';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import {
  InvalidWebhookSecretError,
  generateSecret,
  parseSecret,
  signPayload,
  unixSeconds,
  webhookHeaders,
} from '../../src/lib/webhookSigning.js';
import { publicEventId } from '../../src/core/events.js';
import { newId } from '../../src/lib/ids.js';
import { readFileSync } from 'node:fs';

// The independent verifier is the spec's own JS library (HMAC from fast-sha256, not node:crypto).
// It checks the timestamp against the real clock (±300 s), so property runs sign with "now".
const now = () => unixSeconds(new Date());

const SECRET_SHAPE = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

describe('signPayload', () => {
  it('when given the Standard Webhooks known-answer vector, then it returns the spec signature (WH-02)', () => {
    const message = { id: 'msg_p5jXN8AQM9LWM0D4loKWxJek', timestamp: 1614265330, body: '{"test": 2432232314}' };
    expect(signPayload(message, ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'])).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
    // The same key without its prefix signs the same.
    expect(signPayload(message, ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'])).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('when headers are built, then they are the three webhook-* headers and standardwebhooks verifies them', () => {
    const secret = generateSecret();
    const message = { id: publicEventId(newId()), timestamp: now(), body: '{"type":"ping"}' };
    const headers = webhookHeaders(message, [secret]);
    expect(Object.keys(headers).sort()).toEqual(['webhook-id', 'webhook-signature', 'webhook-timestamp']);
    expect(headers['webhook-id']).toBe(message.id);
    expect(headers['webhook-timestamp']).toMatch(/^\d+$/);
    // v1, + base64 of a 32-byte HMAC-SHA256.
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(new Webhook(secret).verify(message.body, { ...headers })).toEqual({ type: 'ping' });
  });

  // Arbitrary unicode JSON, with emoji, ZWJ sequences and the JS-vs-JSON line separators mixed in.
  const unit = fc.oneof(
    fc.constantFrom('🎉', '👩‍👩‍👧‍👦', '\u2028', '\u2029', 'é', '"', '\\', '\u0000', '.'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  );
  const body = fc.oneof(
    fc
      .tuple(fc.jsonValue({ stringUnit: unit }), fc.constantFrom(undefined, 2, '\t'))
      .map(([value, indent]) => JSON.stringify(value, null, indent)),
    fc.json({ stringUnit: 'binary' }),
  );

  it('when bodies are arbitrary unicode JSON, then the independent verifier accepts them and rejects any one-character change (WH-03)', () => {
    const secret = generateSecret();
    const verifier = new Webhook(secret);
    fc.assert(
      fc.property(body, fc.nat(), (raw, at) => {
        const message = { id: publicEventId(newId()), timestamp: now(), body: raw };
        const headers = { ...webhookHeaders(message, [secret]) };
        expect(verifier.verify(raw, headers)).toEqual(JSON.parse(raw));

        const chars = Array.from(raw);
        const i = at % chars.length;
        chars[i] = chars[i] === 'a' ? 'b' : 'a';
        const tampered = chars.join('');
        expect(() => verifier.verify(tampered, headers)).toThrow(WebhookVerificationError);
      }),
      { numRuns: 1000 },
    );
  });

  it('when the body contains U+2028 and emoji, then the exact bytes are signed, not a re-serialization', () => {
    const secret = generateSecret();
    const raw = '{"note":"line\u2028sep 🎉"}';
    const headers = { ...webhookHeaders({ id: publicEventId(newId()), timestamp: now(), body: raw }, [secret]) };
    expect(() => new Webhook(secret).verify(raw, headers)).not.toThrow();
    // The escaped spelling is the same JSON value but other bytes: it must not verify.
    expect(() => new Webhook(secret).verify('{"note":"line\\u2028sep 🎉"}', headers)).toThrow(WebhookVerificationError);
  });

  it('when two secrets sign (rotation), then the header carries two v1 signatures and each secret alone verifies (WH-06)', () => {
    const oldSecret = generateSecret();
    const newSecret = generateSecret();
    const message = { id: publicEventId(newId()), timestamp: now(), body: '{"type":"candidate.updated"}' };
    const headers = { ...webhookHeaders(message, [oldSecret, newSecret]) };
    const entries = headers['webhook-signature'].split(' ');
    expect(entries).toHaveLength(2);
    expect(entries.every((e) => e.startsWith('v1,'))).toBe(true);
    expect(entries[0]).toBe(signPayload(message, [oldSecret]));
    expect(entries[1]).toBe(signPayload(message, [newSecret]));
    expect(() => new Webhook(oldSecret).verify(message.body, headers)).not.toThrow();
    expect(() => new Webhook(newSecret).verify(message.body, headers)).not.toThrow();
    expect(() => new Webhook(generateSecret()).verify(message.body, headers)).toThrow(WebhookVerificationError);
  });

  it('when the id contains a dot, the timestamp is not integer seconds or no secret is given, then it refuses to sign', () => {
    const secret = generateSecret();
    expect(() => signPayload({ id: 'msg_a.b', timestamp: 1, body: '{}' }, [secret])).toThrow(/contain no "."/);
    expect(() => signPayload({ id: '', timestamp: 1, body: '{}' }, [secret])).toThrow(TypeError);
    expect(() => signPayload({ id: 'msg_a', timestamp: 1.5, body: '{}' }, [secret])).toThrow(/Unix seconds/);
    expect(() => signPayload({ id: 'msg_a', timestamp: Date.now(), body: '{}' }, [])).toThrow(/At least one/);
  });
});

describe('the webhook-id', () => {
  it('when events are made, then their id, sent as webhook-id, is evt_ + 32 hex digits, never contains ".", and does not repeat (WH-07)', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.constant(null), () => {
        const id = publicEventId(newId());
        expect(id).toMatch(/^evt_[0-9a-f]{32}$/);
        expect(id).not.toContain('.');
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }),
      { numRuns: 2000 },
    );
  });

  it('docs/webhooks-security.md gives it as it is sent', () => {
    const row = readFileSync('docs/webhooks-security.md', 'utf8').split('\n').find((l) => l.startsWith('| `webhook-id` |'));
    expect(row).toContain('`evt_`');
    expect(row).not.toContain('msg_');
  });
});

describe('secrets', () => {
  it('when secrets are generated, then they are whsec_ + base64 of 32 bytes and differ (WH-05)', () => {
    const secrets = Array.from({ length: 50 }, generateSecret);
    for (const secret of secrets) {
      expect(secret).toMatch(SECRET_SHAPE);
      expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
      expect(parseSecret(secret)).toHaveLength(32);
    }
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it('when a secret is parsed, then it is accepted with or without whsec_ and refused outside 24–64 bytes or when not base64', () => {
    const key24 = Buffer.alloc(24, 7).toString('base64');
    const key64 = Buffer.alloc(64, 7).toString('base64');
    expect(parseSecret(`whsec_${key24}`)).toHaveLength(24);
    expect(parseSecret(key24)).toHaveLength(24);
    expect(parseSecret(`whsec_${key64}`)).toHaveLength(64);
    expect(() => parseSecret(`whsec_${Buffer.alloc(23).toString('base64')}`)).toThrow(/24–64 bytes, not 23/);
    expect(() => parseSecret(`whsec_${Buffer.alloc(65).toString('base64')}`)).toThrow(/not 65/);
    expect(() => parseSecret('')).toThrow(InvalidWebhookSecretError);
    expect(() => parseSecret('whsec_')).toThrow(InvalidWebhookSecretError);
    expect(() => parseSecret('whsec_not base64 at all!!')).toThrow(/must be base64/);
    expect(() => parseSecret(`whsec_${Buffer.alloc(32).toString('base64url')}_`)).toThrow(InvalidWebhookSecretError);
    expect(() => signPayload({ id: 'msg_a', timestamp: 1, body: '{}' }, ['whsec_c2hvcnQ='])).toThrow(
      InvalidWebhookSecretError,
    );
  });
});
