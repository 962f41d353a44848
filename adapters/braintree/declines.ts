/**
 * Braintree decline codes → standard reasons.
 *
 * Two sources of codes, both reported by the adapter as `GatewayDeclined.code`:
 * - processor response codes (`processorResponse.legacyCode`) 2000–3000 from Braintree's
 *   "Processor responses — Authorization" page. Codes 2109–2999 are all "Processor Declined" and
 *   fall through to the message classifier / `generic_decline`. PayPal-wallet-only codes
 *   (2063–2098) are left out: this adapter charges cards.
 * - gateway rejection reasons (`GatewayRejectionReason` enum of the GraphQL schema: AVS, CVV,
 *   FRAUD, DUPLICATE…), when Braintree's own rules refused the transaction before the issuer saw it.
 *
 * Braintree's page says Mastercard prohibits retries after 2009, 2012, 2019, 2022, 2047 and 2053,
 * and that 2004, 2005 and 2015 must not be retried on recurring transactions
 * (Braintree's decline-code reference); the reasons below keep all of them `retry: never`
 * or `after_update` and never cascade.
 * @module
 */
import type { DeclineReason } from '../../src/declines/reasons';
import type { GatewayDeclineTable } from '../../src/declines/tables';

/**
 * Validation errors (`extensions.legacyCode` of a GraphQL VALIDATION error) about the card data,
 * from Braintree's credit card validation errors (the `ErrorCodes::CreditCard` constants of
 * Braintree's Ruby SDK, `lib/braintree/error_codes.rb`; texts as recorded in Braintree's iOS SDK
 * tests: 81715 "Credit card number is invalid", 81712 "Expiration month is invalid", 81713
 * "Expiration year is invalid"). Braintree refused the card before the processor saw it: the
 * adapter reports them as declines, never as errors to cascade. The "is required" codes are left
 * out: a missing field is this adapter's mistake, not the card's.
 */
export const CARD_VALIDATION_ERRORS: Readonly<Record<string, DeclineReason>> = {
  '81715': 'incorrect_number', // NumberIsInvalid
  '81716': 'incorrect_number', // NumberHasInvalidLength
  '81707': 'incorrect_cvc', // CvvIsInvalid: 4 digits for American Express, 3 for other cards
  '81710': 'invalid_expiry_date', // ExpirationDateIsInvalid
  '81711': 'invalid_expiry_date', // ExpirationDateYearIsInvalid
  '81712': 'invalid_expiry_date', // ExpirationMonthIsInvalid
  '81713': 'invalid_expiry_date', // ExpirationYearIsInvalid
  '81703': 'card_not_supported', // CreditCardTypeIsNotAccepted by this merchant account: another MID may
};

/** Braintree's decline code table. */
export const braintreeDeclines: GatewayDeclineTable = {
  gateway: 'braintree',
  docs: 'https://developer.paypal.com/braintree/docs/reference/general/processor-responses/authorization-responses',
  codes: {
    // Processor responses (issuer / processor declines).
    '2000': 'do_not_honor',
    '2001': 'insufficient_funds',
    '2002': 'amount_limit_exceeded',
    '2003': 'velocity_exceeded',
    '2004': 'expired_card',
    '2005': 'incorrect_number',
    '2006': 'invalid_expiry_date',
    '2007': 'invalid_account',
    '2008': 'incorrect_number',
    '2009': 'invalid_account',
    '2010': 'incorrect_cvc',
    '2011': 'call_issuer',
    '2012': 'lost_card',
    '2013': 'stolen_card',
    '2014': 'fraud_suspected',
    '2015': 'transaction_not_allowed',
    '2016': 'duplicate_transaction',
    '2017': 'revocation_of_authorization',
    '2018': 'revocation_of_authorization',
    '2019': 'transaction_not_allowed',
    '2020': 'transaction_not_allowed',
    '2021': 'fraud_suspected',
    '2022': 'new_account_information',
    '2023': 'card_not_supported',
    '2024': 'card_not_supported',
    '2025': 'invalid_merchant',
    '2026': 'invalid_merchant',
    '2027': 'invalid_amount',
    '2028': 'invalid_merchant',
    '2029': 'transaction_not_allowed',
    '2030': 'invalid_merchant',
    '2031': 'processing_error',
    '2032': 'transaction_not_allowed',
    '2033': 'processing_error',
    '2034': 'processing_error',
    '2035': 'generic_decline',
    '2036': 'generic_decline',
    '2037': 'generic_decline',
    '2038': 'do_not_honor',
    '2039': 'generic_decline',
    '2040': 'invalid_merchant',
    '2041': 'call_issuer',
    '2042': 'invalid_merchant',
    '2043': 'do_not_retry',
    '2044': 'call_issuer',
    '2045': 'invalid_merchant',
    '2046': 'do_not_honor',
    '2047': 'pickup_card',
    '2048': 'invalid_amount',
    '2049': 'generic_decline',
    '2050': 'generic_decline',
    '2051': 'card_not_supported',
    '2053': 'lost_card',
    '2054': 'invalid_amount',
    '2055': 'invalid_merchant',
    '2056': 'invalid_merchant',
    '2057': 'restricted_card',
    '2058': 'invalid_merchant',
    '2059': 'incorrect_address',
    '2060': 'incorrect_address',
    '2061': 'generic_decline',
    '2062': 'invalid_amount',
    '2064': 'invalid_merchant',
    '2067': 'generic_decline',
    '2099': 'authentication_required',
    '2101': 'authentication_required',
    '2102': 'pin_error',
    '2103': 'pin_error',
    '2104': 'do_not_honor',
    '2105': 'new_account_information',
    '2106': 'restricted_card',
    '2107': 'restricted_card',
    '2108': 'account_closed',
    '3000': 'issuer_unavailable',
    // Gateway rejections (Braintree's own rules, GatewayRejectionReason).
    AVS: 'incorrect_address',
    AVS_AND_CVV: 'incorrect_address',
    CVV: 'incorrect_cvc',
    DUPLICATE: 'duplicate_transaction',
    FRAUD: 'risk_blocked', // the merchant's fraud tools at Braintree (Advanced Fraud Management), not the issuer
    RISK_THRESHOLD: 'risk_blocked',
    EXCESSIVE_RETRY: 'do_not_retry',
    PAYMENT_METHOD_BLOCKED: 'transaction_not_allowed',
    APPLICATION_INCOMPLETE: 'invalid_merchant',
    MANUAL_TRANSACTIONS_DISABLED: 'invalid_merchant',
    TOKEN_ISSUANCE: 'processing_error',
    TOO_MANY_CONFIRMATION_ATTEMPTS: 'velocity_exceeded',
    UNION_PAY_ENROLLMENT_REQUIRED: 'card_not_supported',
    // Only reported as a decline when 3-D Secure results were already sent.
    THREE_D_SECURE: 'authentication_failed',
    GATEWAY_REJECTED: 'risk_blocked',
    // A lookup that finds an attempt that stopped for authentication.
    AUTHENTICATION_REQUIRED: 'authentication_required',
    ...CARD_VALIDATION_ERRORS,
  },
};
