/**
 * Pins: the MID of a subscription's initial transaction and the stored credential its rebills
 * use. Every path that approves an initial transaction (the live loop, reconciliation, a 3-D
 * Secure completion, a webhook) builds the pin here, from the facts kept on the transaction.
 * @module
 */
import type { MidRuntime } from '../accounts';
import type { GatewayApproved } from '../adapter';
import type { PinRecord, TransactionRecord } from '../store/types';
import { credentialOf } from './credentials';
import type { SalvageState } from './salvage';

/** Consent, salvage and bookkeeping kept in a pin's `data`. */
export interface PinData {
  profile?: string | undefined;
  firstRebillAt?: number | undefined;
  rebills?: number | undefined;
  consent?: { given: boolean; at: number; channel: string } | undefined;
  salvage?: SalvageState | undefined;
}

/** The pin data of a pin (typed). */
export function pinData(pin: PinRecord): PinData {
  return (pin.data ?? {}) as PinData;
}

/** A negative-option trial: the initial price is below the recurring price and a physical product ships. */
export function isNegativeOptionTrial(pin: PinRecord): boolean {
  return pin.physicalProduct === true && pin.recurringAmount !== undefined && pin.initialAmount < pin.recurringAmount;
}

/**
 * The pin an approved initial transaction creates, or undefined when the transaction does not
 * start a subscription. `tx` already carries the approving MID, `mid`. Its credential is that
 * MID's alone (`credentials`); when the subscription is pinned already (a card entered again),
 * settlement adds the credential to the existing pin instead.
 */
export function pinFor(tx: TransactionRecord, answer: GatewayApproved, at: number, mid: MidRuntime): PinRecord | undefined {
  const sub = tx.subscription;
  if (!sub || tx.operation === 'rebill' || !tx.mid || !tx.gateway) return undefined;
  return {
    subscriptionId: sub.id,
    mid: tx.mid,
    gateway: tx.gateway,
    transactionId: tx.id,
    gatewayTransactionId: answer.gatewayTransactionId,
    ...(answer.networkTransactionId !== undefined && { networkTransactionId: answer.networkTransactionId }),
    ...(answer.gatewayToken !== undefined && { gatewayToken: answer.gatewayToken }),
    ...(tx.card && { card: tx.card }),
    currency: tx.currency,
    initialAmount: tx.operation === 'verify' ? 0 : tx.amount,
    ...(sub.recurringAmount !== undefined && { recurringAmount: sub.recurringAmount }),
    ...(sub.physicalProduct !== undefined && { physicalProduct: sub.physicalProduct }),
    status: 'active',
    createdAt: at,
    updatedAt: at,
    data: { profile: tx.profile, ...(sub.firstRebillAt !== undefined && { firstRebillAt: sub.firstRebillAt }) },
    credentials: [credentialOf(mid, answer, tx.id, 'customer', at)],
    ...(sub.vaultReference !== undefined && { vaultReference: sub.vaultReference }),
  };
}
