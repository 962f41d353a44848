/**
 * Adyen refusal reasons and card-data validation errors → standard reasons.
 *
 * Keys are Adyen's `refusalReasonCode` values (the numeral Adyen returns beside
 * `refusalReason`), from https://docs.adyen.com/development-resources/refusal-reasons/, and the
 * `errorCode` of the HTTP 422 validation errors that are about the card data
 * (https://docs.adyen.com/development-resources/error-codes/): Adyen refused the card before the
 * issuer saw it, so the adapter reports them as declines (never cascaded) instead of errors.
 * The two namespaces do not overlap (refusal reasons stop at 46, these error codes start at 101).
 *
 * Two refusal codes are deliberately absent: `2` (Refused) and `27` (Declined Non Generic) are
 * Adyen's buckets for network answers it does not map to anything more specific. For those the
 * issuer's own ISO 8583 code, which Adyen passes through in `additionalData.refusalReasonRaw`
 * (e.g. `05 : Do not honor`, with or without the leading zero; see
 * https://docs.adyen.com/development-resources/raw-acquirer-responses/), is the better
 * information: `isoCode` extracts it from the decline message the adapter builds
 * (`Refused (raw: 05 : Do not honor)`). Without a raw response they fall back to
 * `generic_decline`.
 *
 * Older API versions (and answers replayed from them) send `refusalReason` without a code
 * (`{"refusalReason": "Expired Card", "resultCode": "Refused"}`, ActiveMerchant's recorded
 * `adyen_test.rb`): `messages` reads those fixed texts with the same reasons, so `FRAUD` stays
 * Adyen's risk block and `Blocked Card` a pick-up instead of what the generic classifier guesses.
 *
 * Codes only seen at a point of sale (33, 36, 37, 40, 41, 43, 44, 45) are mapped for
 * completeness; this adapter only makes card-not-present payments.
 * @module
 */
import type { DeclineReason } from '../../src/declines/reasons';
import type { GatewayDeclineTable } from '../../src/declines/tables';

/**
 * Refusal reasons: [refusalReasonCode, Adyen's refusalReason text(s), reason]. Source: Adyen's
 * refusal reasons page; the alternative texts are Adyen's as labelled in Juspay's
 * gateway-status-map (juspay/decision-engine `crates/gsm/data/gsm.csv`, connector `adyen`).
 */
const REFUSALS: ReadonlyArray<readonly [string, readonly string[], DeclineReason]> = [
  ['3', ['Referral'], 'call_issuer'],
  ['4', ['Acquirer Error'], 'processing_error'],
  ['5', ['Blocked Card'], 'pickup_card'], // Adyen says do not retry
  ['6', ['Expired Card'], 'expired_card'],
  ['7', ['Invalid Amount'], 'invalid_amount'],
  ['8', ['Invalid Card Number'], 'incorrect_number'],
  ['9', ['Issuer Unavailable'], 'issuer_unavailable'],
  ['10', ['Not supported'], 'transaction_not_allowed'], // the issuer does not allow this type of transaction
  ['11', ['3D Not Authenticated'], 'authentication_failed'],
  ['12', ['Not enough balance'], 'insufficient_funds'],
  ['14', ['Acquirer Fraud'], 'fraud_suspected'], // the acquirer's fraud flag, not the merchant's settings
  ['15', ['Cancelled'], 'generic_decline'],
  ['16', ['Shopper Cancelled'], 'authentication_failed'], // the shopper abandoned; never charge them elsewhere
  ['17', ['Invalid Pin'], 'pin_error'],
  ['18', ['Pin tries exceeded'], 'pin_error'],
  ['19', ['Pin validation not possible'], 'pin_error'],
  ['20', ['FRAUD'], 'risk_blocked'], // the merchant's risk settings at Adyen (pre-authorisation score), not the issuer
  ['21', ['Not Submitted'], 'processing_error'],
  ['22', ['FRAUD-CANCELLED'], 'risk_blocked'], // the merchant's risk settings at Adyen (pre + post authorisation)
  ['23', ['Transaction Not Permitted'], 'transaction_not_allowed'],
  ['24', ['CVC Declined'], 'incorrect_cvc'],
  ['25', ['Restricted Card'], 'restricted_card'],
  ['26', ['Revocation Of Auth'], 'revocation_of_authorization'],
  ['28', ['Withdrawal amount exceeded'], 'amount_limit_exceeded'],
  ['29', ['Withdrawal count exceeded'], 'velocity_exceeded'],
  ['31', ['Issuer Suspected Fraud'], 'fraud_suspected'],
  ['32', ['AVS Declined'], 'incorrect_address'],
  ['33', ['Card requires online pin'], 'pin_error'],
  ['34', ['No checking account available on Card'], 'invalid_account'],
  ['35', ['No savings account available on Card'], 'invalid_account'],
  ['36', ['Mobile pin required'], 'pin_error'],
  ['37', ['Contactless fallback'], 'transaction_not_allowed'],
  ['38', ['Authentication required'], 'authentication_required'], // retry with 3-D Secure
  ['39', ['RReq not received from DS'], 'authentication_failed'],
  ['40', ['Current AID is in Penalty Box'], 'processing_error'],
  ['41', ['CVM Required Restart Payment', 'CVM Required — Restart Payment'], 'pin_error'],
  ['42', ['3DS Authentication Error'], 'authentication_failed'],
  ['43', ['Online PIN required'], 'pin_error'],
  ['44', ['Try another interface'], 'transaction_not_allowed'],
  ['45', ['Chip downgrade mode'], 'transaction_not_allowed'],
  [
    '46',
    ['Transaction blocked by Adyen to prevent excessive retry fees', 'Blocked by Adyen to prevent excessive retry fees'],
    'do_not_retry',
  ],
];

/**
 * HTTP 422 `errorCode`s about the card data, with Adyen's texts and their sources (Adyen's error
 * codes page; gsm.csv rows labelled "Issue with Payment Method details"; recorded 422 bodies in
 * ActiveMerchant `test/unit/gateways/adyen_test.rb` and Gringotts `adyen_test.exs`).
 */
const CARD_DATA_ERRORS: ReadonlyArray<readonly [string, DeclineReason, string]> = [
  ['101', 'incorrect_number', 'Invalid card number (docs, gsm.csv, ActiveMerchant, Gringotts)'],
  // Adyen cannot tell the brand from the number on this merchant account: another MID may.
  ['102', 'card_not_supported', 'Unable to determine variant (docs, gsm.csv)'],
  ['103', 'incorrect_cvc', 'CVC is not the right length (docs, gsm.csv, ActiveMerchant)'],
  ['104', 'incorrect_address', 'Billing address problem (docs, gsm.csv, ActiveMerchant)'],
  ['117', 'incorrect_address', 'Invalid billing address (gsm.csv)'],
  ['129', 'invalid_expiry_date', 'Expiry Date Invalid (gsm.csv)'],
  ['134', 'incorrect_address', 'Billing address problem (Country) (gsm.csv)'],
  // "…or before now": the adapter checks month 1–12 and the year before sending, so from it this is an expired card.
  ['140', 'expired_card', 'Invalid expiryMonth[1..12] / expiryYear[>2000], or before now (gsm.csv)'],
  ['141', 'invalid_expiry_date', 'Invalid expiryMonth[1..12] / expiryYear[>2000] (gsm.csv)'],
  ['153', 'incorrect_cvc', 'Invalid CVC (gsm.csv)'],
];

/**
 * Validation and configuration `errorCode`s that are about the merchant account, not the card
 * (gsm.csv rows labelled "Issue with Configurations"). The adapter reports them as errors with
 * `merchantError` (another MID may take the payment); the rows name them for `normalizeDecline`.
 */
const MERCHANT_ACCOUNT_ERRORS: ReadonlyArray<readonly [string, DeclineReason, string]> = [
  ['901', 'invalid_merchant', 'Invalid Merchant Account'],
  ['905_1', 'card_not_supported', 'Could not find an acquirer account for the provided txvariant, currency and action'],
  ['905_3', 'card_not_supported', 'Could not find an acquirer account for the provided currency'],
  ['916', 'card_not_supported', 'The transaction amount exceeds the allowed limit for this type of card'], // a limit set on the merchant account
  ['931', 'invalid_merchant', 'There is no merchant with the code'],
  ['950', 'invalid_merchant', 'Invalid AcquirerAccount'],
];

/** The 422 `errorCode`s the adapter reports as declines of the card (see `CARD_DATA_ERRORS`). */
export const ADYEN_CARD_DATA_ERROR_CODES: ReadonlySet<string> = new Set(CARD_DATA_ERRORS.map(([code]) => code));

const codes: Record<string, DeclineReason> = {};
const messages: Record<string, DeclineReason> = {};
for (const [code, texts, reason] of REFUSALS) {
  codes[code] = reason;
  for (const text of texts) messages[text] = reason;
}
for (const [code, reason] of [...CARD_DATA_ERRORS, ...MERCHANT_ACCOUNT_ERRORS]) codes[code] = reason;

/** The ISO code in an Adyen raw acquirer response: `05 : Do not honor`, `5: Do not honor`, `N7 : Decline for CVV2 failure`. */
const RAW_ISO = /(?:^|raw:\s*)([0-9A-Z]{1,2})\s*:/;

/**
 * Extract the ISO 8583 response code from Adyen's raw acquirer response, as it appears in the
 * decline message (`Refused (raw: 05 : Do not honor)`) or on its own (`51 : Insufficient funds`).
 * Single digits get their leading zero back (Adyen sends `5 : …` as well as `05 : …`).
 * @example
 * adyenIsoCode({ message: 'Refused (raw: 5 : Do not honor)' }) // '05'
 */
export function adyenIsoCode(input: { code?: string; message?: string }): string | undefined {
  const m = RAW_ISO.exec(input.message ?? '');
  if (!m) return undefined;
  return m[1].length === 1 && /\d/.test(m[1]) ? `0${m[1]}` : m[1];
}

/**
 * A failed check in Adyen's `additionalData`: the raw acquirer letter `N`, or Adyen's numbered
 * result `2` (`cvcResult: "2 Does not match"`, `avsResult: "2 Neither postal code nor address
 * match"`: the values of Adyen's additional data reference, as recorded in ActiveMerchant's
 * `adyen_test.rb` transcripts).
 * @example
 * adyenCheckFailed('2 Does not match') // true
 */
export function adyenCheckFailed(result: string): boolean {
  return /^\s*(2\b|n\s*$)/i.test(result);
}

/** Adyen's decline table: refusal reason codes and texts, card-data errors, the raw ISO code as a fallback. */
export const adyenDeclines: GatewayDeclineTable = {
  gateway: 'adyen',
  docs: 'https://docs.adyen.com/development-resources/refusal-reasons/',
  codes,
  messages,
  checks: { cvvMismatch: adyenCheckFailed, avsMismatch: adyenCheckFailed },
  isoCode: adyenIsoCode,
};
