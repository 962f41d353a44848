/**
 * Routing profile and merchant account shapes, validated with zod. The TypeScript types are
 * inferred from the schemas so the two can never drift apart.
 * @module
 */
import { z } from 'zod';
import { isCurrency } from '../money';
import { canonicalBrand } from '../card/pan';
import { isDeclineReason } from '../declines/reasons';

const oneOrMany = <T extends z.ZodType>(t: T) => z.union([t, z.array(t).min(1)]);
const country = z.string().regex(/^[A-Za-z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code');
const currency = z.string().refine((c) => isCurrency(c), 'must be an ISO 4217 currency code in upper case');
const brand = z.string().refine((b) => canonicalBrand(b) !== undefined, 'unknown card brand');
const binPattern = z
  .string()
  .regex(/^(\d{1,8}|\d{1,8}-\d{1,8})$/, "must be a BIN prefix of 1–8 digits or a range like '400000-400099'")
  .refine((s) => {
    const [a, b] = s.split('-');
    return b === undefined || (a.length === b.length && a <= b);
  }, 'a BIN range needs two ends of the same length, low first');
const reason = z.string().refine(isDeclineReason, 'unknown decline reason');
const amountRange = z
  .strictObject({
    gt: z.number().int().optional(),
    gte: z.number().int().optional(),
    lt: z.number().int().optional(),
    lte: z.number().int().optional(),
  })
  .refine((r) => Object.keys(r).length > 0, 'needs at least one of gt, gte, lt, lte');

/** Matchers on the card (AND). Lists mean "any of". */
export const cardMatcherSchema = z.strictObject({
  brand: oneOrMany(brand).optional(),
  type: oneOrMany(z.enum(['credit', 'debit', 'charge'])).optional(),
  prepaid: z.boolean().optional(),
  country: oneOrMany(country).optional(),
  /** Case-insensitive substring of the issuer's name. */
  issuer: oneOrMany(z.string().min(1)).optional(),
  bin: oneOrMany(binPattern).optional(),
});

/** Conditions of a rule: an AND of matchers, with `any` (OR) and `not`. */
export interface Condition {
  card?: z.infer<typeof cardMatcherSchema> | undefined;
  amount?: { gt?: number | undefined; gte?: number | undefined; lt?: number | undefined; lte?: number | undefined } | undefined;
  currency?: string | string[] | undefined;
  customer?: { country?: string | string[] | undefined } | undefined;
  billing?: { country?: string | string[] | undefined } | undefined;
  /** Any of these tags. */
  tags?: string[] | undefined;
  /** Metadata key → value or list of values. */
  metadata?: Record<string, string | string[]> | undefined;
  /** The operation: `sale`, `authorize`, `verify`. */
  kind?: Array<'sale' | 'authorize' | 'verify'> | 'sale' | 'authorize' | 'verify' | undefined;
  any?: Condition[] | undefined;
  not?: Condition | undefined;
}

/** Schema of `Condition`. */
export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.strictObject({
    card: cardMatcherSchema.optional(),
    amount: amountRange.optional(),
    currency: oneOrMany(currency).optional(),
    customer: z.strictObject({ country: oneOrMany(country).optional() }).optional(),
    billing: z.strictObject({ country: oneOrMany(country).optional() }).optional(),
    tags: z.array(z.string().min(1)).min(1).optional(),
    metadata: z.record(z.string(), oneOrMany(z.string())).optional(),
    kind: oneOrMany(z.enum(['sale', 'authorize', 'verify'])).optional(),
    any: z.array(conditionSchema).min(1).optional(),
    not: conditionSchema.optional(),
  }),
) as z.ZodType<Condition>;

/** 3-D Secure mode of a rule. */
export const threeDSMode = z.enum(['required', 'if_available', 'never']);

/**
 * A rule: decisive (`route` or `reject`, first match wins) or a filter (`exclude` and/or
 * `threeDS`, every match applies). A decisive rule's `threeDS` wins over a filter's.
 */
export const ruleSchema = z
  .strictObject({
    name: z.string().min(1),
    when: conditionSchema,
    route: z.array(z.string().min(1)).min(1, 'must name at least one pool').optional(),
    reject: reason.optional(),
    exclude: z.array(z.string().min(1)).min(1).optional(),
    /**
     * 3-D Secure for the payments this rule matches: `required` (authenticate: external 3-D
     * Secure data, or a challenge on a MID that can run one), `if_available` (the gateway's own
     * choice, and step-up on an `authentication_required` decline), `never` (no challenge and
     * no step-up, e.g. low-risk payments exempt from SCA).
     */
    threeDS: threeDSMode.optional(),
  })
  .refine((r) => (r.route ? 1 : 0) + (r.reject ? 1 : 0) <= 1, 'a rule has either route or reject, not both')
  .refine((r) => r.route || r.reject || r.exclude || r.threeDS, 'a rule needs route, reject, exclude or threeDS');

/** A pool member: a MID and, for weighted pools, its weight. */
export const poolMemberSchema = z.strictObject({
  mid: z.string().min(1),
  weight: z
    .number()
    .refine((w) => Number.isFinite(w) && w > 0, 'must be > 0')
    .optional(),
});

/** A pool: `weighted` draws by weight, `priority` keeps list order. */
export const poolSchema = z
  .strictObject({
    strategy: z.enum(['weighted', 'priority']),
    members: z.array(poolMemberSchema).min(1, 'a pool needs at least one member'),
  })
  .superRefine((p, ctx) => {
    if (p.strategy !== 'weighted') return;
    p.members.forEach((m, i) => {
      if (m.weight === undefined)
        ctx.addIssue({ code: 'custom', path: ['members', i, 'weight'], message: 'weighted pools need a weight on every member' });
    });
  });

/** Cascade policy: how many MIDs at most, and on which declines. */
export const cascadeSchema = z.strictObject({
  maxAttempts: z.number().int().min(1, 'must be ≥ 1').max(20, 'must be ≤ 20'),
  /** `soft`: the reasons whose default is to cascade; or an explicit list of reasons. */
  on: z.union([z.literal('soft'), z.array(reason).min(1)]).default('soft'),
});

/** Decline salvage schedule for rebills. */
export const salvageSchema = z.strictObject({
  attempts: z.array(z.strictObject({ afterDays: z.number().positive(), amountPercent: z.number().gt(0).max(100).optional() })).min(1),
  /** Never retry below this amount (minor units). */
  minAmount: z.number().int().nonnegative().optional(),
});

/** A routing profile, as users write it. */
export const profileSchema = z.strictObject({
  id: z.string().min(1),
  pools: z.record(z.string(), poolSchema),
  rules: z.array(ruleSchema).default([]),
  route: z.array(z.string().min(1)).min(1, 'the default route must name at least one pool'),
  cascade: cascadeSchema.default({ maxAttempts: 1, on: 'soft' }),
  salvage: salvageSchema.optional(),
  /** Refunds allowed only within this many hours of the sale, unless `{ override: true }`. */
  refundWindowHours: z.number().positive().optional(),
  /** Amount to pre-authorize and void when a MID cannot verify with zero. */
  verifyAmount: z.number().int().positive().optional(),
  /**
   * 3-D Secure. `stepUp` (default true): an `authentication_required` decline of a
   * customer-initiated payment on a MID that can run a challenge becomes `requires_action` on
   * that same MID, never a cascade. `mode`: the default for payments no rule sets (default `if_available`).
   */
  threeDS: z
    .strictObject({ stepUp: z.boolean().default(true), mode: threeDSMode.default('if_available') })
    .default({ stepUp: true, mode: 'if_available' }),
});

/** A routing profile (input shape). */
export type ProfileInput = z.input<typeof profileSchema>;
/** A routing profile after defaults. */
export type Profile = z.output<typeof profileSchema>;
/** A routing rule. */
export type Rule = z.output<typeof ruleSchema>;
/** A pool. */
export type Pool = z.output<typeof poolSchema>;

const capLimit = z
  .strictObject({ amount: z.number().int().positive().optional(), count: z.number().int().positive().optional() })
  .refine((c) => c.amount !== undefined || c.count !== undefined, 'a cap needs amount or count');

/** Merchant account settings except the adapter (validated separately). */
export const merchantAccountSchema = z.strictObject({
  id: z.string().min(1),
  adapter: z.custom<object>(
    (a) => typeof a === 'object' && a !== null && typeof (a as { gateway?: unknown }).gateway === 'string',
    'must be a gateway adapter',
  ),
  enabled: z.boolean().default(true),
  currencies: z.array(currency).min(1).optional(),
  brands: z.array(brand).min(1).optional(),
  minAmount: z.number().int().nonnegative().optional(),
  maxAmount: z.number().int().positive().optional(),
  caps: z.strictObject({ daily: capLimit.optional(), monthly: capLimit.optional() }).optional(),
  descriptor: z.string().max(25, 'card networks allow 25 characters').optional(),
  /** Enrolled in Mastercard's express consent program for negative-option trials. */
  expressConsent: z.boolean().default(false),
  /** How a cardholder cancels (URL or phone), stated in the express consent message. */
  cancellation: z.string().min(1).max(500).optional(),
  /** 3-D Secure on this MID: how long a challenge stays open before it expires (default: the adapter's, else 15 minutes). */
  threeDS: z
    .strictObject({
      expiresAfterMs: z
        .number()
        .int()
        .min(1_000)
        .max(7 * 24 * 3_600_000)
        .optional(),
    })
    .optional(),
  /** Adapter-specific settings (e.g. Adyen merchantAccount). */
  settings: z.record(z.string(), z.unknown()).optional(),
  /** MIDs with the same token scope share their gateway's vault: a gateway token made on one charges on the others. */
  tokenScope: z.string().min(1).max(255).optional(),
});
