/**
 * The per-process cache of approval windows that success-rate pools read while ordering, so a
 * decision never waits for the store: a window read less than `ttlMs` ago is used as it is; an
 * older one is used too while one batched read refreshes it in the background (stale while
 * revalidate). Only a window this process has never seen makes the planner wait, once, for one
 * batched read. The process's own outcomes are applied to the cache as they are settled, so it
 * lags only behind other servers' outcomes, by at most `ttlMs` plus one read.
 * @module
 */
import { type WindowCounts, withOutcome } from '../store/approval-window';
import type { ApprovalOutcome, Store } from '../store/types';

/** Settings of the approval cache (`createRouter({ successRate })`). */
export interface ApprovalCacheOptions {
  /** How long a window read from the store is used before it is read again. Default 1,000 ms. */
  cacheTtlMs: number;
  /** Windows kept in memory at most; the segments seen first are dropped first. Default 50,000. */
  maxCachedWindows: number;
  /** How long a decision waits for the first read of a window it never saw; past it, it decides without. Default 250 ms. */
  firstReadWaitMs: number;
}

/** Defaults of `ApprovalCacheOptions`. */
export const DEFAULT_APPROVAL_CACHE: ApprovalCacheOptions = { cacheTtlMs: 1_000, maxCachedWindows: 50_000, firstReadWaitMs: 250 };

/** What the cache did, for benchmarks and tests. */
export interface ApprovalCacheStats {
  /** Store reads (each one batch). */
  reads: number;
  /** MID and segment pairs asked for in those reads. */
  keysRead: number;
  /** Windows served fresh. */
  hits: number;
  /** Windows served stale while a refresh was asked for. */
  stale: number;
  /** Windows never seen: the decision waited for a read. */
  misses: number;
  /** Reads that failed (the windows stay as they were; a miss counts as empty). */
  failures: number;
}

/** One MID and segment's window as the cache holds it (`readPool`). */
export interface WindowSlot {
  /** Undefined: the store has no window for the pair (or it was never read: see `fetchedAt`). */
  readonly counts: WindowCounts | undefined;
  /** When the read that filled it started (clock ms); negative while the first read is on its way. */
  readonly fetchedAt: number;
}

interface Entry extends WindowSlot {
  counts: WindowCounts | undefined;
  fetchedAt: number;
  loading: boolean;
  /** The read on its way, while `fetchedAt` is -1. */
  ready?: Promise<void> | undefined;
}

/** The entries of one pool on one key chain, and until when all of them are fresh (then nothing is checked per entry). */
interface PoolChain {
  readonly entries: Entry[];
  freshUntil: number;
}

/** Key chains whose entries are kept at most (`readPool`); past it they are found again. */
const MAX_CHAINS = 20_000;

/** A read-through cache of approval windows over a store. */
export class ApprovalCache {
  readonly stats: ApprovalCacheStats = { reads: 0, keysRead: 0, hits: 0, stale: 0, misses: 0, failures: 0 };
  /** Windows by segment, then MID: no string built per lookup. */
  private readonly bySegment = new Map<string, Map<string, Entry>>();
  /**
   * Entries of a pool's members along a request's key chain (member-major, finest key first),
   * by the chain and the pool's member list: both are interned arrays, so finding them is two
   * lookups by identity per pool and decision (`readPool`).
   */
  private readonly chains = new Map<readonly string[], Map<readonly string[], PoolChain>>();
  private size = 0;
  private wanted: Array<{ mid: string; segment: string; entry: Entry }> = [];
  private flush: Promise<void> | undefined;
  private last: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    private readonly clock: () => number,
    private readonly options: ApprovalCacheOptions,
  ) {}

  /**
   * The window of `mid` on `segment` as far as this process knows it: undefined when the store
   * has none, null when it was never read (the read is on its way: `ready` gives its promise).
   * Allocates nothing on a hit.
   */
  read(mid: string, segment: string, now: number): WindowCounts | undefined | null {
    return this.serve(this.entry(mid, segment), mid, segment, now);
  }

  /**
   * The windows of every member of a pool on every key of a chain, at `member * keys.length +
   * level`, as `read` would answer them (a slot never read has a negative `fetchedAt`). The slots
   * are found once per pool and chain and kept, and their freshness is checked once per time to
   * live: the hot path makes two lookups by identity per pool and allocates nothing.
   */
  readPool(mids: readonly string[], keys: readonly string[], now: number): readonly WindowSlot[] {
    let byPool = this.chains.get(keys);
    if (!byPool) {
      // Chains of a segment index that started over are never asked for again: start over too.
      if (this.chains.size >= MAX_CHAINS) this.chains.clear();
      this.chains.set(keys, (byPool = new Map()));
    }
    let chain = byPool.get(mids);
    if (!chain) byPool.set(mids, (chain = { entries: mids.flatMap((mid) => keys.map((k) => this.entry(mid, k))), freshUntil: -Infinity }));
    if (now < chain.freshUntil) this.stats.hits += chain.entries.length;
    else this.check(chain, mids, keys, now);
    return chain.entries;
  }

  /** Serve every entry of a chain once (asking for refreshes), and note until when all are fresh. */
  private check(chain: PoolChain, mids: readonly string[], keys: readonly string[], now: number): void {
    const levels = keys.length;
    const ttl = this.options.cacheTtlMs;
    let freshUntil = Infinity;
    chain.entries.forEach((e, i) => {
      this.serve(e, mids[(i / levels) | 0], keys[i % levels], now);
      freshUntil = Math.min(freshUntil, e.fetchedAt < 0 || e.loading ? -Infinity : e.fetchedAt + ttl);
    });
    chain.freshUntil = freshUntil;
  }

  /** The entry of a pair, created (and its first read asked for) when new. */
  private entry(mid: string, segment: string): Entry {
    let mids = this.bySegment.get(segment);
    const found = mids?.get(mid);
    if (found) return found;
    if (!mids) this.bySegment.set(segment, (mids = new Map()));
    // Every field from the start: one object shape, so the hot path's property reads stay monomorphic.
    const e: Entry = { counts: undefined, fetchedAt: -1, loading: true, ready: undefined };
    mids.set(mid, e);
    this.size++;
    this.evict();
    this.stats.misses++;
    e.ready = this.want(mid, segment, e);
    return e;
  }

  /** An entry's counts now: null before its first read; a stale one is served while a refresh is asked for. */
  private serve(entry: Entry, mid: string, segment: string, now: number): WindowCounts | undefined | null {
    if (entry.fetchedAt < 0) return null;
    if (now - entry.fetchedAt < this.options.cacheTtlMs) this.stats.hits++;
    else {
      this.stats.stale++;
      if (!entry.loading) {
        entry.loading = true;
        this.want(mid, segment, entry);
      }
    }
    return entry.counts;
  }

  /** The first read of a window `read` answered null for: resolves (never rejects) once it is in. */
  ready(mid: string, segment: string): Promise<void> {
    return this.bySegment.get(segment)?.get(mid)?.ready ?? Promise.resolve();
  }

  /** Wait for `pending` (a first read), at most `firstReadWaitMs`: a slow store delays a decision, never blocks it. */
  async settle(pending: Promise<void>): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([pending, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.firstReadWaitMs)))]);
    clearTimeout(timer);
  }

  /** Apply an outcome this process settled to the windows it has, as the store applied it. */
  observe(o: ApprovalOutcome): void {
    for (const segment of o.segments) {
      const e = this.bySegment.get(segment)?.get(o.mid);
      if (e && e.fetchedAt >= 0) e.counts = withOutcome(e.counts, o.approved, o.at, o.window);
    }
  }

  private want(mid: string, segment: string, entry: Entry): Promise<void> {
    this.wanted.push({ mid, segment, entry });
    // One read per burst: everything asked for before the next microtask goes in one batch.
    if (!this.flush) {
      this.flush = Promise.resolve().then(() => this.load());
      const previous = this.last;
      this.last = Promise.all([previous, this.flush]).then(() => {});
    }
    return this.flush;
  }

  /** Resolves once every read asked for so far is in (tests and benchmarks). */
  idle(): Promise<void> {
    return this.last;
  }

  private async load(): Promise<void> {
    const batch = this.wanted;
    this.wanted = [];
    this.flush = undefined;
    const started = this.clock();
    this.stats.reads++;
    this.stats.keysRead += batch.length;
    let rows: Awaited<ReturnType<Store['approvalWindows']>> | undefined;
    try {
      rows = await this.store.approvalWindows(batch.map(({ mid, segment }) => ({ mid, segment })));
    } catch {
      this.stats.failures++;
    }
    const found = new Map<string, WindowCounts>();
    for (const r of rows ?? []) found.set(`${r.mid}\u0000${r.segment}`, { approved: r.approved, total: r.total, at: r.at });
    for (const { mid, segment, entry } of batch) {
      entry.loading = false;
      entry.ready = undefined;
      if (rows) entry.counts = found.get(`${mid}\u0000${segment}`);
      // After a failed read the windows stay as they were (a first one: empty) until the next try, one time to live later.
      entry.fetchedAt = started;
    }
  }

  private evict(): void {
    if (this.size <= this.options.maxCachedWindows) return;
    // Chains may point at what is dropped: they are rebuilt on demand.
    this.chains.clear();
    for (const [segment, mids] of this.bySegment) {
      if (this.size <= this.options.maxCachedWindows) return;
      this.bySegment.delete(segment);
      this.size -= mids.size;
    }
  }
}
