/**
 * Stripe decline codes → standard reasons.
 *
 * Source: Stripe's decline code reference, https://docs.stripe.com/declines/codes (the
 * `decline_code` of a `card_error`), plus the card-related error codes of
 * https://docs.stripe.com/error-codes that arrive in `error.code` when there is no
 * `decline_code` (`card_declined`, `expired_card`, `incorrect_cvc`…). The adapter reports
 * `decline_code ?? code`, so both kinds are looked up here.
 *
 * Stripe does not pass the issuer's ISO 8583 code through in `decline_code`, so this table has
 * no `isoCode`. Its retry advice comes separately in `error.advice_code`
 * (`do_not_try_again`, `try_again_later`, `confirm_card_data`), which the adapter reports as
 * the decline's `advice` and `normalizeDecline` applies on top of the reason below. The
 * decline codes `do_not_try_again` and `try_again_later` are deprecated by Stripe in favour of
 * those advice codes but can still arrive, so they are mapped too.
 *
 * Choices where Stripe's wording leaves room:
 * - `merchant_blacklist` ("matches a value on the Stripe user's block list") is the merchant's
 *   own block list at the gateway: `risk_blocked`, not the issuer suspecting fraud
 *   (`fraudulent` stays `fraud_suspected`; Juspay's gateway-status-map labels it "suspected fraud").
 * - `currency_not_supported` is `card_not_supported`: the card cannot pay in this currency.
 * - `stop_payment_order` is `revocation_of_authorization`: the cardholder stopped the
 *   recurring payments (the ISO R0 meaning), so a subscription must stop rebilling.
 * - `testmode_decline` (a test card used in live mode) is `invalid_account`: never retry it.
 * - `card_decline_rate_limit_exceeded` (Stripe's own limit on repeated declines of one card)
 *   is `velocity_exceeded`: wait, don't cascade.
 *
 * Error codes outside the `card_declined` family name their own reasons, never
 * `generic_decline` (https://docs.stripe.com/error-codes, labels cross-checked with Juspay's
 * gateway-status-map, juspay/decision-engine `crates/gsm/data/gsm.csv`, connector `stripe`): amount
 * limits (`amount_too_large`, `amount_too_small`), authentication failures
 * (`payment_intent_authentication_failure`), an account not activated (`testmode_charges_only`) or
 * a payment method not enabled on it (`payment_method_unactivated`), address checks
 * (`incorrect_address`, `postal_code_invalid`).
 * @module
 */
import type { GatewayDeclineTable } from '../../src/declines/tables';

/** Stripe's decline code table (`error.decline_code`, else `error.code`). */
export const stripeDeclines: GatewayDeclineTable = {
  gateway: 'stripe',
  docs: 'https://docs.stripe.com/declines/codes',
  codes: {
    // Decline codes (error.decline_code).
    authentication_required: 'authentication_required',
    approve_with_id: 'do_not_honor',
    call_issuer: 'call_issuer',
    card_not_supported: 'card_not_supported',
    card_velocity_exceeded: 'velocity_exceeded',
    currency_not_supported: 'card_not_supported',
    do_not_honor: 'do_not_honor',
    do_not_try_again: 'do_not_retry',
    duplicate_transaction: 'duplicate_transaction',
    expired_card: 'expired_card',
    fraudulent: 'fraud_suspected',
    generic_decline: 'generic_decline',
    incorrect_number: 'incorrect_number',
    incorrect_cvc: 'incorrect_cvc',
    incorrect_pin: 'pin_error',
    incorrect_zip: 'incorrect_address',
    insufficient_funds: 'insufficient_funds',
    invalid_account: 'invalid_account',
    invalid_amount: 'invalid_amount',
    invalid_cvc: 'incorrect_cvc',
    invalid_expiry_month: 'invalid_expiry_date',
    invalid_expiry_year: 'invalid_expiry_date',
    invalid_number: 'incorrect_number',
    invalid_pin: 'pin_error',
    issuer_not_available: 'issuer_unavailable',
    lost_card: 'lost_card',
    merchant_blacklist: 'risk_blocked', // the merchant's own block list (Radar), not the issuer
    new_account_information_available: 'new_account_information',
    no_action_taken: 'generic_decline',
    not_permitted: 'transaction_not_allowed',
    offline_pin_required: 'pin_error',
    online_or_offline_pin_required: 'pin_error',
    pickup_card: 'pickup_card',
    pin_try_exceeded: 'pin_error',
    processing_error: 'processing_error',
    reenter_transaction: 'processing_error',
    restricted_card: 'restricted_card',
    revocation_of_all_authorizations: 'revocation_of_authorization',
    revocation_of_authorization: 'revocation_of_authorization',
    security_violation: 'fraud_suspected',
    service_not_allowed: 'transaction_not_allowed',
    stolen_card: 'stolen_card',
    stop_payment_order: 'revocation_of_authorization',
    testmode_decline: 'invalid_account',
    transaction_not_allowed: 'transaction_not_allowed',
    try_again_later: 'do_not_honor',
    withdrawal_count_limit_exceeded: 'velocity_exceeded',
    // Card error codes (error.code) that come without a decline_code.
    card_declined: 'generic_decline',
    card_decline_rate_limit_exceeded: 'velocity_exceeded',
    incorrect_address: 'incorrect_address', // "The card's address is incorrect."
    postal_code_invalid: 'incorrect_address', // "The postal code provided was incorrect."
    // Error codes outside the card_declined family (error codes page; gsm.csv labels in comments).
    amount_too_large: 'invalid_amount', // "The specified amount is greater than the maximum amount allowed"
    amount_too_small: 'invalid_amount', // gsm.csv: missing_or_invalid_param
    payment_intent_authentication_failure: 'authentication_failed', // gsm.csv: authentication_failed
    setup_intent_authentication_failure: 'authentication_failed',
    testmode_charges_only: 'invalid_merchant', // "Your account hasn't been activated and can only make test charges."
    livemode_mismatch: 'invalid_merchant', // test/live keys and objects mixed: this MID's configuration
    payment_method_unactivated: 'card_not_supported', // gsm.csv: "Payment method not enabled for this merchant"
  },
};
