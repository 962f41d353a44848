/**
 * One charge per invoice, on every store and across two servers sharing one database: two POSTs
 * at once, ten cards at once, a retry after a lost answer, and a payment whose process died
 * before the router claimed its key (its key is taken, so the late start is refused).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../../src/store/memory';
import { postgresStore } from '../../src/store/postgres';
import { sqliteStore } from '../../src/store/sqlite';
import type { Store } from '../../src/store/types';
import { PG_URL, testSchema } from '../store/pg-env';
import { CARD, linksWorld, type LinksWorld, openInvoice, openLink, submit, text } from './support';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-links-'));
let n = 0;
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (schemas.length) {
    const pg = (await import('pg')).default;
    const pool = new pg.Pool({ connectionString: PG_URL });
    for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
    await pool.end();
  }
});

/** Two stores over one database (two servers), or one shared memory store. */
const STORES: Array<[string, () => Promise<[Store, Store]>]> = [
  [
    'memory',
    async () => {
      const s = memoryStore();
      return [s, { ...s, close: async () => undefined }];
    },
  ],
  [
    'sqlite file',
    async () => {
      const path = join(dir, `links-${n++}.db`);
      return [sqliteStore({ path }), sqliteStore({ path })];
    },
  ],
  [
    'postgres',
    async () => {
      const schema = testSchema('links');
      schemas.push(schema);
      const a = postgresStore({ connectionString: PG_URL, schema });
      await a.ready();
      const b = postgresStore({ connectionString: PG_URL, schema });
      await b.ready();
      return [a, b];
    },
  ],
];

const worlds: LinksWorld[] = [];
afterEach(async () => {
  for (const w of worlds.reverse()) await w.close();
  worlds.length = 0;
});

describe.each(STORES)('payment links are paid once (%s)', (_name, stores) => {
  /** Two servers (routers, handlers, stores) over one database and one gateway, with a slow gateway. */
  async function twoServers(latencyMs = 150) {
    const [s1, s2] = await stores();
    const a = await linksWorld({ store: s1, gateway: { latencyMs } });
    worlds.push(a);
    const b = await linksWorld({ store: s2, share: a });
    worlds.push(b);
    a.invoices.set('INV-1', openInvoice());
    const link = await a.links.create('INV-1');
    const urlB = link.url.replace(a.base, b.base);
    return { a, b, link, urlB };
  }

  it('two POSTs of one form at once (a double click) charge once, and both pages show it paid', async () => {
    const { a, link } = await twoServers();
    const page = await openLink(link.url);
    const [r1, r2] = await Promise.all([submit(link.url, page), submit(link.url, page)]);
    expect(a.charges()).toBe(1);
    expect(a.approved()).toBe(1);
    for (const r of [r1, r2]) expect(text(r.html)).toMatch(/Payment received|already paid/);
    expect(await a.links.status('INV-1')).toMatchObject({ status: 'paid', attempts: 1 });
  });

  it('ten cards submitted at once on two servers charge once', async () => {
    const { a, link, urlB } = await twoServers();
    const pa = await openLink(link.url);
    const pb = await openLink(urlB);
    const cards = ['4111111111111111', '4242424242424242', '5555555555554444', '6011111111111117', '4000056655665556'];
    const posts = cards.flatMap((number) => [submit(link.url, pa, { ...CARD, number }), submit(urlB, pb, { ...CARD, number })]);
    const pages = await Promise.all(posts);
    expect(a.charges()).toBe(1);
    expect(a.approved()).toBe(1);
    expect(pages.every((p) => /Payment received|already paid/.test(text(p.html)))).toBe(true);
    const state = await a.links.status('INV-1');
    expect(state).toMatchObject({ status: 'paid', attempts: 1 });
  });

  it('a retry after a lost answer charges nothing more', async () => {
    const { a, link } = await twoServers(300);
    const page = await openLink(link.url);
    const lost = new AbortController();
    const first = fetch(link.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: page.cookie! },
      body: new URLSearchParams({ ...page.hidden, ...CARD }).toString(),
      signal: lost.signal,
    }).catch((e: Error) => e);
    await new Promise((r) => setTimeout(r, 100));
    lost.abort();
    expect(await first).toBeInstanceOf(Error);
    const retry = await submit(link.url, page);
    expect(text(retry.html)).toMatch(/Payment received|already paid/);
    expect(a.charges()).toBe(1);
    const again = await submit(link.url, page);
    expect(text(again.html)).toContain('already paid');
    expect(a.charges()).toBe(1);
  });

  it('a payment whose process died before its sale started is abandoned, and its key refused to a late start', async () => {
    const { a, link } = await twoServers(0);
    const rec = (await a.store.getLink('INV-1'))!;
    // What a process leaves when it dies between marking the payment pending and calling the router.
    const stale = Date.now() - 60_000;
    const key = `link:INV-1:v1:a${rec.attempts + 1}`;
    await a.store.write({
      link: {
        record: { ...rec, attempts: rec.attempts + 1, pendingKey: key, pendingSince: stale, revision: rec.revision + 1 },
        expectRevision: rec.revision,
      },
    });
    const page = await openLink(link.url);
    expect(page.status).toBe(200);
    const paid = await submit(link.url, page);
    expect(text(paid.html)).toContain('Payment received');
    // The dead process wakes up and calls the router with its key: refused, nothing charged.
    const late = await a.router.sale({
      profile: 'invoices',
      idempotencyKey: key,
      amount: 12_500,
      currency: 'USD',
      card: { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' },
    });
    expect(late.isErr() && late.error.kind).toBe('rejected');
    expect(a.charges()).toBe(1);
    expect(await a.links.status('INV-1')).toMatchObject({ status: 'paid', attempts: 2 });
  });

  it('a pending payment younger than the lease is never abandoned', async () => {
    const { a, link } = await twoServers(0);
    const rec = (await a.store.getLink('INV-1'))!;
    await a.store.write({
      link: {
        record: { ...rec, attempts: 1, pendingKey: 'link:INV-1:v1:a1', pendingSince: Date.now(), revision: rec.revision + 1 },
        expectRevision: rec.revision,
      },
    });
    const page = await openLink(link.url);
    expect(page.status).toBe(202);
    expect(a.charges()).toBe(0);
  });
});
