/**
 * The card vault seam: where the cards of subscriptions are kept for later charges. Switchyard
 * never stores a card. The shipped vault, `gatewayVaults()`, leaves each card in the vault of the
 * gateway that charged it (customer profiles, customer vault, stored payment methods…); your PCI
 * vault provider plugs in with `store` and `reveal`, so a subscription moved to another gateway
 * can be charged there with the card again (re-tokenization at charge time).
 * @module
 */
import type { CardInput } from '../types';

/** What a vault is told about the card it keeps or gives back. */
export interface VaultContext {
  subscriptionId: string;
  /** The first MID the initial transaction's route tries (`store`), or the MID a rebill goes to (`reveal`). */
  mid: string;
  gateway: string;
  /** Your customer id, when the request carried one. */
  customerId?: string | undefined;
}

/**
 * Where subscription cards are kept. A small interface: implement `store` and `reveal` over your
 * PCI vault provider (they receive and return card data, so they run in your PCI scope).
 * @example
 * const vault: CardVault = {
 *   name: 'my-pci-vault',
 *   gatewayVaults: true,
 *   store: async (card) => (await pci.tokenize(card)).id,
 *   reveal: async (reference) => pci.detokenize(reference),
 * };
 * createRouter({ ..., vault });
 */
export interface CardVault {
  /** Shown in migration reports and refusals, e.g. `gateway vaults`. */
  readonly name: string;
  /**
   * Ask each MID's gateway to keep the card on the initial transaction of a subscription, where its
   * adapter can (`storedCredential.storeCard`). False: gateways are asked to keep nothing.
   */
  readonly gatewayVaults: boolean;
  /**
   * Keep the card of a subscription's initial transaction (called before the gateway call, with
   * the card as the checkout gave it). Resolves with the vault's reference to it, kept on the pin.
   */
  store?(card: CardInput, context: VaultContext): Promise<string>;
  /**
   * The card behind a reference, at charge time: a rebill on a MID that holds no token of its own
   * (after a re-pin to another gateway). Undefined when the vault no longer has it.
   */
  reveal?(reference: string, context: VaultContext): Promise<CardInput | undefined>;
}

/**
 * The default vault: cards stay in the vaults of the gateways that charged them (Authorize.Net
 * customer payment profiles where the MID opts in, NMI customer vault, Braintree vault, Adyen
 * stored payment methods, Checkout.com instruments, Stripe payment methods). It cannot give a card
 * back, so a subscription moved to another gateway needs a network transaction id the new
 * gateway accepts together with the card, which only a vault with `reveal` (or the caller) has.
 * @example
 * createRouter({ ..., vault: gatewayVaults() });
 */
export function gatewayVaults(): CardVault {
  return Object.freeze({ name: 'gateway vaults', gatewayVaults: true });
}

/** Whether a vault can give back the card of a pin that has a vault reference. */
export function canReveal(vault: CardVault, reference: string | undefined): boolean {
  return reference !== undefined && typeof vault.reveal === 'function';
}

/** Problems with a `vault` given to `createRouter` (empty when fine). */
export function vaultProblems(v: unknown): Array<{ path: string; message: string }> {
  if (v === undefined) return [];
  const shape = 'must be a card vault: { name, gatewayVaults, store?, reveal? } (e.g. gatewayVaults())';
  if (typeof v !== 'object' || v === null) return [{ path: 'vault', message: shape }];
  const o = v as Record<string, unknown>;
  const out: Array<{ path: string; message: string }> = [];
  if (typeof o.name !== 'string' || !o.name) out.push({ path: 'vault.name', message: 'must be a non-empty string' });
  if (typeof o.gatewayVaults !== 'boolean') out.push({ path: 'vault.gatewayVaults', message: 'must be true or false' });
  for (const k of ['store', 'reveal'])
    if (o[k] !== undefined && typeof o[k] !== 'function') out.push({ path: `vault.${k}`, message: 'must be a function' });
  return out;
}
