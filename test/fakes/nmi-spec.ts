/**
 * The NMI contract the fake enforces. NMI publishes no machine-readable description of the
 * Payment API, so this checker is written from the field tables of
 * `test/specs/nmi-direct-post-api.md` (section numbers cited per rule), and, for the Query API,
 * from NMI's Query API reference (https://docs.nmi.com/reference/query-1: POSTed name/value pairs,
 * XML answer). It answers with problems as readable lines; an empty list means valid.
 */
import { isCurrency } from '../../src/money';

/** §4: every documented `response_code` and its meaning. */
export const RESULT_CODES: Readonly<Record<string, string>> = {
  '100': 'Approved',
  '200': 'Declined by processor',
  '201': 'Do not honor',
  '202': 'Insufficient funds',
  '203': 'Over limit',
  '204': 'Transaction not allowed',
  '220': 'Incorrect payment information',
  '221': 'No such card issuer',
  '222': 'No card number on file with issuer',
  '223': 'Expired card',
  '224': 'Invalid expiration date',
  '225': 'Invalid card security code',
  '226': 'Invalid PIN',
  '240': 'Call issuer for further information',
  '250': 'Pick up card',
  '251': 'Lost card',
  '252': 'Stolen card',
  '253': 'Fraudulent card',
  '260': 'Declined with further instructions available',
  '261': 'Declined - stop all recurring payments',
  '262': 'Declined - stop this recurring program',
  '263': 'Declined - updated cardholder data available',
  '264': 'Declined - retry in a few days',
  '300': 'Transaction was rejected by gateway',
  '301': 'Rate limit exceeded',
  '400': 'Transaction error returned by processor',
  '410': 'Invalid merchant configuration',
  '411': 'Merchant account is inactive',
  '420': 'Communication error',
  '421': 'Communication error with issuer',
  '430': 'Duplicate transaction at processor',
  '440': 'Processor format error',
  '441': 'Invalid transaction information',
  '460': 'Processor feature not available',
  '461': 'Unsupported card type',
};

/** §2: transaction types. */
const TYPES = ['sale', 'auth', 'credit', 'validate', 'offline', 'capture', 'void', 'refund', 'update'] as const;

/** §2 "sale / auth / credit / validate (and offline)": the documented variables. */
const PAYMENT_FIELDS = new Set([
  'type',
  'security_key',
  'username',
  'password',
  'ccnumber',
  'ccexp',
  'cvv',
  'payment_token',
  'customer_vault_id',
  'payment',
  'amount',
  'currency',
  'surcharge',
  'tip',
  'tax',
  'shipping',
  'orderid',
  'order_description',
  'orderdescription',
  'ponumber',
  'ipaddress',
  'first_name',
  'last_name',
  'firstname',
  'lastname',
  'company',
  'address1',
  'address2',
  'city',
  'state',
  'zip',
  'country',
  'phone',
  'fax',
  'email',
  'shipping_firstname',
  'shipping_lastname',
  'shipping_company',
  'shipping_address1',
  'shipping_address2',
  'shipping_city',
  'shipping_state',
  'shipping_zip',
  'shipping_country',
  'shipping_email',
  'shipping_phone',
  'processor_id',
  'dup_seconds',
  'customer_receipt',
  'cardholder_auth',
  'cavv',
  'xid',
  'three_ds_version',
  'directory_server_id',
  'initiated_by',
  'stored_credential_indicator',
  'initial_transaction_id',
  'billing_method',
  'billing_number',
  'billing_total',
  'customer_vault',
  'recurring',
  'plan_id',
  'test_mode',
  'authorization_code',
]);
/** §2 "descriptor*" (soft descriptor fields) and "merchant_defined_field_1 … _20". */
const PAYMENT_FIELD_PATTERNS = [/^descriptor(_[a-z_]+)?$/, /^merchant_defined_field_([1-9]|1\d|20)$/];

/** §2 capture, void, refund, update: the documented variables per type. */
const FOLLOW_UP_FIELDS: Record<'capture' | 'void' | 'refund' | 'update', ReadonlySet<string>> = {
  capture: new Set([
    'type',
    'security_key',
    'username',
    'password',
    'transactionid',
    'amount',
    'tracking_number',
    'shipping_carrier',
    'orderid',
  ]),
  void: new Set(['type', 'security_key', 'username', 'password', 'transactionid', 'void_reason', 'payment']),
  refund: new Set(['type', 'security_key', 'username', 'password', 'transactionid', 'amount', 'payment']),
  update: new Set([
    'type',
    'security_key',
    'username',
    'password',
    'transactionid',
    'tracking_number',
    'shipping_carrier',
    'tax',
    'ponumber',
    'orderid',
    'order_description',
    'shipping',
  ]),
};

/** Formats and value sets from §2 (and §7 for test_mode). */
const FORMATS: Record<string, RegExp | readonly string[]> = {
  amount: /^\d+\.\d{2}$/, // "amount (format x.xx)"
  ccexp: /^(0[1-9]|1[0-2])\d{2}$/, // "ccexp (format MMYY)"
  ccnumber: /^\d{12,19}$/,
  cvv: /^\d{3,4}$/,
  country: /^[A-Z]{2}$/, // ISO 3166 alpha-2
  shipping_country: /^[A-Z]{2}$/,
  dup_seconds: /^\d+$/,
  initiated_by: ['customer', 'merchant'],
  stored_credential_indicator: ['stored', 'used'],
  billing_method: ['recurring', 'installment'],
  cardholder_auth: ['verified', 'attempted'],
  customer_vault: ['add_customer', 'update_customer'],
  customer_receipt: ['true', 'false'],
  void_reason: ['fraud', 'user_cancel', 'icc_rejected', 'icc_card_removed', 'icc_no_confirmation', 'pos_timeout'],
  shipping_carrier: ['ups', 'fedex', 'dhl', 'usps'],
  payment: ['creditcard', 'check'],
  test_mode: ['enabled'],
};

function checkFormats(fields: Map<string, string>, problems: string[]): void {
  for (const [k, v] of fields) {
    const rule = FORMATS[k];
    if (!rule) continue;
    const ok = Array.isArray(rule) ? rule.includes(v) : (rule as RegExp).test(v);
    if (!ok)
      problems.push(
        `${k}: "${k === 'ccnumber' || k === 'cvv' ? '(redacted)' : v}" does not match the documented format ${Array.isArray(rule) ? rule.join('|') : String(rule)}`,
      );
  }
  if (fields.has('currency') && !isCurrency(fields.get('currency')))
    problems.push(`currency: "${fields.get('currency')}" is not an ISO 4217 code`);
  if (fields.has('dup_seconds') && Number(fields.get('dup_seconds')) > 7_862_400) problems.push('dup_seconds: must not exceed 7862400');
}

/** Decode a form body, reporting repeated keys (a form value must be sent once). */
export function decodeForm(body: string): { fields: Map<string, string>; problems: string[] } {
  const fields = new Map<string, string>();
  const problems: string[] = [];
  for (const [k, v] of new URLSearchParams(body)) {
    if (fields.has(k)) problems.push(`${k}: sent more than once`);
    fields.set(k, v);
  }
  return { fields, problems };
}

/**
 * Check a request to `/api/transact.php` (§1 transport, §2 fields by type).
 * @returns problems; empty when the request follows the documentation.
 */
export function checkTransactRequest(body: string, contentType: string | undefined): string[] {
  const { fields, problems } = decodeForm(body);
  if (!/^application\/x-www-form-urlencoded\b/i.test(contentType ?? ''))
    problems.push(`content-type: "${contentType}" — §1 requires application/x-www-form-urlencoded`);
  if (!fields.has('security_key') && !(fields.has('username') && fields.has('password')))
    problems.push('security_key: required (§2, always required)');
  const type = fields.get('type');
  if (!type || !(TYPES as readonly string[]).includes(type)) {
    problems.push(`type: "${type ?? ''}" is not one of ${TYPES.join(', ')} (§2)`);
    return problems;
  }
  const allowed = (k: string) =>
    type in FOLLOW_UP_FIELDS
      ? FOLLOW_UP_FIELDS[type as keyof typeof FOLLOW_UP_FIELDS].has(k)
      : PAYMENT_FIELDS.has(k) || PAYMENT_FIELD_PATTERNS.some((p) => p.test(k));
  for (const k of fields.keys()) if (!allowed(k)) problems.push(`${k}: not a documented variable of type=${type} (§2)`);
  for (const [k, v] of fields) if (v === '') problems.push(`${k}: sent empty`);
  checkFormats(fields, problems);

  if (type in FOLLOW_UP_FIELDS) {
    if (!fields.has('transactionid')) problems.push(`transactionid: required for type=${type} (§2)`);
    if (type === 'capture' && !fields.has('amount')) problems.push('amount: required for type=capture (§2)');
    return problems;
  }
  // sale / auth / credit / validate / offline: one source of card data (§2 "Card data").
  const sources = [
    fields.has('ccnumber') || fields.has('ccexp') ? 'ccnumber' : '',
    fields.has('payment_token') ? 'payment_token' : '',
    fields.has('customer_vault_id') && !fields.has('customer_vault') ? 'customer_vault_id' : '',
  ].filter(Boolean);
  if (sources.length !== 1)
    problems.push(
      `card data: send exactly one of ccnumber+ccexp, payment_token or customer_vault_id (§2), got ${sources.join(', ') || 'none'}`,
    );
  if (fields.has('ccnumber') !== fields.has('ccexp')) problems.push('ccnumber/ccexp: required together for card transactions (§2 "**")');
  if (type === 'validate') {
    if (fields.has('amount') && fields.get('amount') !== '0.00') problems.push('amount: validate takes no amount or 0.00 (§2)');
  } else if (type !== 'offline' && !fields.has('amount')) {
    problems.push(`amount: a ${type} needs an amount (§2 "Money")`);
  }
  if (type === 'offline' && !fields.has('authorization_code')) problems.push('authorization_code: required for type=offline (§2)');
  // Stored credentials (§2 "CIT/MIT"): an indicator needs its initiator; a rebill ("used" by the merchant) names the initial transaction.
  const indicator = fields.get('stored_credential_indicator');
  if (indicator && !fields.has('initiated_by')) problems.push('initiated_by: required with stored_credential_indicator');
  if (fields.has('initial_transaction_id') && indicator !== 'used')
    problems.push('initial_transaction_id: only with stored_credential_indicator=used');
  if (indicator === 'used' && fields.get('initiated_by') === 'merchant' && !fields.has('initial_transaction_id'))
    problems.push('initial_transaction_id: required on a merchant-initiated use of a stored credential');
  if (fields.has('cavv') && !fields.has('cardholder_auth'))
    problems.push('cardholder_auth: required with cavv (3-D Secure pass-through, §2)');
  return problems;
}

/** Query API variables (https://docs.nmi.com/reference/query-1, "Variables"). */
const QUERY_FIELDS = new Set([
  'security_key',
  'username',
  'password',
  'condition',
  'transaction_type',
  'action_type',
  'source',
  'transaction_id',
  'subscription_id',
  'invoice_id',
  'partial_payment_id',
  'order_id',
  'first_name',
  'last_name',
  'address1',
  'city',
  'state',
  'zip',
  'phone',
  'fax',
  'order_description',
  'email',
  'cc_number',
  'merchant_defined_field',
  'start_date',
  'end_date',
  'report_type',
  'customer_vault_id',
  'date_search',
  'result_limit',
  'page_number',
  'result_order',
]);

/** Check a request to `/api/query.php`. */
export function checkQueryRequest(body: string, contentType: string | undefined): string[] {
  const { fields, problems } = decodeForm(body);
  if (!/^application\/x-www-form-urlencoded\b/i.test(contentType ?? ''))
    problems.push(`content-type: "${contentType}" — the Query API takes name/value pairs`);
  if (!fields.has('security_key')) problems.push('security_key: required');
  for (const k of fields.keys()) if (!QUERY_FIELDS.has(k)) problems.push(`${k}: not a Query API variable`);
  for (const [k, v] of fields) if (v === '') problems.push(`${k}: sent empty`);
  return problems;
}

/** §5 AVS codes, and CVV codes. */
const AVS = new Set([
  'X',
  'Y',
  'D',
  'M',
  '2',
  '6',
  'A',
  'B',
  '3',
  '7',
  'W',
  'Z',
  'P',
  'L',
  '1',
  '5',
  'N',
  'C',
  '4',
  '8',
  'U',
  'G',
  'I',
  'R',
  'E',
  'S',
  '0',
  'O',
]);
const CVV = new Set(['M', 'N', 'P', 'S', 'U']);
/** §3: keys every answer carries (possibly empty). */
export const RESPONSE_KEYS = [
  'response',
  'responsetext',
  'authcode',
  'transactionid',
  'avsresponse',
  'cvvresponse',
  'orderid',
  'type',
  'response_code',
] as const;

/** Check an answer of `/api/transact.php` (§3, §4, §5) before the fake sends it. */
export function checkTransactResponse(fields: Readonly<Record<string, string | undefined>>): string[] {
  const problems: string[] = [];
  for (const k of RESPONSE_KEYS) if (fields[k] === undefined) problems.push(`${k}: documented key missing (§3)`);
  const { response, response_code: code, avsresponse, cvvresponse, type } = fields;
  if (!['1', '2', '3'].includes(response ?? '')) problems.push(`response: "${response}" is not 1, 2 or 3 (§3)`);
  if (!code || !(code in RESULT_CODES)) problems.push(`response_code: "${code}" is not in the result code table (§4)`);
  else if (response === '1' && code !== '100') problems.push(`response_code: ${code} with response=1`);
  else if (response === '2' && !code.startsWith('2')) problems.push(`response_code: ${code} with response=2 (declines are 2xx)`);
  else if (response === '3' && !/^[34]/.test(code)) problems.push(`response_code: ${code} with response=3 (errors are 3xx/4xx)`);
  if (avsresponse && !AVS.has(avsresponse)) problems.push(`avsresponse: "${avsresponse}" is not an AVS code (§5)`);
  if (cvvresponse && !CVV.has(cvvresponse)) problems.push(`cvvresponse: "${cvvresponse}" is not a CVV code (§5)`);
  if (type && !(TYPES as readonly string[]).includes(type)) problems.push(`type: "${type}" is not a transaction type`);
  return problems;
}
