/**
 * Notes for people, per standard decline reason: one sentence for support staff (what happened
 * and what helps) and one for the shopper (what to do, without blame or fraud talk). The README's
 * "Failure notes" table is checked against this one. Outcomes without a decline (a gateway error,
 * an unknown outcome) have their own notes in `OUTCOME_ADVICE`.
 * @module
 */
import type { DeclineReason } from './reasons';

/** What to tell support staff and the shopper about a failed attempt. */
export interface DeclineAdvice {
  /** For support staff: what the issuer or gateway said and whether another card, a call to the bank or a retry helps. */
  readonly support: string;
  /** For the shopper: what to do next. */
  readonly shopper: string;
}

/**
 * One note pair per standard reason.
 * @example
 * DECLINE_ADVICE.insufficient_funds.shopper // 'Your card was declined for insufficient funds. Use another card or try again later.'
 */
export const DECLINE_ADVICE: Readonly<Record<DeclineReason, DeclineAdvice>> = {
  insufficient_funds: {
    support:
      'Not enough funds or credit on the card. Another MID cannot help; the customer can use another card or retry after adding funds.',
    shopper: 'Your card was declined for insufficient funds. Use another card or try again later.',
  },
  do_not_honor: {
    support:
      'The bank declined without giving a reason. Ask the customer to call the number on the back of the card, or to use another card.',
    shopper: 'Your bank declined the payment. Call the number on the back of your card, or use another card.',
  },
  generic_decline: {
    support:
      'Declined for a reason the gateway did not give; its own message may say more. Another card or a call to the bank usually helps.',
    shopper: 'The payment was declined. Use another card, or contact your bank.',
  },
  expired_card: {
    support: 'The card has expired. The customer must enter a current card; retrying this one will not work.',
    shopper: 'Your card has expired. Use another card.',
  },
  incorrect_cvc: {
    support:
      'The security code did not match. Ask the customer to re-enter the code on the back of the card (four digits on the front for Amex).',
    shopper: 'The security code is incorrect. Check the code on your card and try again.',
  },
  incorrect_number: {
    support: 'The card number is not valid at the bank. The customer must re-enter it or use another card; do not retry it as it is.',
    shopper: 'The card number is not valid. Check the number or use another card.',
  },
  invalid_expiry_date: {
    support: 'The expiry date is wrong. Ask the customer to re-enter the month and year printed on the card.',
    shopper: 'The expiry date is incorrect. Check the date on your card and try again.',
  },
  incorrect_address: {
    support:
      'The billing address did not match what the bank holds (AVS). Ask the customer to enter the address their card statements go to.',
    shopper: 'The billing address does not match your card. Enter the address your card statements are sent to.',
  },
  new_account_information: {
    support:
      'The card details changed at the bank (new number or expiry). Ask the customer for the new card, or update it through an account updater.',
    shopper: 'Your card details have changed. Enter your new card details.',
  },
  lost_card: {
    support:
      'The card is reported lost. Never retry it; the customer must use another card. Do not tell them more than that it was declined.',
    shopper: 'Your card was declined. Use another card, or contact your bank.',
  },
  stolen_card: {
    support:
      'The card is reported stolen. Never retry it; the customer must use another card. Do not tell them more than that it was declined.',
    shopper: 'Your card was declined. Use another card, or contact your bank.',
  },
  pickup_card: {
    support: 'The bank asks to keep the card (pick up). Never retry it; the customer must contact their bank or use another card.',
    shopper: 'Your card was declined. Contact your bank, or use another card.',
  },
  fraud_suspected: {
    support:
      'The bank suspects fraud. The customer should call the bank to confirm the purchase, then retry the same card; never push it to another MID.',
    shopper: 'Your bank declined the payment as a precaution. Call your bank to confirm it is you, then try again.',
  },
  account_closed: {
    support: 'The card account is closed. Never retry it; the customer must use another card.',
    shopper: 'This card can no longer be used. Use another card.',
  },
  invalid_account: {
    support: 'The bank has no such account for this card. Never retry it; the customer must check the number or use another card.',
    shopper: 'This card could not be used. Check the number or use another card.',
  },
  transaction_not_allowed: {
    support:
      'The bank does not allow this kind of purchase on this card (for example online or foreign purchases). Another card, or a call to the bank, may help.',
    shopper: 'Your card does not allow this purchase. Use another card, or ask your bank to allow it.',
  },
  restricted_card: {
    support: 'The card is restricted or blocked by the bank. The customer must contact the bank or use another card.',
    shopper: 'Your card was declined. Contact your bank, or use another card.',
  },
  card_not_supported: {
    support: 'No merchant account here takes this card brand, type or currency. The customer needs a card of an accepted network.',
    shopper: 'This card network is not accepted on this shop.',
  },
  amount_limit_exceeded: {
    support: "The amount is over the card's limit. The customer can ask the bank to raise it, pay a smaller amount or use another card.",
    shopper: "The amount is over your card's limit. Use another card, or contact your bank.",
  },
  velocity_exceeded: {
    support: 'The card has been used too often in a short time. Ask the customer to wait and retry later, or to use another card.',
    shopper: 'Your card has been used too many times recently. Try again later or use another card.',
  },
  authentication_required: {
    support: 'The bank asks for 3-D Secure. Retry on the same MID with authentication; the customer completes the bank check.',
    shopper: 'Your bank needs to confirm this payment. Try again and complete the check your bank shows.',
  },
  authentication_failed: {
    support: "The bank's 3-D Secure check failed. Ask the customer to retry and complete the bank's check, or use another card.",
    shopper: "Your bank's security check was not completed. Try again and complete it, or use another card.",
  },
  issuer_unavailable: {
    support: 'The card bank could not be reached. Nothing was charged; retrying in a few minutes usually works.',
    shopper: 'Your bank could not be reached. Please try again in a few minutes.',
  },
  processing_error: {
    support: 'A processing error at the gateway or processor. Nothing was charged; retrying usually works.',
    shopper: 'Something went wrong while processing the payment. Please try again.',
  },
  invalid_amount: {
    support: 'The bank refused the amount itself. Check the order total and currency before retrying.',
    shopper: 'The payment amount could not be processed. Please contact the shop.',
  },
  invalid_merchant: {
    support:
      "The merchant account is the problem (closed, not activated or misconfigured), not the customer's card. Tell the payments team.",
    shopper: 'The payment could not be processed. Please try again later.',
  },
  duplicate_transaction: {
    support: 'The gateway saw this as a duplicate. Look for an earlier charge of the same order before any retry, to avoid charging twice.',
    shopper: 'This payment looks like one already made. Check your statement before paying again.',
  },
  risk_blocked: {
    support:
      "The shop's own fraud rules at the gateway blocked the payment before the bank decided. Review it in the gateway's risk tools.",
    shopper: 'The payment could not be completed. Use another card, or contact the shop.',
  },
  revocation_of_authorization: {
    support: 'The cardholder revoked the recurring authorization with their bank. Cancel the subscription; never retry this card.',
    shopper: 'Your bank stopped this recurring payment at your request. Contact the shop to set up payment again.',
  },
  do_not_retry: {
    support: 'The bank said never to try this card again. The customer must use another card.',
    shopper: 'Your card was declined. Use another card.',
  },
  call_issuer: {
    support: 'The bank asks the customer to call them. After the call the same card may work; another card also helps.',
    shopper: 'Your bank asks you to call them. Call the number on the back of your card, or use another card.',
  },
  pin_error: {
    support: 'Wrong PIN or too many PIN tries. The customer must use the right PIN, wait for the bank to reset it, or use another card.',
    shopper: 'The PIN was incorrect. Try again, or use another card.',
  },
};

/** Notes for attempts that failed without a decline. */
export const OUTCOME_ADVICE = {
  /** The gateway answered with an error: nothing was charged on this MID. */
  error: {
    support:
      'The gateway answered with an error, not a decline; nothing was charged on this MID. Its own message says why; the router may have tried another MID.',
    shopper: 'Something went wrong while processing the payment. Please try again.',
  },
  /** The outcome is unknown (timeout): the gateway may have charged. */
  pending: {
    support:
      'The outcome is not known yet (the gateway did not answer in time): it may have charged. Do not charge again; reconcile() settles it from the gateway.',
    shopper: 'We are confirming your payment. Please do not pay again; check your e-mail or statement shortly.',
  },
  /** The gateway proved nothing was done (a lookup found nothing, an authentication lapsed). */
  failed: {
    support: 'The gateway has no record of this attempt: nothing was charged. The customer can try again.',
    shopper: 'The payment did not go through and nothing was charged. Please try again.',
  },
  /** The bank asked the cardholder to authenticate. */
  requires_action: {
    support:
      "The bank asked for 3-D Secure and the customer has not completed it on this attempt. They can retry and complete the bank's check.",
    shopper: 'Your bank needs to confirm this payment. Complete the check your bank shows.',
  },
} as const satisfies Record<string, DeclineAdvice>;

const BRAND_NAMES: Readonly<Record<string, string>> = {
  visa: 'Visa',
  mastercard: 'Mastercard',
  'american-express': 'American Express',
  amex: 'American Express',
  discover: 'Discover',
  jcb: 'JCB',
  'diners-club': 'Diners Club',
  unionpay: 'UnionPay',
  maestro: 'Maestro',
};

/** `['visa', 'mastercard']` → `'Visa and Mastercard'`. */
function brandList(brands: readonly string[]): string {
  const names = brands.map((b) => BRAND_NAMES[b] ?? b);
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * The notes of a failed attempt: by its decline reason, else by its status (error, unknown
 * outcome, nothing done, authentication). Approved attempts have none. With the brands the shop
 * accepts, `card_not_supported` names them.
 * @example
 * adviceFor({ status: 'declined', reason: 'card_not_supported' }, { brands: ['visa', 'mastercard'] }).shopper
 * // 'This card network is not accepted on this shop (Visa and Mastercard only).'
 */
export function adviceFor(
  attempt: { status: string; reason?: string | undefined },
  shop: { brands?: readonly string[] | undefined } = {},
): DeclineAdvice | undefined {
  const reason = attempt.reason as DeclineReason | undefined;
  if (attempt.status === 'declined' && reason && Object.hasOwn(DECLINE_ADVICE, reason)) {
    const a = DECLINE_ADVICE[reason];
    if (reason === 'card_not_supported' && shop.brands?.length)
      return { support: a.support, shopper: `${a.shopper.slice(0, -1)} (${brandList(shop.brands)} only).` };
    return a;
  }
  if (attempt.status === 'declined') return DECLINE_ADVICE.generic_decline;
  if (attempt.status in OUTCOME_ADVICE) return OUTCOME_ADVICE[attempt.status as keyof typeof OUTCOME_ADVICE];
  return undefined;
}
