import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkout } from '../../../adapters/checkout';
import { sandbox } from '../../../adapters/sandbox';
import { createRouter } from '../../../src/router';
import { memoryStore } from '../../../src/store/memory';
import { startCheckoutFake, type CheckoutFake } from '../../fakes/checkout';
import { saleRequest, seeded } from '../../support/router';

const SECRET = 'sk_sbox_routertestkey00000000000000';
let fake: CheckoutFake;

beforeAll(async () => {
  fake = await startCheckoutFake({ secretKey: SECRET });
});
afterAll(() => fake.close());

function setup() {
  const sbx = sandbox({ id: 'sbx' });
  const store = memoryStore();
  const router = createRouter({
    merchantAccounts: [
      { id: 'cko', adapter: checkout({ secretKey: SECRET, baseUrl: fake.url, timeoutMs: 2_000 }) },
      { id: 'sbx', adapter: sbx },
    ],
    profiles: [
      {
        id: 'default',
        pools: { main: { strategy: 'priority', members: [{ mid: 'cko' }, { mid: 'sbx' }] } },
        route: ['main'],
        cascade: { maxAttempts: 2, on: 'soft' },
      },
    ],
    store,
    random: seeded(1),
  });
  return { router, sbx, store };
}

describe('Checkout.com through the router', () => {
  it('a sale approves on the Checkout.com MID and the refund goes to the same payment', async () => {
    const { router } = setup();
    const sale = (await router.sale(saleRequest({ amount: 4200 }))).unwrap();
    expect(sale).toMatchObject({ mid: 'cko', gateway: 'checkout', amount: 4200 });
    const book = fake.payments.get(sale.gatewayTransactionId)!;
    expect(sale.networkTransactionId).toBe(book.schemeId);
    const refund = (await router.refund(sale.transactionId, { amount: 1200 })).unwrap();
    expect(refund.mid).toBe('cko');
    expect(fake.payments.get(sale.gatewayTransactionId)!.refunded).toBe(1200);
    expect(fake.violations).toEqual([]);
  });

  it('a soft decline (20005) on Checkout.com cascades to the sandbox MID, which approves', async () => {
    const { router, sbx } = setup();
    fake.next({ type: 'decline', code: '20005', summary: 'Declined - Do not honour' });
    const r = (await router.sale(saleRequest())).unwrap();
    expect(r.mid).toBe('sbx');
    expect(r.attempts.map((a) => [a.mid, a.outcome, a.decline?.reason])).toEqual([
      ['cko', 'declined', 'do_not_honor'],
      ['sbx', 'approved', undefined],
    ]);
    expect(sbx.charges.size).toBe(1);
    expect(fake.violations).toEqual([]);
  });

  it('a hard decline (30043 stolen) does not cascade', async () => {
    const { router, sbx } = setup();
    fake.next({ type: 'decline', code: '30043', summary: 'Stolen card - Pick up (Fraud account)' });
    const r = await router.sale(saleRequest());
    expect(r.isErr() && r.error.kind).toBe('declined');
    expect(r.isErr() && r.error.decline?.reason).toBe('stolen_card');
    expect(sbx.charges.size).toBe(0);
  });

  it('a subscription rebill is pinned to Checkout.com with the scheme id of the initial sale', async () => {
    const { router } = setup();
    const first = (await router.sale(saleRequest({ subscription: { id: 'sub-cko-1' } }))).unwrap();
    expect(JSON.parse(fake.requests.at(-1)!.body)).toMatchObject({ payment_type: 'Recurring', merchant_initiated: false });
    const rebill = (
      await router.rebill({ subscriptionId: 'sub-cko-1', amount: 1999, currency: 'USD', idempotencyKey: 'rebill-1' })
    ).unwrap();
    expect(rebill.mid).toBe('cko');
    const body = JSON.parse(fake.requests.at(-1)!.body);
    expect(body).toMatchObject({
      merchant_initiated: true,
      payment_type: 'Recurring',
      previous_payment_id: first.networkTransactionId,
      source: { type: 'id' },
    });
    expect(fake.violations).toEqual([]);
  });
});
