/**
 * Schema versions of the SQLite store. Each migration runs once, in its own transaction, in
 * version order; `schema_migrations` records which ran. Never edit a released migration: add one.
 *
 * Records keep their searchable and atomically-updated fields in columns and the rest as a JSON
 * document (`doc`). No column or document ever holds a PAN or CVC: cards are BIN, last four,
 * brand, expiry and a keyed fingerprint.
 * @module
 */

/** The operations whose attempts are counted per day (`attempt_counts`; `PAYMENT_OPERATIONS` when written). */
const PAYMENT_OPERATIONS_SQL = "('sale', 'authorize', 'verify', 'rebill')";

/**
 * Search columns of transactions (version 11: plain columns the store writes): column, SQL type,
 * the document field it holds. Version 6 generated all but the gateway id from the document.
 */
export const TRANSACTION_SEARCH_COLUMNS: ReadonlyArray<readonly [column: string, type: string, path: string]> = [
  ['search_created_at', 'INTEGER', '$.createdAt'],
  ['search_order_id', 'TEXT', '$.orderId'],
  ['search_email', 'TEXT', '$.customer.email'],
  ['search_customer_id', 'TEXT', '$.customer.id'],
  ['search_subscription_id', 'TEXT', '$.subscriptionId'],
  ['search_last4', 'TEXT', '$.card.last4'],
  ['search_bin', 'TEXT', '$.card.bin'],
  ['search_mid', 'TEXT', '$.mid'],
  ['search_operation', 'TEXT', '$.operation'],
  ['search_gateway_id', 'TEXT', '$.gatewayTransactionId'],
];
const GENERATED_IN_6 = TRANSACTION_SEARCH_COLUMNS.filter(([col]) => col !== 'search_gateway_id');

/** The support search's indexes (version 6, made again by version 11). */
const SEARCH_INDEX_SQL = `
      CREATE INDEX transactions_by_time ON transactions (search_created_at, id);
      CREATE INDEX transactions_by_order ON transactions (search_order_id, search_created_at, id) WHERE search_order_id IS NOT NULL;
      CREATE INDEX transactions_by_email ON transactions (search_email, search_created_at, id) WHERE search_email IS NOT NULL;
      CREATE INDEX transactions_by_customer ON transactions (search_customer_id, search_created_at, id) WHERE search_customer_id IS NOT NULL;
      CREATE INDEX transactions_by_subscription ON transactions (search_subscription_id, search_created_at, id) WHERE search_subscription_id IS NOT NULL;
      CREATE INDEX transactions_by_last4 ON transactions (search_last4, search_created_at, id) WHERE search_last4 IS NOT NULL;
      CREATE INDEX transactions_by_bin ON transactions (search_bin, search_created_at, id) WHERE search_bin IS NOT NULL;
      CREATE INDEX transactions_by_mid ON transactions (search_mid, search_created_at, id) WHERE search_mid IS NOT NULL;
      CREATE INDEX transactions_by_status ON transactions (status, search_created_at, id);
      CREATE INDEX transactions_by_operation ON transactions (search_operation, search_created_at, id);
`;
/**
 * The SET list that fills a transaction's search columns (version 11) from its document, for rows
 * written by SQL rather than by the store (the migration, the benchmark's bulk load).
 */
export const SEARCH_COLUMNS_FROM_DOC = TRANSACTION_SEARCH_COLUMNS.map(([col, , path]) => `${col} = json_extract(doc, '${path}')`).join(
  ', ',
);
const SEARCH_INDEXES = [...SEARCH_INDEX_SQL.matchAll(/CREATE INDEX (\w+)/g)].map((m) => m[1]);

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
    version: 6,
    name: 'support search: order, customer, card and routing facts of transactions, indexed newest first; attempts counted per day',
    // Generated from the documents, so rows written before this version are searchable too and no
    // write path changes. Virtual: SQLite cannot add stored columns; their indexes store the values.
    sql: `
      ALTER TABLE transactions ADD COLUMN search_created_at INTEGER GENERATED ALWAYS AS (json_extract(doc, '$.createdAt')) VIRTUAL;
      ALTER TABLE transactions ADD COLUMN search_order_id TEXT GENERATED ALWAYS AS (json_extract(doc, '$.orderId')) VIRTUAL;
      ALTER TABLE transactions ADD COLUMN search_email TEXT GENERATED ALWAYS AS (json_extract(doc, '$.customer.email')) VIRTUAL;
      ALTER TABLE transactions ADD COLUMN search_customer_id TEXT GENERATED ALWAYS AS (json_extract(doc, '$.customer.id')) VIRTUAL;
      ALTER TABLE transactions ADD COLUMN search_subscription_id TEXT GENERATED ALWAYS AS (json_extract(doc, '$.subscriptionId')) VIRTUAL;
      ALTER TABLE transactions ADD COLUMN search_last4 TEXT GENERATED ALWAYS AS (json_extract(doc, '$.card.last4')) VIRTUAL;
      ALTER TABLE transactions ADD COLUMN search_bin TEXT GENERATED ALWAYS AS (json_extract(doc, '$.card.bin')) VIRTUAL;
      ALTER TABLE transactions ADD COLUMN search_mid TEXT GENERATED ALWAYS AS (json_extract(doc, '$.mid')) VIRTUAL;
      ALTER TABLE transactions ADD COLUMN search_operation TEXT GENERATED ALWAYS AS (json_extract(doc, '$.operation')) VIRTUAL;
      ${SEARCH_INDEX_SQL}
      -- Payment attempts counted per UTC day, MID, currency and status, kept by triggers (so
      -- midStatus reads a few rows, not a month of attempts). The attempt columns they read are
      -- plain: set when an attempt is written (they never change), filled here for older rows.
      ALTER TABLE attempts ADD COLUMN search_mid TEXT;
      ALTER TABLE attempts ADD COLUMN search_operation TEXT;
      ALTER TABLE attempts ADD COLUMN search_currency TEXT;
      UPDATE attempts SET search_mid = json_extract(doc, '$.mid'), search_operation = json_extract(doc, '$.operation'),
        search_currency = json_extract(doc, '$.currency');
      CREATE TABLE attempt_counts (
        day INTEGER NOT NULL, mid TEXT NOT NULL, currency TEXT NOT NULL, status TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (day, mid, currency, status)
      ) WITHOUT ROWID;
      INSERT INTO attempt_counts (day, mid, currency, status, count)
        SELECT started_at / 86400000, search_mid, search_currency, status, count(*) FROM attempts
        WHERE search_operation IN ${PAYMENT_OPERATIONS_SQL} GROUP BY 1, 2, 3, 4;
      CREATE TRIGGER attempt_counts_on_insert AFTER INSERT ON attempts
        WHEN NEW.search_operation IN ${PAYMENT_OPERATIONS_SQL}
      BEGIN
        INSERT INTO attempt_counts (day, mid, currency, status, count)
          VALUES (NEW.started_at / 86400000, NEW.search_mid, NEW.search_currency, NEW.status, 1)
          ON CONFLICT (day, mid, currency, status) DO UPDATE SET count = count + 1;
      END;
      CREATE TRIGGER attempt_counts_on_status AFTER UPDATE OF status ON attempts
        WHEN NEW.search_operation IN ${PAYMENT_OPERATIONS_SQL} AND OLD.status IS NOT NEW.status
      BEGIN
        UPDATE attempt_counts SET count = count - 1
          WHERE day = OLD.started_at / 86400000 AND mid = OLD.search_mid AND currency = OLD.search_currency AND status = OLD.status;
        INSERT INTO attempt_counts (day, mid, currency, status, count)
          VALUES (NEW.started_at / 86400000, NEW.search_mid, NEW.search_currency, NEW.status, 1)
          ON CONFLICT (day, mid, currency, status) DO UPDATE SET count = count + 1;
      END;
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
  {
    version: 11,
    name: 'search columns of transactions kept plain: a settlement updates the indexes of the facts it changes, not all twelve',
    // Columns generated from the document count as changed whenever the document is, so every
    // update rewrote every search index. The store now writes them: all on insert, on update only
    // those whose fact changed (status, MID, gateway id when a sale settles). Same names, same indexes.
    sql: `
      ${SEARCH_INDEXES.map((i) => `DROP INDEX ${i};`).join(' ')}
      DROP INDEX transactions_by_gateway_id;
      DROP INDEX transactions_by_card;
      ${GENERATED_IN_6.map(([col]) => `ALTER TABLE transactions DROP COLUMN ${col};`).join(' ')}
      ${TRANSACTION_SEARCH_COLUMNS.map(([col, type]) => `ALTER TABLE transactions ADD COLUMN ${col} ${type};`).join(' ')}
      UPDATE transactions SET ${SEARCH_COLUMNS_FROM_DOC};
      ${SEARCH_INDEX_SQL}
      CREATE INDEX transactions_by_gateway_id ON transactions (search_gateway_id) WHERE search_gateway_id IS NOT NULL;
    `,
  },
  {
    version: 12,
    name: 'search columns of transactions kept right for rows an older switchyard writes during a rolling upgrade',
    // A store of version 10 or older still running beside a newer one writes the document only.
    // Its inserts leave search_created_at empty; its updates set doc without bumping search_rev,
    // which the store of this version bumps on every update. Either way the row is filled from
    // its document, so search, card alerts and webhooks find it. Rows it wrote since 11 are repaired.
    sql: `
      ALTER TABLE transactions ADD COLUMN search_rev INTEGER NOT NULL DEFAULT 0;
      CREATE TRIGGER transactions_search_on_insert AFTER INSERT ON transactions WHEN NEW.search_created_at IS NULL
      BEGIN UPDATE transactions SET ${SEARCH_COLUMNS_FROM_DOC} WHERE id = NEW.id; END;
      CREATE TRIGGER transactions_search_on_update AFTER UPDATE OF doc ON transactions WHEN NEW.search_rev = OLD.search_rev
      BEGIN UPDATE transactions SET ${SEARCH_COLUMNS_FROM_DOC} WHERE id = NEW.id; END;
      UPDATE transactions SET ${SEARCH_COLUMNS_FROM_DOC}
        WHERE ${TRANSACTION_SEARCH_COLUMNS.map(([col, , path]) => `${col} IS NOT json_extract(doc, '${path}')`).join(' OR ')};
    `,
  },
];
