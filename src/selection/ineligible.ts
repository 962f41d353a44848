/**
 * Why a MID is left out of a routing plan: one reason, as explain, the ledger's routing decision
 * and the console show it. Types only, so the store's types can name it.
 * @module
 */
import type { DisputeLevelFigures } from '../monitoring/state';

/** One reason a MID is not eligible. */
export interface IneligibleReason {
  code:
    | 'disabled'
    | 'operation_not_supported'
    | 'brand_not_accepted'
    | 'currency_not_accepted'
    | 'below_min_amount'
    | 'above_max_amount'
    | 'excluded_by_rule'
    | 'circuit_open'
    | 'cap_reached'
    | 'network_rule'
    | 'unknown_mid'
    | 'network_token_not_accepted'
    /** The request carries external 3-D Secure data and the MID's adapter does not accept it (capability `threeDS`). */
    | 'three_ds_not_accepted'
    /** A rule requires 3-D Secure and the MID's adapter cannot run a challenge (capability `challenge`). */
    | 'challenge_not_supported'
    /** Chargeback monitoring: the MID reached its `pauseAt` dispute ratio this month (figures in `dispute`). */
    | 'dispute_pause';
  message: string;
  /** For `dispute_pause`: the figures that paused it. */
  dispute?: DisputeLevelFigures | undefined;
}
