/**
 * The repository is self-contained: no file in it (tests, demo, bench, docs configuration, CI)
 * names a path outside it, such as a folder beside the checkout. The runtime proof is
 * `.ci/run` in a fresh clone with nothing beside it (see CONTRIBUTING.md); this test catches the
 * reference before it is committed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './packed';

/** Tracked and new (not ignored) files of the working tree. */
function repositoryFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' });
  return out.split('\0').filter(Boolean);
}

const TEXT = /\.(ts|mjs|cjs|js|json|md|sh|yml|yaml|csv)$|(^|\/)run$/;
/**
 * Paths into the folder that holds the checkout: its absolute path, or a folder beside the
 * checkout named as if it were inside (`<sibling>/…`). Derived from this machine, so nothing
 * outside is named here; in a clone with nothing beside it, only the climbing check below applies.
 */
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PARENT = dirname(ROOT);
const SIBLINGS = readdirSync(PARENT, { withFileTypes: true })
  .filter((d) => d.isDirectory() && join(PARENT, d.name) !== ROOT && !existsSync(join(ROOT, d.name)))
  .map((d) => literal(d.name));
const OUTSIDE = new RegExp(
  [...(PARENT === '/' ? [] : [`${literal(PARENT)}/`]), ...SIBLINGS.map((n) => `(^|[\\s\`'"(])${n}/`)].join('|') || '$^',
);
/** Relative paths that climb (in Markdown, link targets only): each is resolved against its file's folder. */
const CLIMB = /(?:\.\.\/)+[\w.-]*/g;
const MD_CLIMB = /\]\(((?:\.\.\/)+[^)#\s]*)/g;

/** Whether a line points outside the repository. */
function outside(file: string, line: string): boolean {
  if (OUTSIDE.test(line)) return true;
  const paths = file.endsWith('.md') ? [...line.matchAll(MD_CLIMB)].map((m) => m[1] as string) : (line.match(CLIMB) ?? []);
  return paths.some((rel) => {
    const target = resolve(ROOT, dirname(file), rel);
    return target !== ROOT && !target.startsWith(`${ROOT}/`);
  });
}

describe('self-contained repository', () => {
  it('no file refers to a path outside the repository', () => {
    const files = repositoryFiles().filter((f) => TEXT.test(f));
    expect(files.length).toBeGreaterThan(100);
    const hits: string[] = [];
    for (const f of files) {
      if (f === 'test/package/self-contained.test.ts') continue;
      readFileSync(join(ROOT, f), 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (outside(f, line)) hits.push(`${f}:${i + 1}: ${line.trim().slice(0, 120)}`);
        });
    }
    expect(hits).toEqual([]);
  });

  it('the specs the tests read are inside the repository, with their licences', () => {
    for (const f of [
      'test/specs/README.md',
      'test/specs/stripe-payments.openapi.json',
      'test/specs/adyen-checkout-v72-payments.openapi.json',
      'test/specs/derived/authorizenet-AnetApiSchema.facts.json',
      'test/specs/derived/checkoutcom-nas-2022-07-payments.facts.json',
      'test/specs/licenses/stripe-openapi.MIT.txt',
      'test/specs/licenses/adyen-openapi.MIT.txt',
      'test/specs/licenses/Apache-2.0.txt',
    ])
      expect(repositoryFiles(), f).toContain(f);
    expect(repositoryFiles().filter((f) => /AnetApiSchema\.xsd$|checkoutcom.*\.openapi\.json$/.test(f))).toEqual([]);
  });
});
