/**
 * nmi decline codes → standard reasons.
 * Source: TODO (filled in by the decline-mapping work).
 * @module
 */
import type { GatewayDeclineTable } from '../../src/declines/tables';

/** nmi's decline code table. */
export const nmiDeclines: GatewayDeclineTable = {
  gateway: 'nmi',
  docs: '',
  codes: {},
};
