/**
 * checkout decline codes → standard reasons.
 * Source: TODO (filled in by the decline-mapping work).
 * @module
 */
import type { GatewayDeclineTable } from '../../src/declines/tables';

/** checkout's decline code table. */
export const checkoutDeclines: GatewayDeclineTable = {
  gateway: 'checkout',
  docs: '',
  codes: {},
};
