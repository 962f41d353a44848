/**
 * Fault injection around a Store and an adapter: a store whose Nth call (counted from a moment
 * the test chooses, e.g. "after the gateway call") throws, before doing anything or after doing
 * it (a commit whose answer is lost), and an adapter wrapper that arms the counter once the
 * gateway has answered.
 */
import type { GatewayAdapter } from '../../src/adapter';
import type { Store } from '../../src/store/types';

/** Where the next fault goes, and what was counted. */
export interface FaultPlan {
  /** Count calls only once armed. */
  armed: boolean;
  /** Fail the call with this number (1-based, counted while armed); undefined: fail none. */
  failAt?: number | undefined;
  /** `before`: throw without doing the call; `after`: do it, then throw (the answer is lost). */
  mode: 'before' | 'after';
  /** Calls counted while armed. */
  count: number;
  /** Names of the calls counted, in order. */
  calls: string[];
}

/** A fresh plan. */
export function faultPlan(over: Partial<FaultPlan> = {}): FaultPlan {
  return { armed: false, mode: 'before', count: 0, calls: [], ...over };
}

/** Wrap a store so that the planned call fails. `close` is never counted or failed. */
export function faultyStore(inner: Store, plan: FaultPlan): Store {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || prop === 'close') return value;
      return async (...args: unknown[]) => {
        if (!plan.armed) return (value as (...a: unknown[]) => unknown).apply(target, args);
        plan.count++;
        plan.calls.push(String(prop));
        const fail = plan.count === plan.failAt;
        if (fail && plan.mode === 'before') throw new Error(`injected store failure before ${String(prop)}`);
        const r = await (value as (...a: unknown[]) => unknown).apply(target, args);
        if (fail) throw new Error(`injected store failure after ${String(prop)}`);
        return r;
      };
    },
  });
}

/** Wrap an adapter so that `onAnswer` runs once each payment or follow-up call has answered (e.g. to arm a plan). */
export function watchedAdapter<A extends GatewayAdapter>(inner: A, onAnswer: (method: string) => void): A {
  const methods = new Set(['authorize', 'sale', 'verify', 'capture', 'void', 'refund']);
  return new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || !methods.has(String(prop))) return value;
      return async (...args: unknown[]) => {
        const r = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        onAnswer(String(prop));
        return r;
      };
    },
  });
}
