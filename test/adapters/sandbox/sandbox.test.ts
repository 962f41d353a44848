/**
 * The sandbox's scripting surface: `respond` may return any behaviour of the test-card table
 * (`timeout` included) and can hand the cases it does not script back to the table.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { SANDBOX_TEST_CARDS, type SandboxBehaviour, type SandboxResponse, sandbox, testCardResponse } from '../../../adapters/sandbox';
import { CARDS, saleRequest, testRouter } from '../../support/router';

const PROFILE = { pools: { p: { strategy: 'priority' as const, members: [{ mid: 'a' }] } }, route: ['p'] };

describe('sandbox respond', () => {
  it('covers every behaviour of the test-card table: a table row is a SandboxResponse', () => {
    expectTypeOf<SandboxBehaviour>().toExtend<SandboxResponse>();
    const rows: SandboxResponse[] = Object.values(SANDBOX_TEST_CARDS);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['approved', 'declined', 'error', 'requires_action', 'timeout']));
  });

  it('a scripted timeout is an ambiguous outcome, recorded and never cascaded', async () => {
    const a = sandbox({ respond: () => ({ status: 'timeout' }) });
    const b = sandbox();
    const { router } = testRouter({ pools: { p: { strategy: 'priority', members: [{ mid: 'a' }, { mid: 'b' }] } }, route: ['p'] }, [
      { id: 'a', adapter: a },
      { id: 'b', adapter: b },
    ]);
    const r = await router.sale(saleRequest());
    expect(r.isErr() && r.error.kind).toBe('ambiguous');
    expect(r.isErr() && r.error.attempts.map((t) => [t.mid, t.outcome])).toEqual([['a', 'ambiguous']]);
    expect(b.calls.sale ?? 0).toBe(0);
  });

  it('falls back to the test-card table through the exported default responder', async () => {
    const a = sandbox({
      respond: (req) =>
        req.amount === 31_337 ? { status: 'declined', code: '61', message: 'Exceeds withdrawal limit' } : testCardResponse(req),
    });
    const { router } = testRouter(PROFILE, [{ id: 'a', adapter: a }]);
    const scripted = await router.sale(saleRequest({ amount: 31_337 }));
    expect(scripted.isErr() && scripted.error.decline?.reason).toBe('amount_limit_exceeded');
    const fromTable = await router.sale(saleRequest({ number: CARDS.insufficientFunds }));
    expect(fromTable.isErr() && fromTable.error.decline?.reason).toBe('insufficient_funds');
    const timeout = await router.sale(saleRequest({ number: CARDS.timeout }));
    expect(timeout.isErr() && timeout.error.kind).toBe('ambiguous');
    expect((await router.sale(saleRequest())).isOk()).toBe(true);
  });

  it('the default responder asks for 3-D Secure, then approves once the request carries a CAVV', () => {
    const req = { ...saleRequest({ number: CARDS.threeDS }), operation: 'sale' as const } as never;
    expect(testCardResponse(req)).toEqual({ status: 'requires_action' });
    const done = { ...saleRequest({ number: CARDS.threeDS, threeDS: { cavv: 'AAABBBCCC' } }), operation: 'sale' as const } as never;
    expect(testCardResponse(done)).toEqual({ status: 'approved' });
  });
});
