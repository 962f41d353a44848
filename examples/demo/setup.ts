/**
 * The demo merchant: a Konnektive-style setup on simulated gateways.
 *
 * - `core`: a weighted pool (load balancer) of three MIDs with monthly caps; `anet-1` takes no Amex.
 * - `overflow`: a second weighted pool, tried after `core` (cascade) and when `core` is capped.
 * - prepaid cards (from the BIN table) go to a prepaid-friendly MID first (`prepaid` pool).
 * - cascade: up to 3 MIDs, only on soft declines (do not honor, processor errors, MID problems…).
 *
 * Each MID is a `sandbox()` gateway whose `respond` draws from a seeded PRNG: its own approval
 * rate, decline mix (ISO 8583 response codes) and latency.
 * @module
 */
import { sandbox, type SandboxResponse } from '../../adapters/sandbox';
import type { BinRow, MerchantAccountConfig, ProfileInput } from '../../src/index';
import { pickWeighted, seeded, seedFor, type Random } from './random';

/** How a simulated MID answers. */
export interface MidBehaviour {
  /** Share of payments approved (0–1). */
  approvalRate: number;
  /** Of the declines: `[ISO 8583 code, weight]`. */
  declineMix: ReadonlyArray<readonly [string, number]>;
  /** Mean latency in ms (the demo keeps it small so a few thousand payments take seconds). */
  latencyMs: number;
}

/** A demo MID: router settings plus the simulated gateway's behaviour. */
export interface DemoMid {
  id: string;
  /** The processor this MID stands in for (a label; every MID here is a sandbox). */
  label: string;
  pool: 'core' | 'overflow' | 'prepaid';
  weight?: number;
  brands?: string[];
  monthlyCap?: number;
  behaviour: MidBehaviour;
}

const ISSUER_MIX = [
  ['05', 38],
  ['51', 26],
  ['54', 4],
  ['N7', 3],
  ['59', 3],
  ['61', 4],
  ['62', 2],
  ['91', 6],
  ['96', 5],
  ['41', 1],
  ['43', 1],
  ['14', 2],
] as const;

/** The merchant accounts of the demo. Monthly caps are in cents (USD). */
export const DEMO_MIDS: readonly DemoMid[] = [
  {
    id: 'nmi-1',
    label: 'NMI',
    pool: 'core',
    weight: 40,
    monthlyCap: 4_500_000,
    behaviour: { approvalRate: 0.72, declineMix: ISSUER_MIX, latencyMs: 3 },
  },
  {
    id: 'anet-1',
    label: 'Authorize.Net',
    pool: 'core',
    weight: 35,
    brands: ['visa', 'mastercard', 'discover'],
    monthlyCap: 3_500_000,
    behaviour: { approvalRate: 0.68, declineMix: [...ISSUER_MIX, ['05', 20]], latencyMs: 4 },
  },
  {
    id: 'bt-1',
    label: 'Braintree',
    pool: 'core',
    weight: 25,
    monthlyCap: 1_500_000,
    behaviour: { approvalRate: 0.64, declineMix: [...ISSUER_MIX, ['03', 6]], latencyMs: 5 },
  },
  { id: 'stripe-1', label: 'Stripe', pool: 'overflow', weight: 60, behaviour: { approvalRate: 0.7, declineMix: ISSUER_MIX, latencyMs: 4 } },
  {
    id: 'adyen-1',
    label: 'Adyen',
    pool: 'overflow',
    weight: 40,
    monthlyCap: 3_000_000,
    behaviour: { approvalRate: 0.66, declineMix: [...ISSUER_MIX, ['51', 10]], latencyMs: 6 },
  },
  {
    id: 'pp-1',
    label: 'NMI (prepaid)',
    pool: 'prepaid',
    behaviour: {
      approvalRate: 0.55,
      declineMix: [
        ['51', 50],
        ['05', 25],
        ['61', 15],
        ['96', 10],
      ],
      latencyMs: 3,
    },
  },
];

/** Card BIN ranges of the simulation; the prepaid rows drive the prepaid redirect. */
export const DEMO_BINS: readonly BinRow[] = [
  { start: '411111', scheme: 'visa', type: 'credit', prepaid: false, country: 'US', issuer: 'First Demo Bank' },
  { start: '400551', scheme: 'visa', type: 'debit', prepaid: false, country: 'US', issuer: 'Demo Credit Union' },
  { start: '440393', scheme: 'visa', type: 'debit', prepaid: true, country: 'US', issuer: 'Demo Prepaid Co' },
  { start: '555555', scheme: 'mastercard', type: 'credit', prepaid: false, country: 'US', issuer: 'Second Demo Bank' },
  { start: '514615', scheme: 'mastercard', type: 'debit', prepaid: true, country: 'US', issuer: 'Demo Prepaid Co' },
  { start: '378282', scheme: 'amex', type: 'credit', prepaid: false, country: 'US', issuer: 'American Express' },
  { start: '601111', scheme: 'discover', type: 'credit', prepaid: false, country: 'US', issuer: 'Discover' },
];

/** Card mix of the simulated customers: `[BIN, PAN length, weight]`. */
export const CARD_MIX: ReadonlyArray<readonly [string, number, number]> = [
  ['411111', 16, 34],
  ['400551', 16, 16],
  ['440393', 16, 6],
  ['555555', 16, 24],
  ['514615', 16, 4],
  ['378282', 15, 12],
  ['601111', 16, 4],
];

/** The routing profile: what a CRM calls a load balancer, a prepaid redirect and a cascade profile. */
export const DEMO_PROFILE: ProfileInput = {
  id: 'checkout',
  pools: {
    core: { strategy: 'weighted', members: DEMO_MIDS.filter((m) => m.pool === 'core').map((m) => ({ mid: m.id, weight: m.weight! })) },
    overflow: {
      strategy: 'weighted',
      members: DEMO_MIDS.filter((m) => m.pool === 'overflow').map((m) => ({ mid: m.id, weight: m.weight! })),
    },
    prepaid: { strategy: 'priority', members: [{ mid: 'pp-1' }] },
  },
  rules: [{ name: 'prepaid cards to the prepaid MID', when: { card: { prepaid: true } }, route: ['prepaid', 'overflow'] }],
  route: ['core', 'overflow'],
  cascade: { maxAttempts: 3, on: 'soft' },
  salvage: { attempts: [{ afterDays: 3 }, { afterDays: 7, amountPercent: 50 }] },
};

const MESSAGES: Record<string, string> = {
  '03': 'Invalid Merchant',
  '05': 'Do Not Honor',
  '14': 'Invalid Card Number',
  '41': 'Lost Card, Pick Up',
  '43': 'Stolen Card, Pick Up',
  '51': 'Insufficient Funds',
  '54': 'Expired Card',
  '59': 'Suspected Fraud',
  '61': 'Exceeds Approval Amount Limit',
  '62': 'Restricted Card',
  '91': 'Issuer Unavailable',
  '96': 'System Malfunction',
  N7: 'Decline for CVV2 failure',
};

/** The simulated gateway answer of one MID: approve at its rate, else draw a decline from its mix. */
export function respondFor(behaviour: MidBehaviour, random: Random): () => SandboxResponse {
  return () => {
    if (random() < behaviour.approvalRate) return { status: 'approved' };
    const code = pickWeighted(random, behaviour.declineMix);
    return { status: 'declined', code, message: MESSAGES[code] ?? 'Declined' };
  };
}

/** Merchant accounts on seeded sandboxes. */
export function demoMerchantAccounts(seed: number): MerchantAccountConfig[] {
  return DEMO_MIDS.map((m) => {
    const random = seeded(seedFor(seed, m.id));
    const jitter = seeded(seedFor(seed, `${m.id}:latency`));
    return {
      id: m.id,
      adapter: sandbox({
        id: m.id,
        respond: respondFor(m.behaviour, random),
        // Latency between half and one and a half times the mean.
        latencyMs: () => Math.round(m.behaviour.latencyMs * (0.5 + jitter())),
      }),
      currencies: ['USD'],
      brands: m.brands,
      caps: m.monthlyCap ? { monthly: { amount: m.monthlyCap } } : undefined,
      descriptor: `DEMO*${m.id.toUpperCase()}`,
      // One legal entity: the networks add its MIDs up. The merchant's own early brake on each MID.
      entity: 'Demo Commerce LLC',
      disputes: { warnAt: 0.009, pauseAt: 0.013 },
    };
  });
}
