/**
 * Validate requests and responses against a gateway's published OpenAPI description with ajv,
 * using the spec's own schemas (no hand-written field lists). Specs are read from `test/specs/`
 * (copies, or derived facts where the licence allows no copy; see its README).
 *
 * OpenAPI is not quite JSON Schema, so each spec is normalised once when it is loaded
 * ({@link normalizeOpenApiSpec}): 3.0 `nullable` becomes `anyOf [..., {type: 'null'}]`, and
 * `discriminator.mapping` is made to apply the mapped schema. Stripe's `decimal` and
 * `unix-time` formats are checked (see {@link OPENAPI_FORMATS}).
 */
import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Folder of the gateway specs the tests check against (inside the repository). */
export const SPECS_DIR = resolve(__dirname, '../specs');

type Spec = { openapi: string; paths: Record<string, Record<string, any>>; components?: Record<string, any> };
type Schema = Record<string, any>;

/** Result of a validation: `ok`, or the ajv errors as readable lines. */
export interface ValidationReport {
  ok: boolean;
  errors: string[];
}

/** A validator for one spec. */
export interface OpenApiValidator {
  /** The spec's path template matching a concrete path (`/v1/payment_intents/pi_1/capture` → `/v1/payment_intents/{intent}/capture`). */
  match(path: string): string | undefined;
  /** Validate a request body for method + concrete path. */
  request(method: string, path: string, body: unknown, contentType?: string): ValidationReport;
  /** Validate a response body for method + concrete path + HTTP status. */
  response(method: string, path: string, status: number, body: unknown): ValidationReport;
  /** Validate a value against one of the spec's named schemas (`components.schemas[name]`). */
  component(name: string, value: unknown): ValidationReport;
  /** The spec as validated (after {@link normalizeOpenApiSpec}). */
  readonly spec: Spec;
}

/** Latest Unix time accepted (9999-12-31T23:59:59Z, in seconds): a value in milliseconds is above it. */
const MAX_UNIX_SECONDS = 253_402_300_799;

/**
 * Formats used by the gateway specs beyond JSON Schema's: Stripe's `decimal` (a decimal number
 * written as a string, `"12.5"`, no exponent) and `unix-time` (whole seconds since the epoch, so
 * a millisecond timestamp fails).
 */
export const OPENAPI_FORMATS = {
  decimal: { type: 'string', validate: (s: string) => /^-?\d+(\.\d+)?$/.test(s) },
  'unix-time': { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 && n <= MAX_UNIX_SECONDS },
} as const;

const COMPONENT_REF = '#/components/schemas/';

/** Rewrite every schema node bottom-up with `fn`. */
function mapSchemas(node: unknown, fn: (s: Schema) => Schema): any {
  if (Array.isArray(node)) return node.map((n) => mapSchemas(n, fn));
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [k, v] of Object.entries(node)) out[k] = k === 'examples' || k === 'example' ? v : mapSchemas(v, fn);
  return fn(out);
}

/**
 * OpenAPI 3.0's `nullable: true` as JSON Schema: `{…, nullable: true}` → `anyOf: [{…}, {type: 'null'}]`.
 * ajv only understands `nullable` beside `type`; Stripe puts it beside `anyOf` and `$ref` too.
 */
function rewriteNullable(s: Schema): Schema {
  if (!('nullable' in s) || typeof s.nullable !== 'boolean') return s;
  const { nullable, ...rest } = s;
  return nullable ? { anyOf: [rest, { type: 'null' }] } : rest;
}

/**
 * Make `discriminator.mapping` checked: the schema gets, for each tag value, `if tag = value
 * then the mapped schema`, and the tag must be one of the mapped values. The mapped schemas
 * usually extend the discriminating one (`allOf: [{$ref: base}, …]`, Checkout.com's `source`);
 * their reference to it is pointed at a copy without the discriminator, so the check does not
 * recurse into itself. The `discriminator` keyword itself stays (ajv ignores it) for readers of
 * `validator.spec`.
 */
function applyDiscriminators(spec: Spec): void {
  const schemas: Record<string, Schema> = spec.components?.schemas ?? {};
  for (const [name, base] of Object.entries({ ...schemas })) {
    const mapping: Record<string, string> | undefined = base.discriminator?.mapping;
    if (!mapping) continue;
    const tag: string = base.discriminator.propertyName;
    const { discriminator: _, ...plain } = base;
    const plainName = `${name}__undiscriminated`;
    schemas[plainName] = plain;
    for (const target of new Set(Object.values(mapping))) {
      const t = schemas[target.replace(COMPONENT_REF, '')];
      t?.allOf?.forEach((part: Schema) => {
        if (part.$ref === COMPONENT_REF + name) part.$ref = COMPONENT_REF + plainName;
      });
    }
    schemas[name] = {
      ...base,
      allOf: [
        ...(plain.allOf ?? []),
        { properties: { [tag]: { enum: Object.keys(mapping) } } },
        ...Object.entries(mapping).map(([value, $ref]) => ({
          if: { properties: { [tag]: { const: value } }, required: [tag] },
          then: { $ref },
        })),
      ],
    };
  }
}

/**
 * Turn an OpenAPI description's schemas into JSON Schema that ajv checks fully: 3.0 `nullable`
 * (beside `type`, `anyOf`, `oneOf`, `allOf` or `$ref`) becomes `anyOf` with `{type: 'null'}`, and
 * discriminator mappings apply their mapped schema. Returns a new object.
 *
 * @example
 * const spec = normalizeOpenApiSpec(JSON.parse(readFileSync(file, 'utf8')));
 */
export function normalizeOpenApiSpec<T extends Spec>(raw: T): T {
  const spec: T = JSON.parse(JSON.stringify(raw));
  applyDiscriminators(spec);
  return spec.openapi.startsWith('3.0') ? mapSchemas(spec, rewriteNullable) : spec;
}

/**
 * Load a spec file from `test/specs` (or an absolute path) and build a validator.
 * Form-encoded bodies (Stripe) are validated after bracket-decoding, with type coercion since
 * every form value arrives as a string.
 *
 * @example
 * const api = openApiValidator('checkoutcom-nas-2022-07-payments.openapi.json');
 * api.request('POST', '/payments', body).errors; // [] when the body is valid
 */
export function openApiValidator(file: string): OpenApiValidator {
  const spec: Spec = normalizeOpenApiSpec(JSON.parse(readFileSync(resolve(SPECS_DIR, file), 'utf8')));
  const is31 = spec.openapi.startsWith('3.1');
  const make = (coerce: boolean) => {
    const opts = { strict: false, allErrors: true, coerceTypes: coerce ? ('array' as const) : false, validateFormats: true };
    const ajv = is31 ? new Ajv2020(opts) : new Ajv(opts);
    addFormats(ajv as unknown as Ajv);
    for (const [name, format] of Object.entries(OPENAPI_FORMATS)) ajv.addFormat(name, format as never);
    ajv.addSchema({ $id: 'spec', components: spec.components ?? {} } as object);
    return ajv;
  };
  const ajvJson = make(false);
  const ajvForm = make(true);
  const cache = new Map<string, ValidateFunction>();
  const templates = Object.keys(spec.paths).map((t) => ({
    t,
    re: new RegExp('^' + t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}|\{[^}]+\}/g, '[^/]+') + '$'),
  }));
  const rewriteRefs = (schema: unknown): unknown => JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"spec#/components/'));
  const compile = (key: string, schema: unknown, form: boolean) => {
    let fn = cache.get(key);
    if (!fn) {
      fn = (form ? ajvForm : ajvJson).compile(rewriteRefs(schema) as object);
      cache.set(key, fn);
    }
    return fn;
  };
  const report = (fn: ValidateFunction, body: unknown): ValidationReport => {
    const ok = fn(body) as boolean;
    return {
      ok,
      errors: ok
        ? []
        : (fn.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`),
    };
  };
  const match = (path: string) => templates.find(({ re }) => re.test(path.split('?')[0]))?.t;
  return {
    spec,
    match,
    request(method, path, body, contentType = 'application/json') {
      const t = match(path);
      if (!t) return { ok: false, errors: [`no path in the spec matches ${path}`] };
      const op = spec.paths[t][method.toLowerCase()];
      if (!op) return { ok: false, errors: [`${method} is not defined for ${t}`] };
      const content = op.requestBody?.content?.[contentType];
      if (!content) return { ok: false, errors: [`${method} ${t} takes no ${contentType} body`] };
      const form = contentType === 'application/x-www-form-urlencoded';
      return report(compile(`req ${method} ${t} ${contentType}`, content.schema, form), body);
    },
    component(name, value) {
      if (!spec.components?.schemas?.[name]) return { ok: false, errors: [`no schema ${name} in the spec`] };
      return report(compile(`component ${name}`, { $ref: `#/components/schemas/${name}` }, false), value);
    },
    response(method, path, status, body) {
      const t = match(path);
      if (!t) return { ok: false, errors: [`no path in the spec matches ${path}`] };
      const op = spec.paths[t][method.toLowerCase()];
      const res = op?.responses?.[String(status)] ?? op?.responses?.[`${String(status)[0]}XX`] ?? op?.responses?.default;
      const schema = res?.content?.['application/json']?.schema;
      if (!schema) return { ok: false, errors: [`no JSON response schema for ${method} ${t} ${status}`] };
      return report(compile(`res ${method} ${t} ${status}`, schema, false), body);
    },
  };
}

/**
 * Decode an `application/x-www-form-urlencoded` body with bracket notation
 * (`a[b][0]=x`, `a[b][]=y`) into nested objects and arrays, as Stripe reads it.
 */
export function decodeBracketForm(text: string): Record<string, unknown> {
  const out: Record<string, any> = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const parts = rawKey.replace(/\]/g, '').split('[');
    let node: any = out;
    parts.forEach((p, i) => {
      const last = i === parts.length - 1;
      const nextIsIndex = !last && /^\d*$/.test(parts[i + 1]);
      const key = p === '' && Array.isArray(node) ? node.length : /^\d+$/.test(p) && Array.isArray(node) ? Number(p) : p;
      if (last) node[key] = value;
      else node = node[key] ??= nextIsIndex ? [] : {};
    });
  }
  return out;
}
