import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { sqliteStore } from '../../src/store/sqlite';
import { runStoreConformance } from './conformance';
import { runSearchConformance } from './conformance-search';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-sqlite-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

runStoreConformance('sqliteStore (temp file)', async () => sqliteStore({ path: join(dir, `conformance-${n++}.db`) }));
runSearchConformance('sqliteStore (temp file)', async () => sqliteStore({ path: join(dir, `search-${n++}.db`) }));
