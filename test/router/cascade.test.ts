import { describe, expect, it } from 'vitest';
import { sandbox, type SandboxResponse } from '../../adapters/sandbox';
import { CARDS, saleRequest, testRouter } from '../support/router';

/** Three MIDs: the first answers `first`, the others approve. */
function threeMids(first: SandboxResponse, cascade: { maxAttempts: number; on?: 'soft' | string[] } = { maxAttempts: 3 }) {
  const a = sandbox({ respond: () => first });
  const b = sandbox();
  const c = sandbox();
  const { router } = testRouter(
    {
      pools: { p: { strategy: 'priority', members: [{ mid: 'a' }, { mid: 'b' }, { mid: 'c' }] } },
      route: ['p'],
      cascade: cascade as never,
    },
    [
      { id: 'a', adapter: a },
      { id: 'b', adapter: b },
      { id: 'c', adapter: c },
    ],
  );
  return { router, a, b, c };
}

describe('cascades', () => {
  const cascading: Array<[string, SandboxResponse, string]> = [
    ['do not honor (05)', { status: 'declined', code: '05', message: 'Do Not Honor' }, 'do_not_honor'],
    ['processing error (96)', { status: 'declined', code: '96' }, 'processing_error'],
    ['invalid merchant (03)', { status: 'declined', code: '03' }, 'invalid_merchant'],
    ['issuer unavailable (91)', { status: 'declined', code: '91' }, 'issuer_unavailable'],
  ];
  for (const [name, first, reason] of cascading) {
    it(`a soft decline cascades: ${name}`, async () => {
      const { router, b } = threeMids(first);
      const events: string[] = [];
      router.on('cascade', (e) => events.push(`${e.fromMid}:${e.reason}`));
      const r = await router.sale(saleRequest());
      expect(r.isOk()).toBe(true);
      const ok = r.unwrap();
      expect(ok.mid).toBe('b');
      expect(ok.attempts.map((x) => [x.mid, x.outcome, x.decline?.reason])).toEqual([
        ['a', 'declined', reason],
        ['b', 'approved', undefined],
      ]);
      expect(events).toEqual([`a:${reason}`]);
      expect(b.charges.size).toBe(1);
    });
  }

  const stopping: Array<[string, SandboxResponse, string]> = [
    ['stolen card (43)', { status: 'declined', code: '43' }, 'stolen_card'],
    ['lost card (41)', { status: 'declined', code: '41' }, 'lost_card'],
    ['pick up (04)', { status: 'declined', code: '04' }, 'pickup_card'],
    ['insufficient funds (51)', { status: 'declined', code: '51' }, 'insufficient_funds'],
    ['expired (54)', { status: 'declined', code: '54' }, 'expired_card'],
    ['closed account (46)', { status: 'declined', code: '46' }, 'account_closed'],
    ['revocation (R1)', { status: 'declined', code: 'R1' }, 'revocation_of_authorization'],
    ['Mastercard MAC 03 on a soft code', { status: 'declined', code: '05', advice: '03' }, 'do_not_retry'],
    [
      'Mastercard MAC 25 (retry after 24 h, on the same MID) on a soft code',
      { status: 'declined', code: '05', advice: '25' },
      'do_not_honor',
    ],
  ];
  for (const [name, first, reason] of stopping) {
    it(`never cascades after ${name}`, async () => {
      const { router, b, c } = threeMids(first);
      const r = await router.sale(saleRequest());
      expect(r.isErr()).toBe(true);
      const f = r.isErr() ? r.error : undefined;
      expect(f?.kind).toBe('declined');
      expect(f?.decline?.reason).toBe(reason);
      expect(f?.attempts).toHaveLength(1);
      expect(b.charges.size + c.charges.size).toBe(0);
    });
  }

  it('never cascades after an ambiguous outcome', async () => {
    const { router, b } = threeMids({ status: 'error', ambiguous: true, message: 'socket hang up after send' });
    const events: string[] = [];
    router.on('ambiguous', (e) => events.push(e.mid));
    const r = await router.sale(saleRequest());
    expect(r.isErr() && r.error.kind).toBe('ambiguous');
    expect(b.charges.size).toBe(0);
    expect(events).toEqual(['a']);
  });

  it('never cascades after requires_action (3-D Secure); the action is returned', async () => {
    const { router, b } = threeMids({ status: 'requires_action', url: 'https://acs.example/challenge' });
    const r = await router.sale(saleRequest());
    expect(r.isErr() && r.error.kind).toBe('requires_action');
    expect(r.isErr() && r.error.action?.type === 'redirect' && r.error.action.url).toBe('https://acs.example/challenge');
    expect(b.charges.size).toBe(0);
  });

  it('a clear (non-ambiguous) gateway error moves on to the next MID', async () => {
    const { router } = threeMids({ status: 'error', ambiguous: false, message: 'connection refused' });
    const r = await router.sale(saleRequest());
    expect(r.unwrap().mid).toBe('b');
    expect(r.unwrap().attempts[0].outcome).toBe('error');
  });

  it('stops at maxAttempts', async () => {
    const d = () => ({ status: 'declined', code: '05' }) as const;
    const mids = ['a', 'b', 'c', 'd'].map((id) => ({ id, adapter: sandbox({ respond: d }) }));
    const { router } = testRouter(
      { pools: { p: { strategy: 'priority', members: mids.map((m) => ({ mid: m.id })) } }, route: ['p'], cascade: { maxAttempts: 2 } },
      mids,
    );
    const r = await router.sale(saleRequest());
    expect(r.isErr() && r.error.attempts.map((a) => a.mid)).toEqual(['a', 'b']);
    expect(r.isErr() && r.error.kind).toBe('declined');
  });

  it('an explicit reason list cascades only on those reasons', async () => {
    const onlyProcessing = { maxAttempts: 3, on: ['processing_error'] };
    expect((await threeMids({ status: 'declined', code: '96' }, onlyProcessing).router.sale(saleRequest())).isOk()).toBe(true);
    const dnh = await threeMids({ status: 'declined', code: '05' }, onlyProcessing).router.sale(saleRequest());
    expect(dnh.isErr() && dnh.error.decline?.reason).toBe('do_not_honor');
  });

  it('with the built-in test cards: the sandbox table drives the decline', async () => {
    const mids = ['a', 'b'].map((id) => ({ id, adapter: sandbox() }));
    const { router } = testRouter(
      { pools: { p: { strategy: 'priority', members: mids.map((m) => ({ mid: m.id })) } }, route: ['p'], cascade: { maxAttempts: 2 } },
      mids,
    );
    expect((await router.sale(saleRequest({ number: CARDS.doNotHonor }))).unwrapErr().attempts.map((a) => a.decline?.reason)).toEqual([
      'do_not_honor',
      'do_not_honor',
    ]);
    const r = await router.sale(saleRequest({ number: CARDS.stolen }));
    expect(r.isErr() && r.error.decline?.reason).toBe('stolen_card');
    expect(r.isErr() && r.error.attempts).toHaveLength(1);
  });
});
