import { existsSync, readFileSync } from 'node:fs';
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

describe('README links work on the npm page', () => {
  const repository = 'https://github.com/switchyard-js/switchyard';
  const links = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string);
  /** GitHub's (and npm's) anchor of a heading. */
  const slug = (heading: string) =>
    heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .trim()
      .replace(/\s/g, '-');
  const anchors = new Set(readme.split('\n').flatMap((l) => (/^#{1,6} (.+)$/.exec(l) ? [slug(/^#{1,6} (.+)$/.exec(l)?.[1] ?? '')] : [])));

  it('every link is absolute or an anchor of a heading in the README', () => {
    expect(links.length).toBeGreaterThan(20);
    const relative = links.filter((l) => !/^https?:\/\//.test(l) && !l.startsWith('#'));
    expect(relative).toEqual([]);
    const dangling = links.filter((l) => l.startsWith('#') && !anchors.has(l.slice(1)));
    expect(dangling).toEqual([]);
  });

  it('links into the repository name files and folders that exist, on the repository package.json names', () => {
    const pkg = JSON.parse(readFileSync(resolve(__dirname, '../package.json'), 'utf8'));
    expect(pkg.repository.url).toBe(`git+${repository}.git`);
    const inRepo = links.filter((l) => l.startsWith(`${repository}/`));
    expect(inRepo.length).toBeGreaterThanOrEqual(6);
    for (const l of inRepo) {
      const m = /^https:\/\/github\.com\/switchyard-js\/switchyard\/(blob|tree)\/main\/(.+)$/.exec(l);
      expect(m, l).not.toBeNull();
      expect(existsSync(resolve(__dirname, '..', m?.[2] ?? '')), l).toBe(true);
    }
  });
});
