/**
 * `returnUrl` on a payment: where the gateway sends the cardholder back after a 3-D Secure
 * redirect (payment links give one per attempt). Checked before any gateway call, passed to the
 * adapter as is, and not part of the idempotency hash (a retry from another page replays).
 */
import { describe, expect, it } from 'vitest';
import { sandbox } from '../../adapters/sandbox';
import type { GatewayAdapter, GatewayPaymentRequest } from '../../src/adapter';
import { CARDS, saleRequest, testRouter } from '../support/router';

function spied() {
  const gateway = sandbox({ id: 'sbx' });
  const seen: GatewayPaymentRequest[] = [];
  const adapter: GatewayAdapter = Object.create(gateway);
  adapter.sale = (req, o) => {
    seen.push(req);
    return gateway.sale(req, o);
  };
  const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'mid-a' }] } }, route: ['p'] }, [
    { id: 'mid-a', adapter, currencies: ['USD'] },
  ]);
  return { router, seen };
}

describe('payment returnUrl', () => {
  it('refuses anything but an absolute http(s) URL without a card number, naming the field, before any gateway call', async () => {
    const { router, seen } = spied();
    for (const returnUrl of [
      'javascript:alert(1)',
      '/relative/path',
      'https://x.example/ with space',
      42,
      `https://x.example/${CARDS.visa}`,
      `https://x.example/${'a'.repeat(2000)}`,
    ]) {
      const r = await router.sale(saleRequest({ returnUrl: returnUrl as string }));
      expect(r.isErr() && r.error.kind === 'rejected' && r.error.field).toBe('returnUrl');
      if (r.isErr()) expect(r.error.message).not.toContain(CARDS.visa);
    }
    expect(seen).toHaveLength(0);
  });

  it('reaches the adapter (the sandbox puts it on its challenge URL) and a retry with another one replays', async () => {
    const { router, seen } = spied();
    const req = saleRequest({ number: CARDS.threeDS, returnUrl: 'https://pay.example/pay/tok/3ds/a1.sig' });
    const first = await router.sale(req);
    expect(seen.map((s) => s.returnUrl)).toEqual(['https://pay.example/pay/tok/3ds/a1.sig']);
    if (first.isOk() || first.error.kind !== 'requires_action' || first.error.action.type !== 'redirect')
      throw new Error('expected a redirect');
    expect(new URL(first.error.action.url).searchParams.get('return')).toBe('https://pay.example/pay/tok/3ds/a1.sig');
    const again = await router.sale({ ...req, returnUrl: 'https://pay.example/elsewhere' });
    expect(again.isErr() && again.error.kind).toBe('requires_action');
    expect(again.isErr() && again.error.transactionId).toBe(first.error.transactionId);
    expect(seen).toHaveLength(1);
  });
});
