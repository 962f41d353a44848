/**
 * braintree decline codes → standard reasons.
 * Source: TODO (filled in by the decline-mapping work).
 * @module
 */
import type { GatewayDeclineTable } from '../../src/declines/tables';

/** braintree's decline code table. */
export const braintreeDeclines: GatewayDeclineTable = {
  gateway: 'braintree',
  docs: '',
  codes: {},
};
