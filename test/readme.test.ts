import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DECLINE_REASONS } from '../src/declines/reasons';
import { SANDBOX_TEST_CARDS } from '../adapters/sandbox/cards';

const readme = readFileSync(resolve(__dirname, '../README.md'), 'utf8');

describe('README stays true to the code', () => {
  it('shows the two newcomer commands near the top', () => {
    const top = readme.split('\n').slice(0, 20).join('\n');
    expect(top).toContain('npm install && npm run demo');
    expect(top).toContain('npm test');
  });

  it('the decline reasons table matches DECLINE_REASONS, row by row', () => {
    const rows = new Map<string, string[]>();
    for (const line of readme.split('\n')) {
      const m = /^\| `([a-z_]+)` \| (.+) \| (hard|soft) \| ([a-z_]+) \| (yes|no) \| (\d|—|-) \|$/.exec(line);
      if (m) rows.set(m[1], [m[3], m[4], m[5], m[6]]);
    }
    expect([...rows.keys()].sort()).toEqual(Object.keys(DECLINE_REASONS).sort());
    for (const [reason, info] of Object.entries(DECLINE_REASONS)) {
      const visa = 'visaCategory' in info ? String(info.visaCategory) : '—';
      expect(rows.get(reason), reason).toEqual([info.category, info.retry, info.cascade ? 'yes' : 'no', visa]);
    }
  });

  it('the sandbox test card table lists every test card', () => {
    for (const [pan, card] of Object.entries(SANDBOX_TEST_CARDS)) expect(readme).toContain(`| \`${pan}\` | ${card.label} |`);
  });

  it('has no unfilled section placeholders', () => {
    expect(readme).not.toMatch(/^[A-Z0-9]+_[A-Z0-9_]+$/m);
  });
});
