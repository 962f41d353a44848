/**
 * Adyen refusal reasons → standard reasons.
 *
 * Keys are Adyen's `refusalReasonCode` values (the numeral Adyen returns beside
 * `refusalReason`), from https://docs.adyen.com/development-resources/refusal-reasons/.
 *
 * Two codes are deliberately absent: `2` (Refused) and `27` (Declined Non Generic) are Adyen's
 * buckets for network answers it does not map to anything more specific. For those the
 * issuer's own ISO 8583 code, which Adyen passes through in `additionalData.refusalReasonRaw`
 * (e.g. `05 : Do not honor`, with or without the leading zero; see
 * https://docs.adyen.com/development-resources/raw-acquirer-responses/), is the better
 * information: `isoCode` extracts it from the decline message the adapter builds
 * (`Refused (raw: 05 : Do not honor)`). Without a raw response they fall back to
 * `generic_decline`.
 *
 * Codes only seen at a point of sale (33, 36, 37, 40, 41, 43, 44, 45) are mapped for
 * completeness; this adapter only makes card-not-present payments.
 * @module
 */
import type { GatewayDeclineTable } from '../../src/declines/tables';
import type { DeclineReason } from '../../src/declines/reasons';

/** `refusalReasonCode` → standard reason (see the module comment for why 2 and 27 are absent). */
const REFUSAL_REASON_CODES: Readonly<Record<string, DeclineReason>> = {
  '3': 'call_issuer', // Referral
  '4': 'processing_error', // Acquirer Error
  '5': 'pickup_card', // Blocked Card: Adyen says do not retry
  '6': 'expired_card', // Expired Card
  '7': 'invalid_amount', // Invalid Amount
  '8': 'incorrect_number', // Invalid Card Number
  '9': 'issuer_unavailable', // Issuer Unavailable
  '10': 'transaction_not_allowed', // Not supported: the issuer does not allow this type of transaction
  '11': 'authentication_failed', // 3D Not Authenticated
  '12': 'insufficient_funds', // Not enough balance
  '14': 'fraud_suspected', // Acquirer Fraud
  '15': 'generic_decline', // Cancelled
  '16': 'authentication_failed', // Shopper Cancelled: the shopper abandoned; never charge them elsewhere
  '17': 'pin_error', // Invalid Pin
  '18': 'pin_error', // Pin tries exceeded
  '19': 'pin_error', // Pin validation not possible
  '20': 'risk_blocked', // FRAUD: Adyen's own pre-authorisation risk score, not the issuer
  '21': 'processing_error', // Not Submitted
  '22': 'risk_blocked', // FRAUD-CANCELLED: Adyen's pre + post authorisation risk score
  '23': 'transaction_not_allowed', // Transaction Not Permitted
  '24': 'incorrect_cvc', // CVC Declined
  '25': 'restricted_card', // Restricted Card
  '26': 'revocation_of_authorization', // Revocation Of Auth
  '28': 'amount_limit_exceeded', // Withdrawal amount exceeded
  '29': 'velocity_exceeded', // Withdrawal count exceeded
  '31': 'fraud_suspected', // Issuer Suspected Fraud
  '32': 'incorrect_address', // AVS Declined
  '33': 'pin_error', // Card requires online pin
  '34': 'invalid_account', // No checking account available on Card
  '35': 'invalid_account', // No savings account available on Card
  '36': 'pin_error', // Mobile pin required
  '37': 'transaction_not_allowed', // Contactless fallback
  '38': 'authentication_required', // Authentication required: retry with 3-D Secure
  '39': 'authentication_failed', // RReq not received from DS
  '40': 'processing_error', // Current AID is in Penalty Box
  '41': 'pin_error', // CVM Required Restart Payment
  '42': 'authentication_failed', // 3DS Authentication Error
  '43': 'pin_error', // Online PIN required
  '44': 'transaction_not_allowed', // Try another interface
  '45': 'transaction_not_allowed', // Chip downgrade mode
  '46': 'do_not_retry', // Transaction blocked by Adyen to prevent excessive retry fees
};

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

/** Adyen's decline code table (`refusalReasonCode`), with the raw ISO code as a fallback. */
export const adyenDeclines: GatewayDeclineTable = {
  gateway: 'adyen',
  docs: 'https://docs.adyen.com/development-resources/refusal-reasons/',
  codes: REFUSAL_REASON_CODES,
  isoCode: adyenIsoCode,
};
