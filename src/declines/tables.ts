/**
 * Per-gateway decline code tables. Each table is data kept beside its adapter
 * (`adapters/<gateway>/declines.ts`); the core imports the data, never the wire format.
 * @module
 */
import type { DeclineReason } from './reasons';
import { stripeDeclines } from '../../adapters/stripe/declines';
import { adyenDeclines } from '../../adapters/adyen/declines';
import { checkoutDeclines } from '../../adapters/checkout/declines';
import { nmiDeclines } from '../../adapters/nmi/declines';
import { authorizenetDeclines } from '../../adapters/authorizenet/declines';
import { braintreeDeclines } from '../../adapters/braintree/declines';
import { sandboxDeclines } from '../../adapters/sandbox/declines';
import { paypalDeclines } from './paypal';

/** A gateway's own decline codes, with a link to the documentation they come from. */
export interface GatewayDeclineTable {
  /** Adapter id, e.g. `stripe`. */
  readonly gateway: string;
  /** Where the codes are documented. */
  readonly docs: string;
  /** Gateway code → standard reason. Looked up as given, then upper-cased. */
  readonly codes: Readonly<Record<string, DeclineReason>>;
  /**
   * Extract an ISO 8583 response code the gateway passed through from the network
   * (e.g. Adyen's raw `05 : Do not honor`), when there is one.
   */
  readonly isoCode?: (input: { code?: string; message?: string }) => string | undefined;
  /**
   * Reason for a code the table does not list, by the family it belongs to (e.g. Checkout.com's
   * 30xxx hard declines). Used after the ISO table and the message classifier found nothing.
   */
  readonly family?: (code: string) => DeclineReason | undefined;
}

/** The tables of the gateways Switchyard ships, by adapter id. */
export const BUILTIN_DECLINE_TABLES: ReadonlyMap<string, GatewayDeclineTable> = new Map(
  [
    stripeDeclines,
    adyenDeclines,
    checkoutDeclines,
    nmiDeclines,
    authorizenetDeclines,
    braintreeDeclines,
    sandboxDeclines,
    paypalDeclines,
  ].map((t) => [t.gateway, t] as const),
);
