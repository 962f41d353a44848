/**
 * ISO 8583 field 39 (DE39) response codes with their Visa meanings (Mastercard's where Visa has
 * none), the standard reason of each, and the Visa decline category where Visa publishes one.
 *
 * Categories follow Visa's current grouping (the April 2021 change moved 03, 62, 78 and 93 from
 * category 1 to 2, per the sources below):
 * - 1, never approve: 04 07 12 14 15 41 43 46 57 R0 R1 R3
 * - 2, not at this time: 03 19 51 59 61 62 65 75 78 86 91 93 96 N3 N4 5C 9G
 * - 3, not with these details: 14 (also 1) 54 55 82 N7 1A 6P
 * - 4, generic: every other decline code.
 *
 * Sources: Checkout.com "Visa response codes"
 * (https://www.checkout.com/docs/developer-resources/codes/visa-response-codes), Worldpay
 * "Raw response codes" (https://developer.worldpay.com/products/access/reference/response-codes/scheme-codes),
 * TSYS response texts (https://www.payway.com/developers/paywayws-credit-card-integration-guide/14-processor-specific-result-codes/14-1-tsys).
 *
 * Where a code's Visa category is gentler than the reason we map it to (for example 64 "does not
 * fulfil AML requirement", category 4, mapped to `transaction_not_allowed`), the router follows
 * the stricter reason: it is allowed to try less than the network permits, never more.
 * `00`, `08`, `10`, `11` and `85` are approvals and are not here.
 *
 * 33–38 are ISO 8583:1987's "pick-up" codes that name their cause (expired, suspected fraud,
 * restricted, PIN tries…; as listed in acquirers' ISO 8583 tables, e.g. TabaPay's, and passed
 * through by Checkout.com as 30033–30038). Visa lists them in no category (4); they keep the
 * specific reason and are never retried (`pickUp`), like Visa's category-1 pick-ups 04 and 07.
 * @module
 */
import type { DeclineReason } from './reasons';

/** One ISO 8583 response code row. */
export interface IsoCodeRow {
  readonly reason: DeclineReason;
  /** Visa decline category of this code (every decline code has one: 4 when Visa lists it nowhere else). */
  readonly visaCategory: 1 | 2 | 3 | 4;
  /** The network's meaning of the code (Visa's, else Mastercard's, else ISO 8583:1987's). */
  readonly meaning: string;
  /**
   * The code asks to pick up the card and names why (ISO 33–38): the reason is the cause, and
   * `normalizeDecline` makes it never-retry.
   */
  readonly pickUp?: true;
}

/** ISO 8583 DE39 decline codes → standard reason, Visa category and meaning. Keys are upper case. */
export const ISO8583_CODES: Readonly<Record<string, IsoCodeRow>> = {
  '01': { reason: 'call_issuer', visaCategory: 4, meaning: 'Refer to card issuer' },
  '02': { reason: 'call_issuer', visaCategory: 4, meaning: 'Refer to card issuer, special condition' },
  '03': { reason: 'invalid_merchant', visaCategory: 2, meaning: 'Invalid merchant or service provider' },
  '04': { reason: 'pickup_card', visaCategory: 1, meaning: 'Pick up card (no fraud)' },
  '05': { reason: 'do_not_honor', visaCategory: 4, meaning: 'Do not honor' },
  '06': { reason: 'processing_error', visaCategory: 4, meaning: 'Error' },
  '07': { reason: 'pickup_card', visaCategory: 1, meaning: 'Pick up card, special condition (fraud account)' },
  '12': { reason: 'transaction_not_allowed', visaCategory: 1, meaning: 'Invalid transaction' },
  '13': { reason: 'invalid_amount', visaCategory: 4, meaning: 'Invalid amount or currency conversion field overflow' },
  '14': { reason: 'incorrect_number', visaCategory: 1, meaning: 'Invalid account number (no such number)' },
  '15': { reason: 'invalid_account', visaCategory: 1, meaning: 'No such issuer' },
  '19': { reason: 'processing_error', visaCategory: 2, meaning: 'Re-enter transaction' },
  '21': { reason: 'generic_decline', visaCategory: 4, meaning: 'No action taken' },
  '25': { reason: 'generic_decline', visaCategory: 4, meaning: 'Unable to locate record in file' },
  '28': { reason: 'processing_error', visaCategory: 4, meaning: 'File temporarily not available for update or inquiry' },
  '30': { reason: 'processing_error', visaCategory: 4, meaning: 'Format error' },
  '33': { reason: 'expired_card', visaCategory: 4, meaning: 'Expired card, pick up', pickUp: true },
  '34': { reason: 'fraud_suspected', visaCategory: 4, meaning: 'Suspected fraud, pick up', pickUp: true },
  '35': { reason: 'pickup_card', visaCategory: 4, meaning: 'Card acceptor contact acquirer, pick up', pickUp: true },
  '36': { reason: 'restricted_card', visaCategory: 4, meaning: 'Restricted card, pick up', pickUp: true },
  '37': { reason: 'pickup_card', visaCategory: 4, meaning: 'Card acceptor call acquirer security, pick up', pickUp: true },
  '38': { reason: 'pin_error', visaCategory: 4, meaning: 'Allowable PIN tries exceeded, pick up', pickUp: true },
  '39': { reason: 'invalid_account', visaCategory: 4, meaning: 'No credit account' },
  '41': { reason: 'lost_card', visaCategory: 1, meaning: 'Lost card, pick up (fraud account)' },
  '43': { reason: 'stolen_card', visaCategory: 1, meaning: 'Stolen card, pick up (fraud account)' },
  '46': { reason: 'account_closed', visaCategory: 1, meaning: 'Closed account' },
  '51': { reason: 'insufficient_funds', visaCategory: 2, meaning: 'Not sufficient funds' },
  '52': { reason: 'invalid_account', visaCategory: 4, meaning: 'No checking account' },
  '53': { reason: 'invalid_account', visaCategory: 4, meaning: 'No savings account' },
  '54': { reason: 'expired_card', visaCategory: 3, meaning: 'Expired card or expiration date missing' },
  '55': { reason: 'pin_error', visaCategory: 3, meaning: 'Incorrect PIN or PIN missing' },
  '56': { reason: 'invalid_account', visaCategory: 4, meaning: 'No card record (Mastercard)' },
  '57': { reason: 'transaction_not_allowed', visaCategory: 1, meaning: 'Transaction not permitted to cardholder' },
  '58': { reason: 'invalid_merchant', visaCategory: 4, meaning: 'Transaction not allowed at terminal' },
  '59': { reason: 'fraud_suspected', visaCategory: 2, meaning: 'Suspected fraud' },
  '61': { reason: 'amount_limit_exceeded', visaCategory: 2, meaning: 'Exceeds approval amount limit' },
  '62': { reason: 'restricted_card', visaCategory: 2, meaning: 'Restricted card (invalid in this region or country)' },
  '63': { reason: 'fraud_suspected', visaCategory: 4, meaning: 'Security violation' },
  '64': { reason: 'transaction_not_allowed', visaCategory: 4, meaning: 'Transaction does not fulfil AML requirement' },
  '65': { reason: 'velocity_exceeded', visaCategory: 2, meaning: 'Exceeds withdrawal frequency limit (activity limit exceeded)' },
  '70': { reason: 'call_issuer', visaCategory: 4, meaning: 'Contact card issuer (Mastercard); PIN data required (Visa)' },
  '75': { reason: 'pin_error', visaCategory: 2, meaning: 'Allowable number of PIN tries exceeded' },
  '78': { reason: 'restricted_card', visaCategory: 2, meaning: 'Blocked, first used (card not activated)' },
  '79': { reason: 'new_account_information', visaCategory: 4, meaning: 'Lifecycle decline (Mastercard): card data changed' },
  '80': { reason: 'processing_error', visaCategory: 4, meaning: 'No financial impact / invalid date' },
  '82': { reason: 'incorrect_cvc', visaCategory: 3, meaning: 'Negative CAM, dCVV, iCVV or CVV results' },
  '86': { reason: 'processing_error', visaCategory: 2, meaning: 'Cannot verify PIN' },
  '91': { reason: 'issuer_unavailable', visaCategory: 2, meaning: 'Issuer or switch inoperative' },
  '92': { reason: 'processing_error', visaCategory: 4, meaning: 'Destination cannot be found for routing' },
  '93': { reason: 'restricted_card', visaCategory: 2, meaning: 'Transaction cannot be completed: violation of law' },
  '94': { reason: 'duplicate_transaction', visaCategory: 4, meaning: 'Duplicate transmission' },
  '96': { reason: 'processing_error', visaCategory: 2, meaning: 'System malfunction' },
  '1A': { reason: 'authentication_required', visaCategory: 3, meaning: 'Additional customer authentication required' },
  '5C': { reason: 'restricted_card', visaCategory: 2, meaning: 'Transaction not supported / blocked by issuer' },
  '6P': { reason: 'authentication_failed', visaCategory: 3, meaning: 'Cardholder identification verification failed' },
  '9G': { reason: 'restricted_card', visaCategory: 2, meaning: 'Blocked by cardholder / contact cardholder' },
  N3: { reason: 'processing_error', visaCategory: 2, meaning: 'Cash back service not available' },
  N4: { reason: 'amount_limit_exceeded', visaCategory: 2, meaning: 'Cash request exceeds issuer or approved limit' },
  N7: { reason: 'incorrect_cvc', visaCategory: 3, meaning: 'Decline for CVV2 failure' },
  R0: { reason: 'revocation_of_authorization', visaCategory: 1, meaning: 'Stop payment order (recurring)' },
  R1: { reason: 'revocation_of_authorization', visaCategory: 1, meaning: 'Revocation of authorization order (recurring)' },
  R3: { reason: 'revocation_of_authorization', visaCategory: 1, meaning: 'Revocation of all authorizations order' },
};

/**
 * The ISO 8583 row of a code, tolerant of case, spaces and a lost leading zero (`5` → `05`).
 * @example
 * isoCodeRow('r1')?.reason // 'revocation_of_authorization'
 */
export function isoCodeRow(code: string | number | undefined): IsoCodeRow | undefined {
  if (code === undefined) return undefined;
  let c = String(code).trim().toUpperCase();
  if (/^\d$/.test(c)) c = `0${c}`;
  return Object.prototype.hasOwnProperty.call(ISO8583_CODES, c) ? ISO8583_CODES[c] : undefined;
}
