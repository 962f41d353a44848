/**
 * `handleWebhook`'s input: the raw body or nothing (a parsed object is refused with a message
 * that says why), a known MID whose adapter has its secret, and whatever else arrives: any body
 * and headers give a Result, never a throw, write nothing unless verified, and no message holds a
 * secret, a PAN or a CVC. A store failure answers an error (so the gateway retries) with nothing
 * half-written; card data a gateway echoes in a notification is redacted before it is kept.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adyen } from '../../adapters/adyen';
import { authorizenet } from '../../adapters/authorizenet';
import { braintree } from '../../adapters/braintree';
import { checkout } from '../../adapters/checkout';
import { nmi } from '../../adapters/nmi';
import { stripe } from '../../adapters/stripe';
import { createRouter } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import type { Store } from '../../src/store/types';
import { faultPlan, faultyStore } from '../support/faulty';
import { adyenBody, checkoutSignature, nmiSignature, stripeSignatureHeader } from '../support/webhook-signing';
import { txRecord } from '../store/conformance';
import { SECRETS } from './support';

const NOWHERE = { baseUrl: 'http://127.0.0.1:9', timeoutMs: 100 };
const PAN = '4111111111111111';

function router(store: Store = memoryStore()) {
  const accounts = [
    { id: 'stripe-1', adapter: stripe({ secretKey: 'sk_test_x', webhookSecret: SECRETS.stripe, ...NOWHERE }) },
    { id: 'adyen-1', adapter: adyen({ apiKey: 'k', merchantAccount: 'AcmeECOM', webhookSecret: SECRETS.adyen, ...NOWHERE }) },
    { id: 'checkout-1', adapter: checkout({ secretKey: 'sk_sbox_x', webhookSecret: SECRETS.checkout, ...NOWHERE }) },
    { id: 'braintree-1', adapter: braintree({ publicKey: 'pk_test_fake', privateKey: 'sk_test_fake', ...NOWHERE }) },
    { id: 'nmi-1', adapter: nmi({ securityKey: 'k', webhookSecret: SECRETS.nmi, ...NOWHERE }) },
    { id: 'anet-1', adapter: authorizenet({ apiLoginId: 'l', transactionKey: 'k', webhookSecret: SECRETS.anet, ...NOWHERE }) },
    { id: 'plain', adapter: stripe({ secretKey: 'sk_test_x', ...NOWHERE }) },
  ];
  return createRouter({
    merchantAccounts: accounts,
    profiles: [{ id: 'default', pools: { p: { strategy: 'priority', members: [{ mid: 'plain' }] } }, route: ['p'] } as never],
    store,
  });
}

const stripeEvent = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    id: 'evt_input_1',
    object: 'event',
    created: Math.floor(Date.now() / 1000),
    type: 'charge.dispute.created',
    data: { object: { id: 'dp_1', object: 'dispute', amount: 100, currency: 'usd', status: 'needs_response', payment_intent: 'pi_x' } },
    ...over,
  });
const signedStripe = (body: string) => ({ 'stripe-signature': stripeSignatureHeader(SECRETS.stripe, body, Math.floor(Date.now() / 1000)) });

describe('handleWebhook input', () => {
  it('refuses a parsed body (the re-serialising body parser mistake), naming the field and why', async () => {
    const r = await router().handleWebhook({ mid: 'stripe-1', headers: {}, body: JSON.parse(stripeEvent()) });
    expect(r.isErr() && r.error).toMatchObject({ kind: 'rejected', rejection: 'validation', field: 'body' });
    expect(r.isErr() && r.error.message).toMatch(/raw body/);
  });

  it('refuses an unknown MID, a MID whose adapter has no webhook secret, bad headers, a closed router', async () => {
    const rt = router();
    const body = stripeEvent();
    const why = async (input: unknown) => {
      const r = await rt.handleWebhook(input as never);
      return r.isErr() && r.error.kind === 'rejected' ? [r.error.rejection, r.error.field] : r.isErr() ? [r.error.kind] : ['ok'];
    };
    expect(await why({ mid: 'nope', headers: {}, body })).toEqual(['validation', 'mid']);
    expect(await why({ mid: 'plain', headers: signedStripe(body), body })).toEqual(['operation_not_supported', 'mid']);
    expect(await why({ mid: 'stripe-1', headers: null, body })).toEqual(['validation', 'headers']);
    expect(await why(undefined)).toEqual(['validation', 'input']);
    await rt.close();
    expect(await why({ mid: 'stripe-1', headers: signedStripe(body), body })).toEqual(['router_closed', undefined]);
  });

  it('takes the raw body as a string, a Buffer or a Uint8Array, and header values as arrays', async () => {
    const body = stripeEvent();
    for (const [i, raw] of [body, Buffer.from(body), new Uint8Array(Buffer.from(body))].entries()) {
      const rt = router();
      const r = await rt.handleWebhook({
        mid: 'stripe-1',
        headers: { 'Stripe-Signature': [signedStripe(body)['stripe-signature']] },
        body: raw,
      });
      expect(r.isOk() && r.value.notifications[0].kind, `body form ${i}`).toBe('dispute_opened');
    }
  });

  it('any body and headers give a Result, never a throw; nothing is written unless verified; no secret, PAN or CVC in a message (property)', async () => {
    const store = memoryStore();
    const rt = router(store);
    const secrets = Object.values(SECRETS);
    const headerNames = fc.constantFrom(
      'stripe-signature',
      'cko-signature',
      'x-anet-signature',
      'webhook-signature',
      'authorization',
      'content-type',
    );
    const withCard = fc.string({ maxLength: 80 }).map((s) => `${s}{"number":"${PAN}","cvc":"737","card":"${PAN}"}${s}`);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('stripe-1', 'adyen-1', 'checkout-1', 'braintree-1', 'nmi-1', 'anet-1'),
        fc.oneof(fc.string({ maxLength: 400 }), withCard, fc.uint8Array({ maxLength: 400 }), fc.constant('{"notificationItems":[{}]}')),
        fc.dictionary(
          headerNames,
          fc.oneof(fc.string({ maxLength: 120 }), fc.array(fc.string({ maxLength: 40 }), { maxLength: 3 }), fc.constant(undefined)),
        ),
        async (mid, body, headers) => {
          const r = await rt.handleWebhook({ mid, headers: headers as never, body });
          expect(r.isErr()).toBe(true);
          const message = r.isErr() ? r.error.message : '';
          for (const s of secrets) expect(message).not.toContain(s);
          expect(message).not.toContain(PAN);
          expect(message).not.toMatch(/737/);
        },
      ),
      { numRuns: 400 },
    );
    expect(await store.listNotifications({})).toEqual([]);
    expect(await store.listDisputes({})).toEqual([]);
  });

  it('a verified notification that echoes card data is kept and reported redacted', async () => {
    const store = memoryStore();
    const rt = router(store);
    const seen: unknown[] = [];
    rt.on('webhook', (e) => seen.push(e));
    rt.on('webhook:unmatched', (e) => seen.push(e));
    const body = adyenBody(SECRETS.adyen, {
      pspReference: 'PSPX000000000001',
      merchantAccountCode: 'AcmeECOM',
      merchantReference: `ref ${PAN}`,
      amount: { value: 100, currency: 'USD' },
      eventCode: 'AUTHORISATION',
      success: 'false',
      reason: `Refused: card ${PAN} cvc 737`,
    });
    const r = (await rt.handleWebhook({ mid: 'adyen-1', headers: {}, body })).unwrap();
    expect(r.notifications[0].outcome).toBe('unmatched');
    const kept = JSON.stringify(await store.listNotifications({}));
    expect(kept).not.toContain(PAN);
    expect(JSON.stringify(seen)).not.toContain(PAN);
    expect(JSON.stringify(r)).not.toContain(PAN);
  });

  it('matches a gateway id written like a card number, as the sale kept it (ids are not free text, so they are not masked)', async () => {
    const store = memoryStore();
    const rt = router(store);
    // A Luhn-valid 16-digit id with a Visa prefix: redact() would mask it in free text.
    const pspReference = '4000000000000002';
    const tx = txRecord({
      id: 'tx_cardlike',
      mid: 'adyen-1',
      gateway: 'adyen',
      status: 'captured',
      capturedAmount: 1999,
      gatewayTransactionId: pspReference,
    });
    expect(await store.write({ insertTransaction: tx })).toEqual({ ok: true });
    const body = adyenBody(SECRETS.adyen, {
      pspReference: 'CB00000000000001',
      originalReference: pspReference,
      merchantAccountCode: 'AcmeECOM',
      merchantReference: 'at_unknown',
      amount: { value: 1999, currency: 'USD' },
      eventCode: 'NOTIFICATION_OF_CHARGEBACK',
      success: 'true',
      reason: 'Fraud',
      additionalData: { chargebackReasonCode: '10.4' },
    });
    const r = (await rt.handleWebhook({ mid: 'adyen-1', headers: {}, body })).unwrap();
    expect(r.notifications[0]).toMatchObject({ transactionId: 'tx_cardlike' });
    expect(r.notifications[0].outcome).not.toBe('unmatched');
    expect((await store.listDisputes({}))[0]).toMatchObject({ transactionId: 'tx_cardlike', mid: 'adyen-1' });
  });

  it('a store failure answers an error (the gateway sends it again) with nothing half-written; the redelivery applies', async () => {
    const plan = faultPlan({ mode: 'before' });
    const inner = memoryStore();
    const rt = router(faultyStore(inner, plan));
    const ckBody = JSON.stringify({
      id: 'evt_ck_1',
      type: 'dispute_received',
      created_on: new Date().toISOString(),
      data: { id: 'dsp_1', amount: 500, currency: 'USD', payment_id: 'pay_x', category: 'fraudulent', reason_code: '10.4' },
    });
    const headers = { 'cko-signature': checkoutSignature(SECRETS.checkout, ckBody) };
    plan.armed = true;
    plan.failAt = plan.calls.length + 4; // getNotification, findByGatewayReference, getDispute, then the write
    const r = await rt.handleWebhook({ mid: 'checkout-1', headers, body: ckBody });
    expect(r.isErr() && r.error.kind).toBe('error');
    expect(plan.calls.at(-1)).toBe('write');
    expect(await inner.listNotifications({})).toEqual([]);
    expect(await inner.listDisputes({})).toEqual([]);
    plan.armed = false;
    const again = (await rt.handleWebhook({ mid: 'checkout-1', headers, body: ckBody })).unwrap();
    expect(again.notifications[0]).toMatchObject({ outcome: 'unmatched', kind: 'dispute_opened' });
    const [d] = await inner.listDisputes({});
    expect(d).toMatchObject({ gatewayDisputeId: 'dsp_1', status: 'needs_response' });
    expect(d.transactionId).toBeUndefined();
  });

  it('an NMI notification signed with the wrong nonce is refused', async () => {
    const body = JSON.stringify({
      event_id: 'e1',
      event_type: 'transaction.sale.success',
      event_body: { transaction_id: '1', order_id: 'x', action: { amount: '1.00' } },
    });
    const sig = nmiSignature(SECRETS.nmi, 'nonce-a', body).replace('t=nonce-a', 't=nonce-b');
    const r = await router().handleWebhook({ mid: 'nmi-1', headers: { 'webhook-signature': sig }, body });
    expect(r.isErr() && r.error.kind === 'rejected' && r.error.rejection).toBe('webhook_signature');
  });
});
