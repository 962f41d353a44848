/**
 * Mastercard express consent for negative-option trials: recording the cardholder's answer and
 * the facts the consent message must state.
 * @module
 */
import { Ok, type Result } from 'ts-results-es';
import type { RouterContext } from '../context';
import { rejected } from '../transaction/results';
import type { Failure } from '../types';
import { isNegativeOptionTrial, pinData } from './pin';

/** A cardholder's answer to the express consent request. */
export interface ConsentInput {
  given: boolean;
  /** When it was given (ms since epoch). */
  at: number;
  /** How: 'email', 'sms', 'web', 'phone'… */
  channel: string;
}

/** The facts the express consent message must state. */
export interface ConsentDetails {
  subscriptionId: string;
  mid: string;
  /** Statement descriptor the cardholder will see. */
  descriptor?: string | undefined;
  trialAmount: number;
  recurringAmount?: number | undefined;
  currency: string;
  trialStartedAt: number;
  firstRebillAt?: number | undefined;
  /** How to cancel (from the MID's `cancellation` setting). */
  cancellation?: string | undefined;
  negativeOptionTrial: boolean;
  consent?: ConsentInput | undefined;
}

/** Record the cardholder's express consent; `given: false` cancels further rebills. */
export async function recordConsent(
  ctx: RouterContext,
  subscriptionId: string,
  consent: ConsentInput,
): Promise<Result<ConsentInput, Failure>> {
  let record: ConsentInput;
  try {
    if (typeof consent !== 'object' || consent === null) return rejected('validation', 'given: must be true or false', { field: 'given' });
    const { given, at, channel } = consent;
    if (typeof given !== 'boolean') return rejected('validation', 'given: must be true or false', { field: 'given' });
    if (!Number.isSafeInteger(at) || at <= 0) return rejected('validation', 'at: must be a time in ms since epoch', { field: 'at' });
    if (typeof channel !== 'string' || !channel.trim() || channel.length > 64) {
      return rejected('validation', 'channel: must name how consent was collected', { field: 'channel' });
    }
    record = { given, at, channel };
  } catch {
    return rejected('validation', 'consent: could not be read (a getter threw)', { field: 'consent' });
  }
  const pin = typeof subscriptionId === 'string' ? await ctx.store.getPin(subscriptionId) : undefined;
  if (!pin) return rejected('unknown_subscription', 'subscriptionId: no such pinned subscription', { field: 'subscriptionId' });
  await ctx.store.write({
    updatePin: {
      subscriptionId,
      patch: { data: { ...pinData(pin), consent: record }, ...(!record.given && { status: 'cancelled' as const }) },
      now: ctx.clock(),
    },
  });
  return Ok(record);
}

/** What the consent message must say, from the pin and the MID. */
export async function consentDetails(ctx: RouterContext, subscriptionId: string): Promise<ConsentDetails | undefined> {
  const pin = await ctx.store.getPin(subscriptionId);
  if (!pin) return undefined;
  const mid = ctx.mids.get(pin.mid);
  const data = pinData(pin);
  return {
    subscriptionId,
    mid: pin.mid,
    descriptor: mid?.merchant.descriptor,
    trialAmount: pin.initialAmount,
    recurringAmount: pin.recurringAmount,
    currency: pin.currency,
    trialStartedAt: pin.createdAt,
    firstRebillAt: data.firstRebillAt,
    cancellation: mid?.cancellation,
    negativeOptionTrial: isNegativeOptionTrial(pin),
    consent: data.consent,
  };
}
