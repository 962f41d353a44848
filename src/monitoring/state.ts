/**
 * What a router keeps in memory for chargeback monitoring: its options and the MIDs paused for
 * new initial sales this month (read from the store, so every server honours a pause any of them
 * made, within `pauseRefreshMs`).
 * @module
 */
/** A ratio's parts; `ratio` is absent while the denominator is zero. */
export interface Ratio {
  numerator: number;
  denominator: number;
  /** A fraction: 0.015 is 1.5 % (150 basis points). */
  ratio?: number | undefined;
}

/** Chargeback monitoring options of a router. */
export interface MonitoringOptions {
  /** IANA time zone of the calendar months counted. Default `UTC`. */
  timeZone: string;
  /** Alert matching by card, amount and date: how far the alert's date may be from the transaction's (ms). Default one day. */
  alertWindowMs: number;
  /** How often a router re-reads pauses other servers made (ms). Default 5 s. */
  pauseRefreshMs: number;
}

/** Defaults of the monitoring options. */
export const DEFAULT_MONITORING: MonitoringOptions = { timeZone: 'UTC', alertWindowMs: 24 * 3_600_000, pauseRefreshMs: 5_000 };

/** A merchant threshold level: `warn` (`warnAt`) or `pause` (`pauseAt`). */
export type DisputeLevel = 'warn' | 'pause';

/** The figures of a MID reaching one of its dispute thresholds (events, `explain`, `midHealth`). */
export interface DisputeLevelFigures {
  mid: string;
  /** `YYYY-MM` in the monitoring time zone. */
  month: string;
  level: DisputeLevel;
  /** The merchant's threshold reached (a fraction: 0.01 is 1 %). */
  threshold: number;
  /** The ratios at or above it. */
  crossed: Array<'visa' | 'mastercard'>;
  /** Visa-style: Visa fraud reports plus disputes over Visa sales of the month. */
  visa: Ratio;
  /** Mastercard-style: Mastercard chargebacks of the month over Mastercard sales of the month before. */
  mastercard: Ratio;
  /** When it was reached (ms). */
  at: number;
}

/** In-memory monitoring state of one router. */
export interface MonitoringState {
  readonly options: MonitoringOptions;
  /** MIDs paused this month, by MID. */
  pauses: Map<string, DisputeLevelFigures>;
  /** `mid:month` keys resumed by the merchant (in this process, until written). */
  resumed: Set<string>;
  /** Month and time of the last read of pauses from the store. */
  loaded?: { month: string; at: number } | undefined;
  /** Resumes being written. */
  writing: Set<Promise<unknown>>;
}

/** A fresh monitoring state. */
export function monitoringState(options: Partial<MonitoringOptions> = {}): MonitoringState {
  return { options: { ...DEFAULT_MONITORING, ...options }, pauses: new Map(), resumed: new Set(), writing: new Set() };
}
