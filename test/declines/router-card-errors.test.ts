/**
 * Through the router (public API only): a card the gateway refuses for its data is a decline of
 * the card, with its reason, and is never cascaded to the next MID; the fields the adapters now
 * read (CVV/AVS results, code-less refusal texts) decide the cascade too. Each gateway is its fake
 * on loopback answering the documented body, with a sandbox MID behind it that must stay untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adyen } from '../../adapters/adyen';
import { authorizenet } from '../../adapters/authorizenet';
import { braintree } from '../../adapters/braintree';
import { checkout } from '../../adapters/checkout';
import { nmi } from '../../adapters/nmi';
import { sandbox, type SandboxAdapter } from '../../adapters/sandbox';
import { stripe } from '../../adapters/stripe';
import { createRouter, type GatewayAdapter, memoryStore, type PaymentRequest, type Router } from '../../src/index';
import { startFakeAdyen, type FakeAdyen } from '../fakes/adyen';
import { startAuthorizeNetFake, type AuthorizeNetFake } from '../fakes/authorizenet';
import { startBraintreeFake, type BraintreeFake } from '../fakes/braintree';
import { startCheckoutFake, type CheckoutFake } from '../fakes/checkout';
import { startNmiFake, type NmiFake } from '../fakes/nmi';
import { FAKE_STRIPE_KEY, startStripeFake, type StripeFake } from '../fakes/stripe';

let n = 0;
/**
 * A fresh Luhn-valid test number with this prefix for each sale: a never-retry decline (an invalid
 * number) blocks that card on its MID for 30 days, so no two tests may share one.
 */
function card(prefix: string): string {
  const body = `${prefix}${String(100000 + ++n).padStart(15 - prefix.length, '0')}`;
  const sum = [...body].reverse().reduce((acc, d, i) => {
    const x = Number(d) * (i % 2 === 0 ? 2 : 1);
    return acc + (x > 9 ? x - 9 : x);
  }, 0);
  return `${body}${(10 - (sum % 10)) % 10}`;
}
const sale = (number: string, cvc = '737'): PaymentRequest => ({
  profile: 'default',
  idempotencyKey: `card-error-${++n}`,
  amount: 1500 + n,
  currency: 'USD',
  card: { number, expMonth: 3, expYear: 2030, cvc },
  customer: { id: `cust-${n}`, email: 'a@b.co', country: 'US', ip: '203.0.113.9' },
});

/** A router with the gateway's MID first and a sandbox MID it could cascade to. */
function routerFor(adapter: GatewayAdapter): { router: Router; backup: SandboxAdapter } {
  const backup = sandbox({ id: 'sbx-backup' });
  const router = createRouter({
    merchantAccounts: [
      { id: 'gw-1', adapter },
      { id: 'sbx-backup', adapter: backup },
    ],
    profiles: [
      {
        id: 'default',
        pools: { main: { strategy: 'priority', members: [{ mid: 'gw-1' }, { mid: 'sbx-backup' }] } },
        route: ['main'],
        cascade: { maxAttempts: 2, on: 'soft' },
      },
    ],
    store: memoryStore(),
  });
  return { router, backup };
}

/** The sale failed as a decline with this reason on the first MID, and nothing reached the backup. */
async function declinedThere(router: Router, backup: SandboxAdapter, request: PaymentRequest, reason: string) {
  const r = await router.sale(request);
  expect(r.isErr(), JSON.stringify(r)).toBe(true);
  if (!r.isErr()) return;
  expect(r.error).toMatchObject({ kind: 'declined', decline: { reason, cascade: false } });
  expect(r.error.attempts.map((a) => [a.mid, a.outcome, a.decline?.reason])).toEqual([['gw-1', 'declined', reason]]);
  expect(backup.charges.size).toBe(0);
  expect(JSON.stringify(r.error)).not.toContain(request.card!.number);
}

describe('Adyen: 422 card-data errors and code-less refusals', () => {
  let fake: FakeAdyen;
  let router: Router;
  let backup: SandboxAdapter;
  beforeAll(async () => {
    fake = await startFakeAdyen({ apiKey: 'k', merchantAccount: 'AcmeECOM' });
    ({ router, backup } = routerFor(
      adyen({ apiKey: 'k', merchantAccount: 'AcmeECOM', baseUrl: fake.url, returnUrl: 'https://shop.example/return' }),
    ));
  });
  afterAll(() => fake.close());

  it('errorCode 101 "Invalid card number" is incorrect_number on the Adyen MID, not a gateway error to cascade', async () => {
    fake.next({ kind: 'error', status: 422, fixture: 'error-422-invalid-card-number' });
    await declinedThere(router, backup, sale(card('4111')), 'incorrect_number');
  });

  it('errorCode 103 (CVC length) is incorrect_cvc, not cascaded', async () => {
    fake.next({ kind: 'error', status: 422, fixture: 'error-422-cvc-length' });
    await declinedThere(router, backup, sale(card('4111')), 'incorrect_cvc');
  });

  it('a code-less "Not enough balance" (older API) is insufficient_funds: no cascade, where a generic decline would cascade', async () => {
    fake.next({ kind: 'refuse', code: '12', textOnly: true });
    await declinedThere(router, backup, sale(card('4111')), 'insufficient_funds');
  });

  it('2 Refused with cvcResult "2 Does not match" is incorrect_cvc: not cascaded', async () => {
    fake.next({ kind: 'refuse', code: '2', cvcResult: '2 Does not match' });
    await declinedThere(router, backup, sale(card('4111')), 'incorrect_cvc');
  });
});

describe('Checkout.com: 422 error_codes about the card', () => {
  const SECRET = 'sk_sbox_m73dzbpy7cf3gfd46xr4yj5xo4e';
  let fake: CheckoutFake;
  let router: Router;
  let backup: SandboxAdapter;
  beforeAll(async () => {
    fake = await startCheckoutFake({ secretKey: SECRET });
    ({ router, backup } = routerFor(
      checkout({ secretKey: SECRET, processingChannelId: 'pc_q4dbxom5jbgudnjzjpz7j2z6uq', baseUrl: fake.url }),
    ));
  });
  afterAll(() => fake.close());

  it('card_number_invalid is incorrect_number, card_expired is expired_card: neither cascades', async () => {
    fake.next({ type: 'invalid', codes: ['card_number_invalid'] });
    await declinedThere(router, backup, sale(card('4242')), 'incorrect_number');
    fake.next({ type: 'invalid', codes: ['card_expired'] });
    await declinedThere(router, backup, sale(card('4242')), 'expired_card');
  });

  it('a pick-up naming its cause (30036 restricted) keeps the cause and blocks the card on that MID', async () => {
    fake.next({ type: 'decline', code: '30036', summary: 'Restricted card - Pick up' });
    const first = sale(card('5555'));
    await declinedThere(router, backup, first, 'restricted_card');
    const again = await router.sale({ ...first, idempotencyKey: `again-${n}` });
    // Never retried on that MID (network rule), while another MID may take a new sale.
    expect(again.isOk() && again.value.attempts.map((a) => [a.mid, a.outcome])).toEqual([
      ['gw-1', 'skipped'],
      ['sbx-backup', 'approved'],
    ]);
  });
});

describe('Braintree: card validation errors', () => {
  let fake: BraintreeFake;
  let router: Router;
  let backup: SandboxAdapter;
  beforeAll(async () => {
    fake = await startBraintreeFake({ merchantAccounts: { acme_usd: 'USD' } });
    ({ router, backup } = routerFor(
      braintree({ publicKey: 'pk_test_fake', privateKey: 'sk_test_fake', baseUrl: fake.url, merchantAccountId: 'acme_usd' }),
    ));
  });
  afterAll(() => fake.close());

  it('a VALIDATION error 81715 "Credit card number is invalid." is incorrect_number, not cascaded', async () => {
    fake.next({ graphQLError: { errorClass: 'VALIDATION', message: 'Credit card number is invalid.', legacyCode: '81715' } });
    await declinedThere(router, backup, sale(card('4111')), 'incorrect_number');
  });
});

describe('Stripe, Authorize.Net, NMI: the checks name an unspecific decline', () => {
  let stripeFake: StripeFake;
  let anetFake: AuthorizeNetFake;
  let nmiFake: NmiFake;
  beforeAll(async () => {
    [stripeFake, anetFake, nmiFake] = await Promise.all([
      startStripeFake(),
      startAuthorizeNetFake(),
      startNmiFake({ securityKey: 'nmi_key_0001' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([stripeFake.close(), anetFake.close(), nmiFake.close()]);
  });

  it('Stripe generic_decline with cvc_check fail is incorrect_cvc: no cascade', async () => {
    const { router, backup } = routerFor(stripe({ secretKey: FAKE_STRIPE_KEY, baseUrl: stripeFake.url }));
    stripeFake.declineNext({ code: 'card_declined', declineCode: 'generic_decline', cvcCheck: 'fail' });
    await declinedThere(router, backup, sale(card('4242'), '123'), 'incorrect_cvc');
  });

  it('Authorize.Net reason 2 with cvvResultCode N is incorrect_cvc: no cascade', async () => {
    const { router, backup } = routerFor(
      authorizenet({ apiLoginId: anetFake.apiLoginId, transactionKey: anetFake.transactionKey, baseUrl: anetFake.url }),
    );
    anetFake.script({ responseCode: '2', code: '2', avs: 'Y', cvv: 'N' });
    await declinedThere(router, backup, sale(card('4111'), '987'), 'incorrect_cvc');
  });

  it('NMI 200 DECLINE with avsresponse N is incorrect_address: no cascade', async () => {
    const { router, backup } = routerFor(nmi({ securityKey: 'nmi_key_0001', baseUrl: nmiFake.url }));
    nmiFake.script({ response_code: '200', responsetext: 'DECLINE', avsresponse: 'N', cvvresponse: 'M' });
    await declinedThere(router, backup, sale(card('4111'), '999'), 'incorrect_address');
  });
});
