import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nmi } from '../../../adapters/nmi';
import { sandbox, type SandboxAdapter } from '../../../adapters/sandbox';
import { createRouter, type Router } from '../../../src/router';
import { memoryStore } from '../../../src/store/memory';
import type { PaymentRequest } from '../../../src/types';
import { startNmiFake, type NmiFake } from '../../fakes/nmi';

const KEY = 'router_test_key';
const PAN = '4111111111111111';

let fake: NmiFake;
let backup: SandboxAdapter;
let router: Router;
let events: unknown[];
let n = 0;

function sale(over: Partial<PaymentRequest> = {}): PaymentRequest {
  n++;
  return {
    profile: 'default',
    idempotencyKey: `order-${n}-${Date.now()}`,
    amount: 1000 + n,
    currency: 'USD',
    card: { number: PAN, expMonth: 12, expYear: 2030, cvc: '999' },
    customer: { id: 'c1', email: 'a@b.co', country: 'US', ip: '203.0.113.9' },
    ...over,
  };
}

beforeEach(async () => {
  fake = await startNmiFake({ securityKey: KEY });
  backup = sandbox({ id: 'backup' });
  router = createRouter({
    merchantAccounts: [
      { id: 'nmi-a', adapter: nmi({ securityKey: KEY, baseUrl: fake.url, timeoutMs: 2_000 }), currencies: ['USD'] },
      { id: 'sbx-b', adapter: backup, currencies: ['USD'] },
    ],
    profiles: [
      {
        id: 'default',
        pools: { main: { strategy: 'priority', members: [{ mid: 'nmi-a' }, { mid: 'sbx-b' }] } },
        route: ['main'],
        cascade: { maxAttempts: 2, on: 'soft' },
      },
    ],
    store: memoryStore(),
  });
  events = [];
  for (const e of ['attempt', 'approved', 'declined', 'cascade', 'ambiguous', 'pin:created'] as const) router.on(e, (p) => events.push(p));
});

afterEach(async () => {
  expect(fake.violations).toEqual([]);
  expect(JSON.stringify(events)).not.toContain(PAN);
  await fake.close();
});

describe('nmi through the router', () => {
  it('sells on the NMI MID and refunds part of it there', async () => {
    const r = await router.sale(sale({ amount: 2500 }));
    expect(r.isOk()).toBe(true);
    const ok = r.unwrap();
    expect(ok).toMatchObject({ mid: 'nmi-a', gateway: 'nmi', amount: 2500 });
    expect(fake.charges.get(ok.gatewayTransactionId)).toMatchObject({ captured: 2500, success: true });

    const refund = await router.refund(ok.transactionId, { amount: 1000 });
    expect(refund.isOk()).toBe(true);
    expect(refund.unwrap().mid).toBe('nmi-a');
    expect(fake.forms().at(-1)).toMatchObject({ type: 'refund', transactionid: ok.gatewayTransactionId, amount: '10.00' });
    expect(fake.charges.get(ok.gatewayTransactionId)!.refunded).toBe(1000);
    expect(backup.charges.size).toBe(0);
  });

  it('cascades from a soft NMI decline (201 Do Not Honor) to the sandbox MID', async () => {
    fake.script({ response_code: '201', responsetext: 'Do Not Honor' });
    const r = await router.sale(sale());
    expect(r.isOk()).toBe(true);
    const ok = r.unwrap();
    expect(ok.mid).toBe('sbx-b');
    expect(ok.attempts.map((a) => [a.mid, a.outcome, a.decline?.reason])).toEqual([
      ['nmi-a', 'declined', 'do_not_honor'],
      ['sbx-b', 'approved', undefined],
    ]);
    expect([...fake.charges.values()].filter((c) => c.success)).toHaveLength(0);
    expect(backup.charges.size).toBe(1);
  });

  it('a rate limit on NMI is an error the router may move past, not a decline', async () => {
    fake.script({ response_code: '301', responsetext: 'Rate limit exceeded' });
    const r = await router.sale(sale());
    expect(r.unwrap().mid).toBe('sbx-b');
    expect(r.unwrap().attempts[0]).toMatchObject({ mid: 'nmi-a', outcome: 'error' });
  });

  it('never cascades after a hard NMI decline (251 lost card)', async () => {
    fake.script({ response_code: '251', responsetext: 'Lost Card' });
    const r = await router.sale(sale());
    expect(r.isErr()).toBe(true);
    const f = r.isErr() ? r.error : undefined;
    expect(f).toMatchObject({ kind: 'declined', decline: { reason: 'lost_card', retry: 'never' } });
    expect(backup.charges.size).toBe(0);
  });

  it('a timeout after NMI processed the sale never cascades: the router finds the charge through the Query API', async () => {
    const slowRouter = createRouter({
      merchantAccounts: [
        { id: 'nmi-a', adapter: nmi({ securityKey: KEY, baseUrl: fake.url, timeoutMs: 300 }) },
        { id: 'sbx-b', adapter: backup },
      ],
      profiles: [
        {
          id: 'default',
          pools: { main: { strategy: 'priority', members: [{ mid: 'nmi-a' }, { mid: 'sbx-b' }] } },
          route: ['main'],
          cascade: { maxAttempts: 2, on: 'soft' },
        },
      ],
      store: memoryStore(),
    });
    fake.inject({ type: 'timeout', afterProcessing: true });
    const r = await slowRouter.sale(sale());
    // The outcome was unknown; NMI has no idempotency key, so the router looked the attempt up by
    // our reference instead of re-sending it, and recorded the charge NMI had made.
    expect(r.isOk() && r.value.mid).toBe('nmi-a');
    expect(r.unwrap().attempts.map((a) => a.outcome)).toEqual(['approved']);
    expect(backup.charges.size).toBe(0);
    expect(fake.charges.size).toBe(1);
    expect(r.unwrap().gatewayTransactionId).toBe([...fake.charges.keys()][0]);
  });

  it('pins a subscription to the NMI MID and rebills it there as a MIT on the vaulted card', async () => {
    const first = await router.sale(sale({ amount: 2900, subscription: { id: 'sub-1' } }));
    const ok = first.unwrap();
    expect(ok.mid).toBe('nmi-a');
    expect(fake.forms().at(-1)).toMatchObject({
      initiated_by: 'customer',
      stored_credential_indicator: 'stored',
      billing_method: 'recurring',
      customer_vault: 'add_customer',
    });
    const pin = await router.pin('sub-1');
    expect(pin).toMatchObject({ mid: 'nmi-a', gatewayTransactionId: ok.gatewayTransactionId });
    expect(pin!.gatewayToken).toBeTruthy();

    const again = await router.rebill({ subscriptionId: 'sub-1', amount: 3900, currency: 'USD', idempotencyKey: 'rebill-1' });
    expect(again.isOk()).toBe(true);
    expect(again.unwrap().mid).toBe('nmi-a');
    const form = fake.forms().at(-1)!;
    expect(form).toMatchObject({
      type: 'sale',
      customer_vault_id: pin!.gatewayToken,
      initiated_by: 'merchant',
      stored_credential_indicator: 'used',
      initial_transaction_id: ok.gatewayTransactionId,
      billing_method: 'recurring',
      amount: '39.00',
    });
    expect(form).not.toHaveProperty('ccnumber');
    expect(form).not.toHaveProperty('cvv');
    expect(backup.charges.size).toBe(0);
  });
});
