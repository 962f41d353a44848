/** Test network tokens: Luhn-valid numbers in the Visa and Mastercard token ranges, and a cryptogram. */
import { luhnValid } from '../../src/card/pan';

/** The prefix completed with a Luhn check digit. */
export function luhnComplete(prefix: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(prefix + d)) return prefix + d;
  throw new Error('unreachable');
}

/** Token numbers in Visa and Mastercard ranges (Luhn-valid, like the networks' tokens). */
export const TOKENS = { visa: luhnComplete('489537001200347'), mastercard: luhnComplete('520473000000123') } as const;
/** A TAVV-shaped cryptogram (base64 of 20 bytes). */
export const CRYPTOGRAM = 'AgAAAAAABk4DWZ4C28yUQAAAAAA=';
