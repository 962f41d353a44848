/**
 * authorizenet decline codes → standard reasons.
 * Source: TODO (filled in by the decline-mapping work).
 * @module
 */
import type { GatewayDeclineTable } from '../../src/declines/tables';

/** authorizenet's decline code table. */
export const authorizenetDeclines: GatewayDeclineTable = {
  gateway: 'authorizenet',
  docs: '',
  codes: {},
};
