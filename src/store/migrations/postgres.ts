/**
 * Schema versions of the PostgreSQL store, written for a schema name `s` (already quoted).
 * Each runs once, in its own transaction, under an advisory lock so two servers starting
 * together do not both migrate. Never edit a released migration: add one.
 *
 * Columns hold what is searched or updated atomically; the rest of a record is a `jsonb` document.
 * No column or document ever holds a PAN or CVC.
 * @module
 */

/** One schema version, as SQL for a given (quoted) schema name. */
export interface PgMigration {
  version: number;
  name: string;
  sql(s: string): string;
}

/** Every schema version of the PostgreSQL store, oldest first. */
export const POSTGRES_MIGRATIONS: readonly PgMigration[] = [
  {
    version: 1,
    name: 'ledger, caps, idempotency, pins, secrets',
    sql: (s) => `
      CREATE TABLE ${s}.caps (
        mid text NOT NULL, cap_window text NOT NULL, cap_key text NOT NULL,
        amount bigint NOT NULL DEFAULT 0, count bigint NOT NULL DEFAULT 0,
        PRIMARY KEY (mid, cap_window, cap_key)
      );
      CREATE TABLE ${s}.idempotency (
        key text PRIMARY KEY, request_hash text NOT NULL, result jsonb, created_at bigint NOT NULL
      );
      CREATE TABLE ${s}.transactions (
        id text PRIMARY KEY, status text NOT NULL, amount bigint NOT NULL,
        captured_amount bigint NOT NULL, refunded_amount bigint NOT NULL, doc jsonb NOT NULL,
        CHECK (captured_amount >= 0 AND refunded_amount >= 0)
      );
      CREATE TABLE ${s}.attempts (
        seq bigserial PRIMARY KEY, id text NOT NULL UNIQUE, transaction_id text NOT NULL,
        status text NOT NULL, started_at bigint NOT NULL, doc jsonb NOT NULL
      );
      CREATE INDEX attempts_by_transaction ON ${s}.attempts (transaction_id);
      CREATE TABLE ${s}.pins (
        seq bigserial PRIMARY KEY, subscription_id text NOT NULL UNIQUE, mid text NOT NULL,
        status text NOT NULL, doc jsonb NOT NULL
      );
      CREATE INDEX pins_by_mid ON ${s}.pins (mid);
      CREATE TABLE ${s}.repin_audit (
        seq bigserial PRIMARY KEY, subscription_id text NOT NULL, from_mid text NOT NULL,
        to_mid text NOT NULL, reason text NOT NULL, at bigint NOT NULL
      );
      CREATE INDEX repin_audit_by_subscription ON ${s}.repin_audit (subscription_id);
      CREATE TABLE ${s}.secrets (name text PRIMARY KEY, value text NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'decline history for card-network rules; index of pending attempts for reconciliation',
    sql: (s) => `
      CREATE TABLE ${s}.declines (
        seq bigserial PRIMARY KEY, fingerprint text NOT NULL, at bigint NOT NULL, doc jsonb NOT NULL
      );
      CREATE INDEX declines_by_card ON ${s}.declines (fingerprint, at);
      CREATE INDEX attempts_pending ON ${s}.attempts (started_at) WHERE status = 'pending';
    `,
  },
];
