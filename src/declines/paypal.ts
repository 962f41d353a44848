/**
 * PayPal processor response codes → standard reasons.
 * Source: TODO (filled in by the decline-mapping work).
 * @module
 */
import type { GatewayDeclineTable } from './tables';

/** PayPal's processor response code table. */
export const paypalDeclines: GatewayDeclineTable = {
  gateway: 'paypal',
  docs: '',
  codes: {},
};
