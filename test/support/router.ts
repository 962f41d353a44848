/** Test fixtures: seeded randomness, test cards, a router over sandbox MIDs with a memory store. */
import { createRouter, type MerchantAccountConfig, type RouterConfig } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import { sandbox, type SandboxAdapter, type SandboxOptions } from '../../adapters/sandbox';
import type { PaymentRequest } from '../../src/types';
import type { ProfileInput } from '../../src/profile/schema';

/** mulberry32, seeded: weighted draws are reproducible (the demo's generator). */
import { seeded } from '../../examples/demo/random';

export { seeded };

/** Well-known test PANs. */
export const CARDS = {
  visa: '4111111111111111',
  visa2: '4242424242424242',
  mastercard: '5555555555554444',
  amex: '378282246310005',
  discover: '6011111111111117',
  doNotHonor: '4000000000000002',
  insufficientFunds: '4000000000009953',
  stolen: '4000000000009979',
  lost: '4000000000009987',
  timeout: '4000000000000259',
  cleanError: '4000000000000101',
  threeDS: '4000000000003220',
  revoked: '4000000000000085',
} as const;

let counter = 0;
/** A valid sale request; override any field. */
export function saleRequest(over: Partial<PaymentRequest> & { number?: string } = {}): PaymentRequest {
  const { number, ...rest } = over;
  return {
    profile: 'default',
    idempotencyKey: `order-${++counter}-${Math.random().toString(36).slice(2)}`,
    amount: 1999,
    currency: 'USD',
    card: { number: number ?? CARDS.visa, expMonth: 12, expYear: 2030, cvc: number === CARDS.amex ? '1234' : '123' },
    customer: { id: 'c1', email: 'a@b.co', country: 'US', ip: '203.0.113.9' },
    ...rest,
  };
}

/** MIDs on fresh sandboxes, by id. */
export function sandboxMids(ids: string[], opts: SandboxOptions = {}, extra: Partial<MerchantAccountConfig> = {}) {
  const adapters: Record<string, SandboxAdapter> = {};
  const accounts: MerchantAccountConfig[] = ids.map((id) => {
    adapters[id] = sandbox({ id, ...opts });
    return { id, adapter: adapters[id], ...extra };
  });
  return { adapters, accounts };
}

/** A router with one profile 'default' and the given MIDs (memory store, seeded random). */
export function testRouter(profile: Omit<ProfileInput, 'id'>, accounts: MerchantAccountConfig[], over: Partial<RouterConfig> = {}) {
  const store = over.store ?? memoryStore();
  const router = createRouter({
    merchantAccounts: accounts,
    profiles: [{ id: 'default', ...profile }],
    store,
    random: seeded(42),
    ...over,
  });
  return { router, store };
}

/** Total gateway calls made to a set of sandboxes. */
export function totalCalls(adapters: Record<string, SandboxAdapter>): number {
  return Object.values(adapters).reduce((n, a) => n + Object.values(a.calls).reduce((x, y) => x + y, 0), 0);
}
