/**
 * Schema versions of the PostgreSQL store, written for a schema name `s` (already quoted).
 * Each runs once, in its own transaction, under an advisory lock so two servers starting
 * together do not both migrate. Never edit a released migration: add one.
 *
 * Columns hold what is searched or updated atomically; the rest of a record is a `jsonb` document.
 * No column or document ever holds a PAN or CVC.
 * @module
 */
import { NEGLIGIBLE } from '../approval-window';

/** The operations whose attempts are counted per day (`attempt_counts`; `PAYMENT_OPERATIONS` when written). */
const PAYMENT_OPERATIONS_SQL = "('sale', 'authorize', 'verify', 'rebill')";

/** Stripes of the counters every settlement adds to (version 11): concurrent writers rarely share a row. */
const COUNTER_STRIPES = 16;

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
  {
    version: 3,
    name: 'one state machine: transaction and attempt states, idempotency leases, one write function',
    sql: (s) => `
      ALTER TABLE ${s}.idempotency ADD COLUMN transaction_id text, ADD COLUMN lease_until bigint NOT NULL DEFAULT 0;
      CREATE INDEX idempotency_open ON ${s}.idempotency (lease_until) WHERE result IS NULL;
      UPDATE ${s}.idempotency i SET transaction_id = (
          SELECT t.id FROM ${s}.transactions t
          WHERE (t.doc->>'operation') || ':' || (t.doc->>'idempotencyKey') = i.key LIMIT 1)
        WHERE result IS NULL;
      UPDATE ${s}.transactions SET status = CASE
          WHEN doc->>'operation' = 'verify' THEN CASE WHEN amount = 0 THEN 'verified' ELSE 'authorized' END
          WHEN captured_amount = 0 THEN 'authorized'
          WHEN refunded_amount >= captured_amount THEN 'refunded'
          WHEN refunded_amount > 0 THEN 'partially_refunded'
          ELSE 'captured' END
        WHERE status = 'approved';
      UPDATE ${s}.transactions SET status = 'pending' WHERE status = 'ambiguous';
      UPDATE ${s}.attempts SET status = 'pending' WHERE status = 'ambiguous';
    `,
  },
  {
    version: 4,
    name: '3-D Secure: index of attempts waiting for the cardholder, by deadline, for expiry',
    sql: (s) => `
      CREATE INDEX attempts_awaiting_action ON ${s}.attempts ((coalesce((doc->>'expiresAt')::bigint, 0))) WHERE status = 'requires_action';
    `,
  },
  {
    version: 5,
    name: 'webhooks: notifications recorded once, disputes, lookups by gateway id, accepted follow-ups',
    sql: (s) => `
      CREATE TABLE ${s}.notifications (
        seq bigserial PRIMARY KEY, id text NOT NULL UNIQUE, mid text NOT NULL, status text NOT NULL,
        received_at bigint NOT NULL, doc jsonb NOT NULL
      );
      CREATE INDEX notifications_by_status ON ${s}.notifications (status, seq);
      CREATE TABLE ${s}.disputes (
        seq bigserial PRIMARY KEY, id text NOT NULL UNIQUE, mid text NOT NULL, transaction_id text,
        status text NOT NULL, opened_at bigint NOT NULL, revision integer NOT NULL, doc jsonb NOT NULL
      );
      CREATE INDEX disputes_by_mid ON ${s}.disputes (mid, opened_at);
      CREATE INDEX disputes_by_opened ON ${s}.disputes (opened_at);
      CREATE INDEX disputes_by_transaction ON ${s}.disputes (transaction_id);
      CREATE INDEX transactions_by_gateway_id ON ${s}.transactions ((doc->>'gatewayTransactionId'));
      CREATE INDEX attempts_by_gateway_id ON ${s}.attempts ((doc->>'gatewayTransactionId'));
      CREATE INDEX attempts_accepted ON ${s}.attempts (started_at) WHERE status = 'accepted';
    `,
  },
  {
    version: 6,
    name: 'support search: order, customer, card and routing facts of transactions, indexed newest first; attempts counted per day',
    // Generated from the documents, so rows written before this version are searchable too and no
    // write path (nor apply_write) changes. Ids are ordered bytewise (COLLATE "C"), as in the other stores.
    sql: (s) => `
      ALTER TABLE ${s}.transactions
        ADD COLUMN search_created_at double precision GENERATED ALWAYS AS ((doc->>'createdAt')::double precision) STORED,
        ADD COLUMN search_order_id text GENERATED ALWAYS AS (doc->>'orderId') STORED,
        ADD COLUMN search_email text GENERATED ALWAYS AS (doc->'customer'->>'email') STORED,
        ADD COLUMN search_customer_id text GENERATED ALWAYS AS (doc->'customer'->>'id') STORED,
        ADD COLUMN search_subscription_id text GENERATED ALWAYS AS (doc->>'subscriptionId') STORED,
        ADD COLUMN search_last4 text GENERATED ALWAYS AS (doc->'card'->>'last4') STORED,
        ADD COLUMN search_bin text GENERATED ALWAYS AS (doc->'card'->>'bin') STORED,
        ADD COLUMN search_mid text GENERATED ALWAYS AS (doc->>'mid') STORED,
        ADD COLUMN search_operation text GENERATED ALWAYS AS (doc->>'operation') STORED;
      CREATE INDEX transactions_by_time ON ${s}.transactions (search_created_at, id COLLATE "C");
      CREATE INDEX transactions_by_order ON ${s}.transactions (search_order_id, search_created_at, id COLLATE "C") WHERE search_order_id IS NOT NULL;
      CREATE INDEX transactions_by_email ON ${s}.transactions (search_email, search_created_at, id COLLATE "C") WHERE search_email IS NOT NULL;
      CREATE INDEX transactions_by_customer ON ${s}.transactions (search_customer_id, search_created_at, id COLLATE "C") WHERE search_customer_id IS NOT NULL;
      CREATE INDEX transactions_by_subscription ON ${s}.transactions (search_subscription_id, search_created_at, id COLLATE "C") WHERE search_subscription_id IS NOT NULL;
      CREATE INDEX transactions_by_last4 ON ${s}.transactions (search_last4, search_created_at, id COLLATE "C") WHERE search_last4 IS NOT NULL;
      CREATE INDEX transactions_by_bin ON ${s}.transactions (search_bin, search_created_at, id COLLATE "C") WHERE search_bin IS NOT NULL;
      CREATE INDEX transactions_by_mid ON ${s}.transactions (search_mid, search_created_at, id COLLATE "C") WHERE search_mid IS NOT NULL;
      CREATE INDEX transactions_by_status ON ${s}.transactions (status, search_created_at, id COLLATE "C");
      CREATE INDEX transactions_by_operation ON ${s}.transactions (search_operation, search_created_at, id COLLATE "C");
      ALTER TABLE ${s}.attempts
        ADD COLUMN search_mid text GENERATED ALWAYS AS (doc->>'mid') STORED,
        ADD COLUMN search_operation text GENERATED ALWAYS AS (doc->>'operation') STORED,
        ADD COLUMN search_currency text GENERATED ALWAYS AS (doc->>'currency') STORED;
      -- Payment attempts counted per UTC day, MID, currency and status, kept by a trigger (so
      -- midStatus reads a few rows, not a month of attempts). Rows change in status order: no deadlock.
      CREATE TABLE ${s}.attempt_counts (
        day integer NOT NULL, mid text NOT NULL, currency text NOT NULL, status text NOT NULL, count bigint NOT NULL,
        PRIMARY KEY (day, mid, currency, status)
      );
      INSERT INTO ${s}.attempt_counts (day, mid, currency, status, count)
        SELECT started_at / 86400000, search_mid, search_currency, status, count(*) FROM ${s}.attempts
        WHERE search_operation IN ${PAYMENT_OPERATIONS_SQL} GROUP BY 1, 2, 3, 4;
      CREATE FUNCTION ${s}.count_attempt() RETURNS trigger LANGUAGE plpgsql AS $count$
      BEGIN
        INSERT INTO ${s}.attempt_counts AS c (day, mid, currency, status, count)
          SELECT NEW.started_at / 86400000, NEW.search_mid, NEW.search_currency, v.status, v.n
          FROM (VALUES (NEW.status, 1), (CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, -1)) AS v (status, n)
          WHERE v.status IS NOT NULL ORDER BY v.status COLLATE "C"
          ON CONFLICT (day, mid, currency, status) DO UPDATE SET count = c.count + excluded.count;
        RETURN NULL;
      END
      $count$;
      CREATE TRIGGER attempt_counts_on_insert AFTER INSERT ON ${s}.attempts FOR EACH ROW
        WHEN (NEW.search_operation IN ${PAYMENT_OPERATIONS_SQL}) EXECUTE FUNCTION ${s}.count_attempt();
      CREATE TRIGGER attempt_counts_on_status AFTER UPDATE OF status ON ${s}.attempts FOR EACH ROW
        WHEN (NEW.search_operation IN ${PAYMENT_OPERATIONS_SQL} AND OLD.status IS DISTINCT FROM NEW.status)
        EXECUTE FUNCTION ${s}.count_attempt();
    `,
  },
  {
    version: 7,
    name: 'cards on file: stored credentials per MID on every pin',
    // A pin's top-level ids belong to its initial transaction's MID, even after a re-pin moved it.
    sql: (s) => `
      UPDATE ${s}.pins p SET doc = p.doc || jsonb_build_object('credentials', jsonb_build_array(jsonb_strip_nulls(jsonb_build_object(
          'mid', coalesce(
            (SELECT t.doc->>'mid' FROM ${s}.transactions t WHERE t.id = p.doc->>'transactionId'),
            (SELECT a.from_mid FROM ${s}.repin_audit a WHERE a.subscription_id = p.subscription_id ORDER BY a.seq LIMIT 1),
            p.mid),
          'gateway', coalesce(
            (SELECT t.doc->>'gateway' FROM ${s}.transactions t WHERE t.id = p.doc->>'transactionId'),
            CASE WHEN EXISTS (SELECT 1 FROM ${s}.repin_audit a WHERE a.subscription_id = p.subscription_id) THEN 'unknown'
                 ELSE p.doc->>'gateway' END),
          'gatewayToken', p.doc->'gatewayToken',
          'gatewayTransactionId', p.doc->'gatewayTransactionId',
          'networkTransactionId', p.doc->'networkTransactionId',
          'transactionId', p.doc->'transactionId',
          'origin', 'customer',
          'at', p.doc->'createdAt'))))
        WHERE NOT (p.doc ? 'credentials');
    `,
  },
  {
    version: 8,
    name: 'success-rate routing: approval windows per MID and segment',
    sql: (s) => `
      CREATE TABLE ${s}.approval_windows (
        mid text NOT NULL, segment text NOT NULL,
        approved double precision NOT NULL, total double precision NOT NULL, at bigint NOT NULL,
        PRIMARY KEY (mid, segment)
      );
    `,
  },
  {
    version: 9,
    name: 'payment links: link state per invoice, attempt counters per link and client IP',
    sql: (s) => `
      CREATE TABLE ${s}.payment_links (
        invoice_id text PRIMARY KEY, revision bigint NOT NULL, status text NOT NULL, doc jsonb NOT NULL
      );
      CREATE TABLE ${s}.link_attempt_counters (
        key text PRIMARY KEY, count bigint NOT NULL, window_end bigint NOT NULL
      );
      CREATE INDEX link_attempt_counters_by_end ON ${s}.link_attempt_counters (window_end);
    `,
  },
  {
    version: 10,
    name: 'chargeback monitoring: per-MID monthly counters, entries recorded once, transactions by card',
    sql: (s) => `
      CREATE TABLE ${s}.mid_month_counts (
        mid text NOT NULL, month text NOT NULL, metric text NOT NULL, count bigint NOT NULL, amount bigint NOT NULL,
        PRIMARY KEY (mid, month, metric)
      );
      CREATE INDEX mid_month_counts_by_month ON ${s}.mid_month_counts (month);
      CREATE TABLE ${s}.monitor_entries (
        seq bigserial PRIMARY KEY, id text NOT NULL UNIQUE, kind text NOT NULL, mid text NOT NULL, month text NOT NULL,
        at bigint NOT NULL, doc jsonb NOT NULL
      );
      CREATE INDEX monitor_entries_by_kind ON ${s}.monitor_entries (kind, month);
      CREATE INDEX transactions_by_card ON ${s}.transactions ((doc->'card'->>'last4'), (doc->'card'->>'bin'));
    `,
  },
  {
    version: 11,
    name: 'counters every sale adds to, split in stripes per connection: attempts per day, MID monthly counts',
    // One row per MID and day (or month) was a lock every settlement of that MID waited for until
    // the previous one's commit reached the disk. Each connection now adds to a stripe of its own
    // (its backend pid modulo ${COUNTER_STRIPES}); readers sum the stripes.
    sql: (s) => `
      ALTER TABLE ${s}.attempt_counts ADD COLUMN stripe smallint NOT NULL DEFAULT 0;
      ALTER TABLE ${s}.attempt_counts DROP CONSTRAINT attempt_counts_pkey, ADD PRIMARY KEY (day, mid, currency, status, stripe);
      CREATE OR REPLACE FUNCTION ${s}.count_attempt() RETURNS trigger LANGUAGE plpgsql AS $count$
      BEGIN
        INSERT INTO ${s}.attempt_counts AS c (day, mid, currency, status, stripe, count)
          SELECT NEW.started_at / 86400000, NEW.search_mid, NEW.search_currency, v.status, pg_backend_pid() % ${COUNTER_STRIPES}, v.n
          FROM (VALUES (NEW.status, 1), (CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, -1)) AS v (status, n)
          WHERE v.status IS NOT NULL ORDER BY v.status COLLATE "C"
          ON CONFLICT (day, mid, currency, status, stripe) DO UPDATE SET count = c.count + excluded.count;
        RETURN NULL;
      END
      $count$;
      ALTER TABLE ${s}.mid_month_counts ADD COLUMN stripe smallint NOT NULL DEFAULT 0;
      ALTER TABLE ${s}.mid_month_counts DROP CONSTRAINT mid_month_counts_pkey, ADD PRIMARY KEY (mid, month, metric, stripe);
    `,
  },
];

/**
 * `<schema>.apply_write(w jsonb)`: one `StoreWrite` (as laid out by the PostgreSQL store) applied
 * in one statement, so a write costs one round trip. A failed condition raises SQLSTATE SY409
 * with the conflict as JSON in DETAIL, which rolls back everything the call wrote.
 *
 * Not a migration: the store installs this definition after the migrations (under their advisory
 * lock) whenever the installed one differs, so the function always matches the code that calls it.
 * Keep it able to read writes from the previous version (every section is optional).
 */
export function applyWriteFunction(s: string): string {
  const refuse = (detail: string) =>
    `RAISE EXCEPTION USING ERRCODE = 'SY409', MESSAGE = 'switchyard: write refused', DETAIL = (${detail})::text;`;
  return `
    CREATE OR REPLACE FUNCTION ${s}.apply_write(w jsonb) RETURNS jsonb LANGUAGE plpgsql AS $fn$
    DECLARE
      n integer;
      st text;
      amt bigint;
      cap bigint;
      ref bigint;
      add_c bigint;
      add_r bigint;
      x jsonb;
      pin_created boolean;
      claim_row ${s}.idempotency%ROWTYPE;
    BEGIN
      IF w ? 'claim' THEN
        INSERT INTO ${s}.idempotency (key, request_hash, result, created_at, transaction_id, lease_until)
          VALUES (w->'claim'->>'key', w->'claim'->>'requestHash', NULL, (w->'claim'->>'now')::bigint,
                  w->'claim'->>'transactionId', (w->'claim'->>'leaseUntil')::bigint)
          ON CONFLICT (key) DO NOTHING;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n = 0 THEN
          SELECT * INTO claim_row FROM ${s}.idempotency WHERE key = w->'claim'->>'key';
          RETURN jsonb_build_object('ok', false, 'conflict', 'idempotency', 'claim', jsonb_build_object(
            'status', CASE WHEN claim_row.result IS NULL THEN 'in_progress' ELSE 'completed' END,
            'requestHash', claim_row.request_hash, 'result', claim_row.result,
            'transactionId', claim_row.transaction_id, 'leaseUntil', claim_row.lease_until));
        END IF;
      END IF;

      IF w ? 'insertTransaction' THEN
        x := w->'insertTransaction';
        INSERT INTO ${s}.transactions (id, status, amount, captured_amount, refunded_amount, doc)
          VALUES (x->>'id', x->>'status', (x->>'amount')::bigint, (x->>'capturedAmount')::bigint, (x->>'refundedAmount')::bigint, x->'doc');
      END IF;

      IF w ? 'attempt' THEN
        x := w->'attempt';
        UPDATE ${s}.attempts SET status = coalesce(x->>'status', status),
            doc = (doc || (x->'set')) - ARRAY(SELECT jsonb_array_elements_text(x->'unset'))
          WHERE id = x->>'id' AND (x->'from') ? status;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n = 0 THEN
          SELECT status INTO st FROM ${s}.attempts WHERE id = x->>'id';
          ${refuse(`jsonb_build_object('ok', false, 'conflict', 'state', 'on', 'attempt', 'status', st)`)}
        END IF;
      END IF;

      IF w ? 'transaction' THEN
        x := w->'transaction';
        SELECT status, amount, captured_amount, refunded_amount INTO st, amt, cap, ref
          FROM ${s}.transactions WHERE id = x->>'id' FOR UPDATE;
        IF st IS NULL OR NOT ((x->'from') ? st) THEN
          ${refuse(`jsonb_build_object('ok', false, 'conflict', 'state', 'on', 'transaction', 'status', st)`)}
        END IF;
        IF coalesce((x->>'unrefunded')::boolean, false) AND ref > 0 THEN
          ${refuse(`jsonb_build_object('ok', false, 'conflict', 'amount')`)}
        END IF;
        amt := coalesce((x->>'amount')::bigint, amt);
        add_c := coalesce((x->>'addCaptured')::bigint, 0);
        add_r := coalesce((x->>'addRefunded')::bigint, 0);
        cap := greatest(0, cap + add_c);
        ref := greatest(0, ref + add_r);
        IF (add_c > 0 AND cap > amt) OR (add_r > 0 AND ref > cap) THEN
          ${refuse(`jsonb_build_object('ok', false, 'conflict', 'amount')`)}
        END IF;
        IF coalesce((x->>'refundStatus')::boolean, false) THEN
          st := CASE WHEN ref <= 0 THEN 'captured' WHEN ref >= cap THEN 'refunded' ELSE 'partially_refunded' END;
        ELSE
          st := coalesce(x->>'status', st);
        END IF;
        UPDATE ${s}.transactions SET status = st, amount = amt, captured_amount = cap, refunded_amount = ref,
          doc = (doc || (x->'set')) - ARRAY(SELECT jsonb_array_elements_text(x->'unset'))
          WHERE id = x->>'id';
      END IF;

      IF w ? 'insertAttempt' THEN
        x := w->'insertAttempt';
        INSERT INTO ${s}.attempts (id, transaction_id, status, started_at, doc)
          VALUES (x->>'id', x->>'transactionId', x->>'status', (x->>'startedAt')::bigint, x->'doc');
      END IF;

      IF w ? 'reserveCap' THEN
        FOR x IN SELECT * FROM jsonb_array_elements(w->'reserveCap'->'counters') LOOP
          INSERT INTO ${s}.caps AS c (mid, cap_window, cap_key, amount, count)
            SELECT w->'reserveCap'->>'mid', x->>'window', x->>'key', (w->'reserveCap'->>'amount')::bigint, 1
            WHERE ((x->>'amountLimit') IS NULL OR (w->'reserveCap'->>'amount')::bigint <= (x->>'amountLimit')::bigint)
              AND ((x->>'countLimit') IS NULL OR 1 <= (x->>'countLimit')::bigint)
            ON CONFLICT (mid, cap_window, cap_key) DO UPDATE SET amount = c.amount + EXCLUDED.amount, count = c.count + 1
            WHERE ((x->>'amountLimit') IS NULL OR c.amount + EXCLUDED.amount <= (x->>'amountLimit')::bigint)
              AND ((x->>'countLimit') IS NULL OR c.count + 1 <= (x->>'countLimit')::bigint);
          GET DIAGNOSTICS n = ROW_COUNT;
          IF n = 0 THEN
            ${refuse(`jsonb_build_object('ok', false, 'conflict', 'cap')`)}
          END IF;
        END LOOP;
      END IF;

      IF w ? 'releaseCap' THEN
        UPDATE ${s}.caps c SET amount = greatest(0, c.amount - (w->'releaseCap'->>'amount')::bigint),
            count = greatest(0, c.count - (w->'releaseCap'->>'count')::bigint)
          FROM jsonb_array_elements(w->'releaseCap'->'counters') AS k
          WHERE c.mid = w->'releaseCap'->>'mid' AND c.cap_window = k->>'window' AND c.cap_key = k->>'key';
      END IF;

      IF w ? 'createPin' THEN
        x := w->'createPin';
        INSERT INTO ${s}.pins (subscription_id, mid, status, doc) VALUES (x->>'subscriptionId', x->>'mid', x->>'status', x->'doc')
          ON CONFLICT (subscription_id) DO NOTHING;
        GET DIAGNOSTICS n = ROW_COUNT;
        pin_created := n = 1;
      END IF;

      IF w ? 'updatePin' THEN
        x := w->'updatePin';
        UPDATE ${s}.pins SET mid = coalesce(x->>'mid', mid), status = coalesce(x->>'status', status),
            doc = (doc || (x->'set')) - ARRAY(SELECT jsonb_array_elements_text(x->'unset'))
          WHERE subscription_id = x->>'subscriptionId' AND (x->>'expectMid' IS NULL OR mid = x->>'expectMid');
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n = 0 THEN
          ${refuse(`jsonb_build_object('ok', false, 'conflict', 'state', 'on', 'pin')`)}
        END IF;
      END IF;

      IF w ? 'repinAudit' THEN
        x := w->'repinAudit';
        INSERT INTO ${s}.repin_audit (subscription_id, from_mid, to_mid, reason, at)
          VALUES (x->>'subscriptionId', x->>'fromMid', x->>'toMid', x->>'reason', (x->>'at')::bigint);
      END IF;

      IF w ? 'decline' THEN
        x := w->'decline';
        DELETE FROM ${s}.declines WHERE fingerprint = x->>'fingerprint' AND at <= (x->>'pruneBefore')::bigint;
        INSERT INTO ${s}.declines (fingerprint, at, doc) VALUES (x->>'fingerprint', (x->>'at')::bigint, x->'doc');
      END IF;

      IF w ? 'complete' THEN
        INSERT INTO ${s}.idempotency (key, request_hash, result, created_at, lease_until)
          VALUES (w->'complete'->>'key', '', w->'complete'->'result', (extract(epoch from now()) * 1000)::bigint, 0)
          ON CONFLICT (key) DO UPDATE SET result = EXCLUDED.result;
      END IF;

      IF w ? 'release' THEN
        DELETE FROM ${s}.idempotency WHERE key = w->'release'->>'key' AND result IS NULL;
      END IF;

      -- Cards on file: one MID's stored credential on a pin, replacing that MID's (newest last).
      IF w ? 'pinCredential' THEN
        x := w->'pinCredential';
        UPDATE ${s}.pins p SET doc = p.doc || jsonb_build_object(
            'credentials', coalesce((SELECT jsonb_agg(c ORDER BY i) FROM jsonb_array_elements(coalesce(p.doc->'credentials', '[]'::jsonb))
                WITH ORDINALITY AS e(c, i) WHERE c->>'mid' IS DISTINCT FROM x->'credential'->>'mid'), '[]'::jsonb)
              || jsonb_build_array(x->'credential'),
            'updatedAt', x->'now')
            || CASE WHEN x ? 'vaultReference' THEN jsonb_build_object('vaultReference', x->'vaultReference') ELSE '{}'::jsonb END
          WHERE p.subscription_id = x->>'subscriptionId';
      END IF;

      -- Webhooks: the notification record (exactly once, or replacing a deferred one) and the dispute.
      IF w ? 'notification' THEN
        x := w->'notification';
        IF x ? 'from' THEN
          UPDATE ${s}.notifications SET status = x->>'status', doc = x->'doc'
            WHERE id = x->>'id' AND (x->'from') ? status;
        ELSE
          INSERT INTO ${s}.notifications (id, mid, status, received_at, doc)
            VALUES (x->>'id', x->>'mid', x->>'status', (x->>'receivedAt')::bigint, x->'doc')
            ON CONFLICT (id) DO NOTHING;
        END IF;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n = 0 THEN
          SELECT status INTO st FROM ${s}.notifications WHERE id = x->>'id';
          ${refuse(`jsonb_build_object('ok', false, 'conflict', 'notification', 'status', st)`)}
        END IF;
      END IF;

      IF w ? 'dispute' THEN
        x := w->'dispute';
        IF (x->>'revision')::integer = 1 THEN
          INSERT INTO ${s}.disputes (id, mid, transaction_id, status, opened_at, revision, doc)
            VALUES (x->>'id', x->>'mid', x->>'transactionId', x->>'status', (x->>'openedAt')::bigint, 1, x->'doc')
            ON CONFLICT (id) DO NOTHING;
        ELSE
          UPDATE ${s}.disputes SET transaction_id = x->>'transactionId', status = x->>'status',
              opened_at = (x->>'openedAt')::bigint, revision = (x->>'revision')::integer, doc = x->'doc'
            WHERE id = x->>'id' AND revision = (x->>'revision')::integer - 1;
        END IF;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n = 0 THEN
          ${refuse(`jsonb_build_object('ok', false, 'conflict', 'dispute')`)}
        END IF;
      END IF;

      -- Payment links: the link's revision is the condition; an insert expects revision 0 (no row).
      IF w ? 'link' THEN
        x := w->'link';
        IF (x->>'expectRevision')::bigint = 0 THEN
          INSERT INTO ${s}.payment_links (invoice_id, revision, status, doc)
            VALUES (x->>'invoiceId', (x->>'revision')::bigint, x->>'status', x->'doc')
            ON CONFLICT (invoice_id) DO NOTHING;
        ELSE
          UPDATE ${s}.payment_links SET revision = (x->>'revision')::bigint, status = x->>'status', doc = x->'doc'
            WHERE invoice_id = x->>'invoiceId' AND revision = (x->>'expectRevision')::bigint;
        END IF;
        GET DIAGNOSTICS n = ROW_COUNT;
        IF n = 0 THEN
          SELECT status INTO st FROM ${s}.payment_links WHERE invoice_id = x->>'invoiceId';
          ${refuse(`jsonb_build_object('ok', false, 'conflict', 'state', 'on', 'link', 'status', st)`)}
        END IF;
      END IF;

      -- Payment links: attempt counters, each within its limit (counters arrive in key order: no deadlock).
      IF w ? 'countAttempt' THEN
        DELETE FROM ${s}.link_attempt_counters WHERE window_end <= (w->'countAttempt'->>'now')::bigint;
        FOR x IN SELECT * FROM jsonb_array_elements(w->'countAttempt'->'counters') LOOP
          INSERT INTO ${s}.link_attempt_counters AS c (key, count, window_end)
            SELECT x->>'key', 1, (x->>'windowEnd')::bigint WHERE 1 <= (x->>'limit')::bigint
            ON CONFLICT (key) DO UPDATE SET count = c.count + 1 WHERE c.count + 1 <= (x->>'limit')::bigint;
          GET DIAGNOSTICS n = ROW_COUNT;
          IF n = 0 THEN
            ${refuse(`jsonb_build_object('ok', false, 'conflict', 'rate')`)}
          END IF;
        END LOOP;
      END IF;

      -- Success-rate routing: one outcome into each segment's window (the formula of approval-window.ts).
      IF w ? 'approvalOutcome' THEN
        DECLARE
          seg text;
        BEGIN
        x := w->'approvalOutcome';
        FOR seg IN SELECT jsonb_array_elements_text(x->'segments') LOOP
          INSERT INTO ${s}.approval_windows AS a (mid, segment, approved, total, at)
            VALUES (x->>'mid', seg, (x->>'approved')::double precision, 1, (x->>'at')::bigint)
            ON CONFLICT (mid, segment) DO UPDATE SET
              approved = CASE
                WHEN EXCLUDED.at - a.at >= (x->>'maxAgeMs')::bigint THEN EXCLUDED.approved
                WHEN a.at - EXCLUDED.at >= (x->>'maxAgeMs')::bigint THEN a.approved
                ELSE (CASE WHEN a.approved < ${NEGLIGIBLE} THEN 0 ELSE a.approved END) * (x->>'keep')::double precision
                       * exp(-greatest(EXCLUDED.at - a.at, 0)::double precision / (x->>'maxAgeMs')::double precision)
                     + EXCLUDED.approved * exp(least(EXCLUDED.at - a.at, 0)::double precision / (x->>'maxAgeMs')::double precision)
                END,
              total = CASE
                WHEN EXCLUDED.at - a.at >= (x->>'maxAgeMs')::bigint THEN 1
                WHEN a.at - EXCLUDED.at >= (x->>'maxAgeMs')::bigint THEN a.total
                ELSE (CASE WHEN a.total < ${NEGLIGIBLE} THEN 0 ELSE a.total END) * (x->>'keep')::double precision
                       * exp(-greatest(EXCLUDED.at - a.at, 0)::double precision / (x->>'maxAgeMs')::double precision)
                     + exp(least(EXCLUDED.at - a.at, 0)::double precision / (x->>'maxAgeMs')::double precision)
                END,
              at = CASE WHEN a.at - EXCLUDED.at >= (x->>'maxAgeMs')::bigint THEN a.at ELSE greatest(a.at, EXCLUDED.at) END;
        END LOOP;
        END;
      END IF;

      -- Chargeback monitoring: the entry exactly once, then the monthly counters (in key order: no deadlock).
      IF w ? 'monitor' THEN
        IF w->'monitor' ? 'entry' THEN
          x := w->'monitor'->'entry';
          INSERT INTO ${s}.monitor_entries (id, kind, mid, month, at, doc)
            VALUES (x->>'id', x->>'kind', x->>'mid', x->>'month', (x->>'at')::bigint, x->'doc')
            ON CONFLICT (id) DO NOTHING;
          GET DIAGNOSTICS n = ROW_COUNT;
          IF n = 0 THEN
            ${refuse(`jsonb_build_object('ok', false, 'conflict', 'monitor')`)}
          END IF;
        END IF;
        FOR x IN SELECT * FROM jsonb_array_elements(coalesce(w->'monitor'->'counts', '[]'::jsonb)) LOOP
          INSERT INTO ${s}.mid_month_counts AS c (mid, month, metric, stripe, count, amount)
            VALUES (x->>'mid', x->>'month', x->>'metric', pg_backend_pid() % ${COUNTER_STRIPES}, (x->>'count')::bigint, (x->>'amount')::bigint)
            ON CONFLICT (mid, month, metric, stripe) DO UPDATE SET count = c.count + excluded.count, amount = c.amount + excluded.amount;
        END LOOP;
      END IF;

      RETURN jsonb_build_object('ok', true, 'pinCreated', pin_created);
    END
    $fn$;`;
}
