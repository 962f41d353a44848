/**
 * Errors thrown for programmer mistakes (bad configuration). Declines and rejected requests are
 * values (`Failure`), never thrown.
 * @module
 */

/** One configuration problem: where it is and what is wrong. */
export interface ConfigProblem {
  /** Path such as `profiles[0].pools.main.members[1].weight`. */
  path: string;
  message: string;
}

/**
 * Thrown by `createRouter` (and `defineProfile`) with every problem found, each with its path.
 * @example
 * try { createRouter(config) } catch (e) { if (e instanceof ConfigError) console.error(e.problems) }
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly problems: readonly ConfigProblem[];
  constructor(problems: ConfigProblem[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join('\n')}`);
    this.problems = problems;
  }
}

/** Thrown when an optional peer dependency (better-sqlite3, pg) is needed but not installed. */
export class MissingDependencyError extends Error {
  override readonly name = 'MissingDependencyError';
  constructor(
    readonly dependency: string,
    readonly feature: string,
  ) {
    super(`${feature} needs the optional dependency "${dependency}": run \`npm install ${dependency}\``);
  }
}

/** Format a path array as `a.b[0].c`. */
export function formatPath(path: ReadonlyArray<string | number | symbol>, prefix = ''): string {
  let out = prefix;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/**
 * Thrown by the support reads (`router.transactions`, `router.attempts`, `router.subscription`)
 * for a filter they cannot run, naming the field.
 * @example
 * router.transactions({ last4: '12' }) // throws FilterError: last4: must be 4 digits
 */
export class FilterError extends Error {
  override readonly name = 'FilterError';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}
