/**
 * stripe decline codes → standard reasons.
 * Source: TODO (filled in by the decline-mapping work).
 * @module
 */
import type { GatewayDeclineTable } from '../../src/declines/tables';

/** stripe's decline code table. */
export const stripeDeclines: GatewayDeclineTable = {
  gateway: 'stripe',
  docs: '',
  codes: {},
};
