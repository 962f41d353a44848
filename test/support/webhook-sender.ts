/**
 * How a fake gateway delivers its notifications: real HTTP POSTs to a loopback URL the test
 * gives, each after a random delay (so they arrive out of order), some twice (redeliveries),
 * retried until answered 2xx like the gateways do, and, for notifications whose effect the
 * router can learn another way, some never (`droppable`).
 */
import { seeded } from './router';

/** One notification to deliver, already signed. */
export interface Delivery {
  body: string;
  headers: Record<string, string>;
  /** The gateway's event name (for the counts). */
  event: string;
  /** The router can learn its effect another way (the API answer, reconciliation): it may never come. */
  droppable?: boolean | undefined;
}

/** How deliveries misbehave. */
export interface DeliveryOptions {
  /** Where to POST. */
  url: string;
  /** Random delay of each delivery, ms (default [0, 30]). */
  delayMs?: readonly [number, number] | undefined;
  /** Share delivered twice. */
  duplicateRate?: number | undefined;
  /** Share of droppable ones never delivered. */
  dropRate?: number | undefined;
  /** Wait between retries of a delivery that was not answered 2xx, ms (default 20). */
  retryMs?: number | undefined;
  seed?: number | undefined;
  /** Hold every delivery until `release()` (to deliver a batch in a chosen order). */
  hold?: boolean | undefined;
}

/** Counts of what the sender did. */
export interface DeliveryStats {
  queued: number;
  delivered: number;
  duplicates: number;
  dropped: number;
  retries: number;
  /** Answers by HTTP status (`error` for transport failures). */
  answers: Record<string, number>;
}

/** A running notification sender of one fake gateway. */
export interface WebhookSender {
  send(d: Delivery): void;
  /** Resolves once nothing is queued, in flight or waiting for a retry. */
  flush(): Promise<void>;
  /** Deliveries held (with `hold`), in the order they were queued. */
  held(): Delivery[];
  /** Deliver these held ones now, in this order (default: all, as queued); the others stay held. */
  release(order?: Delivery[]): Promise<void>;
  /** Drop every held delivery (they are never delivered); returns how many. */
  discard(): number;
  readonly stats: DeliveryStats;
  /** Stop: nothing more is sent. */
  close(): void;
}

/** Start a sender. */
export function webhookSender(o: DeliveryOptions): WebhookSender {
  const rnd = seeded(o.seed ?? 1);
  const [lo, hi] = o.delayMs ?? [0, 30];
  const stats: DeliveryStats = { queued: 0, delivered: 0, duplicates: 0, dropped: 0, retries: 0, answers: {} };
  let open = 0;
  let closed = false;
  const idle: Array<() => void> = [];
  const holding: Delivery[] = [];
  const settle = () => {
    if (open === 0) for (const f of idle.splice(0)) f();
  };

  async function post(d: Delivery): Promise<boolean> {
    try {
      const res = await fetch(o.url, { method: 'POST', headers: d.headers, body: d.body });
      await res.arrayBuffer();
      stats.answers[res.status] = (stats.answers[res.status] ?? 0) + 1;
      return res.status >= 200 && res.status < 300;
    } catch {
      stats.answers.error = (stats.answers.error ?? 0) + 1;
      return false;
    }
  }

  function deliver(d: Delivery, delay: number): void {
    open++;
    setTimeout(async () => {
      try {
        while (!closed && !(await post(d))) {
          stats.retries++;
          await new Promise((r) => setTimeout(r, o.retryMs ?? 20));
        }
        if (!closed) stats.delivered++;
      } finally {
        open--;
        settle();
      }
    }, delay);
  }

  const delay = () => lo + Math.floor(rnd() * (hi - lo + 1));

  return {
    stats,
    send(d) {
      if (closed) return;
      stats.queued++;
      if (o.hold) {
        holding.push(d);
        return;
      }
      if (d.droppable && rnd() < (o.dropRate ?? 0)) {
        stats.dropped++;
        return;
      }
      deliver(d, delay());
      if (rnd() < (o.duplicateRate ?? 0)) {
        stats.duplicates++;
        deliver(d, delay() * 2 + 5);
      }
    },
    flush: () => (open === 0 ? Promise.resolve() : new Promise<void>((r) => idle.push(r))),
    held: () => [...holding],
    async release(order = [...holding]) {
      for (const d of order) {
        const i = holding.indexOf(d);
        if (i >= 0) holding.splice(i, 1);
        open++;
        try {
          for (let tries = 0; !closed && tries < 3; tries++) {
            if (await post(d)) {
              stats.delivered++;
              break;
            }
            stats.retries++;
          }
        } finally {
          open--;
        }
      }
      settle();
    },
    discard: () => holding.splice(0).length,
    close() {
      closed = true;
    },
  };
}

/** What a fake gateway needs to send its notifications: where, signed with what, and its clock. */
export interface FakeWebhooks {
  sender: WebhookSender;
  /** The signing secret (Braintree signs with the fake's own key pair and ignores it). */
  secret: string;
  /** The gateway's clock, ms (default `Date.now`): timestamps and Stripe's signature time. */
  now?: (() => number) | undefined;
}
