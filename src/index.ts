/**
 * Switchyard: route card transactions across many gateways and merchant accounts.
 * @module
 */
export { createRouter } from './router';
export type {
  Router,
  RouterConfig,
  MerchantAccountConfig,
  RebillRequest,
  Explanation,
  ExplainedCandidate,
  ConsentDetails,
  ConsentInput,
  MigrateOptions,
  MigrationReport,
  MigrationItem,
  CardVault,
  VaultContext,
  CredentialVerdict,
  ReconcileOptions,
  ReconcileReport,
  AttemptView,
  ApprovalFigures,
  MidStatus,
  SubscriptionView,
  TransactionFilter,
  TransactionPage,
  StalePending,
  WebhookInput,
  WebhookReceipt,
  ReceivedNotification,
  RecordDisputeInput,
  RecordedDispute,
  AlertAction,
  AlertInput,
  AlertOutcome,
  AlertResolution,
} from './router';
export { defineProfile } from './profile';
export { profileSchema, poolSchema, ruleSchema, conditionSchema, merchantAccountSchema } from './profile/schema';
export type { Profile, ProfileInput, Rule, Pool, Condition } from './profile/schema';
export { MAC_RETRY_DELAYS_MS } from './declines/normalize';
export { normalizeDecline, BUILTIN_DECLINE_TABLES } from './decline-registry';
export type { DeclineInput, DeclineRule, NormalizeOptions } from './declines/normalize';
export { DECLINE_REASONS, DECLINE_REASON_NAMES, isDeclineReason } from './declines/reasons';
export { DECLINE_ADVICE, OUTCOME_ADVICE, adviceFor } from './declines/advice';
export type { DeclineAdvice } from './declines/advice';
export type { Logger, LogMethod, TelemetryOption } from './observe/types';
export type { SalvageState } from './subscriptions/salvage';
export type { DeclineReason, DeclineReasonInfo, NormalizedDecline, DeclineCategory, RetryAdvice } from './declines/reasons';
export { ISO8583_CODES } from './declines/iso8583';
export type { IsoCodeRow } from './declines/iso8583';
export { classifyDeclineMessage, MESSAGE_PATTERNS } from './declines/classifier';
export type { MessagePattern } from './declines/classifier';
export type { GatewayDeclineTable } from './declines/tables';
export { DEFAULT_NETWORK_RULES, checkNetworkRules } from './declines/network-rules';
export type { NetworkRuleConfig, NetworkVerdict, NetworkRuleName } from './declines/network-rules';
export type { CircuitOptions } from './selection/circuit';
export type { Timeouts } from './context';
export { gatewayVaults } from './subscriptions/vault';
export { memoryStore } from './store/memory';
export { sqliteStore, type SqliteStore, type SqliteStoreOptions } from './store/sqlite';
export {
  postgresStore,
  type PostgresStore,
  type PostgresStoreOptions,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
} from './store/postgres';
export type * from './store/types';
export { loadBinTable, buildBinTable, parseBinCsv, BinTable } from './card/bin-table';
export type { BinInfo, BinRow } from './card/bin-table';
export { detectBrand, luhnValid, maskPan, canonicalBrand, CARD_BRANDS } from './card/pan';
export type { CardBrand, BrandInfo } from './card/pan';
export { redact, containsCardNumber } from './card/redact';
export { ConfigError, FilterError, MissingDependencyError } from './errors';
export type { ConfigProblem } from './errors';
export { currencyExponent, toDecimalString, fromDecimalString, isCurrency } from './money';
export type * from './types';
export type * from './adapter';
export { ROUTER_EVENTS } from './events';
export type { RouterEvents, RouterEventName } from './events';
export { TRANSACTION_TRANSITIONS, ATTEMPT_TRANSITIONS, canMove, canMoveAttempt, refundState } from './transaction/states';
export type { TransactionStatus, AttemptStatus } from './transaction/states';
export type { FollowUpOptions } from './operations/followups';
export type { IneligibleReason } from './selection/eligibility';
export type { PoolStrategy, StrategyEnv, ApprovalReader, RandomSource } from './selection/strategies/types';
export type { SuccessRateSettings } from './selection/strategies/success_rate';
export type { CompiledPool, RoutingContext } from './profile/compile';
export { BUILTIN_STRATEGIES } from './profile/schema';
export type { PoolStrategyName } from './profile/schema';
export { APPROVAL_SIGNAL } from './selection/approval-signal';
export type { ApprovalSignal } from './selection/approval-signal';
export { SEGMENT_DIMENSIONS, DEFAULT_AMOUNT_BANDS } from './selection/segments';
export type { SegmentDimension } from './selection/segments';
export type { ApprovalCacheOptions } from './selection/approval-cache';
export { NOTIFICATION_KINDS } from './notifications';
export type * from './notifications';
export { disputeCategory } from './disputes';
export type { AttemptEvent, FollowUpFailed } from './events';
export { Ok, Err } from 'ts-results-es';
export type { Result } from 'ts-results-es';
export { VAMP_MINIMUM_COUNT, ECP_TIERS, vampThreshold, visaFigures, mastercardFigures, ecpTier, project } from './monitoring/programs';
export type { Ratio, VisaFigures, MastercardFigures, EcpTier, Projection } from './monitoring/programs';
export type { Tally, MonitoredBrand, BrandFigures, MonthFigures } from './monitoring/counts';
export type { DisputeHealth, MidHealth, EntityHealth, MidHealthReport } from './monitoring/health';
export { DEFAULT_ENTITY } from './monitoring/health';
export type { MonitoringOptions, DisputeLevel, DisputeLevelFigures } from './monitoring/state';
export { monthKey, previousMonth, monthElapsed } from './monitoring/month';
