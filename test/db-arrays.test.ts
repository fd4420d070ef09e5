import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { arrayLiteral } from '../src/db/arrays.js';
import { adminPool } from './helpers/db.js';

/** What PostgreSQL reads from a literal: the round trip every batched statement relies on. */
const roundTrip = async (values: unknown[], type: string) =>
  (await adminPool().query<{ a: unknown[] }>(`SELECT $1::${type}[] AS a`, [arrayLiteral(values)])).rows[0]!.a;

afterAll(async () => {
  await adminPool().end();
});

describe('arrayLiteral: a batch column as one parameter', () => {
  it('when texts hold quotes, backslashes, braces, commas, blanks or the word NULL, then PostgreSQL reads them back unchanged', async () => {
    const texts = ['plain', 'say "hi"', 'C:\\path\\', '{a,b}', ' padded ', '', 'NULL', 'naïve — ✓', null];
    expect(await roundTrip(texts, 'text')).toEqual(texts);
  });

  it('when any strings are given, then each comes back as it was (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(fc.string({ unit: 'grapheme' }), { nil: null }), { maxLength: 20 }), async (texts) => {
        const clean = texts.map((t) => (t === null ? null : t.replaceAll('\u0000', '')));
        expect(await roundTrip(clean, 'text')).toEqual(clean);
      }),
      { numRuns: 50 },
    );
  });

  it('when numbers, instants and nulls are given, then they keep their type and value', async () => {
    expect(await roundTrip([1, -2, null, 2147483647], 'int')).toEqual([1, -2, null, 2147483647]);
    const at = new Date('2026-03-08T07:30:00.123Z');
    expect(await roundTrip([at, null], 'timestamptz')).toEqual([at, null]);
    expect(arrayLiteral([])).toBe('{}');
  });
});
