/**
 * Validate requests and responses against a gateway's published OpenAPI description with ajv,
 * using the spec's own schemas (no hand-written field lists). Specs are read from
 * `../shared/specs/` by path.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** Folder of the shared gateway specs. */
export const SPECS_DIR = resolve(__dirname, '../../../shared/specs');

type Spec = { openapi: string; paths: Record<string, Record<string, any>>; components?: Record<string, unknown> };

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
  readonly spec: Spec;
}

/**
 * Load a spec file from `shared/specs` and build a validator.
 * Form-encoded bodies (Stripe) are validated after bracket-decoding, with type coercion since
 * every form value arrives as a string.
 */
export function openApiValidator(file: string): OpenApiValidator {
  const spec: Spec = JSON.parse(readFileSync(resolve(SPECS_DIR, file), 'utf8'));
  const is31 = spec.openapi.startsWith('3.1');
  const make = (coerce: boolean) => {
    const opts = { strict: false, allErrors: true, coerceTypes: coerce ? ('array' as const) : false, validateFormats: true };
    const ajv = is31 ? new Ajv2020(opts) : new Ajv(opts);
    addFormats(ajv as unknown as Ajv);
    ajv.addFormat('unix-time', true);
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
  const rewriteRefs = (schema: unknown): unknown =>
    JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"spec#/components/'));
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
    return { ok, errors: ok ? [] : (fn.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`) };
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
