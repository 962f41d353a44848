/**
 * The checkout server's router: two sandbox MIDs behind a weighted pool, Amex only on one,
 * cascade on soft declines, state in SQLite. To go live, replace `sandbox()` with a real
 * adapter, e.g. `nmi({ securityKey: process.env.NMI_KEY! })` from `switchyard/adapters/nmi`.
 * @module
 */
// In your project: import { createRouter, defineProfile, sqliteStore, type Router } from 'switchyard';
import { createRouter, defineProfile, sqliteStore, type Router } from '../../src/index';
// In your project: import { sandbox } from 'switchyard/adapters/sandbox';
import { sandbox } from '../../adapters/sandbox';

/** The profile every checkout uses. */
export const checkoutProfile = defineProfile({
  id: 'checkout',
  pools: {
    main: {
      strategy: 'weighted',
      members: [
        { mid: 'mid-a', weight: 70 },
        { mid: 'mid-b', weight: 30 },
      ],
    },
  },
  route: ['main'],
  // Try the other MID after a soft decline (do not honor, processor error…), never after a hard one.
  cascade: { maxAttempts: 2, on: 'soft' },
  // Refunds within 90 days; later ones need { override: true }.
  refundWindowHours: 90 * 24,
});

/** A router over sandbox MIDs with its state in the SQLite file at `dbPath`. */
export function checkoutRouter(dbPath: string): { router: Router; close: () => Promise<void> } {
  const store = sqliteStore({ path: dbPath });
  const router = createRouter({
    merchantAccounts: [
      {
        id: 'mid-a',
        // The sandbox's 3-D Secure card (4000 0000 0000 3220) challenges on this server's stand-in issuer page.
        adapter: sandbox({ id: 'mid-a', challengeUrl: '/sandbox/3ds' }),
        currencies: ['USD', 'EUR'],
        brands: ['visa', 'mastercard', 'discover'],
        caps: { monthly: { amount: 5_000_000 } },
        descriptor: 'ACME*STORE',
      },
      {
        id: 'mid-b',
        adapter: sandbox({ id: 'mid-b', challengeUrl: '/sandbox/3ds' }),
        currencies: ['USD', 'EUR'],
        descriptor: 'ACME*STORE',
      },
    ],
    profiles: [checkoutProfile],
    store,
  });
  return { router, close: () => store.close() };
}
