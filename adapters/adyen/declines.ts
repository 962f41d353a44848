/**
 * adyen decline codes → standard reasons.
 * Source: TODO (filled in by the decline-mapping work).
 * @module
 */
import type { GatewayDeclineTable } from '../../src/declines/tables';

/** adyen's decline code table. */
export const adyenDeclines: GatewayDeclineTable = {
  gateway: 'adyen',
  docs: '',
  codes: {},
};
