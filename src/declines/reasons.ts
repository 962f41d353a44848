/**
 * The standard decline reasons every gateway's answer is mapped to, with the defaults the
 * router acts on. The defaults follow Visa's decline categories and Mastercard's Merchant Advice
 * Codes (sources in `iso8583.ts` and the README's "Card-network rules").
 * @module
 */

/** Hard: the issuer will not approve this card as it is. Soft: it may approve later or elsewhere. */
export type DeclineCategory = 'hard' | 'soft';

/**
 * When the same card may be tried again:
 * - `never`: never cascades, and the router refuses this card on the MID that declined it for
 *   30 days (card networks fine every reattempt: Visa category 1, Mastercard MAC 03/21);
 * - `later`: after a delay, within the network reattempt limits;
 * - `after_update`: only with corrected or updated card data;
 * - `with_authentication`: again on the same MID with 3-D Secure.
 */
export type RetryAdvice = 'never' | 'later' | 'after_update' | 'with_authentication';

/** Metadata of one standard reason. */
export interface DeclineReasonInfo {
  readonly category: DeclineCategory;
  readonly retry: RetryAdvice;
  /** Whether the router may try the next MID by default (`cascade: { on: 'soft' }`). */
  readonly cascade: boolean;
  /** Visa decline category (1 never reattempt, 2 not now, 3 not with these details, 4 generic). */
  readonly visaCategory?: 1 | 2 | 3 | 4;
  readonly description: string;
}

/**
 * Every standard reason with its defaults.
 * @example
 * DECLINE_REASONS.insufficient_funds.cascade // false: another gateway cannot add funds
 */
export const DECLINE_REASONS = {
  insufficient_funds: {
    category: 'soft',
    retry: 'later',
    cascade: false,
    visaCategory: 2,
    description: 'Not enough funds or credit; another MID cannot add funds, so no cascade.',
  },
  do_not_honor: {
    category: 'soft',
    retry: 'later',
    cascade: true,
    visaCategory: 4,
    description: 'Issuer declined without a reason (ISO 05); a failed CVV or AVS check the gateway reports names it instead.',
  },
  generic_decline: {
    category: 'soft',
    retry: 'later',
    cascade: true,
    visaCategory: 4,
    description:
      'Declined for a reason the gateway did not give or we could not map; a failed CVV or AVS check the gateway reports names it instead (`incorrect_cvc`, `incorrect_address`).',
  },
  expired_card: {
    category: 'hard',
    retry: 'after_update',
    cascade: false,
    visaCategory: 3,
    description:
      'The card has expired (ISO 54, or the gateway refusing a past expiry date before the issuer saw it); ask for updated card details, never cascade.',
  },
  incorrect_cvc: {
    category: 'hard',
    retry: 'after_update',
    cascade: false,
    visaCategory: 3,
    description:
      'CVC did not match (ISO N7/82, a failed CVV check) or the gateway refused its format (Adyen 103): ask the cardholder again, never cascade.',
  },
  incorrect_number: {
    category: 'hard',
    retry: 'never',
    cascade: false,
    visaCategory: 1,
    description:
      'No such card number (ISO 14, Visa category 1 and 3) or a number the gateway refused as invalid (Adyen 101, Checkout.com card_number_invalid): a decline of the card, never an error to cascade; never reattempt it, a corrected number is a new card.',
  },
  invalid_expiry_date: {
    category: 'hard',
    retry: 'after_update',
    cascade: false,
    visaCategory: 3,
    description: "Expiry date wrong or malformed, by the issuer or by the gateway's validation (Checkout.com card_expiry_month_invalid).",
  },
  incorrect_address: {
    category: 'hard',
    retry: 'after_update',
    cascade: false,
    visaCategory: 3,
    description: "AVS mismatch (a failed AVS check, or the merchant's AVS rule at the gateway) or billing address rejected.",
  },
  new_account_information: {
    category: 'hard',
    retry: 'after_update',
    cascade: false,
    visaCategory: 3,
    description: 'Card credentials changed (Mastercard MAC 01): get the new card from the account updater or the customer.',
  },
  lost_card: { category: 'hard', retry: 'never', cascade: false, visaCategory: 1, description: 'Card reported lost (ISO 41).' },
  stolen_card: { category: 'hard', retry: 'never', cascade: false, visaCategory: 1, description: 'Card reported stolen (ISO 43).' },
  pickup_card: {
    category: 'hard',
    retry: 'never',
    cascade: false,
    visaCategory: 1,
    description:
      'Issuer asks to pick up the card without naming why (ISO 04/07). A pick-up that names its cause keeps the specific reason (expired, fraud, restricted, PIN tries: ISO 33–38, `Restricted Card - Pick Up`) and stays never-retry (`pickUp: true`).',
  },
  fraud_suspected: {
    category: 'hard',
    retry: 'later',
    cascade: false,
    visaCategory: 2,
    description:
      "The issuer (or the acquirer or card network) suspects fraud (ISO 59, Visa category 2); the merchant's own risk filter or block list is `risk_blocked`. Retry later on the same MID once the cardholder has confirmed with the bank; never cascade, it would look like card testing.",
  },
  account_closed: {
    category: 'hard',
    retry: 'never',
    cascade: false,
    visaCategory: 1,
    description: "The cardholder's account is closed (ISO 46); a closed merchant account is `invalid_merchant`.",
  },
  invalid_account: {
    category: 'hard',
    retry: 'never',
    cascade: false,
    visaCategory: 1,
    description:
      'No such cardholder account or issuer (ISO 15, no credit/checking/savings account); an unknown or inactive merchant account is `invalid_merchant`.',
  },
  transaction_not_allowed: {
    category: 'hard',
    retry: 'never',
    cascade: false,
    visaCategory: 1,
    description: 'Transaction not permitted to this cardholder (ISO 57) or invalid transaction (ISO 12): Visa category 1.',
  },
  restricted_card: {
    category: 'hard',
    retry: 'later',
    cascade: false,
    visaCategory: 2,
    description: 'Restricted or blocked card (ISO 62, 78, 93); Visa moved these to category 2 in 2021.',
  },
  card_not_supported: {
    category: 'soft',
    retry: 'later',
    cascade: true,
    visaCategory: 4,
    description:
      "This merchant account or gateway does not take this card brand, type or currency (not enabled on the MID): the merchant account's limit, not the cardholder's; another MID may.",
  },
  amount_limit_exceeded: {
    category: 'soft',
    retry: 'later',
    cascade: false,
    visaCategory: 2,
    description: "Exceeds the card's amount limit (ISO 61).",
  },
  velocity_exceeded: {
    category: 'soft',
    retry: 'later',
    cascade: false,
    visaCategory: 2,
    description: "Exceeds the card's frequency limit (ISO 65).",
  },
  authentication_required: {
    category: 'soft',
    retry: 'with_authentication',
    cascade: false,
    visaCategory: 3,
    description: 'Issuer asks for 3-D Secure (ISO 1A / 65 in the EEA): retry with authentication on the same MID.',
  },
  authentication_failed: {
    category: 'hard',
    retry: 'after_update',
    cascade: false,
    visaCategory: 3,
    description: '3-D Secure authentication failed or the cardholder did not complete it; a decline of the payment, not a gateway error.',
  },
  issuer_unavailable: {
    category: 'soft',
    retry: 'later',
    cascade: true,
    visaCategory: 2,
    description: 'Issuer or switch unavailable (ISO 91).',
  },
  processing_error: {
    category: 'soft',
    retry: 'later',
    cascade: true,
    visaCategory: 2,
    description: 'Gateway or processor error (ISO 96); another MID may work.',
  },
  invalid_amount: {
    category: 'hard',
    retry: 'after_update',
    cascade: false,
    visaCategory: 4,
    description: 'Amount invalid for this transaction (ISO 13).',
  },
  invalid_merchant: {
    category: 'soft',
    retry: 'later',
    cascade: true,
    visaCategory: 2,
    description:
      "The merchant account is the problem, not the cardholder's: closed, not activated, misconfigured or not allowed (ISO 03); another MID may work.",
  },
  duplicate_transaction: {
    category: 'hard',
    retry: 'later',
    cascade: false,
    visaCategory: 4,
    description: 'Gateway saw this as a duplicate (ISO 94): check for an earlier charge; a cascade could charge twice.',
  },
  risk_blocked: {
    category: 'soft',
    retry: 'later',
    cascade: true,
    visaCategory: 4,
    description:
      "Refused by the merchant's own risk filter or block list at the gateway (risk rules, fraud filters, block lists, blocked IPs) before the issuer decided: not the issuer suspecting fraud (`fraud_suspected`); another MID may take it.",
  },
  revocation_of_authorization: {
    category: 'hard',
    retry: 'never',
    cascade: false,
    visaCategory: 1,
    description: 'Cardholder revoked the recurring authorization (ISO R0/R1/R3, MAC 21): cancel the subscription.',
  },
  do_not_retry: {
    category: 'hard',
    retry: 'never',
    cascade: false,
    visaCategory: 1,
    description: 'Issuer says never try again (Mastercard MAC 03, Stripe do_not_try_again).',
  },
  call_issuer: { category: 'soft', retry: 'later', cascade: false, visaCategory: 4, description: 'Refer to card issuer (ISO 01/02).' },
  pin_error: {
    category: 'hard',
    retry: 'after_update',
    cascade: false,
    visaCategory: 3,
    description: 'Incorrect PIN or PIN tries exceeded (ISO 55/75).',
  },
} as const satisfies Record<string, DeclineReasonInfo>;

/** One of the standard reasons. */
export type DeclineReason = keyof typeof DECLINE_REASONS;

/** All standard reason names, in table order. */
export const DECLINE_REASON_NAMES = Object.keys(DECLINE_REASONS) as DeclineReason[];

/** True when `value` names a standard reason. */
export function isDeclineReason(value: unknown): value is DeclineReason {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(DECLINE_REASONS, value);
}

/** A gateway decline mapped to a standard reason, as `normalizeDecline` returns it. */
export interface NormalizedDecline {
  reason: DeclineReason;
  category: DeclineCategory;
  retry: RetryAdvice;
  cascade: boolean;
  networkCategory?: 1 | 2 | 3 | 4;
  /** Minimum delay before a retry (ms) when a Mastercard MAC 24–30 set one. */
  retryDelayMs?: number;
  /**
   * The issuer also asked to pick up the card while naming why (expired, fraud, restricted, PIN
   * tries: ISO 33–38, `Restricted Card - Pick Up`): `reason` is the cause, `retry` is `never`.
   */
  pickUp?: true;
  /** What the gateway said. */
  raw: { gateway: string; code?: string; message?: string; advice?: string; cvvResult?: string; avsResult?: string };
  /**
   * Which table or rule produced the reason: `override`, `gateway` (its codes, texts or code
   * families), `iso8583`, `message` (the classifier), `checks` (a failed CVV/AVS check named an
   * otherwise unspecific decline), `fallback`.
   */
  source: 'override' | 'gateway' | 'iso8583' | 'message' | 'checks' | 'fallback';
}
