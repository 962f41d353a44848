/**
 * No PAN or CVC in any log line (at every level, debug included), metric attribute or span:
 * after sales, declines, a cascade, an unknown outcome, refunds and rebills with a card, plus
 * hostile gateways whose decline messages and errors echo the card number and security code
 * in gateway shapes, and an adapter that throws with both.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { sandbox } from '../../adapters/sandbox';
import { createRouter } from '../../src/router';
import { memoryStore } from '../../src/store/memory';
import { memoryLogger } from './memory-logger';
import { otelHarness } from './otel';

const PANS = ['4111111111111111', '5555555555554444', '4000000000000002', '4000000000000259', '5105105105105100'];
const CVCS = ['987', '456', '731'];
const panPattern = (pan: string) => new RegExp(pan.split('').join('[^0-9]{0,3}'));

describe('no card data in logs, metrics or spans', () => {
  const otel = otelHarness();
  afterAll(() => otel.close());

  it('hostile gateways echo the card; nothing of it reaches a log line, a metric or a span', async () => {
    const { logger, lines } = memoryLogger();
    const echo = (req: { card?: { number?: string; cvc?: string } }) => {
      const p = req.card?.number ?? '';
      return `Declined: card ${p.replace(/(.{4})/g, '$1 ')} / ${p} card[cvc]=${req.card?.cvc} CVV2 value: ${req.card?.cvc}`;
    };
    const thrower = sandbox({ id: 'thrower' });
    const throwing = {
      ...thrower,
      sale: (req: { card?: { number?: string; cvc?: string } }) => {
        throw new Error(`boom ${req.card?.number} security code: ${req.card?.cvc}`);
      },
    } as unknown as typeof thrower;
    const router = createRouter({
      merchantAccounts: [
        {
          id: 'erring',
          adapter: sandbox({ id: 'erring', respond: (req) => ({ status: 'error', ambiguous: false, message: `bad ${echo(req)}` }) }),
        },
        { id: 'echo', adapter: sandbox({ id: 'echo', respond: (req) => ({ status: 'declined', code: '05', message: echo(req) }) }) },
        { id: 'fine', adapter: sandbox({ id: 'fine' }) },
        { id: 'thrower', adapter: throwing },
      ],
      profiles: [
        {
          id: 'default',
          pools: { p: { strategy: 'priority', members: [{ mid: 'erring' }, { mid: 'echo' }] } },
          route: ['p'],
          cascade: { maxAttempts: 2 },
        },
        { id: 'fine', pools: { p: { strategy: 'priority', members: [{ mid: 'fine' }] } }, route: ['p'] },
        { id: 'throw', pools: { p: { strategy: 'priority', members: [{ mid: 'thrower' }] } }, route: ['p'] },
      ],
      store: memoryStore(),
      logger,
      telemetry: { meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider },
      timeouts: { attemptMs: 50, totalMs: 100 },
    });
    const req = (i: number, profile: string, number: string, cvc: string) => ({
      profile,
      idempotencyKey: `k-${i}`,
      orderId: `ORD-${i}`,
      amount: 1_000 + i,
      currency: 'USD',
      card: { number, expMonth: 3, expYear: 2033, cvc },
      customer: { id: `c-${i}`, email: `shopper${i}@example.com` },
      subscription: { id: `sub-${i}` },
    });
    await router.sale(req(1, 'default', PANS[4], CVCS[0]));
    await router.sale(req(2, 'throw', PANS[4], CVCS[1]));
    const ok = await router.sale(req(3, 'fine', PANS[0], CVCS[2]));
    await router.sale(req(4, 'fine', PANS[2], CVCS[0]));
    await router.sale(req(5, 'fine', PANS[3], CVCS[1]));
    await router.refund(ok.unwrap().transactionId, { amount: 100 });
    await router.rebill({
      subscriptionId: 'sub-3',
      amount: 500,
      currency: 'USD',
      idempotencyKey: 'rb',
      card: { number: PANS[1], expMonth: 1, expYear: 2031 },
    });
    await router.sale({ ...req(6, 'fine', PANS[1], CVCS[2]), orderId: `order ${PANS[1]}` });

    const logs = JSON.stringify(lines);
    const telemetry =
      JSON.stringify([...(await otel.metrics()).entries()]) +
      JSON.stringify(otel.spanExporter.getFinishedSpans().map((s) => [s.name, s.attributes, s.events, s.status]));
    expect(lines.length).toBeGreaterThan(30);
    expect(logs).toContain('510510******5100');
    expect(telemetry).toContain('switchyard.attempt');
    for (const [text, where] of [
      [logs, 'log lines'],
      [telemetry, 'metrics and spans'],
    ] as const) {
      for (const pan of PANS) expect(panPattern(pan).test(text), `${where} hold the PAN ${pan}`).toBe(false);
      for (const cvc of CVCS)
        expect(new RegExp(`(?<![0-9A-Za-z_-])${cvc}(?![0-9A-Za-z_-])`).test(text), `${where} hold the CVC ${cvc}`).toBe(false);
    }
  });
});
