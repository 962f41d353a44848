/**
 * Stored credentials per MID: which of a pin's credentials a MID can charge, and what a move to
 * another MID does to them. A gateway's token and transaction id belong to that gateway (and to
 * the MIDs sharing its vault, `tokenScope`); the network transaction id is portable to another
 * acquirer, but only together with the card, and only where the gateway takes one from elsewhere.
 * Pure functions of the pin, the configuration and the vault's abilities: a dry run and the real
 * run of a migration decide the same way.
 * @module
 */
import type { MidRuntime } from '../accounts';
import type { GatewayApproved } from '../adapter';
import type { PinCredential, PinRecord } from '../store/types';
import { type CardVault, canReveal } from './vault';

/**
 * A pin's credentials. A pin written before credentials were kept per MID (and not migrated)
 * holds its initial transaction's ids at the top level: they are its pinned MID's.
 */
export function credentialsOf(pin: PinRecord): PinCredential[] {
  if (pin.credentials) return pin.credentials;
  return [
    {
      mid: pin.mid,
      gateway: pin.gateway,
      ...(pin.gatewayToken !== undefined && { gatewayToken: pin.gatewayToken }),
      gatewayTransactionId: pin.gatewayTransactionId,
      ...(pin.networkTransactionId !== undefined && { networkTransactionId: pin.networkTransactionId }),
      transactionId: pin.transactionId,
      origin: 'customer',
      at: pin.createdAt,
    },
  ];
}

/** The credential an approval makes on a MID (undefined fields left out). */
export function credentialOf(
  mid: MidRuntime,
  answer: GatewayApproved,
  transactionId: string,
  origin: PinCredential['origin'],
  at: number,
): PinCredential {
  return {
    mid: mid.id,
    gateway: mid.adapter.gateway,
    ...(mid.tokenScope !== undefined && { scope: mid.tokenScope }),
    ...(answer.gatewayToken !== undefined && { gatewayToken: answer.gatewayToken }),
    gatewayTransactionId: answer.gatewayTransactionId,
    ...(answer.networkTransactionId !== undefined && { networkTransactionId: answer.networkTransactionId }),
    transactionId,
    origin,
    at,
  };
}

const scopeOf = (c: PinCredential, mids: ReadonlyMap<string, MidRuntime>) => c.scope ?? mids.get(c.mid)?.tokenScope;

/**
 * The credential `mid` can use: its own, else one made on a MID of the same gateway and token
 * scope (the newest first). Never another gateway's.
 */
export function credentialOn(pin: PinRecord, mid: MidRuntime, mids: ReadonlyMap<string, MidRuntime>): PinCredential | undefined {
  const all = credentialsOf(pin);
  const own = all.find((c) => c.mid === mid.id);
  if (own?.gatewayToken) return own;
  const scope = mid.tokenScope;
  const shared =
    scope === undefined
      ? undefined
      : [...all]
          .reverse()
          .find((c) => c.mid !== mid.id && c.gateway === mid.adapter.gateway && scopeOf(c, mids) === scope && c.gatewayToken);
  return shared ?? own;
}

/** The network transaction id that carries the stored-credential agreement: the newest customer-initiated one. */
export function portableNetworkTransactionId(pin: PinRecord): string | undefined {
  const all = credentialsOf(pin);
  const fromCustomer = [...all].reverse().find((c) => c.origin === 'customer' && c.networkTransactionId);
  return fromCustomer?.networkTransactionId ?? [...all].reverse().find((c) => c.networkTransactionId)?.networkTransactionId;
}

/** What a MID can charge a subscription with, without the caller giving the card. */
export type CredentialVerdict =
  /** A token of this gateway that works on the MID. */
  | { move: 'as_is'; credential: PinCredential; why: string }
  /** The MID needs the card again; `vault` says whether the router's vault can give it. */
  | { move: 'retokenize'; vault: boolean; credential?: PinCredential | undefined; networkTransactionId?: string | undefined; why: string }
  /** Nothing portable: the customer must enter the card again (a customer-initiated transaction). */
  | { move: 'needs_customer'; why: string };

/** What `mid` can charge `pin` with (the same answer for a migration's dry run, its real run and a rebill). */
export function assessCredential(
  pin: PinRecord,
  mid: MidRuntime,
  mids: ReadonlyMap<string, MidRuntime>,
  vault: CardVault,
): CredentialVerdict {
  const gateway = mid.adapter.gateway;
  const vaulted = canReveal(vault, pin.vaultReference);
  const fromVault = vaulted
    ? `the ${vault.name} vault gives the card back at charge time`
    : `no vault (${vault.name}) can give the card back`;
  const c = credentialOn(pin, mid, mids);
  if (c?.gatewayToken) {
    const where = c.mid === mid.id ? `its own ${gateway} token` : `the ${gateway} token made on ${c.mid} (same token scope)`;
    return { move: 'as_is', credential: c, why: `${mid.id} charges ${where}` };
  }
  if (c)
    return {
      move: 'retokenize',
      vault: vaulted,
      credential: c,
      why: `${mid.id} keeps no ${gateway} token: it needs the card; ${fromVault}`,
    };
  const ntid = portableNetworkTransactionId(pin);
  if (!ntid) return { move: 'needs_customer', why: `no network transaction id to carry the stored-credential agreement to ${gateway}` };
  if (!mid.adapter.capabilities.networkTransactionIdWithCard) {
    return { move: 'needs_customer', why: `${gateway} takes no network transaction id from another acquirer: only its own token works` };
  }
  return {
    move: 'retokenize',
    vault: vaulted,
    networkTransactionId: ntid,
    why: `${gateway} takes the card with the network transaction id; ${fromVault}`,
  };
}
