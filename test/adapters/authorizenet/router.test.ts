import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authorizenet } from '../../../adapters/authorizenet';
import { sandbox } from '../../../adapters/sandbox';
import { createRouter } from '../../../src/router';
import { memoryStore } from '../../../src/store/memory';
import { startAuthorizeNetFake, type AuthorizeNetFake } from '../../fakes/authorizenet';
import { saleRequest } from '../../support/router';

let fake: AuthorizeNetFake;
beforeAll(async () => {
  fake = await startAuthorizeNetFake();
});
afterAll(() => fake.close());
afterEach(() => {
  expect(fake.violations.splice(0)).toEqual([]);
});

function setup() {
  const anet = authorizenet({ apiLoginId: fake.apiLoginId, transactionKey: fake.transactionKey, baseUrl: fake.url, timeoutMs: 2_000 });
  const backup = sandbox({ id: 'backup' });
  const store = memoryStore();
  const events: unknown[] = [];
  const router = createRouter({
    merchantAccounts: [
      { id: 'anet-1', adapter: anet },
      { id: 'sbx-1', adapter: backup },
    ],
    profiles: [
      {
        id: 'default',
        pools: { p: { strategy: 'priority', members: [{ mid: 'anet-1' }, { mid: 'sbx-1' }] } },
        route: ['p'],
        cascade: { maxAttempts: 2 },
      } as never,
    ],
    store,
  });
  for (const e of ['attempt', 'approved', 'declined', 'cascade', 'ambiguous', 'pin:created'] as const) router.on(e, (p) => events.push(p));
  return { router, backup, store, events };
}

describe('authorizenet through the router', () => {
  it('sells on the Authorize.Net MID and refunds there, with the last four from the ledger', async () => {
    const { router, backup, events } = setup();
    const sale = (await router.sale(saleRequest({ amount: 4200 }))).unwrap();
    expect(sale).toMatchObject({ mid: 'anet-1', gateway: 'authorizenet', amount: 4200 });
    expect(fake.charges.get(sale.gatewayTransactionId)).toMatchObject({ amount: 4200, captured: 4200 });
    fake.settle(sale.gatewayTransactionId);

    const refund = (await router.refund(sale.transactionId, { amount: 1200 })).unwrap();
    expect(refund).toMatchObject({ mid: 'anet-1', operation: 'refund', amount: 1200 });
    const wire = fake.bodies.at(-1)!.createTransactionRequest.transactionRequest;
    expect(wire).toMatchObject({
      transactionType: 'refundTransaction',
      amount: '12.00',
      refTransId: sale.gatewayTransactionId,
      payment: { creditCard: { cardNumber: '1111', expirationDate: 'XXXX' } },
    });
    expect(fake.charges.get(sale.gatewayTransactionId)!.refunded).toBe(1200);
    expect(backup.charges.size).toBe(0);
    expect(JSON.stringify(events)).not.toMatch(/4111111111111111/);
  });

  it('cascades from a soft decline on Authorize.Net (reason 2) to the sandbox MID', async () => {
    const { router, backup } = setup();
    fake.script({ responseCode: '2', code: '2', text: 'This transaction has been declined.' });
    const r = (await router.sale(saleRequest())).unwrap();
    expect(r.mid).toBe('sbx-1');
    expect(r.attempts.map((a) => [a.mid, a.outcome, a.decline?.reason])).toEqual([
      ['anet-1', 'declined', 'generic_decline'],
      ['sbx-1', 'approved', undefined],
    ]);
    expect(backup.charges.size).toBe(1);
  });

  it('does not cascade after an AVS decline, nor after a held-for-review answer', async () => {
    const { router, backup } = setup();
    fake.script({ responseCode: '2', code: '27', text: 'The transaction has been declined because of an AVS mismatch.' });
    const avs = await router.sale(saleRequest());
    expect(avs.isErr() && avs.error).toMatchObject({ kind: 'declined', decline: { reason: 'incorrect_address' } });
    fake.script({ responseCode: '4', code: '253' });
    const held = await router.sale(saleRequest());
    // Held for review is an authorization on hold at Authorize.Net: its own state, not final, never cascaded.
    expect(held.isOk() && held.value.attempts.map((a) => [a.mid, a.outcome])).toEqual([['anet-1', 'held']]);
    expect(held.isOk() && held.value.pending).toBe(true);
    expect((await router.transaction(held.unwrap().transactionId))?.status).toBe('held_for_review');
    expect(backup.charges.size).toBe(0);
  });

  it('pins a subscription to Authorize.Net and rebills there with originalNetworkTransId', async () => {
    const { router, backup } = setup();
    const card = { number: '4111111111111111', expMonth: 12, expYear: 2030, cvc: '123' };
    const first = (await router.sale(saleRequest({ card, subscription: { id: 'sub-anet-1' } }))).unwrap();
    expect(first.mid).toBe('anet-1');
    expect(fake.bodies.at(-1)!.createTransactionRequest.transactionRequest.processingOptions).toEqual({ isFirstRecurringPayment: 'true' });

    const rebill = (
      await router.rebill({
        subscriptionId: 'sub-anet-1',
        amount: 1999,
        currency: 'USD',
        idempotencyKey: 'rebill-1',
        card: { ...card, cvc: undefined },
      })
    ).unwrap();
    expect(rebill.mid).toBe('anet-1');
    const tr = fake.bodies.at(-1)!.createTransactionRequest.transactionRequest;
    expect(tr.subsequentAuthInformation).toEqual({ originalNetworkTransId: first.networkTransactionId });
    expect(tr.processingOptions).toEqual({ isSubsequentAuth: 'true', isStoredCredentials: 'true' });
    expect(backup.charges.size).toBe(0);
  });
});
