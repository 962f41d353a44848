/** Card facts derived once per request: what the store keeps, what rules see, what the gateway gets. @module */
import type { CardInput } from '../types';
import type { RoutingContext } from '../profile/compile';
import type { StoredCard } from '../store/types';
import { fingerprintPan } from '../card/pan';
import type { RouterContext } from '../context';
import type { ParsedCard, ValidPayment } from './validate';

/** BIN, last four, brand and keyed fingerprint: the only card data that reaches the store. */
export async function storedCard(ctx: RouterContext, card: ParsedCard): Promise<StoredCard> {
  return {
    bin: card.digits.slice(0, 6),
    last4: card.digits.slice(-4),
    brand: card.brand,
    fingerprint: fingerprintPan(card.digits, await ctx.fingerprintKey()),
    expMonth: card.expMonth,
    expYear: card.expYear,
    ...(card.token && { tokenType: card.token.type }),
  };
}

/** What routing rules see of a request. */
export function routingContext(ctx: RouterContext, kind: RoutingContext['kind'], r: ValidPayment, card: ParsedCard): RoutingContext {
  return {
    kind,
    brand: card.brand,
    bin: card.digits.slice(0, 8),
    binNumber: Number(card.digits.slice(0, 8).padEnd(8, '0')),
    binInfo: ctx.bins?.lookup(card.digits),
    amount: r.amount,
    currency: r.currency,
    customerCountry: r.customer?.country?.toUpperCase(),
    billingCountry: r.billing?.country?.toUpperCase(),
    tags: r.tags ?? [],
    metadata: r.metadata ?? {},
    ...(card.token && { tokenType: card.token.type }),
  };
}

/** The card as the adapter sends it to the gateway (the only place the PAN, a token and its cryptogram travel). */
export function cardForGateway(card: ParsedCard): CardInput {
  if (card.token) {
    return {
      networkToken: card.digits,
      expMonth: card.expMonth,
      expYear: card.expYear,
      cryptogram: card.token.cryptogram,
      eci: card.token.eci,
      tokenType: card.token.type,
      holderName: card.holderName,
    };
  }
  return { number: card.digits, expMonth: card.expMonth, expYear: card.expYear, cvc: card.cvc, holderName: card.holderName };
}
