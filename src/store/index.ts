/** Stores: memory (tests), SQLite (embedded default), PostgreSQL (several servers). @module */
export * from './types';
export { memoryStore } from './memory';
export { sqliteStore, migrateSqlite, SQLITE_MIGRATIONS } from './sqlite';
export type { SqliteStore, SqliteStoreOptions, Migration } from './sqlite';
export { postgresStore, migratePostgres, POSTGRES_MIGRATIONS } from './postgres';
export type { PostgresStore, PostgresStoreOptions, PgMigration } from './postgres';
