/**
 * The six fake gateways of the fault suite, one MID each, with a uniform view of their books:
 * what each fake itself recorded as charged, captured and refunded, by our reference. The books
 * are the truth the ledger is audited against.
 */
import { REFERENCE_KEY } from '../../adapters/stripe/wire';
import type { Fault } from '../support/fake-server';
import { type FakeAdyen, startFakeAdyen } from '../fakes/adyen';
import { type AuthorizeNetFake, startAuthorizeNetFake } from '../fakes/authorizenet';
import { type BraintreeFake, startBraintreeFake } from '../fakes/braintree';
import { type CheckoutFake, startCheckoutFake } from '../fakes/checkout';
import { type NmiFake, startNmiFake } from '../fakes/nmi';
import { type StripeFake, startStripeFake } from '../fakes/stripe';
import type { FakeWebhooks } from '../support/webhook-sender';
import { CHECKOUT_SECRET, NMI_KEY, STRIPE_KEY } from './adapters';

/** One payment as a fake gateway booked it (minor units). */
export interface BookEntry {
  /** Our reference (the attempt id) the payment carries. */
  reference: string;
  amount: number;
  captured: number;
  refunded: number;
  /** Voided by the gateway after approval (no money moved): known to it, but not a charge. */
  voided?: boolean;
}

/** A running fake gateway and how to reach it. */
export interface FakeGateway {
  mid: string;
  gateway: string;
  url: string;
  inject(...faults: Fault[]): void;
  /** Drop the faults still queued on the fake (the outage is over). */
  clearFaults(): number;
  /** Successful payments (authorizations and sales) the fake recorded. */
  book(): BookEntry[];
  /** Spec violations the fake saw (must stay empty). */
  violations(): string[];
  close(): Promise<void>;
}

/** Options of the fakes: their notifications (per MID) and the acquirer's later rejections. */
export interface GatewayOptions {
  webhooks?: (mid: string) => FakeWebhooks;
  /** Share of valid captures / refunds Adyen and Checkout.com reject after accepting them. */
  failures?: { capture?: number; refund?: number; seed?: number };
  /**
   * NMI's duplicate window (seconds; 0 disables it). A test that must see a second charge of
   * the same card and amount (a double charge) turns it off, so the gateway does not hide it.
   */
  nmiDupSeconds?: number;
}

/** The fakes themselves, to drive them (disputes, late refund failures) after `startGateways`. */
export interface RunningFakes {
  stripe: StripeFake;
  adyen: FakeAdyen;
  checkout: CheckoutFake;
  nmi: NmiFake;
  authorizenet: AuthorizeNetFake;
  braintree: BraintreeFake;
}

/** Start the six fakes (`into` receives the fakes themselves). */
export async function startGateways(o: GatewayOptions = {}, into?: Partial<RunningFakes>): Promise<FakeGateway[]> {
  const w = (mid: string) => (o.webhooks ? { webhooks: o.webhooks(mid) } : {});
  const [st, ad, ck, nm, an, bt] = await Promise.all([
    startStripeFake({ secretKey: STRIPE_KEY, ...w('stripe-1') }),
    startFakeAdyen({ apiKey: 'k_test', merchantAccount: 'AcmeECOM', ...w('adyen-1'), ...(o.failures && { failures: o.failures }) }),
    startCheckoutFake({ secretKey: CHECKOUT_SECRET, ...w('checkout-1'), ...(o.failures && { failures: o.failures }) }),
    startNmiFake({ securityKey: NMI_KEY, dupSeconds: o.nmiDupSeconds, ...w('nmi-1') }),
    startAuthorizeNetFake(undefined, w('anet-1')),
    startBraintreeFake(w('braintree-1')),
  ]);
  if (into) Object.assign(into, { stripe: st, adyen: ad, checkout: ck, nmi: nm, authorizenet: an, braintree: bt });
  return [
    {
      mid: 'stripe-1',
      gateway: 'stripe',
      url: st.url,
      inject: st.inject,
      clearFaults: st.clearFaults,
      violations: () => st.violations,
      close: st.close,
      book: () =>
        [...st.intents.values()]
          .filter((pi) => pi.status === 'succeeded' || pi.status === 'requires_capture')
          .map((pi) => ({ reference: pi.metadata[REFERENCE_KEY], amount: pi.amount, captured: pi.amountReceived, refunded: pi.refunded })),
    },
    {
      mid: 'adyen-1',
      gateway: 'adyen',
      url: ad.url,
      inject: (...f) => ad.server.inject(...f),
      clearFaults: () => ad.server.clearFaults(),
      violations: () => ad.violations,
      close: ad.close,
      book: () =>
        [...ad.charges.values()]
          .filter((c) => !c.cancelled)
          .map((c) => ({ reference: c.reference, amount: c.amount.value, captured: c.captured, refunded: c.refunded })),
    },
    {
      mid: 'checkout-1',
      gateway: 'checkout',
      url: ck.url,
      inject: ck.inject,
      clearFaults: ck.clearFaults,
      violations: () => ck.violations,
      close: ck.close,
      book: () =>
        [...ck.payments.values()]
          .filter((p) => p.status === 'Authorized' || p.status === 'Card Verified')
          .map((p) => ({ reference: p.reference, amount: p.amount, captured: p.captured, refunded: p.refunded })),
    },
    {
      mid: 'nmi-1',
      gateway: 'nmi',
      url: nm.url,
      inject: nm.inject,
      clearFaults: nm.clearFaults,
      violations: () => nm.violations,
      close: nm.close,
      book: () =>
        [...nm.charges.values()]
          .filter((c) => c.success && (c.type === 'sale' || c.type === 'auth') && !c.voided)
          .map((c) => ({ reference: c.orderid, amount: c.amount, captured: c.captured, refunded: c.refunded })),
    },
    {
      mid: 'anet-1',
      gateway: 'authorizenet',
      url: an.url,
      inject: (...f) => an.server.inject(...f),
      clearFaults: () => an.server.clearFaults(),
      violations: () => an.violations,
      close: an.close,
      book: () =>
        [...an.charges.values()]
          .filter((c) => !c.voided)
          .map((c) => ({ reference: c.invoiceNumber, amount: c.amount, captured: c.captured, refunded: c.refunded })),
    },
    {
      mid: 'braintree-1',
      gateway: 'braintree',
      url: bt.url,
      inject: (...f) => bt.server.inject(...f),
      clearFaults: () => bt.server.clearFaults(),
      violations: () => bt.violations,
      close: bt.close,
      // Braintree turns a full refund of an unsettled sale into a void: such a sale is VOIDED at
      // the gateway, refunded in the ledger, and still an approval the gateway knows.
      book: () =>
        [...bt.transactions.values()]
          .filter((t) => !['PROCESSOR_DECLINED', 'GATEWAY_REJECTED', 'FAILED'].includes(t.status))
          .map((t) => ({
            reference: t.orderId ?? '',
            amount: t.amount,
            captured: t.captured,
            refunded: t.refunded,
            voided: t.status === 'VOIDED',
          })),
    },
  ];
}
