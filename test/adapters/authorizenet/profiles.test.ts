/**
 * Authorize.Net rebills without the PAN: the initial sale of a subscription creates a customer
 * payment profile (`profile.createProfile`, opt-in per MID), rebills charge the profile, and the
 * card number never appears on a rebill's wire body nor in the store. Every request is checked
 * against the XSD's element order by the fake; network tokens go out as payment tokens.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { authorizenet } from '../../../adapters/authorizenet';
import { paymentRequest } from '../../../adapters/authorizenet/wire';
import { createRouter } from '../../../src/router';
import { sqliteStore } from '../../../src/store/sqlite';
import type { Store } from '../../../src/store/types';
import { startAuthorizeNetFake, type AuthorizeNetFake } from '../../fakes/authorizenet';
import { CRYPTOGRAM, TOKENS } from '../../support/tokens';
import { saleRequest } from '../../support/router';
import { ANET_XSD_FACTS, loadXsdChecker } from '../../support/xsd-order';

const PAN = '4111111111111111';
let fake: AuthorizeNetFake;
const dir = mkdtempSync(join(tmpdir(), 'switchyard-anet-profiles-'));
beforeAll(async () => {
  fake = await startAuthorizeNetFake();
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => {
  expect(fake.violations.splice(0)).toEqual([]);
});

let n = 0;
function setup(customerProfiles: boolean, store: Store = sqliteStore({ path: join(dir, `p${n++}.db`) })) {
  const anet = authorizenet({
    apiLoginId: fake.apiLoginId,
    transactionKey: fake.transactionKey,
    baseUrl: fake.url,
    timeoutMs: 2_000,
    customerProfiles,
  });
  const router = createRouter({
    merchantAccounts: [{ id: 'anet-1', adapter: anet }],
    profiles: [{ id: 'default', pools: { p: { strategy: 'priority', members: [{ mid: 'anet-1' }] } }, route: ['p'] }],
    store,
  });
  return { router, store };
}
const body = (i = -1) => fake.bodies.at(i)!.createTransactionRequest;

describe('Authorize.Net customer payment profiles', () => {
  it('the initial sale creates the profile; every rebill charges it, with no card number on the wire or in the store', async () => {
    const path = join(dir, 'rebills.db');
    const { router, store } = setup(true, sqliteStore({ path }));
    const card = { number: PAN, expMonth: 12, expYear: 2030, cvc: '123' };
    const sale = (
      await router.sale(saleRequest({ card, customer: { id: 'cust-77', email: 'p@q.co' }, subscription: { id: 'sub-1' } }))
    ).unwrap();
    const initial = body().transactionRequest;
    expect(initial.profile).toEqual({ createProfile: 'true' });
    expect(initial.payment.creditCard.cardNumber).toBe(PAN);
    expect(Object.keys(initial).slice(0, 5)).toEqual(['transactionType', 'amount', 'currencyCode', 'payment', 'profile']);
    const profile = [...fake.profiles.values()].find((p) => p.merchantCustomerId === 'cust-77')!;
    const token = `${profile.customerProfileId}:${profile.paymentProfileId}`;
    expect((await router.pin('sub-1'))!.credentials).toEqual([
      expect.objectContaining({
        mid: 'anet-1',
        gateway: 'authorizenet',
        gatewayToken: token,
        networkTransactionId: sale.networkTransactionId,
      }),
    ]);

    for (const k of [1, 2]) {
      const r = (await router.rebill({ subscriptionId: 'sub-1', amount: 2999, currency: 'USD', idempotencyKey: `rb-${k}` })).unwrap();
      expect(r.mid).toBe('anet-1');
      const sent = body();
      expect(sent.transactionRequest.profile).toEqual({
        customerProfileId: profile.customerProfileId,
        paymentProfile: { paymentProfileId: profile.paymentProfileId },
      });
      expect(sent.transactionRequest.payment).toBeUndefined();
      expect(sent.transactionRequest.processingOptions).toEqual({ isSubsequentAuth: 'true', isStoredCredentials: 'true' });
      expect(sent.transactionRequest.subsequentAuthInformation).toEqual({ originalNetworkTransId: sale.networkTransactionId });
      expect(JSON.stringify(sent)).not.toContain(PAN);
      expect(fake.charges.get(r.gatewayTransactionId)!.last4).toBe('1111');
    }
    await store.close();
    expect(readFileSync(path).toString('latin1')).not.toContain(PAN);
  });

  it('a duplicate profile (E00039) leaves the sale approved without a token: rebills need the card, refused before any call without it', async () => {
    const { router } = setup(true);
    const req = () => saleRequest({ customer: { id: 'cust-dup', email: 'd@q.co' } });
    (await router.sale({ ...req(), subscription: { id: 'dup-1' } })).unwrap();
    const second = (await router.sale({ ...req(), subscription: { id: 'dup-2' } })).unwrap();
    expect(second.mid).toBe('anet-1');
    expect((await router.pin('dup-2'))!.credentials![0].gatewayToken).toBeUndefined();
    const sent = fake.bodies.length;
    const r = await router.rebill({ subscriptionId: 'dup-2', amount: 100, currency: 'USD', idempotencyKey: 'dup-rb' });
    expect(r.isErr() && r.error).toMatchObject({ kind: 'rejected', rejection: 'validation', field: 'card' });
    expect(fake.bodies.length).toBe(sent);
  });

  it('off by default: no profile element, and a profile needs an id, so our reference stands in for a missing customer id', async () => {
    const off = setup(false);
    (await off.router.sale(saleRequest({ subscription: { id: 'plain' } }))).unwrap();
    expect(body().transactionRequest.profile).toBeUndefined();
    const on = setup(true);
    (await on.router.sale(saleRequest({ customer: { country: 'US' }, subscription: { id: 'anon' } }))).unwrap();
    const tr = body().transactionRequest;
    expect(tr.customer.id).toBe(body().refId);
    expect((await on.router.pin('anon'))!.credentials![0].gatewayToken).toMatch(/^\d+:\d+$/);
  });

  it('a network token goes out as a payment token with its cryptogram and ECI, in the XSD order', async () => {
    const { router } = setup(false);
    const r = await router.sale(
      saleRequest({
        card: { networkToken: TOKENS.visa, expMonth: 11, expYear: 2031, cryptogram: CRYPTOGRAM, eci: '05', tokenType: 'apple_pay' },
      }),
    );
    expect(r.isOk()).toBe(true);
    expect(body().transactionRequest.payment.creditCard).toEqual({
      cardNumber: TOKENS.visa,
      expirationDate: '2031-11',
      isPaymentToken: 'true',
      cryptogram: CRYPTOGRAM,
      tokenRequestorEci: '05',
    });
  });

  it('request bodies built for every source are valid against the XSD (profile charge, profile creation, token)', () => {
    const xsd = loadXsdChecker(ANET_XSD_FACTS);
    const credentials = { apiLoginId: 'login', transactionKey: 'key' };
    const base = { reference: 'at_1', transactionId: 'tx_1', amount: 1999, currency: 'USD', merchant: { id: 'm' } };
    const docs = [
      paymentRequest(
        'sale',
        {
          ...base,
          storedCredential: {
            type: 'subsequent',
            initiator: 'merchant',
            reason: 'recurring',
            gatewayToken: '123:456',
            networkTransactionId: 'NTID1',
          },
        },
        credentials,
      ),
      paymentRequest(
        'authorize',
        {
          ...base,
          card: { number: PAN, expMonth: 1, expYear: 2030, cvc: '123' },
          storedCredential: { type: 'initial', reason: 'recurring' },
        },
        credentials,
        { customerProfiles: true },
      ),
      paymentRequest('sale', { ...base, card: { networkToken: TOKENS.mastercard, expMonth: 1, expYear: 2030, eci: '2' } }, credentials),
    ];
    for (const d of docs) expect(xsd.check(d)).toEqual([]);
    expect(docs[0].createTransactionRequest.transactionRequest.payment).toBeUndefined();
    // storeCard false (the router's vault keeps cards elsewhere): no profile even when the MID opts in.
    const noStore = paymentRequest(
      'sale',
      {
        ...base,
        card: { number: PAN, expMonth: 1, expYear: 2030 },
        storedCredential: { type: 'initial', reason: 'recurring', storeCard: false },
      },
      credentials,
      { customerProfiles: true },
    );
    expect(noStore.createTransactionRequest.transactionRequest.profile).toBeUndefined();
  });
});
