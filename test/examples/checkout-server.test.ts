/**
 * The example checkout server, started with its one documented command on a random port and a
 * fresh SQLite file, driven over real HTTP: sales, cascades, declines, refunds, rebills on the
 * pinned MID, idempotent retries, 4xx naming the field, and no card number in any log line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningExample, startExample } from './run';

const VISA = '4111111111111111';
const card = (number = VISA, cvc = '123') => ({ number, expMonth: 12, expYear: 2030, cvc });

let server: RunningExample | undefined;
let url = '';
let dir = '';

async function post(path: string, body: unknown, raw = false): Promise<{ status: number; body: Record<string, any> }> {
  const res = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw ? (body as string) : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchyard-checkout-'));
  server = await startExample('examples/checkout-server/index.ts', { SWITCHYARD_DB: join(dir, 'checkout.db') });
  url = server.url;
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('examples/checkout-server', () => {
  it('approves a checkout and answers with the MID and the masked card', async () => {
    const r = await post('/checkout', {
      idempotencyKey: 'order-1',
      amount: 1999,
      currency: 'USD',
      card: card(),
      customer: { country: 'US' },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'approved', amount: 1999, currency: 'USD', maskedCard: '411111******1111' });
    expect(['mid-a', 'mid-b']).toContain(r.body.mid);
    expect(r.body.transactionId).toMatch(/\S/);
  });

  it('replays the same order instead of charging twice', async () => {
    const first = await post('/checkout', { idempotencyKey: 'order-2', amount: 2500, currency: 'USD', card: card() });
    const again = await post('/checkout', { idempotencyKey: 'order-2', amount: 2500, currency: 'USD', card: card() });
    expect(again.status).toBe(200);
    expect(again.body.transactionId).toBe(first.body.transactionId);
    expect(again.body.replayed).toBe(true);
    const conflict = await post('/checkout', { idempotencyKey: 'order-2', amount: 9999, currency: 'USD', card: card() });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toBe('idempotency_conflict');
  });

  it('routes Amex only to the MID that takes it', async () => {
    const r = await post('/checkout', {
      idempotencyKey: 'order-amex',
      amount: 1000,
      currency: 'USD',
      card: card('378282246310005', '1234'),
    });
    expect(r.status).toBe(200);
    expect(r.body.mid).toBe('mid-b');
  });

  it('answers a decline with 402 and the standard reason; a soft decline cascades to the second MID', async () => {
    const hard = await post('/checkout', { idempotencyKey: 'order-stolen', amount: 1000, currency: 'USD', card: card('4000000000009979') });
    expect(hard.status).toBe(402);
    expect(hard.body).toMatchObject({ status: 'declined', reason: 'stolen_card', retry: 'never' });
    const soft = await post('/checkout', { idempotencyKey: 'order-dnh', amount: 1000, currency: 'USD', card: card('4000000000000002') });
    expect(soft.status).toBe(402);
    expect(soft.body.reason).toBe('do_not_honor');
    expect(soft.body.message).toMatch(/do_not_honor/);
  });

  it('rejects bad input with a 400 naming the field, without echoing the card', async () => {
    const cases: Array<[unknown, string]> = [
      [{ idempotencyKey: 'o-3', amount: 19.99, currency: 'USD', card: card() }, 'amount'],
      [{ idempotencyKey: 'o-4', amount: 1999, currency: 'usd', card: card() }, 'currency'],
      [{ idempotencyKey: 'o-5', amount: 1999, currency: 'USD', card: { ...card(), expMonth: 13 } }, 'card.expMonth'],
      [{ idempotencyKey: 'o-6', amount: 1999, currency: 'USD', card: card('4111111111111112') }, 'card.number'],
      [{ amount: 1999, currency: 'USD', card: card() }, 'idempotencyKey'],
      [{ idempotencyKey: 'o-7', amount: 1999, currency: 'USD', card: card(), profile: 'other' }, 'profile'],
    ];
    for (const [body, field] of cases) {
      const r = await post('/checkout', body);
      expect(r.status, field).toBe(400);
      expect(r.body.field).toBe(field);
      expect(r.body.message).toMatch(new RegExp(`^${field.replace('.', '\\.')}`));
      expect(JSON.stringify(r.body)).not.toMatch(/41111111111111/);
    }
    const broken = await post('/checkout', `{"card":{"number":"${VISA}"`, true);
    expect(broken.status).toBe(400);
    expect(broken.body.error).toBe('invalid_json');
    expect(JSON.stringify(broken.body)).not.toContain(VISA);
    const notFound = await fetch(`${url}/nope`, { method: 'POST', body: '{}' });
    expect(notFound.status).toBe(404);
    const wrongMethod = await fetch(`${url}/checkout`);
    expect(wrongMethod.status).toBe(405);
    const huge = await post('/checkout', { idempotencyKey: 'o-8', metadata: { blob: 'x'.repeat(20_000) } });
    expect(huge.status).toBe(413);
  });

  it('refunds on the MID of the sale, and never more than was captured', async () => {
    const sale = await post('/checkout', { idempotencyKey: 'order-refund', amount: 5000, currency: 'USD', card: card('5555555555554444') });
    expect(sale.status).toBe(200);
    const part = await post('/refund', { transactionId: sale.body.transactionId, amount: 2000 });
    expect(part.status).toBe(200);
    expect(part.body).toMatchObject({ status: 'approved', operation: 'refund', amount: 2000, mid: sale.body.mid });
    const tooMuch = await post('/refund', { transactionId: sale.body.transactionId, amount: 3001 });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.error).toBe('amount_exceeds_captured');
    const unknown = await post('/refund', { transactionId: 'tx_nope' });
    expect(unknown.status).toBe(404);
    const missing = await post('/refund', {});
    expect(missing.status).toBe(400);
    expect(missing.body.field).toBe('transactionId');
  });

  it('rebills a subscription on the MID of its initial sale', async () => {
    const sale = await post('/checkout', {
      idempotencyKey: 'order-sub',
      amount: 995,
      currency: 'USD',
      card: card('4242424242424242'),
      subscription: { id: 'sub-1', recurringAmount: 2995 },
    });
    expect(sale.status).toBe(200);
    for (const cycle of [1, 2, 3]) {
      const r = await post('/rebill', { subscriptionId: 'sub-1', amount: 2995, currency: 'USD', idempotencyKey: `sub-1-${cycle}` });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ status: 'approved', operation: 'rebill', mid: sale.body.mid, subscriptionId: 'sub-1', amount: 2995 });
    }
    const unknown = await post('/rebill', { subscriptionId: 'sub-nope', amount: 2995, currency: 'USD', idempotencyKey: 'x-1' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.field).toBe('subscriptionId');
  });

  it('logs one line per request with the masked card, and no PAN or CVC anywhere', async () => {
    await new Promise((r) => setTimeout(r, 50));
    expect(server!.output()).toMatch(/POST \/checkout 200 approved mid=mid-[ab] card=411111\*{6}1111/);
    expect(server!.output()).toMatch(/POST \/checkout 402 declined/);
    expect(server!.output()).toMatch(/POST \/checkout 400 rejected/);
    for (const pan of [VISA, '4242424242424242', '5555555555554444', '378282246310005', '4000000000009979', '4111111111111112'])
      expect(server!.output()).not.toContain(pan);
    expect(server!.output()).not.toMatch(/cvc|"1234"/i);
  });
});
