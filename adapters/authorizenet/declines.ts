/**
 * Authorize.Net response reason codes → standard reasons. The adapter reports
 * `transactionResponse.errors[0].errorCode` (the "response reason code") as the decline code.
 *
 * Authorize.Net does not pass the network's ISO 8583 code through: its reason code 2 ("This
 * transaction has been declined") covers every issuer decline that has no code of its own
 * (do not honor, insufficient funds…), so it maps to `generic_decline`; the message classifier
 * cannot do better because the text is always the same, but the CVV and AVS results the adapter
 * reports beside it can (`cvvResultCode` N is a CVV mismatch, `avsResultCode` N an address
 * mismatch: Authorize.Net's result codes are the networks' letters).
 *
 * Held for review (responseCode 4, reasons 252/253) and "already captured" (311 on a capture)
 * are not declines: the adapter reports them as approvals (see `toResult`).
 *
 * Codes that mean our credentials or the MID's processor setup are wrong (13, 24, 29–31, 34, 35,
 * 38, 43, 170–173) are reported by the adapter as `error` with `merchantError: true`, not as
 * declines; they are listed here too so a decline carrying them still normalizes sensibly.
 * Source: https://developer.authorize.net/api/reference/responseCodes.html
 * @module
 */
import type { GatewayDeclineTable } from '../../src/declines/tables';
import type { DeclineReason } from '../../src/declines/reasons';

const codes = (reason: DeclineReason, ...list: string[]) =>
  Object.fromEntries(list.map((c) => [c, reason])) as Record<string, DeclineReason>;

/** Authorize.Net's decline code table (response reason codes). */
export const authorizenetDeclines: GatewayDeclineTable = {
  gateway: 'authorizenet',
  docs: 'https://developer.authorize.net/api/reference/responseCodes.html',
  codes: {
    // responseCode 2: declined by the issuer, the processor or the merchant's own filters.
    ...codes('generic_decline', '2'),
    ...codes('call_issuer', '3'),
    ...codes('pickup_card', '4'),
    ...codes('incorrect_address', '27', '127'),
    ...codes('incorrect_cvc', '44', '45', '65', '78', '145', '165'),
    // The merchant's own filters (FraudScreen, Fraud Detection Suite, blocked IPs), and 254: the
    // merchant declined it after the review (FDS). Not the issuer suspecting fraud.
    ...codes('risk_blocked', '41', '66', '141', '250', '251', '254'),
    // FDC Omaha processor declines (200–224).
    ...codes('incorrect_number', '6', '37', '200'),
    ...codes('invalid_expiry_date', '7', '201'),
    ...codes('expired_card', '8'),
    ...codes('invalid_amount', '5', '47', '48', '49', '51', '55', '203'),
    ...codes('invalid_account', '211'),
    ...codes('pin_error', '215', '218'),
    ...codes('issuer_unavailable', '209', '214', '220'),
    ...codes('duplicate_transaction', '11', '222'),
    // Processor-issued declines 315–318 (responseCode 2: "The credit card number is invalid.",
    // "…expiration date is invalid.", "The credit card has expired.", "A duplicate transaction
    // has been submitted."), from the response codes page.
    ...codes('incorrect_number', '315'),
    ...codes('invalid_expiry_date', '316'),
    ...codes('expired_card', '317'),
    ...codes('duplicate_transaction', '318'),
    // responseCode 3: errors before or at the processor.
    ...codes('card_not_supported', '17', '28', '56'),
    ...codes(
      'processing_error',
      '19',
      '20',
      '21',
      '22',
      '23',
      '25',
      '26',
      '36',
      '52',
      '57',
      '58',
      '59',
      '60',
      '61',
      '62',
      '63',
      '120',
      '121',
      '122',
      '152',
      '180',
      '181',
      '202',
      '204',
      '217',
      '219',
      '223',
      '224',
      '261',
    ),
    ...codes(
      'invalid_merchant',
      '13',
      '24',
      '29',
      '30',
      '31',
      '34',
      '35',
      '38',
      '39',
      '43',
      '170',
      '171',
      '172',
      '173',
      '205',
      '206',
      '207',
      '208',
      '210',
      '212',
      '213',
      '216',
      '221',
    ),
    ...codes('authentication_failed', '116', '117', '118'),
    ...codes('transaction_not_allowed', '50', '54', '128', '174', '175'),
  },
};
