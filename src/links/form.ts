/**
 * The payment form as posted: reading the body (url-encoded, size-limited) and checking each
 * card field, with an error that names the field. Card data stays in memory for this request.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { luhnValid } from '../card/pan';
import type { CardField } from './html';

/** Largest form body read, in bytes. */
export const MAX_FORM_BYTES = 16 * 1024;

/** A checked card, ready for `router.sale`. */
export interface CardForm {
  holderName: string;
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

/** What checking the form found. */
export type FormCheck = { ok: true; card: CardForm } | { ok: false; errors: Partial<Record<CardField, string>>; holderName: string };

/** Read a url-encoded body (or what a framework already parsed into `req.body`). `undefined`: too large or not a form. */
export async function readForm(req: IncomingMessage & { body?: unknown }): Promise<Record<string, string> | undefined> {
  const parsed = req.body;
  if (parsed && typeof parsed === 'object' && !Buffer.isBuffer(parsed)) {
    return Object.fromEntries(Object.entries(parsed as Record<string, unknown>).map(([k, v]) => [k, typeof v === 'string' ? v : '']));
  }
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  if (typeof parsed === 'string' || Buffer.isBuffer(parsed)) chunks.push(Buffer.from(parsed));
  else {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_FORM_BYTES) return undefined;
      chunks.push(chunk as Buffer);
    }
  }
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

/**
 * Check the card fields of a posted form.
 * @example
 * checkCardForm({ name: 'A Customer', number: '4111 1111 1111 1111', exp: '12 / 30', cvc: '123' }, Date.UTC(2026, 11, 2))
 * // { ok: true, card: { holderName: 'A Customer', number: '4111111111111111', expMonth: 12, expYear: 2030, cvc: '123' } }
 */
export function checkCardForm(form: Record<string, string | undefined>, now: number): FormCheck {
  const errors: Partial<Record<CardField, string>> = {};
  const holderName = (form.name ?? '').trim().replace(/\s+/g, ' ');
  if (!holderName) errors.name = 'Name on card: enter the name as it is printed on the card.';
  else if (holderName.length > 100) errors.name = 'Name on card: use at most 100 characters.';

  const number = (form.number ?? '').replace(/[\s-]/g, '');
  if (!number) errors.number = 'Card number: enter the long number on the front of your card.';
  else if (!/^\d{12,19}$/.test(number) || !luhnValid(number)) errors.number = 'Card number: this is not a valid card number; check it.';

  const exp = /^\s*(\d{1,2})\s*\/?\s*(\d{2}|\d{4})\s*$/.exec(form.exp ?? '');
  let expMonth = 0;
  let expYear = 0;
  if (!exp) errors.exp = 'Expiry date: enter it as MM / YY, e.g. 04 / 29.';
  else {
    expMonth = Number(exp[1]);
    expYear = exp[2]!.length === 2 ? 2000 + Number(exp[2]) : Number(exp[2]);
    const today = new Date(now);
    const thisMonth = today.getUTCFullYear() * 12 + today.getUTCMonth();
    if (expMonth < 1 || expMonth > 12) errors.exp = 'Expiry date: the month must be 01 to 12.';
    else if (expYear * 12 + expMonth - 1 < thisMonth) errors.exp = 'Expiry date: this card has expired; use another card.';
    else if (expYear > today.getUTCFullYear() + 25) errors.exp = 'Expiry date: check the year.';
  }

  const cvc = (form.cvc ?? '').trim();
  if (!/^\d{3,4}$/.test(cvc)) errors.cvc = 'Security code (CVC): enter the 3 or 4 digits on your card.';

  if (Object.keys(errors).length) return { ok: false, errors, holderName: holderName.slice(0, 100) };
  return { ok: true, card: { holderName, number, expMonth, expYear, cvc } };
}
