/**
 * The shape of a gateway's decline code table. Each table is data kept beside its adapter
 * (`adapters/<gateway>/declines.ts`) and carried by the adapter (`GatewayAdapter.declineTable`);
 * the registry of the shipped tables is assembled at the package entry (`src/decline-registry.ts`).
 * @module
 */
import type { DeclineReason } from './reasons';

/** A gateway's own decline codes, with a link to the documentation they come from. */
export interface GatewayDeclineTable {
  /** Adapter id, e.g. `stripe`. */
  readonly gateway: string;
  /** Where the codes are documented. */
  readonly docs: string;
  /** Gateway code → standard reason. Looked up as given, then upper-cased. */
  readonly codes: Readonly<Record<string, DeclineReason>>;
  /**
   * The gateway's fixed refusal texts → standard reason, for answers that carry a text but no
   * code (older API versions, some acquirers). Matched whole, ignoring case, spacing, a final
   * full stop and a parenthesised tail (`Expired Card (raw: 54 : Expired card)`); consulted
   * after `codes` and before the ISO table and the generic message classifier.
   */
  readonly messages?: Readonly<Record<string, DeclineReason>>;
  /**
   * Codes whose answer also asks to pick up the card while naming its cause (e.g. Checkout.com
   * 30033 "Expired card - Pick up"): the reason stays the cause, `retry` becomes `never`.
   */
  readonly pickUp?: readonly string[];
  /**
   * How this gateway reports a failed CVV / AVS check, when it differs from the networks'
   * single letter `N` (and Stripe's `fail`), which `normalizeDecline` understands by default.
   */
  readonly checks?: {
    readonly cvvMismatch?: (result: string) => boolean;
    readonly avsMismatch?: (result: string) => boolean;
  };
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
