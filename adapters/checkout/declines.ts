/**
 * Checkout.com `response_code` values → standard reasons.
 *
 * Checkout.com's five-digit codes come in ranges: 10xxx approved, 20xxx soft decline, 30xxx hard
 * decline, 40xxx risk responses (https://www.checkout.com/docs/resources/codes/api-response-codes).
 * Most 20xxx/30xxx codes are `200`/`300` + the card network's ISO 8583 code (20051 ↔ 51,
 * 200R1 ↔ R1, 30041 ↔ 41), so `isoCode` hands those to the ISO 8583 table (which also carries
 * the Visa decline category); this table lists the codes that are Checkout.com's own or where
 * Checkout.com's meaning is more specific. Only codes found in Checkout.com's documentation (or
 * in published copies of its table) are listed; anything else falls back to the ISO code, then to
 * the message classifier. The `error_codes` of a 422 that refuse the card data (`CARD_DATA_ERRORS`)
 * are declines too. Visa "never reattempt" list as Checkout.com maps it
 * (30004, 30007, 20012, 20014, 30015, 30041, 30043, 30046, 20057, 200R1, 200R3):
 * https://www.checkout.com/docs/developer-resources/codes/visa-response-codes
 * @module
 */
import type { GatewayDeclineTable } from '../../src/declines/tables';
import type { DeclineReason } from '../../src/declines/reasons';

/**
 * `error_codes` of an HTTP 422 answer that refuse the card itself, from Checkout.com's error codes
 * page (https://www.checkout.com/docs/resources/codes/error-codes; names as recorded in
 * ActiveMerchant `test/unit/gateways/checkout_v2_test.rb`: `{"error_type":"request_invalid",
 * "error_codes":["card_number_invalid"]}` and `["card_expired"]`; the names without a description
 * there are as a public Checkout.com integration's error-mapping test lists them: `cvv_invalid`,
 * `expiry_date_format_invalid`, `velocity_*`, `issuer_network_unavailable`). The adapter reports a 422
 * carrying one of them as a decline with that code, never as an error to cascade.
 */
export const CARD_DATA_ERRORS: Readonly<Record<string, DeclineReason>> = {
  card_number_invalid: 'incorrect_number', // "The card number is invalid."
  card_expired: 'expired_card', // "The card is expired."
  card_expiry_month_invalid: 'invalid_expiry_date', // "The two-digit expiry month is invalid."
  card_expiry_year_invalid: 'invalid_expiry_date', // "The four-digit expiry year is invalid."
  expiry_date_format_invalid: 'invalid_expiry_date',
  cvv_invalid: 'incorrect_cvc',
  card_disabled: 'restricted_card', // "The card is disabled."
  // Limits on the card, outside the decline family: their own reasons, never generic_decline.
  amount_limit_exceeded: 'amount_limit_exceeded', // "…exceeded the amount limit set by the scheme's velocity limit."
  velocity_amount_limit_exceeded: 'amount_limit_exceeded',
  velocity_count_limit_exceeded: 'velocity_exceeded',
  // The card cannot be authenticated where this MID requires it: another MID may take it (as 20150).
  '3ds_not_enabled_for_card': 'card_not_supported', // "3DS is not enabled for card."
  '3ds_payment_required': 'authentication_required', // "3DS payment required."
};

const codes: Record<string, DeclineReason> = {
  // 20xxx soft declines with a Checkout.com-specific meaning.
  '20006': 'processing_error', // Error / invalid request parameters
  '20009': 'duplicate_transaction', // Request in progress: the first attempt may still be charged
  '20087': 'incorrect_cvc', // Bad track data: invalid CVV and/or expiry date
  '20150': 'card_not_supported', // Card not 3D Secure enabled (another MID may not require 3DS)
  '20151': 'authentication_failed', // Cardholder failed 3DS authentication
  '20152': 'authentication_required', // Initial 3DS transaction not completed within 15 minutes
  '20153': 'processing_error', // 3DS system malfunction
  '20154': 'authentication_required', // 3DS authentication required
  '20179': 'new_account_information', // Lifecycle (Mastercard)
  '20182': 'transaction_not_allowed', // Policy (Mastercard)
  '20183': 'fraud_suspected', // Security (Mastercard)
  '2005C': 'transaction_not_allowed', // Transaction not supported / blocked by issuer (Visa category 2)
  '2009G': 'transaction_not_allowed', // Blocked by cardholder / contact cardholder
  // 30xxx hard declines: the issuer will not approve this card; never retried.
  '30004': 'pickup_card',
  '30007': 'pickup_card',
  '30015': 'invalid_account', // No such issuer
  '30033': 'expired_card', // Expired card - pick up: the cause is kept, the pick-up keeps it never-retry (`pickUp`)
  '30041': 'lost_card',
  '30043': 'stolen_card',
  '30044': 'transaction_not_allowed', // Rejected under AMLD5 (anonymous prepaid card above the limit)
  '30046': 'account_closed',
  // 40xxx risk responses: Checkout.com's own fraud rules, not the issuer.
  '40101': 'risk_blocked', // Risk blocked transaction
  '41101': 'risk_blocked', // Risk blocked transaction (client-level rule)
  '41202': 'risk_blocked', // Decline list - BIN (client level)
  '42101': 'risk_blocked', // Risk blocked transaction (entity-level rule)
  '42301': 'risk_blocked', // Fraud score exceeds threshold (entity level)
  '44301': 'authentication_required', // 3DS authentication required by the risk engine
  ...CARD_DATA_ERRORS,
  // Other `error_codes` of a 422 that name a reason (the adapter reports these as errors).
  amount_invalid: 'invalid_amount', // "The payment amount is invalid." (error codes page)
  issuer_network_unavailable: 'issuer_unavailable', // error codes page
  processing_error: 'processing_error', // error codes page
};

/**
 * Checkout.com's decline code table, registered in `src/declines/tables.ts`.
 * @example
 * normalizeDecline({ gateway: 'checkout', code: '20051' }).reason  // 'insufficient_funds' (via ISO 51)
 * normalizeDecline({ gateway: 'checkout', code: '200R3' }).reason  // 'revocation_of_authorization'
 * normalizeDecline({ gateway: 'checkout', code: '40101' }).reason  // 'risk_blocked'
 */
export const checkoutDeclines: GatewayDeclineTable = {
  gateway: 'checkout',
  docs: 'https://www.checkout.com/docs/resources/codes/api-response-codes',
  codes,
  pickUp: ['30033'],
  // Checkout.com's CVV result `D` is the mismatch; its `N` means "not attempted"
  // (https://www.checkout.com/docs/developer-resources/codes/cvv-response-codes). AVS `N` is a no-match.
  checks: { cvvMismatch: (v) => v.trim().toUpperCase() === 'D', avsMismatch: (v) => v.trim().toUpperCase() === 'N' },
  isoCode: ({ code }) => /^[23]00([0-9A-Z]{2})$/.exec(code?.toUpperCase() ?? '')?.[1],
  // Checkout.com: "30xxx: hard decline, do not retry". An unlisted 30xxx code must not fall back
  // to a soft, cascading generic decline.
  family: (code) => (/^30\d{3}$/.test(code) ? 'do_not_retry' : undefined),
};
