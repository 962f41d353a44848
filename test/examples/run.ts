/** Run a TypeScript program the way a user would (`npx tsx <file> …`) and collect its output. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The project's tsx binary. */
export const TSX = join(process.cwd(), 'node_modules/.bin/tsx');

/** Run `tsx …args` to its end. */
export async function runTsx(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(TSX, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  return { code, stdout, stderr };
}
