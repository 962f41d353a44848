import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// Runs against the built package (npm test builds with tsup before vitest).
const root = resolve(__dirname, '../..');
const script = (load: string) => `
${load}
const router = createRouter({
  merchantAccounts: [{ id: 'm', adapter: sandbox() }],
  profiles: [defineProfile({ id: 'default', pools: { p: { strategy: 'priority', members: [{ mid: 'm' }] } }, route: ['p'] })],
  store: memoryStore(),
});
router.sale({ profile: 'default', idempotencyKey: 'k', amount: 100, currency: 'USD', card: { number: '4111111111111111', expMonth: 12, expYear: 2030, cvc: '123' } })
  .then((r) => console.log(JSON.stringify({ ok: r.isOk(), mid: r.isOk() && r.value.mid, reasons: Object.keys(DECLINE_REASONS).length, nd: normalizeDecline({ gateway: 'iso8583', code: '51' }).reason })));
`;

describe('built package', () => {
  it.skipIf(!existsSync(resolve(root, 'dist/index.js')))('imports as ESM and as CJS, with the adapter entry points', () => {
    const esm = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        script(
          `import { createRouter, defineProfile, memoryStore, DECLINE_REASONS, normalizeDecline } from 'switchyard'; import { sandbox } from 'switchyard/adapters/sandbox';`,
        ),
      ],
      { cwd: root, encoding: 'utf8' },
    );
    const cjs = execFileSync(
      process.execPath,
      [
        '-e',
        script(
          `const { createRouter, defineProfile, memoryStore, DECLINE_REASONS, normalizeDecline } = require('switchyard'); const { sandbox } = require('switchyard/adapters/sandbox');`,
        ),
      ],
      { cwd: root, encoding: 'utf8' },
    );
    for (const out of [esm, cjs]) expect(JSON.parse(out)).toEqual({ ok: true, mid: 'm', reasons: 32, nd: 'insufficient_funds' });
  });
});
