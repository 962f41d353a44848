/**
 * Network tokens and decrypted wallet tokens as card input: validated like a card number (same
 * field-named errors, before any call), routed by the token's BIN range (brand rules work),
 * sent only to adapters that take them, and never written anywhere (digits or cryptogram).
 */
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sandbox } from '../../adapters/sandbox';
import { luhnValid } from '../../src/card/pan';
import { ROUTER_EVENTS } from '../../src/events';
import { validateCard } from '../../src/operations/validate';
import { sqliteStore } from '../../src/store/sqlite';
import { saleRequest, testRouter } from '../support/router';
import { CRYPTOGRAM, TOKENS } from '../support/tokens';

const NOW = Date.UTC(2026, 10, 21);
const tokenCard = (over: Record<string, unknown> = {}) => ({
  networkToken: TOKENS.visa,
  expMonth: 12,
  expYear: 2030,
  cryptogram: CRYPTOGRAM,
  eci: '05',
  ...over,
});

const dir = mkdtempSync(join(tmpdir(), 'switchyard-tokens-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('network tokens as card input', () => {
  it('a sale with a token goes to a MID that takes tokens, as the token, its cryptogram and ECI; brand rules see its BIN range', async () => {
    const path = join(dir, 'tokens.db');
    const store = sqliteStore({ path });
    const visaOnly = sandbox({ id: 'visaOnly' });
    const noTokens = sandbox({ id: 'noTokens', capabilities: { networkTokens: false } });
    const mc = sandbox({ id: 'mc' });
    const { router } = testRouter(
      {
        pools: {
          main: { strategy: 'priority', members: [{ mid: 'noTokens' }, { mid: 'visaOnly' }] },
          mcPool: { strategy: 'priority', members: [{ mid: 'mc' }] },
        },
        rules: [{ name: 'mastercard', when: { card: { brand: 'mastercard' } }, route: ['mcPool'] }],
        route: ['main'],
      },
      [
        { id: 'noTokens', adapter: noTokens },
        { id: 'visaOnly', adapter: visaOnly, brands: ['visa'] },
        { id: 'mc', adapter: mc },
      ],
      { store },
    );
    const seen: string[] = [];
    for (const e of ROUTER_EVENTS) router.on(e, (p: unknown) => seen.push(JSON.stringify(p)));
    const req = saleRequest({ card: tokenCard({ tokenType: 'apple_pay' }) as never, subscription: { id: 's-tok' } });
    const explained = await router.explain(req);
    expect(explained.candidates.find((c) => c.mid === 'noTokens')?.reasons.map((r) => r.code)).toContain('network_token_not_accepted');
    expect(explained.card).toMatchObject({ brand: 'visa', tokenType: 'apple_pay' });
    const sale = (await router.sale(req)).unwrap();
    expect(sale.mid).toBe('visaOnly');
    expect(sale.maskedCard).toBe(`${TOKENS.visa.slice(0, 6)}******${TOKENS.visa.slice(-4)}`);
    expect(noTokens.calls.sale ?? 0).toBe(0);
    const charge = [...visaOnly.charges.values()][0];
    expect(charge.storedCredential).toEqual({ type: 'initial', reason: 'recurring' });
    const mcSale = (await router.sale(saleRequest({ card: tokenCard({ networkToken: TOKENS.mastercard }) as never }))).unwrap();
    expect(mcSale.mid).toBe('mc');
    const tx = (await router.transaction(sale.transactionId))!;
    expect(tx.card).toMatchObject({ brand: 'visa', tokenType: 'apple_pay', bin: TOKENS.visa.slice(0, 6), last4: TOKENS.visa.slice(-4) });
    // A rebill with the token (no cryptogram on a merchant-initiated charge) is accepted.
    const rebill = (
      await router.rebill({
        subscriptionId: 's-tok',
        amount: 500,
        currency: 'USD',
        idempotencyKey: 'tok-r1',
        card: tokenCard({ cryptogram: undefined }) as never,
      })
    ).unwrap();
    expect(rebill.mid).toBe('visaOnly');
    await store.close();
    const bytes = readFileSync(path).toString('latin1') + seen.join('\n');
    for (const secret of [TOKENS.visa, TOKENS.mastercard, CRYPTOGRAM]) expect(bytes).not.toContain(secret);
  });

  it('the adapter receives the token input, never a card number', async () => {
    const requests: unknown[] = [];
    const a = sandbox({
      id: 'a',
      respond: (r) => {
        requests.push(r.card);
        return { status: 'approved' };
      },
    });
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'a' }] } }, route: ['p'] }, [
      { id: 'a', adapter: a },
    ]);
    (await router.sale(saleRequest({ card: tokenCard({ eci: '7' }) as never }))).unwrap();
    expect(requests).toEqual([
      {
        networkToken: TOKENS.visa,
        expMonth: 12,
        expYear: 2030,
        cryptogram: CRYPTOGRAM,
        eci: '07',
        tokenType: 'network_token',
        holderName: undefined,
      },
    ]);
  });

  it('only MIDs that take tokens: none of them is a clear refusal naming why', async () => {
    const a = sandbox({ id: 'a', capabilities: { networkTokens: false } });
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'a' }] } }, route: ['p'] }, [
      { id: 'a', adapter: a },
    ]);
    const r = await router.sale(saleRequest({ card: tokenCard() as never }));
    expect(r.isErr() && r.error).toMatchObject({ kind: 'rejected', rejection: 'no_eligible_mid' });
    expect(r.isErr() && r.error.message).toMatch(/network_token_not_accepted/);
    expect(a.calls.sale ?? 0).toBe(0);
  });

  it.each([
    ['card', { number: '4111111111111111' }, /either number or networkToken/],
    ['card.networkToken', { networkToken: '4895 3700 1200 3479' }, /Luhn/],
    ['card.networkToken', { networkToken: '12345' }, /12 to 19 digits/],
    ['card.networkToken', { networkToken: 'tok_123' }, /string of digits/],
    ['card.cvc', { cvc: '123' }, /no security code/],
    ['card.cryptogram', { cryptogram: undefined }, /required with a network token on a customer-initiated payment/],
    ['card.cryptogram', { cryptogram: 'not base64!' }, /base64 cryptogram/],
    ['card.cryptogram', { cryptogram: 'A'.repeat(68) }, /at most 64/],
    ['card.eci', { eci: '123' }, /one or two digits/],
    ['card.tokenType', { tokenType: 'samsung' }, /network_token, apple_pay, google_pay/],
    ['card.expYear', { expYear: 2020 }, /token expired/],
  ])('%s is refused before any call: %o', async (field, over, message) => {
    const a = sandbox();
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'a' }] } }, route: ['p'] }, [
      { id: 'a', adapter: a },
    ]);
    const r = await router.sale(saleRequest({ card: tokenCard(over) as never }));
    const f = r.isErr() ? r.error : undefined;
    expect(f).toMatchObject({ kind: 'rejected', rejection: 'validation', field });
    expect(f?.message).toMatch(message);
    expect(f?.message.startsWith(field)).toBe(true);
    expect(a.calls.sale ?? 0).toBe(0);
  });

  it('a PAN request cannot carry token fields', () => {
    const r = validateCard({ number: '4111111111111111', expMonth: 1, expYear: 2030, cryptogram: CRYPTOGRAM }, NOW);
    expect(r).toEqual({ field: 'card.cryptogram', message: 'goes with networkToken, not with a card number' });
  });

  it('property: any token input is either a frozen parsed token of its BIN range’s brand, or a field-named issue that never echoes it', () => {
    const digits = fc.stringMatching(/^[0-9]{10,20}$/);
    fc.assert(
      fc.property(
        fc.record({
          networkToken: fc.oneof(digits, fc.constant(TOKENS.visa), fc.constant(TOKENS.mastercard), fc.string()),
          expMonth: fc.oneof(fc.integer({ min: 0, max: 13 }), fc.constant('12')),
          expYear: fc.integer({ min: 2019, max: 2080 }),
          cryptogram: fc.option(fc.oneof(fc.constant(CRYPTOGRAM), fc.base64String({ maxLength: 80 }), fc.string()), { nil: undefined }),
          eci: fc.option(fc.oneof(fc.stringMatching(/^[0-9]{1,3}$/), fc.string()), { nil: undefined }),
        }),
        fc.boolean(),
        (card, mit) => {
          const r = validateCard(card, NOW, 'card', { merchantInitiated: mit });
          if ('field' in r) {
            expect(r.field.startsWith('card')).toBe(true);
            if (String(card.networkToken).length >= 12) expect(r.message).not.toContain(String(card.networkToken));
            return;
          }
          expect(Object.isFrozen(r)).toBe(true);
          expect(luhnValid(r.digits)).toBe(true);
          expect(r.token?.type).toBe('network_token');
          if (!mit) expect(r.token?.cryptogram).toBeDefined();
          if (r.digits.startsWith('4')) expect(r.brand).toBe('visa');
          if (r.token?.eci !== undefined) expect(r.token.eci).toMatch(/^\d{2}$/);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
