/**
 * The package as a user gets it: `npm pack` of the built tree, unpacked into a throw-away project
 * outside the repository with only its runtime dependencies beside it (copied from this
 * repository's node_modules, so no network is needed), and the repository's TypeScript to check
 * consumer code against it.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root. */
export const ROOT = resolve(__dirname, '../..');

/** A packed and installed copy of the package. */
export interface PackedPackage {
  /** The folder whose `node_modules/` holds the package and its runtime dependencies. */
  readonly dir: string;
  /** Paths inside the tarball (without the leading `package/`). */
  readonly files: readonly string[];
  /** Packages installed beside it: the runtime dependencies (full closure) and the consumer's own types. */
  readonly installed: readonly string[];
  /** Remove the folder. */
  remove(): void;
}

interface Manifest {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const manifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** Where Node would find `name` when required from a package in `fromDir` (inside this repository). */
function locate(name: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === dirname(dir) || !dir.startsWith(ROOT)) throw new Error(`runtime dependency ${name} is not installed in ${ROOT}`);
  }
}

/**
 * Build nothing, pack the current `dist/` (`npm test` builds first), and install the tarball with
 * the closure of its runtime dependencies (dependencies and required peers; the optional peers
 * `pg` and `better-sqlite3` stay out, as for a user who does not need them). `withTypes` adds the
 * consumer's own `@types/*` packages: `@types/node`, which any Node TypeScript project has (axios's
 * and zod's declarations name Node's globals: URL, AbortSignal…).
 */
export async function packAndInstall(withTypes: readonly string[] = ['@types/node']): Promise<PackedPackage> {
  if (!existsSync(join(ROOT, 'dist/index.d.ts'))) throw new Error('dist/ is missing: run `npm run build` (npm test builds first)');
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-consumer-'));
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 1 << 24 });
  const [info] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (!info) throw new Error('npm pack printed nothing');
  const modules = join(dir, 'node_modules');
  mkdirSync(modules);
  await run('tar', ['-xzf', join(dir, info.filename), '-C', dir]);
  renameSync(join(dir, 'package'), join(modules, 'switchyard'));

  const installed: string[] = [];
  const queue: Array<[string, string]> = [];
  const enqueue = (m: Manifest, from: string) => {
    for (const name of Object.keys(m.dependencies ?? {})) queue.push([name, from]);
    for (const name of Object.keys(m.peerDependencies ?? {})) if (!m.peerDependenciesMeta?.[name]?.optional) queue.push([name, from]);
  };
  enqueue(manifest(join(modules, 'switchyard')), ROOT);
  for (const name of withTypes) queue.push([name, ROOT]);
  while (queue.length) {
    const [name, from] = queue.shift() as [string, string];
    if (installed.includes(name)) continue;
    const source = locate(name, from);
    cpSync(source, join(modules, name), { recursive: true, dereference: true });
    installed.push(name);
    enqueue(manifest(source), source);
  }
  return {
    dir,
    files: info.files.map((f) => f.path),
    installed,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Compiler settings of a strict consumer; `module` and `moduleResolution` vary per project. */
export const STRICT = {
  target: 'ES2022',
  lib: ['ES2022'],
  strict: true,
  exactOptionalPropertyTypes: true,
  noUncheckedIndexedAccess: true,
  skipLibCheck: false,
  noEmit: true,
  // Only Node's own types, as in a checkout server; nothing else from @types by accident.
  types: ['node'],
} as const;

/** A consumer project inside the packed folder: its package.json type, tsconfig and sources. */
export interface ConsumerProject {
  name: string;
  type: 'module' | 'commonjs';
  compilerOptions: Record<string, unknown>;
  files: Record<string, string>;
}

/** Write a consumer project and typecheck it with the repository's tsc; resolves with tsc's output and exit code. */
export async function typecheck(pkg: PackedPackage, project: ConsumerProject): Promise<{ code: number; output: string }> {
  const dir = join(pkg.dir, project.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: project.name, private: true, type: project.type }));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { ...STRICT, ...project.compilerOptions }, include: Object.keys(project.files) }),
  );
  for (const [file, text] of Object.entries(project.files)) writeFileSync(join(dir, file), text);
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  try {
    const { stdout } = await run(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], { cwd: dir, maxBuffer: 1 << 24 });
    return { code: 0, output: stdout };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: err.code ?? 1, output: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}
