import { afterEach, beforeEach, expect, it } from 'vitest';
import { createRouter } from '../../../src/router';
import { memoryStore } from '../../../src/store/memory';
import { sandbox } from '../../../adapters/sandbox';
import { braintree } from '../../../adapters/braintree';
import { FAKE_CARDS, startBraintreeFake, type BraintreeFake } from '../../fakes/braintree';

let fake: BraintreeFake;

beforeEach(async () => {
  fake = await startBraintreeFake();
});
afterEach(async () => {
  const violations = [...fake.violations];
  await fake.close();
  expect(violations).toEqual([]);
});

function makeRouter() {
  const sbx = sandbox();
  const router = createRouter({
    merchantAccounts: [
      {
        id: 'mid-bt',
        adapter: braintree({
          publicKey: 'pk_test_fake',
          privateKey: 'sk_test_fake',
          baseUrl: fake.url,
          merchantAccountId: 'acme_usd',
          timeoutMs: 2_000,
        }),
        currencies: ['USD'],
      },
      { id: 'mid-sbx', adapter: sbx, currencies: ['USD'] },
    ],
    profiles: [
      {
        id: 'default',
        pools: { main: { strategy: 'priority', members: [{ mid: 'mid-bt' }, { mid: 'mid-sbx' }] } },
        route: ['main'],
        cascade: { maxAttempts: 2, on: 'soft' },
      },
    ],
    store: memoryStore(),
  });
  return { router, sbx };
}

const card = { number: FAKE_CARDS.visa, expMonth: 12, expYear: 2030, cvc: '123' };

it('sells on the Braintree MID and refunds there', async () => {
  const { router, sbx } = makeRouter();
  const sale = await router.sale({ profile: 'default', idempotencyKey: 'order-1', amount: 4200, currency: 'USD', card });
  if (!sale.isOk()) throw new Error(sale.error.message);
  expect(sale.value).toMatchObject({ mid: 'mid-bt', gateway: 'braintree' });
  expect(fake.transactions.get(sale.value.gatewayTransactionId)?.captured).toBe(4200);
  const refund = await router.refund(sale.value.transactionId);
  expect(refund.isOk()).toBe(true);
  // Not settled yet: the full refund became a void on Braintree, and nothing went to the sandbox.
  expect(fake.transactions.get(sale.value.gatewayTransactionId)?.status).toBe('VOIDED');
  expect(sbx.charges.size).toBe(0);
});

it('cascades from a soft Braintree decline to the sandbox MID', async () => {
  const { router, sbx } = makeRouter();
  fake.next({ processorDeclined: '2000' });
  const sale = await router.sale({ profile: 'default', idempotencyKey: 'order-2', amount: 1500, currency: 'USD', card });
  if (!sale.isOk()) throw new Error(sale.error.message);
  expect(sale.value.mid).toBe('mid-sbx');
  expect(sale.value.attempts.map((a) => [a.mid, a.outcome])).toEqual([
    ['mid-bt', 'declined'],
    ['mid-sbx', 'approved'],
  ]);
  expect(sale.value.attempts[0].decline).toMatchObject({ reason: 'do_not_honor', raw: { gateway: 'braintree', code: '2000' } });
  expect(sbx.charges.size).toBe(1);
});

it('does not cascade after insufficient funds', async () => {
  const { router, sbx } = makeRouter();
  const sale = await router.sale({ profile: 'default', idempotencyKey: 'order-3', amount: 200_100, currency: 'USD', card });
  expect(sale.isErr()).toBe(true);
  if (sale.isErr()) expect(sale.error.decline?.reason).toBe('insufficient_funds');
  expect(sbx.charges.size).toBe(0);
});
