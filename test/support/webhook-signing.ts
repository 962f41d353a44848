/**
 * How each gateway signs a notification, written from the gateways' documentation (not from the
 * adapters), so the fakes and tests sign the way the gateways do. Checked against the values
 * computed independently in `test/webhooks/signatures.test.ts`.
 */
import { createHash, createHmac } from 'node:crypto';

const hex = (algo: string, key: string | Buffer, data: string) => createHmac(algo, key).update(data).digest('hex');

/** Stripe: `Stripe-Signature: t=<seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`. */
export function stripeSignatureHeader(secret: string, body: string, t: number): string {
  return `t=${t},v1=${hex('sha256', secret, `${t}.${body}`)}`;
}

/** Adyen: the base64 HMAC-SHA256 (hex key decoded) of the item's eight fields joined by `:`. */
export function adyenHmac(hexKey: string, item: Record<string, any>): string {
  const fields = [
    item.pspReference,
    item.originalReference,
    item.merchantAccountCode,
    item.merchantReference,
    item.amount?.value,
    item.amount?.currency,
    item.eventCode,
    item.success,
  ].map((v) => (v === undefined || v === null ? '' : String(v)));
  return createHmac('sha256', Buffer.from(hexKey, 'hex')).update(fields.join(':')).digest('base64');
}

/** Adyen: a webhook body with one signed item. */
export function adyenBody(hexKey: string, item: Record<string, any>): string {
  const signed = { ...item, additionalData: { ...item.additionalData, hmacSignature: adyenHmac(hexKey, item) } };
  return JSON.stringify({ live: 'false', notificationItems: [{ NotificationRequestItem: signed }] });
}

/** Checkout.com: `Cko-Signature` = hex HMAC-SHA256(key, body). */
export function checkoutSignature(key: string, body: string): string {
  return hex('sha256', key, body);
}

/** Braintree: the form body (`bt_signature`, `bt_payload` = base64 XML + newline), as the SDK's samples. */
export function braintreeForm(publicKey: string, privateKey: string, xml: string): string {
  const payload = `${Buffer.from(xml, 'utf8').toString('base64')}\n`;
  const sig = hex('sha1', createHash('sha1').update(privateKey).digest(), payload);
  return new URLSearchParams({ bt_signature: `${publicKey}|${sig}`, bt_payload: payload }).toString();
}

/** Authorize.Net: `X-ANET-Signature: sha512=<UPPERCASE hex HMAC-SHA512(signature key text, body)>`. */
export function authorizeNetSignature(signatureKey: string, body: string): string {
  return `sha512=${hex('sha512', signatureKey, body).toUpperCase()}`;
}

/** NMI: `Webhook-Signature: t=<nonce>,s=<hex HMAC-SHA256(key, nonce + "." + body)>`. */
export function nmiSignature(signingKey: string, nonce: string, body: string): string {
  return `t=${nonce},s=${hex('sha256', signingKey, `${nonce}.${body}`)}`;
}
