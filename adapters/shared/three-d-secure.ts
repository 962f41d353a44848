/**
 * What the adapters that finish 3-D Secure by authorizing again share (NMI, Authorize.Net,
 * Braintree): the action that tells the checkout page to run the authentication in the browser
 * (or on the merchant's own 3-D Secure server), and the payment a completion re-sends with the
 * authentication values, on the same MID, under the completion's own reference.
 * @module
 */
import type {
  GatewayAuthenticationRequest,
  GatewayCompletionRequest,
  GatewayDeclined,
  GatewayError,
  GatewayPaymentRequest,
  GatewayRequiresAction,
} from '../../src/adapter';
import { toDecimalString } from '../../src/money';

/**
 * The `requires_action` answer of a gateway whose 3-D Secure runs client-side before the
 * authorization: an `sdk` action with the amount, currency and BIN the page needs. No call is made.
 * @example
 * clientSideAction('nmi', req, { flow: 'gateway.js' }).action // { type: 'sdk', gateway: 'nmi', data: { flow: 'gateway.js', amount: '19.99', … } }
 */
export function clientSideAction(gateway: string, req: GatewayAuthenticationRequest, data: Record<string, unknown>): GatewayRequiresAction {
  return {
    status: 'requires_action',
    action: {
      type: 'sdk',
      gateway,
      data: {
        ...data,
        reason: req.reason,
        amount: toDecimalString(req.amount, req.currency),
        currency: req.currency,
        ...(req.card?.number && { bin: req.card.number.replace(/[\s-]/g, '').slice(0, 6) }),
      },
    },
  };
}

/** What a re-sent authorization needs from the completion input. */
export interface ResendNeeds {
  /** The card again (the router never stores the PAN). */
  card: boolean;
  /** Which authentication values must be present. */
  threeDS: ReadonlyArray<'eci' | 'cavv'>;
}

/**
 * The payment a completion re-sends: the same amount, currency and stored-credential framing,
 * the card and the 3-D Secure values from the input, and the completion's reference as the order
 * id (a lookup then finds what the completion did). A missing value is a clear error naming it.
 */
export function resendPayment(req: GatewayCompletionRequest, needs: ResendNeeds): GatewayPaymentRequest | GatewayError {
  const invalid = (field: string, message: string): GatewayError => ({
    status: 'error',
    ambiguous: false,
    code: 'invalid_request',
    message: `${field}: ${message}`,
  });
  const { card, threeDS } = req.input;
  if (needs.card && !card?.number)
    return invalid('input.card', 'is required: this gateway authorizes again with the card and the 3-D Secure values');
  for (const k of needs.threeDS) if (!threeDS?.[k]) return invalid(`input.threeDS.${k}`, 'is required');
  return {
    reference: req.completionReference,
    transactionId: req.transactionId,
    amount: req.amount,
    currency: req.currency,
    ...(card && { card }),
    ...(threeDS && { threeDS }),
    ...(req.storedCredential && { storedCredential: req.storedCredential }),
    merchant: req.merchant,
  };
}

/**
 * The checkout page reports that the cardholder failed or refused the authentication it ran
 * (`input.authenticated: false`: Gateway.js, your 3-D Secure server or `verifyCard` said no):
 * a decline the router reads as `authentication_failed`, with no call, so nothing is charged.
 * @example
 * failedAuthentication({ input: { authenticated: false } })?.status // 'declined'
 */
export function failedAuthentication(req: Pick<GatewayCompletionRequest, 'input'>): GatewayDeclined | undefined {
  if (req.input.authenticated !== false) return undefined;
  return { status: 'declined', message: 'Cardholder authentication failed (reported by the checkout page); nothing was sent' };
}
