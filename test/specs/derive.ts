/**
 * Derive the facts the tests need from two published descriptions whose licences do not let the
 * repository hold a copy: Authorize.Net's XSD (GPL-2.0 or commercial) and the Checkout.com API
 * reference (terms unclear). The outputs in `test/specs/derived/` hold structure only: element
 * and property names, their order and occurrences, types, and value constraints (enumerations,
 * patterns, lengths, ranges). Every documentation text, comment, title, description and example
 * of the originals is left out.
 *
 * Run it when a description changes, with the folder holding the originals:
 *
 *     npx tsx test/specs/derive.ts <folder with AnetApiSchema.xsd and the Checkout.com OpenAPI file>
 *
 * See `test/specs/README.md` for where the originals come from.
 * @module
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { XMLParser } from 'fast-xml-parser';

// ---------------------------------------------------------------------------------------------
// XSD → element model

/** Value constraints of a simple type (XSD facets). */
export interface XsdFacets {
  enumeration?: string[];
  /** XSD regular expressions, anchored when checked. */
  patterns?: string[];
  length?: number;
  minLength?: number;
  maxLength?: number;
  minInclusive?: number;
  maxInclusive?: number;
  fractionDigits?: number;
  totalDigits?: number;
}

/** A simple type: a base type and the facets of one restriction step. */
export interface XsdSimpleType {
  kind: 'simple';
  base: string;
  facets: XsdFacets;
}

/** A complex type: element content (after an optional extension base) or a simple value. */
export interface XsdComplexType {
  kind: 'complex';
  /** complexContent extension base: its content comes first. */
  extends?: string;
  content?: XsdGroup;
  /** simpleContent: the value is of this simple type. */
  simpleBase?: string;
}

/** `maxOccurs`: a count or `'unbounded'`. */
export type XsdMax = number | 'unbounded';

/** An element declaration: name, occurrences and type (a type name or an inline type). */
export interface XsdElement {
  kind: 'element';
  name: string;
  min: number;
  max: XsdMax;
  type: string | XsdComplexType | XsdSimpleType;
}

/** A sequence or a choice of particles. */
export interface XsdGroup {
  kind: 'sequence' | 'choice';
  min: number;
  max: XsdMax;
  items: Array<XsdElement | XsdGroup>;
}

/** The derived facts of an XSD: the model of the elements the tests check, and every top-level name. */
export interface XsdFacts {
  derivedFrom: Provenance;
  /** Names of every top-level element of the schema (the API's methods and answers). */
  topLevelElements: string[];
  /** Declarations of the top-level elements the tests check. */
  elements: Record<string, XsdElement>;
  /** Named types those elements reach. */
  complexTypes: Record<string, XsdComplexType>;
  simpleTypes: Record<string, XsdSimpleType>;
}

/** Where a derived file comes from. */
export interface Provenance {
  /** File name of the original. */
  file: string;
  /** SHA-256 of the original, to tell which version it was derived from. */
  sha256: string;
  /** This script. */
  generator: string;
}

type XmlNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const tagOf = (node: XmlNode): string => Object.keys(node).find((k) => k !== ':@') ?? '';
const childrenOf = (node: XmlNode): XmlNode[] => (node[tagOf(node)] as XmlNode[] | undefined) ?? [];
const attrs = (node: XmlNode): Record<string, string> => node[':@'] ?? {};
const local = (tag: string) => tag.replace(/^xs:/, '');
const FACETS = ['length', 'minLength', 'maxLength', 'minInclusive', 'maxInclusive', 'fractionDigits', 'totalDigits'] as const;

function occurs(a: Record<string, string>): { min: number; max: XsdMax } {
  const max = a.maxOccurs === undefined ? 1 : a.maxOccurs === 'unbounded' ? 'unbounded' : Number(a.maxOccurs);
  return { min: a.minOccurs === undefined ? 1 : Number(a.minOccurs), max };
}

function parseSimple(node: XmlNode): XsdSimpleType {
  const restriction = childrenOf(node).find((c) => tagOf(c) === 'xs:restriction');
  if (!restriction) return { kind: 'simple', base: 'xs:string', facets: {} }; // xs:list / xs:union: not used by this XSD
  const facets: XsdFacets = {};
  for (const f of childrenOf(restriction)) {
    const name = local(tagOf(f));
    const value = attrs(f).value ?? '';
    if (name === 'enumeration') (facets.enumeration ??= []).push(value);
    else if (name === 'pattern') (facets.patterns ??= []).push(value);
    else if ((FACETS as readonly string[]).includes(name)) facets[name as (typeof FACETS)[number]] = Number(value);
  }
  return { kind: 'simple', base: attrs(restriction).base ?? 'xs:string', facets };
}

function parseGroup(node: XmlNode): XsdGroup {
  const items: XsdGroup['items'] = [];
  for (const c of childrenOf(node)) {
    const t = tagOf(c);
    if (t === 'xs:element') items.push(parseElement(c));
    else if (t === 'xs:sequence' || t === 'xs:choice') items.push(parseGroup(c));
  }
  return { kind: local(tagOf(node)) as XsdGroup['kind'], ...occurs(attrs(node)), items };
}

const isGroupTag = (t: string) => t === 'xs:sequence' || t === 'xs:choice';

function parseComplex(node: XmlNode): XsdComplexType {
  const def: XsdComplexType = { kind: 'complex' };
  for (const c of childrenOf(node)) {
    const t = tagOf(c);
    if (isGroupTag(t)) def.content = parseGroup(c);
    else if (t === 'xs:complexContent' || t === 'xs:simpleContent') {
      const derivation = childrenOf(c).find((d) => ['xs:extension', 'xs:restriction'].includes(tagOf(d)));
      if (!derivation) continue;
      if (t === 'xs:simpleContent') {
        def.simpleBase = attrs(derivation).base;
        continue;
      }
      if (tagOf(derivation) === 'xs:extension') def.extends = attrs(derivation).base;
      const group = childrenOf(derivation).find((g) => isGroupTag(tagOf(g)));
      if (group) def.content = parseGroup(group);
    }
  }
  return def;
}

function parseElement(node: XmlNode): XsdElement {
  const a = attrs(node);
  const inline = childrenOf(node).find((c) => ['xs:complexType', 'xs:simpleType'].includes(tagOf(c)));
  const type = a.type ?? (inline ? (tagOf(inline) === 'xs:complexType' ? parseComplex(inline) : parseSimple(inline)) : 'xs:string');
  return { kind: 'element', name: a.name ?? '', ...occurs(a), type };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * Parse an XSD and keep the model of the `roots` elements and of every named type they reach.
 * Annotations, documentation and comments are not part of the model.
 * @example
 * deriveXsdFacts(xml, ['createTransactionRequest'], 'AnetApiSchema.xsd').elements.createTransactionRequest.type
 * // 'anet:createTransactionRequest' is not inline here: the type name, resolved in complexTypes
 */
export function deriveXsdFacts(xml: string, roots: readonly string[], file: string): XsdFacts {
  const doc = new XMLParser({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml) as XmlNode[];
  const schema = doc.find((n) => tagOf(n) === 'xs:schema');
  if (!schema) throw new Error(`${file}: no xs:schema element`);
  const complex = new Map<string, XsdComplexType>();
  const simple = new Map<string, XsdSimpleType>();
  const top = new Map<string, XsdElement>();
  for (const n of childrenOf(schema)) {
    const t = tagOf(n);
    const name = attrs(n).name ?? '';
    if (t === 'xs:complexType') complex.set(name, parseComplex(n));
    else if (t === 'xs:simpleType') simple.set(name, parseSimple(n));
    else if (t === 'xs:element') top.set(name, parseElement(n));
  }

  const facts: XsdFacts = {
    derivedFrom: { file, sha256: sha256(xml), generator: 'test/specs/derive.ts' },
    topLevelElements: [...top.keys()],
    elements: {},
    complexTypes: {},
    simpleTypes: {},
  };
  const named = (q: string) => q.replace(/^[A-Za-z]+:/, '');
  const visitType = (t: string | XsdComplexType | XsdSimpleType | undefined): void => {
    if (t === undefined) return;
    if (typeof t !== 'string') return t.kind === 'simple' ? visitType(t.base) : visitComplex(t);
    if (t.startsWith('xs:')) return;
    const name = named(t);
    if (name in facts.complexTypes || name in facts.simpleTypes) return;
    const c = complex.get(name);
    const s = simple.get(name);
    if (c) {
      facts.complexTypes[name] = c;
      visitComplex(c);
    } else if (s) {
      facts.simpleTypes[name] = s;
      visitType(s.base);
    } else throw new Error(`${file}: unknown type ${t}`);
  };
  const visitParticle = (p: XsdElement | XsdGroup): void => {
    if (p.kind === 'element') visitType(p.type);
    else for (const i of p.items) visitParticle(i);
  };
  function visitComplex(c: XsdComplexType): void {
    visitType(c.extends);
    visitType(c.simpleBase);
    if (c.content) visitParticle(c.content);
  }
  for (const root of roots) {
    const decl = top.get(root);
    if (!decl) throw new Error(`${file}: no top-level element ${root}`);
    facts.elements[root] = decl;
    visitType(decl.type);
  }
  return facts;
}

// ---------------------------------------------------------------------------------------------
// OpenAPI → the schemas of the endpoints used

type Json = Record<string, unknown>;

/** Keywords whose value is kept as it is: types and value constraints. */
const VALUE_KEYWORDS = new Set([
  '$ref',
  'type',
  'format',
  'required',
  'enum',
  'const',
  'nullable',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'readOnly',
  'writeOnly',
]);
/** Keywords whose value is one schema or a list of schemas. */
const SCHEMA_KEYWORDS = new Set(['items', 'not', 'allOf', 'anyOf', 'oneOf', 'if', 'then', 'else', 'contains', 'prefixItems']);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A schema with structure only: every keyword but types, value constraints and sub-schemas is
 * dropped (description, title, example, examples, default, x-* extensions, externalDocs…).
 * @example
 * schemaFacts({ type: 'string', maxLength: 50, description: 'Your reference', example: 'ORD-5023' })
 * // { type: 'string', maxLength: 50 }
 */
export function schemaFacts(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(schemaFacts);
  if (!isObject(schema)) return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    if (VALUE_KEYWORDS.has(k)) out[k] = v;
    else if (SCHEMA_KEYWORDS.has(k)) out[k] = schemaFacts(v);
    else if (k === 'additionalProperties') out[k] = typeof v === 'boolean' ? v : schemaFacts(v);
    else if ((k === 'properties' || k === 'patternProperties') && isObject(v))
      out[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, schemaFacts(s)]));
    else if (k === 'discriminator' && isObject(v))
      out[k] = { propertyName: v.propertyName, ...(isObject(v.mapping) && { mapping: v.mapping }) };
  }
  return out;
}

const REF = '#/components/schemas/';

/** Names of the component schemas a node refers to (`$ref` values and discriminator mapping targets). */
function refsOf(node: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) for (const n of node) refsOf(n, out);
  else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF)) out.add(v.slice(REF.length));
      else if (k === 'mapping' && isObject(v)) {
        for (const t of Object.values(v)) if (typeof t === 'string' && t.startsWith(REF)) out.add(t.slice(REF.length));
      } else refsOf(v, out);
    }
  }
  return out;
}

/** The derived facts of an OpenAPI description: the operations' body schemas and the components they reach. */
export interface OpenApiFacts {
  openapi: string;
  derivedFrom: Provenance;
  paths: Record<string, Record<string, Json>>;
  components: { schemas: Record<string, unknown> };
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/**
 * Keep, for the listed paths, each operation's request and response body schemas (by content
 * type and status), and every component schema they reach, as structure only (`schemaFacts`).
 */
export function deriveOpenApiFacts(spec: Json, paths: readonly string[], file: string, text: string): OpenApiFacts {
  const specPaths = (spec.paths ?? {}) as Record<string, Json>;
  const outPaths: OpenApiFacts['paths'] = {};
  for (const p of paths) {
    const item = specPaths[p];
    if (!item) throw new Error(`${file}: no path ${p}`);
    outPaths[p] = {};
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method) || !isObject(op)) continue;
      const bodyOf = (content: unknown) =>
        Object.fromEntries(
          Object.entries(isObject(content) ? content : {}).map(([type, media]) => [
            type,
            { schema: schemaFacts(isObject(media) ? media.schema : undefined) },
          ]),
        );
      const out: Json = {};
      if (isObject(op.requestBody)) out.requestBody = { content: bodyOf(op.requestBody.content) };
      out.responses = Object.fromEntries(
        Object.entries(isObject(op.responses) ? op.responses : {}).map(([status, res]) => [
          status,
          isObject(res) && isObject(res.content) ? { content: bodyOf(res.content) } : {},
        ]),
      );
      outPaths[p][method] = out;
    }
  }
  const all = ((spec.components as Json | undefined)?.schemas ?? {}) as Record<string, unknown>;
  const schemas: Record<string, unknown> = {};
  const queue = [...refsOf(outPaths)];
  while (queue.length) {
    const name = queue.shift() as string;
    if (name in schemas) continue;
    if (!(name in all)) throw new Error(`${file}: no component schema ${name}`);
    schemas[name] = schemaFacts(all[name]);
    queue.push(...refsOf(schemas[name]));
  }
  return {
    openapi: String(spec.openapi),
    derivedFrom: { file, sha256: sha256(text), generator: 'test/specs/derive.ts' },
    paths: outPaths,
    components: { schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))) },
  };
}

// ---------------------------------------------------------------------------------------------
// The derived files the tests read

/** The Authorize.Net elements the fake and the tests check. */
export const ANET_ROOTS = [
  'createTransactionRequest',
  'createTransactionResponse',
  'getTransactionDetailsRequest',
  'getTransactionDetailsResponse',
  'getUnsettledTransactionListRequest',
  'getUnsettledTransactionListResponse',
  'decryptPaymentDataResponse',
  'ErrorResponse',
] as const;

/** The Checkout.com endpoints the adapter calls. */
export const CHECKOUT_PATHS = [
  '/payments',
  '/payments/{id}',
  '/payments/{id}/captures',
  '/payments/{id}/voids',
  '/payments/{id}/refunds',
  '/payments/{id}/actions',
  '/payments/{id}/authorizations',
] as const;

/** Originals (in the folder given on the command line) and the derived files they become. */
export const DERIVED = {
  anet: { original: 'authorizenet-AnetApiSchema.xsd', output: 'derived/authorizenet-AnetApiSchema.facts.json' },
  checkout: {
    original: 'checkoutcom-nas-2022-07-payments.openapi.json',
    output: 'derived/checkoutcom-nas-2022-07-payments.facts.json',
  },
} as const;

const json = (v: unknown) => `${JSON.stringify(v, null, 1)}\n`;

/** Write both derived files into `test/specs/derived/` from the originals in `folder`. */
export function deriveAll(folder: string, specsDir = fileURLToPath(new URL('.', import.meta.url))): string[] {
  const xsd = readFileSync(join(folder, DERIVED.anet.original), 'utf8');
  writeFileSync(join(specsDir, DERIVED.anet.output), json(deriveXsdFacts(xsd, ANET_ROOTS, DERIVED.anet.original)));
  const text = readFileSync(join(folder, DERIVED.checkout.original), 'utf8');
  const facts = deriveOpenApiFacts(JSON.parse(text) as Json, CHECKOUT_PATHS, DERIVED.checkout.original, text);
  writeFileSync(join(specsDir, DERIVED.checkout.output), json(facts));
  return [DERIVED.anet.output, DERIVED.checkout.output];
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const folder = process.argv[2];
  if (!folder) {
    console.error('usage: npx tsx test/specs/derive.ts <folder with the original descriptions>');
    process.exit(2);
  }
  for (const f of deriveAll(resolve(folder))) console.log(`wrote test/specs/${f}`);
}
