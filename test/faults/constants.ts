/**
 * Constants of the fault suite, in a module of their own (no imports) so a child process's
 * bundle can share them without loading the harness and its database drivers.
 */

/** The router's clock runs from a fixed UTC morning, so cap windows never straddle midnight. */
export const DAY_START = Date.UTC(2030, 0, 15, 0, 10);
/** Per-MID caps (daily, USD): reached during a run, so the audit checks them for real. */
export const CAPS: Record<string, { amount?: number; count?: number }> = { 'nmi-1': { amount: 1_000_000 }, 'anet-1': { count: 450 } };
/** Router time budget in the suite: short, so timeouts cost little. */
export const TIMEOUTS = { attemptMs: 1_000, totalMs: 4_000 };
/** The card of every sale of the suite. */
export const CARD = { number: '4111111111111111', expMonth: 12, expYear: 2034, cvc: '123' };
