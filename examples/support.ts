/**
 * Helpers shared by the examples: run a file's `main` only when it is the program started
 * (`npx tsx examples/…`), not when a test imports it.
 * @module
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** True when the module at `moduleUrl` is the script Node was started with. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(resolve(process.argv[1])).href;
}

/** Run `main` when the module is the started script; print errors and exit non-zero. */
export function runIfMain(moduleUrl: string, main: () => Promise<unknown>): void {
  if (!isMain(moduleUrl)) return;
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  });
}

/** A card for the sandbox: the PAN decides what the sandbox answers (see `SANDBOX_TEST_CARDS`). */
export function testCard(number: string) {
  return { number, expMonth: 12, expYear: 2030, cvc: number.startsWith('3') ? '1234' : '123' };
}
