/**
 * The order's facts a transaction keeps for support search: order reference, customer (e-mail in
 * lower case, country in upper case), tags and metadata, copied from the validated request.
 * @module
 */
import type { TransactionRecord } from '../store/types';
import type { CustomerInput } from '../types';
import type { ValidPayment } from './validate';

/** The customer as the ledger keeps it: e-mail lower-cased (search is by exact e-mail), country upper-cased. */
export function customerFacts(c: Readonly<CustomerInput> | undefined): CustomerInput | undefined {
  if (!c) return undefined;
  const out: CustomerInput = {
    ...(c.id !== undefined && { id: c.id }),
    ...(c.email !== undefined && { email: c.email.trim().toLowerCase() }),
    ...(c.country !== undefined && { country: c.country.toUpperCase() }),
    ...(c.ip !== undefined && { ip: c.ip }),
  };
  return Object.keys(out).length ? out : undefined;
}

/**
 * The searchable facts of a payment request, ready to spread into its transaction.
 * @example
 * orderFacts({ orderId: 'A-1', customer: { email: 'Ada@Example.COM' }, ... }) // { orderId: 'A-1', customer: { email: 'ada@example.com' } }
 */
export function orderFacts(r: ValidPayment): Pick<TransactionRecord, 'orderId' | 'customer' | 'tags' | 'metadata'> {
  const customer = customerFacts(r.customer);
  return {
    ...(r.orderId !== undefined && { orderId: r.orderId }),
    ...(customer && { customer }),
    ...(r.tags?.length && { tags: [...r.tags] }),
    ...(r.metadata && Object.keys(r.metadata).length > 0 && { metadata: { ...r.metadata } }),
  };
}
