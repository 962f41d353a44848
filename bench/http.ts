/**
 * Scenario 5: the same sale through a real adapter (NMI) against its loopback fake gateway
 * (`test/fakes/nmi.ts`: real HTTP, every request checked against NMI's Direct Post description),
 * once through `router.sale` (memory store) and once by calling `adapter.sale` directly. The
 * difference is what the router adds next to a gateway call: validation, routing decision,
 * idempotency record, ledger, pin and events.
 *
 * The two paths are measured in alternation, {@link ROUNDS} times each for a share of the time,
 * and each side's p50 is the median of its rounds, so drift over the run (JIT, GC, other load
 * on the machine) does not land on one side only.
 */
import { nmi } from '../adapters/nmi';
import type { GatewayPaymentRequest } from '../src/adapter';
import { createRouter } from '../src/router';
import { memoryStore } from '../src/store/memory';
import { startNmiFake } from '../test/fakes/nmi';
import { measure } from './measure';

/** What scenario 5 reports: p50 of each path in µs, and the router's added time at p50. */
export interface HttpOverheadFigures {
  adapter: string;
  directP50us: number;
  routerP50us: number;
  addedUsP50: number;
  addedPercentP50: number;
}

const SECURITY_KEY = 'bench_nmi_security_key';
const CARD = { number: '4111111111111111', expMonth: 12, expYear: 2031, cvc: '123' };
/** Alternations of direct and routed measurements. */
const ROUNDS = 3;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * Measure a sale through the router and directly through the NMI adapter, each for about
 * `timeMs`, against the same loopback fake. Returns null if the fake or the adapter fails.
 *
 * @example
 * const figures = await httpOverheadBench(2_000); // { adapter: 'nmi', addedPercentP50: 3.1, … }
 */
export async function httpOverheadBench(timeMs: number): Promise<HttpOverheadFigures | null> {
  // No duplicate window: the fake would otherwise refuse the same card and amount, and scan its books on every sale.
  const fake = await startNmiFake({ securityKey: SECURITY_KEY, dupSeconds: 0 });
  try {
    const adapter = nmi({ securityKey: SECURITY_KEY, baseUrl: fake.url, timeoutMs: 5_000 });
    const router = createRouter({
      merchantAccounts: [{ id: 'nmi-bench', adapter, currencies: ['USD'] }],
      profiles: [
        {
          id: 'default',
          pools: { p: { strategy: 'priority', members: [{ mid: 'nmi-bench' }] } },
          route: ['p'],
          cascade: { maxAttempts: 1 },
        },
      ],
      store: memoryStore(),
      fingerprintKey: 'bench-key',
    });

    let n = 0;
    const direct = async () => {
      const ref = `bench-d-${++n}`;
      const req: GatewayPaymentRequest = {
        reference: ref,
        transactionId: ref,
        amount: 1999,
        currency: 'USD',
        card: CARD,
        merchant: { id: 'nmi-bench' },
      };
      const r = await adapter.sale(req);
      if (r.status !== 'approved') throw new Error(`direct sale: ${r.status}`);
    };
    const routed = async () => {
      const r = await router.sale({
        profile: 'default',
        idempotencyKey: `bench-r-${++n}`,
        amount: 1999,
        currency: 'USD',
        card: CARD,
        customer: { country: 'US' },
      });
      if (r.isErr()) throw new Error(`router sale: ${r.error.kind} ${r.error.message}`);
    };

    const directP50s: number[] = [];
    const routerP50s: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      directP50s.push((await measure('nmi direct', direct, timeMs / ROUNDS)).p50us);
      routerP50s.push((await measure('nmi via router', routed, timeMs / ROUNDS)).p50us);
    }
    if (fake.violations.length) throw new Error(`the NMI fake saw spec violations: ${fake.violations.slice(0, 3).join('; ')}`);

    const directP50us = median(directP50s);
    const routerP50us = median(routerP50s);
    const addedUsP50 = routerP50us - directP50us;
    return {
      adapter: 'nmi',
      directP50us: round(directP50us),
      routerP50us: round(routerP50us),
      addedUsP50: round(addedUsP50),
      addedPercentP50: round((addedUsP50 / directP50us) * 100, 2),
    };
  } catch (e) {
    console.warn(`HTTP overhead scenario failed: ${(e as Error).message}`);
    return null;
  } finally {
    await fake.close();
  }
}
