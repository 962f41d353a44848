/**
 * Link tokens: signed over invoice id, version and expiry; any change to any part is refused;
 * expiry at the exact second; versions read back; a token carries nothing but the invoice id.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readLinkToken, readReturnToken, signLinkToken, signReturnToken } from '../../src/links/token';

const SECRET = 'k'.repeat(40);
const T0 = Date.UTC(2026, 11, 2, 1);
const claims = { invoiceId: 'INV-1001', version: 3, expiresAt: T0 + 72 * 3_600_000 };

describe('link tokens', () => {
  it('reads back what was signed, until the expiry second', () => {
    const token = signLinkToken(SECRET, claims);
    expect(readLinkToken(SECRET, token, T0)).toEqual({ status: 'valid', claims });
    expect(readLinkToken(SECRET, token, claims.expiresAt - 1)).toEqual({ status: 'valid', claims });
    expect(readLinkToken(SECRET, token, claims.expiresAt)).toEqual({ status: 'expired', claims });
  });

  it('keeps the version, so a superseded link can be told from the current one', () => {
    const v1 = readLinkToken(SECRET, signLinkToken(SECRET, { ...claims, version: 1 }), T0);
    const v2 = readLinkToken(SECRET, signLinkToken(SECRET, { ...claims, version: 2 }), T0);
    expect(v1.status === 'valid' && v1.claims.version).toBe(1);
    expect(v2.status === 'valid' && v2.claims.version).toBe(2);
  });

  it('refuses a token signed with another secret, or with parts swapped between tokens', () => {
    const token = signLinkToken(SECRET, claims);
    expect(readLinkToken('another-secret-of-forty-characters-xxxxxxxx', token, T0)).toEqual({ status: 'invalid' });
    const other = signLinkToken(SECRET, { ...claims, invoiceId: 'INV-2' }).split('.');
    const mine = token.split('.');
    expect(readLinkToken(SECRET, [other[0], mine[1], mine[2], mine[3]].join('.'), T0)).toEqual({ status: 'invalid' });
    // A later expiry with the old signature (extending a link) is refused.
    expect(readLinkToken(SECRET, [mine[0], mine[1], String(Number(mine[2]) + 86_400), mine[3]].join('.'), T0)).toEqual({
      status: 'invalid',
    });
    expect(readLinkToken(SECRET, [mine[0], '4', mine[2], mine[3]].join('.'), T0)).toEqual({ status: 'invalid' });
  });

  it('refuses a second spelling of the signature (the spare bits of its last character)', () => {
    const token = signLinkToken(SECRET, claims);
    const last = token.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const i = alphabet.indexOf(last);
    const sibling = alphabet[i ^ 1]!;
    expect(Buffer.from(token.slice(-43, -1) + sibling, 'base64url')).toEqual(Buffer.from(token.slice(-43), 'base64url'));
    expect(readLinkToken(SECRET, token.slice(0, -1) + sibling, T0)).toEqual({ status: 'invalid' });
  });

  it('refuses malformed tokens', () => {
    for (const t of [
      '',
      '.',
      'a.b.c.d',
      `${signLinkToken(SECRET, claims)}x`,
      signLinkToken(SECRET, claims).slice(0, -1),
      'x'.repeat(600),
    ]) {
      expect(readLinkToken(SECRET, t, T0), t).toEqual({ status: 'invalid' });
    }
  });

  it('carries only the invoice id, its version and expiry: no customer data', () => {
    const token = signLinkToken(SECRET, claims);
    const [id, version, exp] = token.split('.');
    expect(Buffer.from(id!, 'base64url').toString()).toBe('INV-1001');
    expect([version, exp]).toEqual(['3', String(claims.expiresAt / 1000)]);
  });

  it('property: any one-character change of a token is refused', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 4_000_000_000 }),
        fc.nat(),
        fc.constantFrom(...'ABCabc0129-_.'),
        (invoiceId, version, expSeconds, at, ch) => {
          const token = signLinkToken(SECRET, { invoiceId, version, expiresAt: expSeconds * 1000 });
          const read = readLinkToken(SECRET, token, 0);
          expect(read).toEqual({ status: 'valid', claims: { invoiceId, version, expiresAt: expSeconds * 1000 } });
          const i = at % token.length;
          if (token[i] === ch) return;
          const changed = token.slice(0, i) + ch + token.slice(i + 1);
          const check = readLinkToken(SECRET, changed, 0);
          // A change may only ever read back as the very same claims (never as another invoice, version or expiry).
          if (check.status !== 'invalid') expect(check.claims).toEqual({ invoiceId, version, expiresAt: expSeconds * 1000 });
          expect(check.status).toBe('invalid');
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('3-D Secure return tokens', () => {
  const nonce = 'n'.repeat(43);
  it('read back as their attempt with the same cookie, and carry nothing but the attempt number', () => {
    const token = signReturnToken(SECRET, claims, 2, nonce);
    expect(token).toMatch(/^a2\.[A-Za-z0-9_-]{43}$/);
    expect(readReturnToken(SECRET, claims, token, nonce)).toBe(2);
    expect(readReturnToken(SECRET, claims, token, 'm'.repeat(43))).toBeUndefined();
    expect(readReturnToken(SECRET, { ...claims, version: 4 }, token, nonce)).toBeUndefined();
    expect(readReturnToken(SECRET, { ...claims, invoiceId: 'INV-1002' }, token, nonce)).toBeUndefined();
    expect(readReturnToken('j'.repeat(40), claims, token, nonce)).toBeUndefined();
    expect(readReturnToken(SECRET, claims, token.replace('a2.', 'a3.'), nonce)).toBeUndefined();
  });

  it('property: any one-character change, another cookie, invoice, version or attempt is refused', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 999 }),
        fc.base64String({ minLength: 4, maxLength: 43 }),
        fc.nat(),
        fc.constantFrom(...'ABCabc0129-_.a'),
        (invoiceId, version, attempt, cookie, at, ch) => {
          const c = { invoiceId, version };
          const token = signReturnToken(SECRET, c, attempt, cookie);
          expect(readReturnToken(SECRET, c, token, cookie)).toBe(attempt);
          expect(readReturnToken(SECRET, c, token, `${cookie}x`)).toBeUndefined();
          expect(readReturnToken(SECRET, { invoiceId: `${invoiceId}x`, version }, token, cookie)).toBeUndefined();
          expect(readReturnToken(SECRET, { invoiceId, version: version + 1 }, token, cookie)).toBeUndefined();
          const i = at % token.length;
          if (token[i] === ch) return;
          expect(readReturnToken(SECRET, c, token.slice(0, i) + ch + token.slice(i + 1), cookie)).toBeUndefined();
        },
      ),
      { numRuns: 2000 },
    );
  });
});
