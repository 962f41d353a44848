/**
 * What the payment page tells a customer after a decline: advice for the standard reason, written
 * for the cardholder. Lost, stolen and fraud declines get the generic advice (never tell a
 * shopper the card was reported stolen).
 * @module
 */
import type { DeclineReason } from '../declines/reasons';

const TRY_ANOTHER = 'Your bank declined the payment. Use another card, or contact your bank.';

const ADVICE: Partial<Record<DeclineReason, string>> = {
  insufficient_funds: 'Your bank declined the payment: not enough funds or credit. Use another card, or try again later.',
  amount_limit_exceeded: "The amount is over this card's limit. Use another card, or ask your bank to raise the limit.",
  velocity_exceeded: 'This card has reached its number of payments for now. Use another card, or contact your bank.',
  incorrect_cvc: 'The security code (CVC) did not match. Check the 3 or 4 digits on your card and try again.',
  incorrect_number: 'The card number is not right. Check it and try again, or use another card.',
  invalid_account: 'The card number is not right. Check it and try again, or use another card.',
  expired_card: 'This card has expired. Use another card.',
  invalid_expiry_date: 'The expiry date is not right. Check it and try again.',
  incorrect_address: 'Your bank could not verify the billing address. Use another card, or contact your bank.',
  new_account_information: 'Your bank has new details for this card. Use your new card, or contact your bank.',
  card_not_supported: 'This type of card cannot be used here. Use another card.',
  transaction_not_allowed: 'Your bank does not allow this kind of payment on this card. Use another card, or contact your bank.',
  authentication_required: 'Your bank asks you to confirm this payment (3-D Secure). Use another card, or contact your bank.',
  authentication_failed: 'The payment could not be confirmed with your bank. Try again, or use another card.',
  issuer_unavailable: 'Your bank could not be reached. Try again in a few minutes, or use another card.',
  processing_error: 'The payment could not be processed. Try again in a few minutes, or use another card.',
  call_issuer: 'Your bank asks you to call them before this payment can go through. Or use another card.',
  pin_error: TRY_ANOTHER,
  duplicate_transaction: 'This looks like a payment you just made. Check your bank statement before paying again.',
};

/**
 * The advice a customer sees for a decline reason.
 * @example
 * shopperAdvice('incorrect_cvc') // 'The security code (CVC) did not match. Check the 3 or 4 digits on your card and try again.'
 * shopperAdvice('stolen_card')   // 'Your bank declined the payment. Use another card, or contact your bank.'
 */
export function shopperAdvice(reason: string | undefined): string {
  return (reason && ADVICE[reason as DeclineReason]) || TRY_ANOTHER;
}
