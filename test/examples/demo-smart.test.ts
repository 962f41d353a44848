/**
 * `npm run demo -- --scenario smart`: the command runs and prints the comparison; the HTML page
 * plots one approval-rate line per strategy with one point per day and marks the drift; the
 * page is self-contained and renders in headless Chromium.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSmartDemo } from '../../examples/demo/index';
import type { SmartReport } from '../../examples/demo/smart';
import { SMART_COLOURS } from '../../examples/demo/smart-report';
import { colourCounts, decodePng } from './png';
import { runTsx, TSX } from './run';

const CHROMIUM = '/usr/bin/chromium';
const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

let report: SmartReport;
let html = '';
let htmlPath = '';
let printed = '';

beforeAll(async () => {
  const r = await runSmartDemo({
    transactions: 900,
    seed: 3,
    out: tempDir('switchyard-smart-test-'),
    output: { write: (s) => void (printed += s) },
  });
  report = r.report;
  htmlPath = r.htmlPath;
  html = readFileSync(htmlPath, 'utf8');
}, 120_000);

describe('npm run demo -- --scenario smart', () => {
  it('prints every strategy, the recovered gain, the exploration share and the HTML path', () => {
    expect(printed).toMatch(/static weights\s+\d+\s+[\d.]+%/);
    expect(printed).toMatch(/success-rate routing\s+\d+\s+[\d.]+%/);
    expect(printed).toMatch(/oracle \(true best MID\)\s+\d+\s+[\d.]+%/);
    expect(printed).toMatch(/Exploration: [\d.]+% of decisions/);
    expect(printed).toContain(`HTML report: ${htmlPath}`);
  });

  it('plots the approval rate per day: one line per strategy, one point per day, the drift marked', () => {
    expect(html).not.toMatch(/<script|<link|<img|src=|url\(|https?:\/\//i);
    const chart = /<svg id="chart-approval"[\s\S]*?<\/svg>/.exec(html)![0];
    const lines = [...chart.matchAll(/<polyline class="series" data-strategy="([^"]+)" points="([^"]+)"/g)];
    expect(lines.map((l) => l[1])).toEqual(['static', 'success_rate', 'oracle']);
    for (const [, strategy, points] of lines) {
      const ys = points.split(' ').map((p) => Number(p.split(',')[1]));
      expect(ys, strategy).toHaveLength(report.days);
      for (const y of ys) expect(Number.isFinite(y)).toBe(true);
    }
    // Higher approval is drawn higher: the oracle's mean y is above (smaller than) static's.
    const meanY = (i: number) => {
      const ys = lines[i][2].split(' ').map((p) => Number(p.split(',')[1]));
      return ys.reduce((a, b) => a + b, 0) / ys.length;
    };
    expect(report.runs.oracle.approvalRate).toBeGreaterThan(report.runs.static.approvalRate);
    expect(meanY(2)).toBeLessThan(meanY(0));
    expect(chart).toContain('id="drift"');
  });

  it('runs as a command, and refuses an unknown scenario by name', async () => {
    const dir = tempDir('switchyard-smart-cli-');
    const { code, stdout, stderr } = await runTsx(['examples/demo/index.ts', '--scenario', 'smart', '--transactions', '300', '--out', dir]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/success_rate 300\/300/);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
    const bad = spawnSync(TSX, ['examples/demo/index.ts', '--scenario', 'fancy'], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--scenario: must be checkout or smart');
  }, 120_000);

  it.skipIf(!existsSync(CHROMIUM) && process.env.CI !== 'true')('renders the approval lines in headless Chromium', () => {
    const png = join(tempDir('switchyard-smart-shot-'), 'report.png');
    const run = spawnSync(
      CHROMIUM,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        `--user-data-dir=${tempDir('switchyard-chromium-')}`,
        `--screenshot=${png}`,
        '--window-size=1200,900',
        `file://${htmlPath}`,
      ],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(existsSync(png), run.stderr).toBe(true);
    const image = decodePng(readFileSync(png));
    expect([image.width, image.height]).toEqual([1200, 900]);
    const counts = colourCounts(image);
    // Each strategy's line colour is on screen (4-pixel lines across the chart).
    for (const [strategy, hex] of Object.entries(SMART_COLOURS))
      expect(counts.get(parseInt(hex.slice(1), 16)) ?? 0, strategy).toBeGreaterThan(300);
  });
});
