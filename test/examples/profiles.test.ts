/**
 * Every recipe in examples/profiles and examples/subscription.ts runs: imported (its `main`'s
 * result is checked) and as a command with tsx (exit code and printed lines), so none rots.
 */
import { readdirSync } from 'node:fs';
import { runTsx } from './run';
import { describe, expect, it } from 'vitest';
import * as brandBlocking from '../../examples/profiles/brand-blocking';
import * as cascadeOnReasons from '../../examples/profiles/cascade-on-reasons';
import * as countryBillers from '../../examples/profiles/country-billers';
import * as declineMapping from '../../examples/profiles/decline-mapping';
import * as loadBalancing from '../../examples/profiles/load-balancing';
import * as mastercardRedirect from '../../examples/profiles/mastercard-redirect';
import * as prepaidRedirect from '../../examples/profiles/prepaid-redirect';
import * as subscription from '../../examples/subscription';

const quiet =
  <T>(fn: () => Promise<T>) =>
  async () => {
    const log = console.log;
    console.log = () => undefined;
    try {
      return await fn();
    } finally {
      console.log = log;
    }
  };

describe('examples/profiles', () => {
  it(
    'load balancing: weights spread the sales, a full cap moves them on',
    quiet(async () => {
      const r = await loadBalancing.main();
      expect(r.approvedOn['mid-small']).toBe(25); // its cap: 25 sales of $20
      expect(r.capSkips).toBeGreaterThan(0);
      expect(r.approvedOn['mid-big'] + r.approvedOn['mid-medium'] + r.approvedOn['mid-small']).toBe(300);
      expect(r.approvedOn['mid-big']).toBeGreaterThan(r.approvedOn['mid-medium']);
      expect(r.smallReasons).toEqual(['cap_reached']);
      expect(r.nextOrder).not.toContain('mid-small');
    }),
  );

  it(
    'prepaid and debit redirect by BIN table',
    quiet(async () => {
      const r = await prepaidRedirect.main();
      expect(r.prepaid).toEqual({ rule: 'prepaid to the prepaid MID', mid: 'mid-prepaid' });
      expect(r.debit).toEqual({ rule: 'debit to the debit MID', mid: 'mid-debit' });
      expect(r.credit.rule).toBeUndefined();
      expect(['mid-main-1', 'mid-main-2']).toContain(r.credit.mid);
    }),
  );

  it(
    'Mastercard redirect',
    quiet(async () => {
      const r = await mastercardRedirect.main();
      expect(r.rule).toBe('Mastercard to mid-mc');
      expect(r.order[0]).toBe('mid-mc');
      expect(r.order).toHaveLength(3);
      expect(r.mastercardMid).toBe('mid-mc');
      expect(['mid-a', 'mid-b']).toContain(r.visaMid);
    }),
  );

  it(
    'brand blocking by MID brands and by a reject rule',
    quiet(async () => {
      const r = await brandBlocking.main();
      expect(r.amexMid).toBe('mid-amex');
      expect(r.amexBlockedBecause).toEqual(['brand_not_accepted']);
      expect(r.visaMid).toBe('mid-no-amex');
      expect(r.discover).toMatchObject({ kind: 'rejected', rejection: 'card_not_supported' });
    }),
  );

  it(
    'country-based billers: EU customers to the EU MID',
    quiet(async () => {
      const r = await countryBillers.main();
      expect(r.germanyMid).toBe('mid-eu');
      expect(['mid-us-1', 'mid-us-2']).toContain(r.usMid);
      expect(r.euInUsd).toEqual({ rule: 'EU customers to the EU biller', order: [], reasons: ['currency_not_accepted'] });
    }),
  );

  it(
    'cascade only on listed reasons',
    quiet(async () => {
      const r = await cascadeOnReasons.main();
      expect(r.outcomes['05 do not honor']).toEqual({ approved: true, mids: ['mid-a', 'mid-b'], reason: undefined });
      expect(r.outcomes['96 system malfunction'].mids).toEqual(['mid-a', 'mid-b']);
      expect(r.outcomes['91 issuer unavailable']).toEqual({ approved: false, mids: ['mid-a'], reason: 'issuer_unavailable' });
      expect(r.refused).toContain('profiles[0].cascade.on[1]');
    }),
  );

  it(
    'decline message mapping',
    quiet(async () => {
      const r = await declineMapping.main();
      expect(r.without['negative file']).toEqual({ reason: 'generic_decline', approved: true, mids: ['mid-a', 'mid-b'] });
      expect(r.withRules['negative file']).toEqual({ reason: 'restricted_card', approved: false, mids: ['mid-a'] });
      expect(r.without.Z1.reason).toBe('generic_decline');
      expect(r.withRules.Z1).toEqual({ reason: 'invalid_merchant', approved: true, mids: ['mid-a', 'mid-b'] });
    }),
  );
});

describe('examples/subscription.ts', () => {
  it(
    'trial, express consent, rebills on the pinned MID, salvage',
    quiet(async () => {
      const r = await subscription.main();
      expect(r.trialMid).toBe('mid-trials');
      expect(r.pinnedMid).toBe('mid-trials');
      expect(r.consentRequired).toBe(true);
      expect(r.rebills.map((x) => [x.amount, x.mid, x.approved, x.reason])).toEqual([
        [5995, 'mid-trials', true, undefined],
        [5995, 'mid-trials', false, 'insufficient_funds'],
        [5995, 'mid-trials', false, 'insufficient_funds'],
        [2998, 'mid-trials', true, undefined],
      ]);
      // Salvage retries 3 days, then 7 more days after the declined month.
      expect(r.rebills.map((x) => x.date)).toEqual(['2026-01-19', '2026-02-18', '2026-02-21', '2026-02-28']);
      expect(r.backupCalls).toBe(0);
    }),
  );
});

describe('every example runs as a command', () => {
  const files = [...readdirSync('examples/profiles').map((f) => `examples/profiles/${f}`), 'examples/subscription.ts'].filter((f) =>
    f.endsWith('.ts'),
  );
  it.each(files)('%s', async (file) => {
    const { code, stdout, stderr } = await runTsx([file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout.trim().split('\n').length).toBeGreaterThanOrEqual(2);
    expect(stdout).not.toMatch(/undefined|NaN/);
  });
});
