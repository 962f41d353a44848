/**
 * Each adapter's webhook verification against signed examples whose signatures were computed
 * independently of this code (shared research §7; Adyen's matches the Adyen SDK's own test
 * vector): the example verifies and normalizes; a flipped byte, a wrong secret, a missing
 * signature and (Stripe) a stale timestamp are refused. Property tests: any flipped byte of what
 * is signed is refused; any body and headers give a result, never a throw, and no message holds
 * the secret.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { adyenItemSignature, adyenWebhooks } from '../../adapters/adyen/webhooks';
import { authorizeNetWebhooks } from '../../adapters/authorizenet/webhooks';
import { braintreeWebhooks } from '../../adapters/braintree/webhooks';
import { checkoutWebhooks } from '../../adapters/checkout/webhooks';
import { nmiWebhooks } from '../../adapters/nmi/webhooks';
import { stripeWebhooks } from '../../adapters/stripe/webhooks';
import type { GatewayNotification, GatewayWebhooks, WebhookParseResult } from '../../src/notifications';
import { braintreeForm } from '../support/webhook-signing';

const fixture = (gateway: string, name: string) => readFileSync(resolve(__dirname, `../../adapters/${gateway}/fixtures/${name}`));
const NOW = 1_767_225_600_000;

interface Case {
  gateway: string;
  secret: string;
  webhooks: GatewayWebhooks;
  wrongSecret: GatewayWebhooks;
  headers: Record<string, string>;
  body: Buffer;
  /** The header holding the signature (absent: it is inside the body). */
  signatureHeader?: string;
  expected: Partial<GatewayNotification>;
  /** Byte ranges of the body that are signed (default: all of it). */
  signed?: (body: Buffer) => Array<[number, number]>;
  /** What the body means once decoded: a flip that leaves it equal (e.g. `%2b` for `%2B`) changes nothing signed. */
  decoded?: (body: Buffer) => string;
}

const ADYEN_KEY = 'DFB1EB5485895CFA84146406857104ABB4CBCABDC8AAF103A624C8F6A3EAAB00';
const ANET_KEY = 'A1B2C3D4E5F60718293A4B5C6D7E8F90'.repeat(4);
const btXml = fixture('braintree', 'webhook-dispute-opened.xml').toString('utf8');
const btBody = Buffer.from(
  new URLSearchParams({
    bt_signature: 'test_public_key|1d95bc07122e6cb86efce928b6af5afe8e6355b1',
    bt_payload: `${Buffer.from(btXml).toString('base64')}\n`,
  }).toString(),
);

const CASES: Case[] = [
  {
    gateway: 'stripe',
    secret: 'whsec_test_0123456789abcdef',
    webhooks: stripeWebhooks('whsec_test_0123456789abcdef'),
    wrongSecret: stripeWebhooks('whsec_test_another_secret'),
    headers: { 'stripe-signature': 't=1767225600,v1=1288a5b4b28975fb659acd96dc9b421436d3faddd22f9201eef8acf99cb23b54' },
    signatureHeader: 'stripe-signature',
    body: fixture('stripe', 'webhook-dispute-created.json'),
    expected: {
      id: 'evt_1TestDispute0001',
      kind: 'dispute_opened',
      paymentGatewayId: 'pi_1TestIntent0001',
      dispute: {
        id: 'dp_1TestDispute0001',
        status: 'needs_response',
        reasonCode: '10.4',
        reason: 'fraudulent',
        category: 'fraud',
        amount: 4999,
        currency: 'USD',
        dueBy: 1_768_435_199_000,
      },
    },
  },
  {
    gateway: 'adyen',
    secret: ADYEN_KEY,
    webhooks: adyenWebhooks(ADYEN_KEY),
    wrongSecret: adyenWebhooks('00'.repeat(32)),
    headers: {},
    body: fixture('adyen', 'webhook-chargeback.json'),
    expected: {
      id: 'SwitchyardTestMA:ZX1CB0000000001A:CHARGEBACK:true',
      kind: 'dispute_lost',
      paymentReference: 'order-1001',
      paymentGatewayId: 'PSP0000000000001',
      amount: 4999,
      dispute: {
        id: 'ZX1CB0000000001A',
        status: 'lost',
        reasonCode: '10.4',
        reason: 'Other Fraud-Card Absent',
        category: 'fraud',
        amount: 4999,
        currency: 'USD',
      },
    },
    // Adyen signs eight fields, not the body: the values of those fields.
    signed: (body) => {
      const text = body.toString('latin1');
      const fields = [
        '"pspReference":"',
        '"originalReference":"',
        '"merchantAccountCode":"',
        '"merchantReference":"',
        '"value":',
        '"currency":"',
        '"eventCode":"',
        '"success":"',
      ];
      return fields.map((f) => {
        const from = text.indexOf(f) + f.length;
        const to = Math.min(...[',', '"', '}'].map((x) => text.indexOf(x, from)).filter((i) => i > from));
        return [from, to] as [number, number];
      });
    },
  },
  {
    gateway: 'checkout',
    secret: 'cko_test_signature_key',
    webhooks: checkoutWebhooks('cko_test_signature_key'),
    wrongSecret: checkoutWebhooks('cko_other_key'),
    headers: { 'cko-signature': '6be94f441f1c7631cd21c032e796588403f7b147d16d9c2d377ed4a98cb1ad83' },
    signatureHeader: 'cko-signature',
    body: fixture('checkout', 'webhook-dispute-evidence-required.json'),
    expected: {
      id: 'evt_t3stdisput3evtaaaaaaaaaaa1',
      kind: 'dispute_updated',
      paymentReference: 'order-1001',
      paymentGatewayId: 'pay_t3stpaym3ntaaaaaaaaaaaaaa1',
      dispute: {
        id: 'dsp_t3stdisput3aaaaaaaaaaaaaa1',
        status: 'needs_response',
        reasonCode: '10.4',
        reason: 'fraudulent',
        category: 'fraud',
        amount: 4999,
        currency: 'USD',
        dueBy: Date.parse('2026-01-15T23:59:59Z'),
      },
    },
  },
  {
    gateway: 'braintree',
    secret: 'test_private_key',
    webhooks: braintreeWebhooks('test_public_key', 'test_private_key'),
    wrongSecret: braintreeWebhooks('test_public_key', 'another_private_key'),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: btBody,
    decoded: (body) => JSON.stringify([...new URLSearchParams(body.toString('latin1'))]),
    expected: {
      id: 'dispute_opened:dsp_bt_0001:2026-01-05T12:00:00Z',
      kind: 'dispute_opened',
      paymentReference: 'order-1001',
      paymentGatewayId: 'bttxn0001',
      dispute: {
        id: 'dsp_bt_0001',
        status: 'needs_response',
        reasonCode: '10.4',
        reason: 'fraud',
        category: 'fraud',
        amount: 4999,
        currency: 'USD',
        dueBy: Date.parse('2026-01-20'),
      },
    },
  },
  {
    gateway: 'authorizenet',
    secret: ANET_KEY,
    webhooks: authorizeNetWebhooks(ANET_KEY),
    wrongSecret: authorizeNetWebhooks('B'.repeat(128)),
    headers: {
      'x-anet-signature':
        'sha512=12227B99F611CFDD65B5AF3DD5201AB0B04A33AB55A46BCDC0E9B68C5E770BBA8AAC6FAFF01542BCC7D4483B428DA505AAD949FADB116B956907EF4C5E2F925A',
    },
    signatureHeader: 'x-anet-signature',
    body: fixture('authorizenet', 'webhook-refund-created.json'),
    expected: { id: '5c3f7e5b-1e8a-4b2c-9d1e-0a1b2c3d4e5f', kind: 'refund_succeeded', gatewayId: '60200000002', amount: 1500 },
  },
  {
    gateway: 'nmi',
    secret: 'nmi_test_signing_key',
    webhooks: nmiWebhooks('nmi_test_signing_key'),
    wrongSecret: nmiWebhooks('nmi_other_key'),
    headers: { 'webhook-signature': 't=9f8e7d6c5b4a3921,s=e3a424690e29fa7b0b2ec811cf6af3f908adde5de960e3e2e8dd733740ff9c99' },
    signatureHeader: 'webhook-signature',
    body: fixture('nmi', 'webhook-refund-success.json'),
    expected: {
      id: '1f7c2a3b-0000-4000-8000-000000000001',
      kind: 'refund_succeeded',
      reference: 'refund-1001-1',
      gatewayId: '10000000002',
      amount: 1500,
    },
  },
];

const parse = (w: GatewayWebhooks, headers: Record<string, string>, body: Uint8Array, now = NOW): WebhookParseResult =>
  w.parse({ headers, body, now });
const refusedWith = (r: WebhookParseResult) => (r.ok ? 'accepted' : r.reason);

describe.each(CASES)('$gateway webhooks', (c) => {
  it('a signed example (signature computed independently) verifies and normalizes', () => {
    const r = parse(c.webhooks, c.headers, c.body);
    expect(r.ok).toBe(true);
    expect(r.ok && r.notifications).toEqual([expect.objectContaining(c.expected)]);
  });

  it('a wrong secret is refused (webhook_signature)', () => {
    expect(refusedWith(parse(c.wrongSecret, c.headers, c.body))).toBe('webhook_signature');
  });

  it('a missing signature is refused (webhook_signature)', () => {
    if (c.signatureHeader) {
      const { [c.signatureHeader]: _gone, ...rest } = c.headers;
      expect(refusedWith(parse(c.webhooks, rest, c.body))).toBe('webhook_signature');
    } else if (c.gateway === 'adyen') {
      const body = Buffer.from(c.body.toString().replace(/,"hmacSignature":"[^"]*"/, ''));
      expect(refusedWith(parse(c.webhooks, c.headers, body))).toBe('webhook_signature');
    } else {
      const body = Buffer.from(c.body.toString().replace(/bt_signature=[^&]*&?/, ''));
      expect(refusedWith(parse(c.webhooks, c.headers, body))).toBe('webhook_signature');
    }
  });

  it('one flipped byte of what is signed is refused, wherever it is (property)', () => {
    const ranges = c.signed?.(c.body) ?? [[0, c.body.length]];
    const positions = ranges.flatMap(([a, b]) => Array.from({ length: b - a }, (_, i) => a + i));
    fc.assert(
      fc.property(fc.constantFrom(...positions), fc.integer({ min: 0, max: 6 }), (at, bit) => {
        const body = Buffer.from(c.body);
        body[at] ^= 1 << bit;
        fc.pre(!c.decoded || c.decoded(body) !== c.decoded(c.body));
        const r = parse(c.webhooks, c.headers, body);
        expect(r.ok).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('any body and headers give a result, never a throw; no message holds the secret (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.string({ maxLength: 300 }).map((s) => Buffer.from(s)),
        ),
        fc.dictionary(
          fc.constantFrom('stripe-signature', 'cko-signature', 'x-anet-signature', 'webhook-signature', 'authorization', 'x'),
          fc.string({ maxLength: 200 }),
        ),
        (body, headers) => {
          const r = parse(c.webhooks, headers, body);
          expect(typeof r.ok).toBe('boolean');
          if (!r.ok) expect(r.message).not.toContain(c.secret);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('Stripe timestamps', () => {
  const c = CASES[0];
  it('a signature older than the tolerance (300 s) is refused; a newer one, even from the future, is not', () => {
    expect(refusedWith(parse(c.webhooks, c.headers, c.body, NOW + 301_000))).toBe('webhook_signature');
    expect(refusedWith(parse(c.webhooks, c.headers, c.body, NOW + 299_000))).toBe('accepted');
    expect(refusedWith(parse(c.webhooks, c.headers, c.body, NOW - 3_600_000))).toBe('accepted');
    expect(refusedWith(parse(stripeWebhooks(c.secret, 0), c.headers, c.body, NOW + 86_400_000))).toBe('accepted');
  });

  it('any one of several v1 signatures may match (a secret being rolled)', () => {
    const sig = c.headers['stripe-signature'].split(',v1=')[1];
    const headers = { 'stripe-signature': `t=1767225600,v1=${'0'.repeat(64)},v0=abc,v1=${sig}` };
    expect(refusedWith(parse(c.webhooks, headers, c.body))).toBe('accepted');
  });
});

describe('Adyen', () => {
  it("the signing string and HMAC match the Adyen SDK's test vector", () => {
    const item = {
      pspReference: 'pspReference',
      originalReference: 'originalReference',
      merchantAccountCode: 'merchantAccount',
      merchantReference: 'reference',
      amount: { value: 1000, currency: 'EUR' },
      eventCode: 'REPORT_AVAILABLE',
      success: 'true',
    };
    expect(adyenItemSignature(ADYEN_KEY, item)).toBe('ZNBPtI+oDyyRrLyD1XirkKnQgIAlFc07Vj27TeHsDRE=');
  });

  it('checks Basic authentication when it is configured', () => {
    const w = adyenWebhooks(ADYEN_KEY, { username: 'u', password: 'p' });
    const body = fixture('adyen', 'webhook-chargeback.json');
    expect(refusedWith(parse(w, {}, body))).toBe('webhook_signature');
    expect(refusedWith(parse(w, { authorization: `Basic ${Buffer.from('u:x').toString('base64')}` }, body))).toBe('webhook_signature');
    expect(refusedWith(parse(w, { authorization: `Basic ${Buffer.from('u:p').toString('base64')}` }, body))).toBe('accepted');
  });
});

describe('Braintree', () => {
  it('accepts the signature of the payload with or without its trailing newline (as the SDK does)', () => {
    const w = CASES[3].webhooks;
    const bare = new URLSearchParams({
      bt_signature: 'test_public_key|75342687c698fd495651f6858f46ae376a367665',
      bt_payload: `${Buffer.from(btXml).toString('base64')}\n`,
    }).toString();
    expect(refusedWith(parse(w, {}, Buffer.from(bare)))).toBe('accepted');
    expect(refusedWith(parse(w, {}, Buffer.from(braintreeForm('test_public_key', 'test_private_key', btXml))))).toBe('accepted');
  });

  it('refuses a signature for another public key', () => {
    const other = braintreeForm('another_public_key', 'test_private_key', btXml);
    expect(refusedWith(parse(CASES[3].webhooks, {}, Buffer.from(other)))).toBe('webhook_signature');
  });
});

describe('Authorize.Net', () => {
  it('compares the hex case-insensitively and accepts the hex-decoded key as a fallback', () => {
    const c = CASES[4];
    const lower = { 'x-anet-signature': c.headers['x-anet-signature'].toLowerCase() };
    expect(refusedWith(parse(c.webhooks, lower, c.body))).toBe('accepted');
    const hexKeyed = {
      'x-anet-signature':
        'sha512=1145359B9893377C9583F82CD2847D8CA599F842D8BF689B3D1522AA5B20449DEF23ADD66D2B3503EE51E8BFA6558CC49A785527B700E76BCDD8FC0FF8100985',
    };
    expect(refusedWith(parse(c.webhooks, hexKeyed, c.body))).toBe('accepted');
  });
});
