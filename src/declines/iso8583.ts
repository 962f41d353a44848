/**
 * ISO 8583 field 39 response codes with their Visa / Mastercard meanings, and the Visa
 * decline category of each (current grouping, see `shared/research/network-retry-rules.md` §1.1).
 * Sources: Visa and Mastercard response code lists as published by Checkout.com
 * (https://www.checkout.com/docs/developer-resources/codes/visa-response-codes) and Worldpay
 * (https://developer.worldpay.com/products/access/reference/response-codes/scheme-codes).
 * @module
 */
import type { DeclineReason } from './reasons';

/** One ISO 8583 response code row. */
export interface IsoCodeRow {
  readonly reason: DeclineReason;
  /** Visa decline category of this code where the networks publish one. */
  readonly visaCategory?: 1 | 2 | 3 | 4;
}

/** ISO 8583 DE39 codes → standard reason. `00`, `08`, `10`, `11`, `85` are approvals and are not here. */
export const ISO8583_CODES: Readonly<Record<string, IsoCodeRow>> = {
  '01': { reason: 'call_issuer', visaCategory: 4 },
  '02': { reason: 'call_issuer', visaCategory: 4 },
  '03': { reason: 'invalid_merchant', visaCategory: 2 },
  '04': { reason: 'pickup_card', visaCategory: 1 },
  '05': { reason: 'do_not_honor', visaCategory: 4 },
  '06': { reason: 'processing_error', visaCategory: 4 },
  '07': { reason: 'pickup_card', visaCategory: 1 },
  '12': { reason: 'transaction_not_allowed', visaCategory: 1 },
  '13': { reason: 'invalid_amount', visaCategory: 4 },
  '14': { reason: 'incorrect_number', visaCategory: 1 },
  '15': { reason: 'invalid_account', visaCategory: 1 },
  '19': { reason: 'processing_error', visaCategory: 2 },
  '21': { reason: 'generic_decline', visaCategory: 4 },
  '25': { reason: 'invalid_account', visaCategory: 4 },
  '28': { reason: 'processing_error', visaCategory: 4 },
  '30': { reason: 'processing_error', visaCategory: 4 },
  '39': { reason: 'transaction_not_allowed', visaCategory: 4 },
  '41': { reason: 'lost_card', visaCategory: 1 },
  '43': { reason: 'stolen_card', visaCategory: 1 },
  '46': { reason: 'account_closed', visaCategory: 1 },
  '51': { reason: 'insufficient_funds', visaCategory: 2 },
  '52': { reason: 'invalid_account', visaCategory: 4 },
  '53': { reason: 'invalid_account', visaCategory: 4 },
  '54': { reason: 'expired_card', visaCategory: 3 },
  '55': { reason: 'pin_error', visaCategory: 3 },
  '56': { reason: 'invalid_account', visaCategory: 4 },
  '57': { reason: 'transaction_not_allowed', visaCategory: 1 },
  '58': { reason: 'transaction_not_allowed', visaCategory: 4 },
  '59': { reason: 'fraud_suspected', visaCategory: 2 },
  '61': { reason: 'amount_limit_exceeded', visaCategory: 2 },
  '62': { reason: 'restricted_card', visaCategory: 2 },
  '63': { reason: 'transaction_not_allowed', visaCategory: 4 },
  '64': { reason: 'invalid_amount', visaCategory: 4 },
  '65': { reason: 'velocity_exceeded', visaCategory: 2 },
  '70': { reason: 'call_issuer', visaCategory: 4 },
  '75': { reason: 'pin_error', visaCategory: 2 },
  '78': { reason: 'restricted_card', visaCategory: 2 },
  '79': { reason: 'new_account_information', visaCategory: 4 },
  '80': { reason: 'processing_error', visaCategory: 4 },
  '82': { reason: 'incorrect_cvc', visaCategory: 3 },
  '86': { reason: 'processing_error', visaCategory: 2 },
  '91': { reason: 'issuer_unavailable', visaCategory: 2 },
  '92': { reason: 'processing_error', visaCategory: 4 },
  '93': { reason: 'transaction_not_allowed', visaCategory: 2 },
  '94': { reason: 'duplicate_transaction', visaCategory: 4 },
  '96': { reason: 'processing_error', visaCategory: 2 },
  '1A': { reason: 'authentication_required', visaCategory: 3 },
  '6P': { reason: 'authentication_failed', visaCategory: 3 },
  N3: { reason: 'processing_error', visaCategory: 2 },
  N4: { reason: 'amount_limit_exceeded', visaCategory: 2 },
  N7: { reason: 'incorrect_cvc', visaCategory: 3 },
  R0: { reason: 'revocation_of_authorization', visaCategory: 1 },
  R1: { reason: 'revocation_of_authorization', visaCategory: 1 },
  R3: { reason: 'revocation_of_authorization', visaCategory: 1 },
};
