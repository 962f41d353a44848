/**
 * The sandbox's test cards: each PAN triggers one gateway behaviour. Any other valid card is approved.
 * Codes are ISO 8583 response codes (the sandbox speaks bare network codes).
 * @module
 */

/** What a test card makes the sandbox do. */
export type SandboxBehaviour =
  | { status: 'approved' }
  | { status: 'declined'; code: string; message: string; advice?: string }
  | { status: 'error'; ambiguous: boolean; message: string }
  | { status: 'requires_action' }
  | { status: 'timeout' };

/** Test card numbers and what they do (documented in the README). */
export const SANDBOX_TEST_CARDS: Readonly<Record<string, SandboxBehaviour & { label: string }>> = {
  '4111111111111111': { label: 'Visa: approve', status: 'approved' },
  '4242424242424242': { label: 'Visa: approve', status: 'approved' },
  '5555555555554444': { label: 'Mastercard: approve', status: 'approved' },
  '378282246310005': { label: 'Amex: approve', status: 'approved' },
  '6011111111111117': { label: 'Discover: approve', status: 'approved' },
  '4000000000000002': { label: '05 do not honor', status: 'declined', code: '05', message: 'Do Not Honor' },
  '4000000000009953': { label: '51 insufficient funds', status: 'declined', code: '51', message: 'Insufficient Funds' },
  '4000000000000069': { label: '54 expired card', status: 'declined', code: '54', message: 'Expired Card' },
  '4000000000009987': { label: '41 lost card', status: 'declined', code: '41', message: 'Lost Card, Pick Up' },
  '4000000000009979': { label: '43 stolen card', status: 'declined', code: '43', message: 'Stolen Card, Pick Up' },
  '4000000000000127': { label: 'N7 CVV2 mismatch', status: 'declined', code: 'N7', message: 'Decline for CVV2 failure' },
  '4000000000000119': { label: '96 system error', status: 'declined', code: '96', message: 'System Malfunction' },
  '4000000000000077': { label: '14 invalid card number', status: 'declined', code: '14', message: 'Invalid Card Number' },
  '4000000000000085': {
    label: 'R1 revocation of authorization',
    status: 'declined',
    code: 'R1',
    message: 'Revocation of Authorization Order',
  },
  '4000000000000093': { label: '03 invalid merchant', status: 'declined', code: '03', message: 'Invalid Merchant' },
  '4000000000000259': { label: 'timeout after the request was sent (ambiguous)', status: 'timeout' },
  '4000000000000101': {
    label: 'gateway error before processing (not ambiguous)',
    status: 'error',
    ambiguous: false,
    message: 'Service Unavailable',
  },
  '4000000000003220': { label: '3-D Secure required', status: 'requires_action' },
  '4000000000003063': {
    label: '1A authentication required (step-up on the same MID)',
    status: 'declined',
    code: '1A',
    message: 'Additional customer authentication required',
  },
  '5100000000000024': {
    label: 'Mastercard 05 with MAC 03 (do not try again)',
    status: 'declined',
    code: '05',
    message: 'Do Not Honor',
    advice: '03',
  },
  '5100000000000032': {
    label: 'Mastercard 51 with MAC 25 (retry after 24 hours)',
    status: 'declined',
    code: '51',
    message: 'Insufficient Funds',
    advice: '25',
  },
  '5100000000000040': { label: 'Mastercard 05 do not honor', status: 'declined', code: '05', message: 'Do Not Honor' },
};
