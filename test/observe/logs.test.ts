/**
 * Log lines: one per attempt (ids, MID, outcome, reason, duration), one per state change, one
 * per operation; e-mail in full at debug only; a logger that throws changes nothing; `console`
 * fits the shape; a logger without the four methods is a configuration error.
 */
import { describe, expect, it, vi } from 'vitest';
import { sandbox } from '../../adapters/sandbox';
import { ConfigError } from '../../src/errors';
import { maskEmail } from '../../src/observe/log';
import type { Logger } from '../../src/observe/types';
import { memoryLogger } from './memory-logger';
import { createRouter, type RouterConfig } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import { saleRequest } from '../support/router';

function shop(over: Partial<RouterConfig> = {}) {
  let now = Date.UTC(2026, 10, 21, 12);
  return createRouter({
    merchantAccounts: [
      { id: 'a', adapter: sandbox({ id: 'a', respond: () => ({ status: 'declined', code: '05', message: 'Do Not Honor' }) }) },
      { id: 'b', adapter: sandbox({ id: 'b' }) },
    ],
    profiles: [
      {
        id: 'default',
        pools: { p: { strategy: 'priority', members: [{ mid: 'a' }, { mid: 'b' }] } },
        route: ['p'],
        cascade: { maxAttempts: 2 },
      },
    ],
    store: memoryStore(),
    clock: () => (now += 7),
    random: () => 0.5,
    telemetry: false,
    ...over,
  });
}

describe('log lines', () => {
  it('one line per attempt and per state change with ids, MID, outcome, reason and duration; one per operation', async () => {
    const { logger, lines } = memoryLogger();
    const router = shop({ logger });
    const r = await router.sale(saleRequest({ orderId: 'ORD-7', customer: { email: 'Ada.Lovelace@Example.com' } }));
    const tx = r.unwrap().transactionId;
    const attemptLines = lines.filter((l) => l.obj.attemptId && l.obj.outcome);
    expect(attemptLines.map((l) => [l.level, l.obj.mid, l.obj.outcome, l.obj.reason ?? null])).toEqual([
      ['info', 'a', 'declined', 'do_not_honor'],
      ['info', 'b', 'approved', null],
    ]);
    for (const l of attemptLines) {
      expect(l.obj).toMatchObject({
        transactionId: tx,
        orderId: 'ORD-7',
        gateway: 'sandbox',
        operation: 'sale',
        email: 'a***@example.com',
      });
      expect(l.obj.durationMs).toEqual(expect.any(Number));
    }
    expect(attemptLines[0].obj).toMatchObject({ code: '05', message: 'Do Not Honor' });
    expect(attemptLines[0].msg).toBe('sale attempt on a: declined (do_not_honor)');
    expect(lines.filter((l) => l.obj.from).map((l) => [l.obj.transactionId, l.obj.from, l.obj.to, l.obj.mid])).toEqual([
      [tx, 'pending', 'captured', 'b'],
    ]);
    expect(lines.find((l) => l.obj.event === 'cascade')).toMatchObject({ level: 'info', obj: { fromMid: 'a', reason: 'do_not_honor' } });
    const op = lines.at(-1)!;
    expect(op).toMatchObject({
      level: 'info',
      msg: 'sale approved',
      obj: { operation: 'sale', transactionId: tx, mid: 'b', outcome: 'approved' },
    });
    expect(op.obj.durationMs).toEqual(expect.any(Number));
    // Before each gateway call, a debug line with the full e-mail and the card as BIN + last four.
    const starts = lines.filter((l) => l.level === 'debug' && l.msg?.startsWith('sale attempt on'));
    expect(starts.map((l) => l.obj.mid)).toEqual(['a', 'b']);
    expect(starts[0].obj).toMatchObject({ email: 'ada.lovelace@example.com', maskedCard: '411111******1111' });
    // The full e-mail appears in debug lines only.
    for (const l of lines.filter((x) => x.level !== 'debug')) expect(JSON.stringify(l)).not.toContain('ada.lovelace@');

    const refund = await router.refund(tx, { amount: 500 });
    expect(refund.isOk()).toBe(true);
    expect(lines.filter((l) => l.obj.from).map((l) => [l.obj.from, l.obj.to])).toEqual([
      ['pending', 'captured'],
      ['captured', 'partially_refunded'],
    ]);
    expect(lines.filter((l) => l.obj.attemptId && l.obj.outcome && l.obj.operation === 'refund')).toHaveLength(1);
  });

  it('events told after settlement get their lines with a logger and no listener (a pin, here)', async () => {
    const { logger, lines } = memoryLogger();
    const router = shop({ logger });
    await router.sale(saleRequest({ subscription: { id: 'sub-log' } }));
    expect(lines.find((l) => l.obj.event === 'pin:created')).toMatchObject({
      level: 'info',
      msg: 'subscription sub-log pinned to b',
      obj: { subscriptionId: 'sub-log', mid: 'b' },
    });
  });

  it('rejections, unknown outcomes and gateway errors get their lines at their levels', async () => {
    const { logger, lines } = memoryLogger();
    const router = shop({ logger, timeouts: { attemptMs: 50, totalMs: 100 } });
    await router.sale(saleRequest({ amount: -1 }));
    expect(lines.find((l) => l.obj.event === 'rejected')).toMatchObject({
      level: 'info',
      obj: { rejection: 'validation', field: 'amount' },
    });
    const slow = shop({
      logger,
      timeouts: { attemptMs: 30, totalMs: 60 },
      merchantAccounts: [{ id: 'slow', adapter: sandbox({ id: 'slow', respond: () => new Promise(() => undefined) }) }],
      profiles: [{ id: 'default', pools: { p: { strategy: 'priority', members: [{ mid: 'slow' }] } }, route: ['p'] }],
    });
    const r = await slow.sale(saleRequest());
    expect(r.isErr() && r.error.kind).toBe('ambiguous');
    expect(lines.find((l) => l.obj.event === 'ambiguous')).toMatchObject({ level: 'warn', obj: { mid: 'slow' } });
    expect(lines.at(-1)).toMatchObject({ level: 'warn', msg: 'sale ambiguous' });
  });

  it('a logger that throws breaks nothing: the same results, one warning', async () => {
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const boom = () => {
        throw new Error('disk full');
      };
      const throwing: Logger = { debug: boom, info: boom, warn: boom, error: boom };
      const plain = await shop().sale(saleRequest({ idempotencyKey: 'k1' }));
      const logged = await shop({ logger: throwing }).sale(saleRequest({ idempotencyKey: 'k1' }));
      const shape = (r: typeof plain) => ({
        mid: r.unwrap().mid,
        attempts: r.unwrap().attempts.map((a) => [a.mid, a.outcome, a.decline?.reason]),
      });
      expect(shape(logged)).toEqual(shape(plain));
      const mine = warn.mock.calls.filter((c) => String(c[0]).includes('logger threw'));
      expect(mine).toHaveLength(1);
      expect(String(mine[0][0])).toContain('disk full');
    } finally {
      warn.mockRestore();
    }
  });

  it('console fits; a logger without the four methods is a configuration error naming it', async () => {
    const spies = (['debug', 'info', 'warn', 'error'] as const).map((m) => vi.spyOn(console, m).mockImplementation(() => undefined));
    try {
      const r = await shop({ logger: console }).sale(saleRequest());
      expect(r.isOk()).toBe(true);
      expect(spies[1].mock.calls.some(([obj, msg]) => typeof obj === 'object' && msg === 'sale approved')).toBe(true);
    } finally {
      for (const s of spies) s.mockRestore();
    }
    expect(() => shop({ logger: { info: () => undefined } as never })).toThrow(ConfigError);
    expect(() => shop({ logger: { info: () => undefined } as never })).toThrow(/logger: .*missing: debug, warn, error/);
  });

  it('masks e-mails for lines above debug', () => {
    expect(maskEmail('ada.lovelace@example.com')).toBe('a***@example.com');
    expect(maskEmail('x')).toBe('***');
    expect(maskEmail(undefined)).toBeUndefined();
  });
});
