/**
 * `npm run demo`: simulate a few thousand checkouts and rebills through a Konnektive-style
 * routing setup on sandbox gateways, print a report and write it as an HTML page.
 *
 *   npm run demo                              # 3000 checkouts, seed 2026
 *   npm run demo -- --checkouts 500 --seed 7  # smaller, another seed
 *   npm run demo -- --out ./report            # keep the SQLite file and report.html there
 *   npm run demo -- --scenario smart          # static weights against success-rate routing
 *   npm run demo -- --scenario smart --transactions 20000
 *
 * State lives in an SQLite file in a temporary folder (the embedded default store).
 * @module
 */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { htmlReport } from './html';
import { progressBar, type ProgressTarget } from './progress';
import { textReport } from './report';
import { simulate, type SimulationReport } from './simulate';
import { type SmartReport, simulateSmart } from './smart';
import { smartHtmlReport, smartTextReport } from './smart-report';

/** Options of `runDemo`. */
export interface DemoOptions {
  checkouts?: number;
  seed?: number;
  /** Folder for the SQLite file and report.html (default: a new temporary folder). */
  out?: string;
  /** Where text goes (default: stdout). */
  output?: ProgressTarget;
}

/** Run the demo; returns the report and the path of the HTML page. */
export async function runDemo(options: DemoOptions = {}): Promise<{ report: SimulationReport; htmlPath: string }> {
  const output = options.output ?? process.stdout;
  const dir = options.out ? resolve(options.out) : mkdtempSync(join(tmpdir(), 'switchyard-demo-'));
  mkdirSync(dir, { recursive: true });
  output.write(`Simulating checkouts and rebills on sandbox gateways (SQLite store in ${dir})\n`);
  const report = await simulate({ checkouts: options.checkouts, seed: options.seed, dir, onProgress: progressBar(output) });
  output.write(`\n${textReport(report)}\n\n`);
  const htmlPath = join(dir, 'report.html');
  writeFileSync(htmlPath, htmlReport(report));
  output.write(`HTML report: ${htmlPath}\n`);
  return { report, htmlPath };
}

/** Options of `runSmartDemo`. */
export interface SmartDemoOptions {
  transactions?: number;
  seed?: number;
  /** Folder for report.html (default: a new temporary folder). */
  out?: string;
  /** Where text goes (default: stdout). */
  output?: ProgressTarget;
}

/** Run the `smart` scenario (static weights, success-rate routing, the oracle); returns the report and the path of the HTML page. */
export async function runSmartDemo(options: SmartDemoOptions = {}): Promise<{ report: SmartReport; htmlPath: string }> {
  const output = options.output ?? process.stdout;
  const dir = options.out ? resolve(options.out) : mkdtempSync(join(tmpdir(), 'switchyard-smart-'));
  mkdirSync(dir, { recursive: true });
  output.write('Routing the same seeded traffic with static weights, success-rate routing and an oracle\n');
  const report = await simulateSmart({ transactions: options.transactions, seed: options.seed, onProgress: progressBar(output) });
  output.write(`\n${smartTextReport(report)}\n\n`);
  const htmlPath = join(dir, 'report.html');
  writeFileSync(htmlPath, smartHtmlReport(report));
  output.write(`HTML report: ${htmlPath}\n`);
  return { report, htmlPath };
}

const positive = (name: string, v: string | undefined, fallback: number) => {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`--${name}: must be a positive integer, got "${v}"`);
  return n;
};

async function main() {
  // `npm run demo | head`: stop quietly when the reader goes away.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    else throw e;
  });
  const { values } = parseArgs({
    options: {
      checkouts: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      scenario: { type: 'string' },
      transactions: { type: 'string' },
    },
  });
  const seed = positive('seed', values.seed, 2026);
  if (values.scenario === 'smart')
    await runSmartDemo({ transactions: positive('transactions', values.transactions, 6000), seed, out: values.out });
  else if (values.scenario === undefined || values.scenario === 'checkout')
    await runDemo({ checkouts: positive('checkouts', values.checkouts, 3000), seed, out: values.out });
  else throw new RangeError(`--scenario: must be checkout or smart, got "${values.scenario}"`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
