/**
 * The decline tables Switchyard ships, assembled here at the package entry so that the core
 * (`src/declines/`) never imports an adapter: each adapter carries its own table, and this
 * registry only serves the public `normalizeDecline` for callers that name a gateway by id.
 * @module
 */
import { adyenDeclines } from '../adapters/adyen/declines';
import { authorizenetDeclines } from '../adapters/authorizenet/declines';
import { braintreeDeclines } from '../adapters/braintree/declines';
import { checkoutDeclines } from '../adapters/checkout/declines';
import { nmiDeclines } from '../adapters/nmi/declines';
import { sandboxDeclines } from '../adapters/sandbox/declines';
import { stripeDeclines } from '../adapters/stripe/declines';
import { type DeclineInput, type NormalizeOptions, normalizeWithTables } from './declines/normalize';
import { paypalDeclines } from './declines/paypal';
import type { NormalizedDecline } from './declines/reasons';
import type { GatewayDeclineTable } from './declines/tables';

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

/**
 * One standard reason for any gateway's "no".
 * Order: your rules → the gateway's own codes, then its fixed refusal texts → ISO 8583 (where the
 * gateway passes network codes through) → the message classifier → the gateway's code families →
 * `generic_decline`. An unspecific result (`generic_decline`, `do_not_honor`) is named by a failed
 * CVV, then AVS, check when the gateway reported one (`cvvResult`, `avsResult`); a pick-up that
 * names its cause keeps the cause and is never retried; merchant advice (Mastercard MAC, Stripe
 * `advice_code`) is applied last and only makes a decline stricter. Never throws.
 * @example
 * normalizeDecline({ gateway: 'iso8583', code: '51' }).reason                 // 'insufficient_funds'
 * normalizeDecline({ gateway: 'nmi', message: 'Pick up card - L/S' }).retry   // 'never'
 * normalizeDecline({ gateway: 'sandbox', code: '05', advice: '03' }).reason   // 'do_not_retry' (MAC 03)
 * normalizeDecline({ gateway: 'iso8583', code: '51', advice: '25' }).retryDelayMs // 86_400_000
 * normalizeDecline({ gateway: 'authorizenet', code: '2', cvvResult: 'N' }).reason  // 'incorrect_cvc'
 * normalizeDecline({ gateway: 'iso8583', code: '33' })                              // expired_card, retry 'never' (pick-up)
 */
export function normalizeDecline(input: DeclineInput, options: NormalizeOptions = {}): NormalizedDecline {
  const opts = options !== null && typeof options === 'object' ? options : {};
  return normalizeWithTables(input, { ...opts, tables: opts.tables ?? BUILTIN_DECLINE_TABLES });
}
