/**
 * Loading of optional peer dependencies (better-sqlite3, pg): only when a store that needs one
 * is created, so `import 'switchyard'` works without them.
 * @module
 */
import { createRequire } from 'node:module';
import { MissingDependencyError } from '../errors';

/**
 * `require` resolving from this module's location. (Not the global `require`: bundlers replace it
 * with a stub in ESM builds; tsup turns `import.meta.url` into the file's URL in the CJS build.)
 */
const requireHere = createRequire(import.meta.url);

/**
 * Load an optional peer dependency by name, or throw `MissingDependencyError` saying what to install.
 * @example
 * const Database = loadOptional<typeof import('better-sqlite3')>('better-sqlite3', 'sqliteStore');
 */
export function loadOptional<T>(name: string, feature: string): T {
  try {
    return requireHere(name) as T;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // Only the package itself missing; a broken install of it (e.g. a native build) keeps its own error.
    if (err?.code === 'MODULE_NOT_FOUND' && err.message.includes(`'${name}'`)) throw new MissingDependencyError(name, feature);
    throw e;
  }
}
