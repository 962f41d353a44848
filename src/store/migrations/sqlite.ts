/**
 * Schema versions of the SQLite store. Each migration runs once, in its own transaction, in
 * version order; `schema_migrations` records which ran. Never edit a released migration: add one.
 *
 * Records keep their searchable and atomically-updated fields in columns and the rest as a JSON
 * document (`doc`). No column or document ever holds a PAN or CVC: cards are BIN, last four,
 * brand, expiry and a keyed fingerprint.
 * @module
 */

/** One schema version. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Every schema version of the SQLite store, oldest first. */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ledger, caps, idempotency, pins, secrets',
    sql: `
      CREATE TABLE caps (
        mid TEXT NOT NULL, cap_window TEXT NOT NULL, cap_key TEXT NOT NULL,
        amount INTEGER NOT NULL DEFAULT 0, count INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (mid, cap_window, cap_key)
      ) WITHOUT ROWID;
      CREATE TABLE idempotency (
        key TEXT PRIMARY KEY, request_hash TEXT NOT NULL, result TEXT, created_at INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE transactions (
        id TEXT PRIMARY KEY, status TEXT NOT NULL, amount INTEGER NOT NULL,
        captured_amount INTEGER NOT NULL, refunded_amount INTEGER NOT NULL, doc TEXT NOT NULL
      );
      CREATE TABLE attempts (
        seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, transaction_id TEXT NOT NULL,
        status TEXT NOT NULL, started_at INTEGER NOT NULL, doc TEXT NOT NULL
      );
      CREATE INDEX attempts_by_transaction ON attempts (transaction_id);
      CREATE TABLE pins (
        seq INTEGER PRIMARY KEY, subscription_id TEXT NOT NULL UNIQUE, mid TEXT NOT NULL,
        status TEXT NOT NULL, doc TEXT NOT NULL
      );
      CREATE INDEX pins_by_mid ON pins (mid);
      CREATE TABLE repin_audit (
        seq INTEGER PRIMARY KEY, subscription_id TEXT NOT NULL, from_mid TEXT NOT NULL,
        to_mid TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL
      );
      CREATE INDEX repin_audit_by_subscription ON repin_audit (subscription_id);
      CREATE TABLE secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    name: 'decline history for card-network rules; index of pending attempts for reconciliation',
    sql: `
      CREATE TABLE declines (
        seq INTEGER PRIMARY KEY, fingerprint TEXT NOT NULL, at INTEGER NOT NULL, doc TEXT NOT NULL
      );
      CREATE INDEX declines_by_card ON declines (fingerprint, at);
      CREATE INDEX attempts_pending ON attempts (started_at) WHERE status = 'pending';
    `,
  },
  {
    version: 3,
    name: 'one state machine: transaction and attempt states, idempotency leases',
    sql: `
      ALTER TABLE idempotency ADD COLUMN transaction_id TEXT;
      ALTER TABLE idempotency ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX idempotency_open ON idempotency (lease_until) WHERE result IS NULL;
      UPDATE idempotency SET transaction_id = (
          SELECT t.id FROM transactions t
          WHERE json_extract(t.doc, '$.operation') || ':' || json_extract(t.doc, '$.idempotencyKey') = idempotency.key
          ORDER BY t.rowid DESC LIMIT 1)
        WHERE result IS NULL;
      UPDATE transactions SET status = CASE
          WHEN json_extract(doc, '$.operation') = 'verify' THEN CASE WHEN amount = 0 THEN 'verified' ELSE 'authorized' END
          WHEN captured_amount = 0 THEN 'authorized'
          WHEN refunded_amount >= captured_amount THEN 'refunded'
          WHEN refunded_amount > 0 THEN 'partially_refunded'
          ELSE 'captured' END
        WHERE status = 'approved';
      UPDATE transactions SET status = 'pending' WHERE status = 'ambiguous';
      UPDATE attempts SET status = 'pending' WHERE status = 'ambiguous';
    `,
  },
  {
    version: 4,
    name: '3-D Secure: index of attempts waiting for the cardholder, by deadline, for expiry',
    sql: `
      CREATE INDEX attempts_awaiting_action ON attempts (coalesce(json_extract(doc, '$.expiresAt'), 0)) WHERE status = 'requires_action';
    `,
  },
  {
    version: 5,
    name: 'webhooks: notifications recorded once, disputes, lookups by gateway id, accepted follow-ups',
    sql: `
      CREATE TABLE notifications (
        seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, mid TEXT NOT NULL, status TEXT NOT NULL,
        received_at INTEGER NOT NULL, doc TEXT NOT NULL
      );
      CREATE INDEX notifications_by_status ON notifications (status, seq);
      CREATE TABLE disputes (
        seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, mid TEXT NOT NULL, transaction_id TEXT,
        status TEXT NOT NULL, opened_at INTEGER NOT NULL, revision INTEGER NOT NULL, doc TEXT NOT NULL
      );
      CREATE INDEX disputes_by_mid ON disputes (mid, opened_at);
      CREATE INDEX disputes_by_opened ON disputes (opened_at);
      CREATE INDEX disputes_by_transaction ON disputes (transaction_id);
      CREATE INDEX transactions_by_gateway_id ON transactions (json_extract(doc, '$.gatewayTransactionId'));
      CREATE INDEX attempts_by_gateway_id ON attempts (json_extract(doc, '$.gatewayTransactionId'));
      CREATE INDEX attempts_accepted ON attempts (started_at) WHERE status = 'accepted';
    `,
  },
  {
    version: 7,
    name: 'cards on file: stored credentials per MID on every pin',
    // A pin's top-level ids belong to its initial transaction's MID, even after a re-pin moved it.
    sql: `
      UPDATE pins SET doc = json_set(doc, '$.credentials', json_array(json_patch('{}', json_object(
          'mid', coalesce(
            (SELECT json_extract(t.doc, '$.mid') FROM transactions t WHERE t.id = json_extract(pins.doc, '$.transactionId')),
            (SELECT a.from_mid FROM repin_audit a WHERE a.subscription_id = pins.subscription_id ORDER BY a.seq LIMIT 1),
            pins.mid),
          'gateway', coalesce(
            (SELECT json_extract(t.doc, '$.gateway') FROM transactions t WHERE t.id = json_extract(pins.doc, '$.transactionId')),
            CASE WHEN EXISTS (SELECT 1 FROM repin_audit a WHERE a.subscription_id = pins.subscription_id) THEN 'unknown'
                 ELSE json_extract(pins.doc, '$.gateway') END),
          'gatewayToken', json_extract(doc, '$.gatewayToken'),
          'gatewayTransactionId', json_extract(doc, '$.gatewayTransactionId'),
          'networkTransactionId', json_extract(doc, '$.networkTransactionId'),
          'transactionId', json_extract(doc, '$.transactionId'),
          'origin', 'customer',
          'at', json_extract(doc, '$.createdAt')))))
        WHERE json_type(doc, '$.credentials') IS NULL;
    `,
  },
  {
    version: 8,
    name: 'success-rate routing: approval windows per MID and segment',
    sql: `
      CREATE TABLE approval_windows (
        mid TEXT NOT NULL, segment TEXT NOT NULL,
        approved REAL NOT NULL, total REAL NOT NULL, at INTEGER NOT NULL,
        PRIMARY KEY (mid, segment)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 9,
    name: 'payment links: link state per invoice, attempt counters per link and client IP',
    sql: `
      CREATE TABLE payment_links (
        invoice_id TEXT PRIMARY KEY, revision INTEGER NOT NULL, status TEXT NOT NULL, doc TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE link_attempt_counters (
        key TEXT PRIMARY KEY, count INTEGER NOT NULL, window_end INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX link_attempt_counters_by_end ON link_attempt_counters (window_end);
    `,
  },
  {
    version: 10,
    name: 'chargeback monitoring: per-MID monthly counters, entries recorded once, transactions by card',
    sql: `
      CREATE TABLE mid_month_counts (
        mid TEXT NOT NULL, month TEXT NOT NULL, metric TEXT NOT NULL, count INTEGER NOT NULL, amount INTEGER NOT NULL,
        PRIMARY KEY (mid, month, metric)
      ) WITHOUT ROWID;
      CREATE INDEX mid_month_counts_by_month ON mid_month_counts (month);
      CREATE TABLE monitor_entries (
        seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, mid TEXT NOT NULL, month TEXT NOT NULL,
        at INTEGER NOT NULL, doc TEXT NOT NULL
      );
      CREATE INDEX monitor_entries_by_kind ON monitor_entries (kind, month);
      CREATE INDEX transactions_by_card ON transactions (json_extract(doc, '$.card.last4'), json_extract(doc, '$.card.bin'));
    `,
  },
];
