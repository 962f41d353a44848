/** Routing profiles: schema, validation, compilation. @module */
import { profileSchema, type Profile, type ProfileInput } from './schema';
import { ConfigError, formatPath, type ConfigProblem } from '../errors';
import type { z } from 'zod';

export * from './schema';
export * from './compile';

/** Turn zod issues into config problems with full paths. */
export function zodProblems(error: z.ZodError, prefix: string): ConfigProblem[] {
  return error.issues.map((i) => ({ path: formatPath(i.path as (string | number)[], prefix) || prefix || '(root)', message: i.message }));
}

/**
 * Validate a routing profile's shape and fill in defaults. Cross-references (MIDs, pools) are
 * checked by `createRouter`, which knows the merchant accounts.
 * @throws ConfigError listing every problem with its path.
 * @example
 * const profile = defineProfile({
 *   id: 'default',
 *   pools: { main: { strategy: 'weighted', members: [{ mid: 'nmi-1', weight: 70 }, { mid: 'anet-1', weight: 30 }] } },
 *   rules: [{ name: 'no amex', when: { card: { brand: ['amex'] } }, reject: 'card_not_supported' }],
 *   route: ['main'],
 *   cascade: { maxAttempts: 2, on: 'soft' },
 * });
 */
export function defineProfile(input: ProfileInput): Profile {
  const parsed = profileSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(zodProblems(parsed.error, 'profile'));
  return parsed.data;
}
