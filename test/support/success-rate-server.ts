/**
 * The checkout server of the success-rate sharing tests: MIDs `a` and `b` behind one
 * `success_rate` pool (by brand), `a` declining visa cards while `failing.on`. Used by routers in
 * the test process and by the child process of `test/store/fixtures/success-rate-server.ts`.
 */
import { sandbox, type SandboxRequest } from '../../adapters/sandbox';
import { syntheticPan } from '../../examples/demo/random';
import { createRouter, type Router } from '../../src/router';
import type { Store } from '../../src/store/types';
import { saleRequest, seeded } from './router';

/** A router with MIDs `a` and `b` (a fails visa while `failing.on`), a success-rate pool, its own clock and cache time to live. */
export function successRateServer(store: Store, failing: { on: boolean }, clock: () => number, ttl: number): Router {
  const respond = (mid: string) => (req: SandboxRequest) =>
    mid === 'a' && failing.on && req.card!.number!.startsWith('4')
      ? { status: 'declined' as const, code: '05', message: 'Do Not Honor' }
      : { status: 'approved' as const };
  return createRouter({
    merchantAccounts: ['a', 'b'].map((id) => ({ id, adapter: sandbox({ id, respond: respond(id) }) })),
    profiles: [
      {
        id: 'default',
        pools: {
          smart: {
            strategy: 'success_rate',
            members: [
              { mid: 'a', weight: 9 },
              { mid: 'b', weight: 1 },
            ],
            segments: ['brand'],
            minOutcomes: 20,
            exploration: 0.05,
          },
        },
        route: ['smart'],
      },
    ],
    store,
    random: seeded(3),
    clock,
    fingerprintKey: 'shared-test',
    successRate: { cacheTtlMs: ttl },
  });
}

const cards = seeded(11);
/** A sale of a new visa card. */
export const visaSale = () => saleRequest({ number: syntheticPan(cards, '411111', 16) });

/** The MID a server would send a visa card to when it does not explore: the best estimate. */
export async function bestForVisa(r: Router): Promise<string> {
  const members = (await r.explain(visaSale())).successRate![0].members;
  return [...members].sort((x, y) => y.estimate - x.estimate)[0].mid;
}
