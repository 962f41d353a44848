/**
 * A strict TypeScript project consumes the packed package: `npm pack` output, installed with its
 * runtime dependencies only (no pg, no better-sqlite3, no @types/pg or @types/better-sqlite3;
 * @types/node, which any Node TypeScript project has), compiled by tsc
 * with strict, exactOptionalPropertyTypes, noUncheckedIndexedAccess and skipLibCheck false, as an
 * ESM and a CJS project under NodeNext and as a bundler project. Also: the tarball holds only
 * what a user needs, and every module the built code imports at run time is a dependency.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PackedPackage, ROOT, packAndInstall, typecheck } from './packed';

/** Consumer code touching every entry point, with optional settings read from the environment. */
const CONSUMER = `
import {
  createRouter, defineProfile, normalizeDecline, DECLINE_REASONS, memoryStore, sqliteStore, postgresStore, loadBinTable,
  ConfigError, type Router, type RouterConfig, type PaymentRequest, type Approval, type Failure, type Result,
  type PostgresPool, type RouterEvents, type NormalizedDecline,
} from 'switchyard';
import { sandbox, testCardResponse, SANDBOX_TEST_CARDS, type SandboxResponse } from 'switchyard/adapters/sandbox';
import { stripe } from 'switchyard/adapters/stripe';
import { adyen, ADYEN_TEST_BASE_URL } from 'switchyard/adapters/adyen';
import { checkout, CHECKOUT_SANDBOX_URL } from 'switchyard/adapters/checkout';
import { nmi } from 'switchyard/adapters/nmi';
import { authorizenet, AUTHORIZENET_SANDBOX_URL } from 'switchyard/adapters/authorizenet';
import { braintree } from 'switchyard/adapters/braintree';
import { createPaymentLinks, type InvoiceDetails, type PaymentLinks } from 'switchyard/links';
import { createConsole, type ConsoleHandler } from 'switchyard/console';
import type { IncomingMessage, ServerResponse } from 'node:http';

declare const env: Record<string, string | undefined>;
declare const remoteAddress: string | undefined;
declare const yourPool: PostgresPool;

const timeout: SandboxResponse = { status: 'timeout' };
const fromTable: SandboxResponse[] = Object.values(SANDBOX_TEST_CARDS);

export async function main(): Promise<string> {
  const config: RouterConfig = {
    merchantAccounts: [
      { id: 'sbx', adapter: sandbox({ respond: (req) => (req.amount > 100_000 ? timeout : testCardResponse(req)) }),
        descriptor: env.DESCRIPTOR, caps: { monthly: { amount: 5_000_000, count: undefined } }, currencies: ['USD'] },
      { id: 'stripe', adapter: stripe({ secretKey: env.STRIPE_KEY ?? '', baseUrl: env.STRIPE_URL, timeoutMs: undefined }) },
      { id: 'adyen', adapter: adyen({ apiKey: 'k', merchantAccount: 'm', baseUrl: ADYEN_TEST_BASE_URL, returnUrl: env.RETURN_URL }) },
      { id: 'cko', adapter: checkout({ secretKey: 'sk', baseUrl: CHECKOUT_SANDBOX_URL, processingChannelId: env.CHANNEL }) },
      { id: 'nmi', adapter: nmi({ securityKey: 'k', processorId: env.NMI_PROCESSOR }) },
      { id: 'anet', adapter: authorizenet({ apiLoginId: 'l', transactionKey: 't', baseUrl: AUTHORIZENET_SANDBOX_URL }) },
      { id: 'bt', adapter: braintree({ publicKey: 'p', privateKey: 'k', merchantAccountId: env.BT_MERCHANT, environment: 'sandbox' }) },
    ],
    profiles: [defineProfile({ id: 'default', pools: { main: { strategy: 'priority', members: [{ mid: 'sbx' }] } }, route: ['main'] })],
    store: env.DATABASE_URL ? postgresStore({ connectionString: env.DATABASE_URL, schema: env.PG_SCHEMA }) : memoryStore(),
    bins: env.BINS ? await loadBinTable(env.BINS) : undefined,
    fingerprintKey: env.SWITCHYARD_FINGERPRINT_KEY,
    timeouts: { attemptMs: env.ATTEMPT_MS ? Number(env.ATTEMPT_MS) : undefined },
    circuit: { threshold: undefined },
    logger: env.QUIET ? undefined : console,
    telemetry: env.NO_OTEL ? false : undefined,
  };
  const other = [sqliteStore({ path: ':memory:', busyTimeoutMs: undefined }), postgresStore({ pool: yourPool })];
  let router: Router;
  try {
    router = createRouter(config);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => p.path).join(', ');
    throw e;
  }
  router.on('declined', (e: RouterEvents['declined']) => e.decline.reason);
  const links: PaymentLinks = createPaymentLinks({
    router, profile: 'default', secret: env.LINK_SECRET ?? '', baseUrl: 'https://pay.example.com/pay',
    invoice: async (): Promise<InvoiceDetails> => ({ amount: 100, currency: 'USD', status: 'open', description: env.DESC, dueAt: undefined }),
    ttlHours: undefined, onNewLink: undefined, merchant: { name: env.MERCHANT }, limits: { perIpPerHour: undefined },
  });
  void links.handler;
  const request: PaymentRequest = {
    profile: 'default', idempotencyKey: 'order-1', amount: 1999, currency: 'USD',
    card: { number: '4111111111111111', expMonth: 12, expYear: 2030, cvc: env.CVC },
    customer: { id: 'c1', email: env.EMAIL, country: 'US', ip: remoteAddress },
    subscription: { id: 'sub-1', recurringAmount: undefined },
  };
  const result: Result<Approval, Failure> = await router.sale({ ...request, orderId: env.ORDER_ID });
  const page = await router.transactions({ email: env.EMAIL, last4: undefined, limit: 20, cursor: env.CURSOR });
  const notes = (await router.attempts(page.transactions[0]?.id ?? '')).map((a) => a.advice?.shopper ?? a.status);
  const support: ConsoleHandler = createConsole({ router, token: env.CONSOLE_TOKEN ?? '', basePath: env.CONSOLE_PATH });
  const serve = (req: IncomingMessage, res: ServerResponse): Promise<void> => support(req, res);
  if (notes.length > 1e9) await serve({} as IncomingMessage, {} as ServerResponse);
  const decline: NormalizedDecline = normalizeDecline({ gateway: 'iso8583', code: '51', message: env.MESSAGE });
  const reasons = Object.keys(DECLINE_REASONS).length + fromTable.length + other.length;
  if (result.isOk()) return result.value.mid + result.value.attempts.length + reasons;
  const { kind, decline: last, message } = result.error;
  return kind + (last?.reason ?? decline.reason) + message;
}

// What must not compile: each line below is an error, or tsc reports the unused directive.
declare const someRouter: Router;
// @ts-expect-error internal state is not part of the public Router
someRouter.context;
// @ts-expect-error a pool needs query, connect and end
postgresStore({ pool: { query: async () => ({ rows: [], rowCount: 0 }) } });
// @ts-expect-error amounts are integer minor units, not strings
export const wrongAmount: PaymentRequest = { profile: 'p', idempotencyKey: 'k', amount: '19.99', currency: 'USD', card: { number: '', expMonth: 1, expYear: 2030 } };
`;

/** The same in CommonJS: no top-level await, \`require\` resolution of every entry point. */
const CJS_CONSUMER = CONSUMER;

let pkg: PackedPackage;
beforeAll(async () => {
  pkg = await packAndInstall();
}, 120_000);
afterAll(() => pkg?.remove());

describe('the packed package', () => {
  it('holds only what a user needs: the build, README, LICENSE, CHANGELOG', () => {
    const unexpected = pkg.files.filter(
      (f) =>
        !/^dist\/.+\.(js|cjs|d\.ts|d\.cts|js\.map|cjs\.map)$/.test(f) &&
        !['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md'].includes(f),
    );
    expect(unexpected).toEqual([]);
    for (const f of ['README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts'])
      expect(pkg.files).toContain(f);
    for (const f of ['dist/console/index.js', 'dist/console/index.cjs', 'dist/console/index.d.ts', 'dist/console/index.d.cts'])
      expect(pkg.files).toContain(f);
    // Telemetry's types stay inside: a user without @opentelemetry/api compiles (see the consumers below).
    for (const f of pkg.files.filter((p) => /\.d\.c?ts$/.test(p)))
      expect(readFileSync(join(pkg.dir, 'node_modules/switchyard', f), 'utf8'), f).not.toMatch(/(from|import\()\s*["']@opentelemetry/);
    expect(readFileSync(join(pkg.dir, 'node_modules/switchyard/LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });

  it('imports at run time only its dependencies, its optional peers and Node built-ins', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    const allowed = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies ?? {})]);
    const imported = new Set<string>();
    for (const f of pkg.files.filter((p) => /\.(c?js)$/.test(p))) {
      const code = readFileSync(join(pkg.dir, 'node_modules/switchyard', f), 'utf8');
      for (const m of code.matchAll(
        /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"'.][^"']*)["']|require\(["']([^"'.][^"']*)["']\)|^import\s*["']([^"'.][^"']*)["']/gm,
      )) {
        const spec = (m[1] ?? m[2] ?? m[3]) as string;
        imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
      }
    }
    const strays = [...imported].filter((m) => !allowed.has(m) && !builtinModules.includes(m.replace(/^node:/, '')));
    expect(strays).toEqual([]);
    expect(imported).toContain('fast-xml-parser'); // the NMI adapter's Query API parser, at run time
  });
});

describe('a strict TypeScript consumer', () => {
  it.each([
    ['ESM, module NodeNext', 'esm-nodenext', 'module', { module: 'NodeNext', moduleResolution: 'NodeNext' }, 'index.ts', CONSUMER],
    ['CJS, module NodeNext', 'cjs-nodenext', 'commonjs', { module: 'NodeNext', moduleResolution: 'NodeNext' }, 'index.ts', CJS_CONSUMER],
    ['moduleResolution bundler', 'bundler', 'module', { module: 'ESNext', moduleResolution: 'Bundler' }, 'index.ts', CONSUMER],
  ] as const)('compiles against the declarations: %s', async (_label, name, type, options, file, source) => {
    // Only the package, its runtime dependencies and Node's types: no pg, no better-sqlite3, no @types/pg.
    expect(pkg.installed.filter((n) => ['pg', 'better-sqlite3'].includes(n) || (n.startsWith('@types/') && n !== '@types/node'))).toEqual(
      [],
    );
    const { code, output } = await typecheck(pkg, { name, type, compilerOptions: options, files: { [file]: source } });
    expect(output).toBe('');
    expect(code).toBe(0);
  });
});

/** The README's Quick start, as a user pastes it into an ESM checkout server. */
function quickStart(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## Quick start$/m)[1] ?? '';
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('README: no ts block under "## Quick start"');
  return code;
}

describe('the README Quick start', () => {
  it('typechecks against the packed package under the strict settings (ESM, NodeNext)', async () => {
    const code = quickStart();
    expect(code).toMatch(/from 'switchyard'/);
    // Its free variables: the order being paid, the parsed request body, the HTTP request.
    const free = [
      "import type { IncomingMessage } from 'node:http';",
      'declare const order: { id: string };',
      'declare const body: { card: string; cvc: string };',
      'declare const req: IncomingMessage;',
    ].join('\n');
    const imports = code.match(/^import .*;$/gm) ?? [];
    const rest = code.replace(/^import .*;$/gm, '');
    const source = `${imports.join('\n')}\n${free}\n${rest}\nexport {};\n`;
    const { code: exit, output } = await typecheck(pkg, {
      name: 'readme-quick-start',
      type: 'module',
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' },
      files: { 'server.ts': source },
    });
    expect(output).toBe('');
    expect(exit).toBe(0);
  });
});
