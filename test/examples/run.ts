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

/** An example server started the way its README says, until `stop()`. */
export interface RunningExample {
  /** The base URL it printed (`listening on http://…`). */
  url: string;
  /** Everything it wrote so far, stdout and stderr together. */
  output(): string;
  /** SIGTERM, then wait for it to exit. */
  stop(): Promise<void>;
}

/** Start `tsx <file>` with `env` added, and wait until it prints the URL it listens on. */
export async function startExample(file: string, env: Record<string, string>, timeoutMs = 20_000): Promise<RunningExample> {
  const child = spawn(TSX, [file], { env: { ...process.env, PORT: '0', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (d: Buffer) => {
    output += d;
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start:\n${output}`)), timeoutMs);
    child.stdout.on('data', () => {
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code}:\n${output}`));
    });
  });
  return {
    url,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
