/**
 * Cards on file across a MID's closure, through the public API on sandbox gateways: what a re-pin
 * does to the stored credential, what a rebill sends, the vault seam, and refusals before any call.
 */
import { describe, expect, it } from 'vitest';
import { sandbox } from '../../adapters/sandbox';
import type { RouterEvents } from '../../src/events';
import { CARDS, saleRequest, testRouter } from '../support/router';
import { testVault } from '../support/vault';

const rebillOf = (subscriptionId: string, idempotencyKey: string, extra: Record<string, unknown> = {}) => ({
  subscriptionId,
  amount: 2999,
  currency: 'USD',
  idempotencyKey,
  ...extra,
});
const priority = (...mids: string[]) => ({
  pools: { p: { strategy: 'priority' as const, members: mids.map((mid) => ({ mid })) } },
  route: ['p'],
});

describe('a re-pin never carries one gateway’s ids to another', () => {
  it('to another gateway: refused before any call without the card; with the vault, the card and the network transaction id only', async () => {
    const old = sandbox({ id: 'old' });
    const next = sandbox({ id: 'next' });
    const vault = testVault();
    const { router } = testRouter(
      priority('old'),
      [
        { id: 'old', adapter: old },
        { id: 'next', adapter: next },
      ],
      { vault },
    );
    const initial = (await router.sale(saleRequest({ subscription: { id: 's1' } }))).unwrap();
    expect(vault.calls.map((c) => [c.op, c.context.subscriptionId])).toEqual([['store', 's1']]);
    const pin = (await router.pin('s1'))!;
    expect(pin.vaultReference).toBe('vref_1');
    expect(pin.credentials).toEqual([
      expect.objectContaining({
        mid: 'old',
        gateway: 'sandbox',
        gatewayToken: `tok_${initial.gatewayTransactionId}`,
        gatewayTransactionId: initial.gatewayTransactionId,
        networkTransactionId: initial.networkTransactionId,
        origin: 'customer',
      }),
    ]);
    const moved: Array<RouterEvents['pin:moved']> = [];
    router.on('pin:moved', (e) => moved.push(e));
    (await router.repin('s1', 'next', { reason: 'old MID closed' })).unwrap();
    expect(moved[0]).toMatchObject({ fromMid: 'old', toMid: 'next', credential: 'retokenize' });

    const first = (await router.rebill(rebillOf('s1', 'r1'))).unwrap();
    expect(first.mid).toBe('next');
    const sent = next.charges.get(first.gatewayTransactionId)!;
    expect(sent.storedCredential).toEqual({
      type: 'subsequent',
      initiator: 'merchant',
      reason: 'recurring',
      networkTransactionId: initial.networkTransactionId,
    });
    expect(vault.calls.at(-1)).toMatchObject({ op: 'reveal', reference: 'vref_1', context: { mid: 'next', gateway: 'sandbox' } });
    // The first charge on the new gateway gave its own token: later rebills use it, not the vault.
    const learnt = (await router.pin('s1'))!.credentials!.find((c) => c.mid === 'next');
    expect(learnt).toMatchObject({ gatewayToken: `tok_${first.gatewayTransactionId}`, origin: 'merchant' });
    const second = (await router.rebill(rebillOf('s1', 'r2'))).unwrap();
    expect(next.charges.get(second.gatewayTransactionId)!.storedCredential).toMatchObject({
      gatewayToken: `tok_${first.gatewayTransactionId}`,
      networkTransactionId: initial.networkTransactionId,
    });
    expect(vault.calls.filter((c) => c.op === 'reveal')).toHaveLength(1);
    // Nothing of the old gateway reached the new one.
    for (const c of next.charges.values()) expect(JSON.stringify(c.storedCredential)).not.toContain(initial.gatewayTransactionId);
    expect(old.calls.sale).toBe(1);
  });

  it('within one token scope (one gateway account) the token and the gateway’s own id move as they are', async () => {
    const account = sandbox({ id: 'acct' });
    const vault = testVault();
    const { router } = testRouter(
      priority('a1'),
      [
        { id: 'a1', adapter: account, tokenScope: 'acct' },
        { id: 'a2', adapter: account, tokenScope: 'acct' },
      ],
      { vault },
    );
    const initial = (await router.sale(saleRequest({ subscription: { id: 's1' } }))).unwrap();
    const dry = (await router.migrate({ from: 'a1', to: 'a2', dryRun: true })).unwrap();
    expect(dry.subscriptions).toEqual([expect.objectContaining({ subscriptionId: 's1', credential: 'as_is', moves: true })]);
    (await router.migrate({ from: 'a1', to: 'a2' })).unwrap();
    const r = (await router.rebill(rebillOf('s1', 'r1'))).unwrap();
    expect(r.mid).toBe('a2');
    expect(account.charges.get(r.gatewayTransactionId)!.storedCredential).toEqual({
      type: 'subsequent',
      initiator: 'merchant',
      reason: 'recurring',
      networkTransactionId: initial.networkTransactionId,
      gatewayToken: `tok_${initial.gatewayTransactionId}`,
      previousGatewayTransactionId: initial.gatewayTransactionId,
    });
    expect(vault.calls.filter((c) => c.op === 'reveal')).toHaveLength(0);
  });

  it('to a gateway that takes no network transaction id from elsewhere: the customer must come back; a sale naming the subscription does it', async () => {
    const old = sandbox({ id: 'old' });
    const tokenOnly = sandbox({ id: 'tokenOnly', capabilities: { networkTransactionIdWithCard: false } });
    const vault = testVault();
    const mids = [
      { id: 'old', adapter: old },
      { id: 'tokenOnly', adapter: tokenOnly },
    ];
    // Two routers over one store: the checkout first routes to `old`, later to `tokenOnly`.
    const { router: r2, store } = testRouter(priority('old'), mids, { vault });
    await r2.sale(saleRequest({ subscription: { id: 's1' } }));
    const dry = (await r2.migrate({ from: 'old', to: 'tokenOnly', dryRun: true })).unwrap();
    expect(dry.counts).toMatchObject({ needsCustomer: 1, moved: 0, skipped: 1 });
    expect(dry.skipped[0].why).toMatch(/takes no network transaction id from another acquirer.*customer must enter the card again/);
    const real = (await r2.migrate({ from: 'old', to: 'tokenOnly' })).unwrap();
    expect(real.counts).toEqual(dry.counts);
    expect((await r2.pin('s1'))!.mid).toBe('old');
    // Moved by hand anyway: the rebill is refused before any call, even with the card.
    (await r2.repin('s1', 'tokenOnly', { reason: 'forced' })).unwrap();
    const calls = { ...tokenOnly.calls };
    const refused = await r2.rebill(rebillOf('s1', 'r1', { card: { number: CARDS.visa, expMonth: 12, expYear: 2030 } }));
    expect(refused.isErr() && refused.error).toMatchObject({ kind: 'rejected', rejection: 'credential_not_portable', attempts: [] });
    expect(tokenOnly.calls).toEqual(calls);
    // The customer enters the card again on the new MID: that MID's own credential is recorded, and rebills work.
    const { router: r3 } = testRouter(priority('tokenOnly'), mids, { vault, store });
    const cit = (await r3.verify(saleRequest({ amount: 0, subscription: { id: 's1' } }))).unwrap();
    expect(cit.mid).toBe('tokenOnly');
    const pin = (await r3.pin('s1'))!;
    expect(pin.credentials!.map((c) => `${c.mid}:${c.origin}`)).toEqual(['old:customer', 'tokenOnly:customer']);
    expect(pin.vaultReference).toBe('vref_2');
    const ok = (await r3.rebill(rebillOf('s1', 'r2'))).unwrap();
    expect(tokenOnly.charges.get(ok.gatewayTransactionId)!.storedCredential).toMatchObject({
      gatewayToken: `tok_${cit.gatewayTransactionId}`,
      previousGatewayTransactionId: cit.gatewayTransactionId,
    });
  });
});

describe('the vault seam', () => {
  it('a vault that fails or lost the card: nothing is charged, nothing is claimed; a retry after a vault rebill replays', async () => {
    const old = sandbox({ id: 'old' });
    const next = sandbox({ id: 'next' });
    const vault = testVault();
    const { router, store } = testRouter(
      priority('old'),
      [
        { id: 'old', adapter: old },
        { id: 'next', adapter: next },
      ],
      { vault },
    );
    await router.sale(saleRequest({ subscription: { id: 's1' } }));
    await router.repin('s1', 'next', { reason: 'closing' });
    const reveal = vault.reveal!.bind(vault);
    vault.reveal = async () => {
      throw new Error('vault down, card 4111111111111111');
    };
    const down = await router.rebill(rebillOf('s1', 'k1'));
    expect(down.isErr() && down.error.kind).toBe('error');
    expect(down.isErr() && down.error.message).toMatch(/vault failed before any gateway call, nothing was charged/);
    expect(down.isErr() && down.error.message).not.toContain('4111111111111111');
    expect(await store.getClaim('rebill:k1')).toBeUndefined();
    vault.reveal = async () => undefined;
    const gone = await router.rebill(rebillOf('s1', 'k1'));
    expect(gone.isErr() && gone.error).toMatchObject({ kind: 'rejected', rejection: 'credential_not_portable' });
    expect(next.calls.sale ?? 0).toBe(0);
    vault.reveal = reveal;
    const ok = (await router.rebill(rebillOf('s1', 'k1'))).unwrap();
    const again = (await router.rebill(rebillOf('s1', 'k1'))).unwrap();
    expect(again).toMatchObject({ transactionId: ok.transactionId, replayed: true });
    expect(next.calls.sale).toBe(1);
    // The replay is answered from its idempotency record before the vault is asked again.
    expect(vault.calls.filter((c) => c.op === 'reveal')).toHaveLength(1);
  });

  it('a vault that cannot keep the card costs the vault copy, never the sale; gatewayVaults false asks gateways to keep nothing', async () => {
    const a = sandbox({ id: 'a' });
    const vault = testVault({ gatewayVaults: false });
    vault.store = async () => {
      throw new Error('vault full');
    };
    const { router } = testRouter(priority('a'), [{ id: 'a', adapter: a }], { vault });
    const errors: string[] = [];
    router.on('error', (e) => errors.push(`${e.source}: ${e.message}`));
    const sale = (await router.sale(saleRequest({ subscription: { id: 's1' } }))).unwrap();
    expect(errors).toEqual(['vault: the test-pci vault did not keep the card of subscription s1: vault full']);
    expect((await router.pin('s1'))!.vaultReference).toBeUndefined();
    expect(a.charges.get(sale.gatewayTransactionId)!.storedCredential).toEqual({ type: 'initial', reason: 'recurring', storeCard: false });
  });

  it('a zero-amount verify: the vault is told the first MID the route tries, and asked nothing when no MID can verify', async () => {
    const preauthOnly = sandbox({ id: 'preauth', capabilities: { verify: false } });
    const zero = sandbox({ id: 'zero' });
    const vault = testVault();
    const { router } = testRouter(
      priority('preauth', 'zero'),
      [
        { id: 'preauth', adapter: preauthOnly },
        { id: 'zero', adapter: zero },
      ],
      { vault },
    );
    (await router.verify(saleRequest({ amount: 0, subscription: { id: 's1' } }))).unwrap();
    expect(vault.calls.map((c) => [c.op, c.context.mid])).toEqual([['store', 'zero']]);

    const vault2 = testVault();
    const { router: r2 } = testRouter(
      priority('preauth'),
      [{ id: 'preauth', adapter: sandbox({ id: 'preauth', capabilities: { verify: false } }) }],
      {
        vault: vault2,
      },
    );
    const refused = await r2.verify(saleRequest({ amount: 0, subscription: { id: 's2' } }));
    expect(refused.isErr() && refused.error).toMatchObject({ kind: 'rejected', rejection: 'no_eligible_mid' });
    expect(vault2.calls).toEqual([]);
    expect(vault2.cards.size).toBe(0);
  });

  it('a bad vault is a configuration error naming the field', () => {
    const bad = () => testRouter(priority('a'), [{ id: 'a', adapter: sandbox() }], { vault: { name: '', gatewayVaults: 'yes' } as never });
    expect(bad).toThrow(/vault\.name/);
    expect(bad).toThrow(/vault\.gatewayVaults/);
  });
});
