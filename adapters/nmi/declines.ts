/**
 * NMI `response_code` values → standard reasons.
 * Source: NMI Payment API integration portal, "Result Code Table" (Direct Post appendix), summarised
 * in `test/specs/nmi-direct-post-api.md` §4.
 *
 * Left out on purpose, so the message classifier reads `responsetext` instead (NMI often gives the
 * real reason only there): 200 (declined by processor, generic), 260 (declined, see responsetext),
 * 300 (rejected by gateway) and 264 (retry in a few days: no standard reason fits; see the README).
 * 301 (rate limit) is never a decline: the adapter reports it as a transient error.
 * @module
 */
import type { GatewayDeclineTable } from '../../src/declines/tables';

/** NMI's decline code table. */
export const nmiDeclines: GatewayDeclineTable = {
  gateway: 'nmi',
  docs: 'https://secure.networkmerchants.com/gw/merchants/resources/integration/integration_portal.php',
  codes: {
    '201': 'do_not_honor',
    '202': 'insufficient_funds',
    '203': 'amount_limit_exceeded',
    '204': 'transaction_not_allowed',
    '220': 'incorrect_number',
    '221': 'invalid_account',
    '222': 'incorrect_number',
    '223': 'expired_card',
    '224': 'invalid_expiry_date',
    '225': 'incorrect_cvc',
    '226': 'pin_error',
    '240': 'call_issuer',
    '250': 'pickup_card',
    '251': 'lost_card',
    '252': 'stolen_card',
    '253': 'fraud_suspected',
    '261': 'revocation_of_authorization',
    '262': 'revocation_of_authorization',
    '263': 'new_account_information',
    '400': 'processing_error',
    '410': 'invalid_merchant',
    '411': 'invalid_merchant',
    '420': 'processing_error',
    '421': 'issuer_unavailable',
    '430': 'duplicate_transaction',
    '440': 'processing_error',
    '441': 'processing_error',
    '460': 'processing_error',
    '461': 'card_not_supported',
  },
};
