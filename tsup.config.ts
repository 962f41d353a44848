import { defineConfig } from 'tsup';
import { readdirSync, existsSync } from 'node:fs';

// One entry per adapter folder: `switchyard/adapters/<name>`.
const adapters = readdirSync('adapters', { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`adapters/${d.name}/index.ts`))
  .map((d) => d.name);

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'console/index': 'src/console/index.ts',
    'links/index': 'src/links/index.ts',
    ...Object.fromEntries(adapters.map((a) => [`adapters/${a}/index`, `adapters/${a}/index.ts`])),
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: true,
  treeshake: true,
  // Optional peers stay external: loaded only when a store (or telemetry) needs them.
  external: ['better-sqlite3', 'pg', '@opentelemetry/api'],
});
