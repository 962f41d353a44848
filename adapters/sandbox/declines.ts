/**
 * The sandbox gateway answers with bare ISO 8583 response codes, so its table is the ISO table:
 * it only says so. See `src/declines/iso8583.ts`.
 * @module
 */
import type { GatewayDeclineTable } from '../../src/declines/tables';

/** Sandbox decline codes are ISO 8583 field 39 codes, passed through as they are. */
export const sandboxDeclines: GatewayDeclineTable = {
  gateway: 'sandbox',
  docs: 'https://en.wikipedia.org/wiki/ISO_8583#Response_code',
  codes: {},
  isoCode: ({ code }) => code,
};
