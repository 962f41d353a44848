/**
 * The Adyen adapter behind the router: a MID on the fake Adyen and a sandbox MID, a memory
 * store, real HTTP on loopback.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adyen } from '../../../adapters/adyen';
import { sandbox, type SandboxAdapter } from '../../../adapters/sandbox';
import { createRouter, type Router } from '../../../src/router';
import { memoryStore } from '../../../src/store/memory';
import type { PaymentRequest } from '../../../src/types';
import { startFakeAdyen, type FakeAdyen } from '../../fakes/adyen';

const PAN = '4111111145551142';
let fake: FakeAdyen;
let sbx: SandboxAdapter;
let router: Router;
let n = 0;

const sale = (over: Partial<PaymentRequest> = {}): PaymentRequest => ({
  profile: 'default',
  idempotencyKey: `order-${++n}`,
  amount: 1999,
  currency: 'USD',
  card: { number: PAN, expMonth: 3, expYear: 2030, cvc: '737' },
  customer: { id: `cust-${n}`, email: 'a@b.co', country: 'US', ip: '203.0.113.9' },
  ...over,
});

beforeAll(async () => {
  fake = await startFakeAdyen({ apiKey: 'k_test', merchantAccount: 'AcmeECOM' });
  sbx = sandbox({ id: 'sbx-1' });
  router = createRouter({
    merchantAccounts: [
      {
        id: 'adyen-1',
        adapter: adyen({ apiKey: 'k_test', merchantAccount: 'AcmeECOM', baseUrl: fake.url, returnUrl: 'https://shop.example/return' }),
        descriptor: 'ACME*SHOP',
      },
      { id: 'sbx-1', adapter: sbx },
    ],
    profiles: [
      {
        id: 'default',
        pools: { main: { strategy: 'priority', members: [{ mid: 'adyen-1' }, { mid: 'sbx-1' }] } },
        route: ['main'],
        cascade: { maxAttempts: 2, on: 'soft' },
      },
    ],
    store: memoryStore(),
  });
});
afterAll(() => fake.close());
afterEach(() => expect(fake.violations).toEqual([]));

describe('router with an Adyen MID', () => {
  it('sells on Adyen and refunds on the same Adyen payment', async () => {
    const r = await router.sale(sale());
    expect(r.isOk()).toBe(true);
    const ok = r.unwrap();
    expect(ok).toMatchObject({ mid: 'adyen-1', gateway: 'adyen', amount: 1999 });
    expect(fake.charges.get(ok.gatewayTransactionId)).toMatchObject({ captured: 1999, merchantOrderReference: ok.transactionId });

    const refund = await router.refund(ok.transactionId, { amount: 500 });
    expect(refund.isOk()).toBe(true);
    expect(fake.charges.get(ok.gatewayTransactionId)!.refunded).toBe(500);
  });

  it('cascades from a soft Adyen decline (05 do not honor) to the sandbox MID, and refunds there', async () => {
    fake.next({ kind: 'refuse', code: '2', raw: '05 : Do not honor' });
    const r = await router.sale(sale());
    const ok = r.unwrap();
    expect(ok.mid).toBe('sbx-1');
    expect(ok.attempts.map((a) => [a.mid, a.outcome, a.decline?.reason])).toEqual([
      ['adyen-1', 'declined', 'do_not_honor'],
      ['sbx-1', 'approved', undefined],
    ]);
    expect(JSON.stringify(ok)).not.toContain(PAN);

    const adyenBooks = fake.charges.size;
    expect((await router.refund(ok.transactionId)).isOk()).toBe(true);
    expect(sbx.charges.get(ok.gatewayTransactionId)!.refunded).toBe(1999);
    expect(fake.charges.size).toBe(adyenBooks); // nothing went to Adyen
  });

  it("never cascades after Adyen's excessive-retry block (46)", async () => {
    const sandboxCalls = sbx.calls.sale ?? 0;
    fake.next({ kind: 'refuse', code: '46' });
    const r = await router.sale(sale());
    expect(r.isErr()).toBe(true);
    expect(r.isErr() && r.error).toMatchObject({ kind: 'declined', decline: { reason: 'do_not_retry', retry: 'never' } });
    expect(sbx.calls.sale ?? 0).toBe(sandboxCalls);
  });

  it('rebills a subscription on the Adyen MID with the stored payment method', async () => {
    // A different card: the one above is now barred by the network rules after the 46 block.
    const first = (
      await router.sale(
        sale({ subscription: { id: 'sub-adyen-1' }, card: { number: '5555341244441115', expMonth: 3, expYear: 2030, cvc: '737' } }),
      )
    ).unwrap();
    expect(first.mid).toBe('adyen-1');
    const initial = fake.charges.get(first.gatewayTransactionId)!;
    expect(initial).toMatchObject({ shopperInteraction: 'Ecommerce', recurringProcessingModel: 'Subscription' });

    const rebill = (
      await router.rebill({ subscriptionId: 'sub-adyen-1', amount: 1999, currency: 'USD', idempotencyKey: 'rebill-1' })
    ).unwrap();
    expect(rebill.mid).toBe('adyen-1');
    expect(fake.charges.get(rebill.gatewayTransactionId)).toMatchObject({
      shopperInteraction: 'ContAuth',
      recurringProcessingModel: 'Subscription',
      paidWithStoredPaymentMethodId: initial.storedPaymentMethodId,
    });
  });
});
