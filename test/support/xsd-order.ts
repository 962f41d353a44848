/**
 * A checker for Authorize.Net's JSON API built from the published XSD's structure: element names,
 * their sequence order, choices, minOccurs/maxOccurs, and the simple-type facets (length,
 * pattern, enumeration, decimal digits, numeric ranges). No field list is written by hand: the
 * model is `test/specs/derived/authorizenet-AnetApiSchema.facts.json`, which `test/specs/derive.ts`
 * generates from the XSD (the XSD's licence lets the repository hold facts, not a copy).
 *
 * Authorize.Net's JSON API mirrors the XSD: a request is `{ "<rootElement>": {…} }`, object keys
 * must follow the XSD's sequence order (the API rejects other orders), repeated elements are
 * arrays (or a single object), and simple values may be JSON strings, numbers or booleans.
 *
 * Responses differ in two documented ways, so they are checked in `response` mode: keys come
 * in any order, and a wrapper whose only content is one repeated element is collapsed into a
 * plain array (`transactionResponse.messages: [{code, description}]`).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { XsdComplexType, XsdElement, XsdFacts, XsdGroup, XsdSimpleType } from '../specs/derive';
import { SPECS_DIR } from './openapi';

type QName = string;

interface Facets {
  enumeration?: string[];
  patterns?: RegExp[];
  length?: number;
  minLength?: number;
  maxLength?: number;
  minInclusive?: number;
  maxInclusive?: number;
  fractionDigits?: number;
  totalDigits?: number;
}

/** A simple type: a built-in base and the facets of every restriction step on the way. */
interface SimpleDef {
  kind: 'simple';
  base: QName;
  facets: Facets;
}

interface ComplexDef {
  kind: 'complex';
  /** complexContent extension base: its content comes first. */
  extends?: QName;
  content?: Group;
  /** simpleContent: the value is a simple type. */
  simpleBase?: QName | SimpleDef;
}

interface ElementDecl {
  kind: 'element';
  name: string;
  min: number;
  max: number;
  type: QName | ComplexDef | SimpleDef;
}

interface Group {
  kind: 'sequence' | 'choice';
  min: number;
  max: number;
  items: Array<ElementDecl | Group>;
}

type Particle = ElementDecl | Group;

/** How to check a JSON document. */
export interface XsdCheckOptions {
  /** Response mode: any key order, collapsed single-element wrappers allowed. Default: request mode. */
  response?: boolean;
}

/** A loaded schema. */
export interface XsdChecker {
  /** Names of the top-level elements (API methods such as `createTransactionRequest`). */
  readonly rootElements: ReadonlySet<string>;
  /**
   * Check a JSON document `{ "<rootElement>": {...} }`. Returns readable violations
   * (`createTransactionRequest.transactionRequest.amount: ...`); empty when valid.
   */
  check(document: unknown, options?: XsdCheckOptions): string[];
}

const max = (m: XsdElement['max']) => (m === 'unbounded' ? Infinity : m);

function simpleOf(d: XsdSimpleType): SimpleDef {
  const { patterns, ...rest } = d.facets;
  return {
    kind: 'simple',
    base: d.base,
    facets: { ...rest, ...(patterns && { patterns: patterns.map((p) => new RegExp(`^(?:${p})$`, 'u')) }) },
  };
}

function typeOf(t: XsdElement['type']): ElementDecl['type'] {
  if (typeof t === 'string') return t;
  return t.kind === 'simple' ? simpleOf(t) : complexOf(t);
}

function particleOf(p: XsdElement | XsdGroup): Particle {
  if (p.kind === 'element') return { kind: 'element', name: p.name, min: p.min, max: max(p.max), type: typeOf(p.type) };
  return { kind: p.kind, min: p.min, max: max(p.max), items: p.items.map(particleOf) };
}

function complexOf(d: XsdComplexType): ComplexDef {
  return {
    kind: 'complex',
    ...(d.extends !== undefined && { extends: d.extends }),
    ...(d.content && { content: particleOf(d.content) as Group }),
    ...(d.simpleBase !== undefined && { simpleBase: d.simpleBase }),
  };
}

/** The derived facts of Authorize.Net's XSD (see `test/specs/README.md`). */
export const ANET_XSD_FACTS = 'derived/authorizenet-AnetApiSchema.facts.json';

/**
 * Load an XSD's derived facts (`test/specs/derive.ts`) and build a checker for the JSON documents
 * that mirror the schema.
 * @example
 * const anet = loadXsdChecker(ANET_XSD_FACTS);
 * anet.check({ createTransactionRequest: { ... } }) // [] when valid
 */
export function loadXsdChecker(file: string): XsdChecker {
  const facts = JSON.parse(readFileSync(resolve(SPECS_DIR, file), 'utf8')) as XsdFacts;
  const complexTypes = new Map(Object.entries(facts.complexTypes).map(([n, d]) => [n, complexOf(d)] as const));
  const simpleTypes = new Map(Object.entries(facts.simpleTypes).map(([n, d]) => [n, simpleOf(d)] as const));
  const roots = new Map(Object.entries(facts.elements).map(([n, d]) => [n, particleOf(d) as ElementDecl] as const));
  const topLevel = new Set(facts.topLevelElements);

  const named = (q: QName) => q.replace(/^anet:/, '');
  const resolveType = (t: ElementDecl['type']): ComplexDef | SimpleDef | { kind: 'builtin'; name: string } => {
    if (typeof t !== 'string') return t;
    if (t.startsWith('xs:')) return { kind: 'builtin', name: t };
    const def = complexTypes.get(named(t)) ?? simpleTypes.get(named(t));
    if (!def) throw new Error(`XSD: unknown type ${t}`);
    return def;
  };

  /** The built-in base and every facet set along a simple type's restriction chain. */
  const simpleChain = (t: QName | SimpleDef): { builtin: string; facets: Facets[] } => {
    const facets: Facets[] = [];
    let cur: QName | SimpleDef = t;
    for (;;) {
      if (typeof cur === 'string') {
        if (cur.startsWith('xs:')) return { builtin: cur, facets };
        const def = simpleTypes.get(named(cur));
        if (!def) throw new Error(`XSD: unknown simple type ${cur}`);
        cur = def;
      }
      facets.push(cur.facets);
      cur = cur.base;
    }
  };

  /** Content model of a complex type, with extension bases first. */
  const contentOf = (def: ComplexDef): Group => {
    const own = def.content ? [def.content] : [];
    if (!def.extends) return { kind: 'sequence', min: 1, max: 1, items: own };
    const base = resolveType(def.extends);
    if (base.kind !== 'complex') return { kind: 'sequence', min: 1, max: 1, items: own };
    return { kind: 'sequence', min: 1, max: 1, items: [contentOf(base), ...own] };
  };

  const nullable = (p: Particle): boolean =>
    p.min === 0 || (p.kind === 'sequence' ? p.items.every(nullable) : p.kind === 'choice' ? p.items.some(nullable) : false);
  const firstNames = (p: Particle): Set<string> => {
    if (p.kind === 'element') return new Set([p.name]);
    const out = new Set<string>();
    for (const item of p.items) {
      for (const n of firstNames(item)) out.add(n);
      if (p.kind === 'sequence' && !nullable(item)) break;
    }
    return out;
  };
  const allElements = (p: Particle, out: ElementDecl[] = []): ElementDecl[] => {
    if (p.kind === 'element') out.push(p);
    else for (const i of p.items) allElements(i, out);
    return out;
  };
  /** Required elements reachable through sequences only (choices decide nothing here). */
  const requiredNames = (p: Particle, out: string[] = []): string[] => {
    if (p.min === 0) return out;
    if (p.kind === 'element') out.push(p.name);
    else if (p.kind === 'sequence') for (const i of p.items) requiredNames(i, out);
    return out;
  };

  function checkScalar(path: string, t: QName | SimpleDef, value: unknown, errors: string[]): void {
    if (value === null || typeof value === 'object') {
      errors.push(`${path}: expected a simple value, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : 'an object'}`);
      return;
    }
    const s = String(value);
    const { builtin, facets } = simpleChain(t);
    const fail = (why: string) => errors.push(`${path}: ${JSON.stringify(s)} ${why}`);
    switch (builtin) {
      case 'xs:boolean':
        if (!['true', 'false', '1', '0'].includes(s)) fail('is not an xs:boolean');
        break;
      case 'xs:decimal':
        if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(s)) fail('is not an xs:decimal');
        break;
      case 'xs:int':
      case 'xs:integer':
      case 'xs:long':
      case 'xs:short':
        if (!/^[+-]?\d+$/.test(s)) fail(`is not an ${builtin}`);
        else if (builtin === 'xs:int' && Math.abs(Number(s)) > 2 ** 31) fail('is out of the xs:int range');
        break;
      case 'xs:dateTime':
        if (!/^-?\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.test(s)) fail('is not an xs:dateTime');
        break;
      case 'xs:date':
        if (!/^\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$/.test(s)) fail('is not an xs:date');
        break;
      default:
        break; // xs:string, xs:base64Binary, xs:anyURI…: any text
    }
    for (const f of facets) {
      if (f.enumeration && !f.enumeration.includes(s)) fail(`is not one of ${f.enumeration.join(', ')}`);
      for (const re of f.patterns ?? []) if (!re.test(s)) fail(`does not match the pattern ${re.source}`);
      if (f.length !== undefined && s.length !== f.length) fail(`must be exactly ${f.length} characters`);
      if (f.minLength !== undefined && s.length < f.minLength) fail(`is shorter than ${f.minLength} characters`);
      if (f.maxLength !== undefined && s.length > f.maxLength) fail(`is longer than ${f.maxLength} characters`);
      if (f.minInclusive !== undefined && Number(s) < f.minInclusive) fail(`is below ${f.minInclusive}`);
      if (f.maxInclusive !== undefined && Number(s) > f.maxInclusive) fail(`is above ${f.maxInclusive}`);
      const [int = '', frac = ''] = s.replace(/^[+-]/, '').split('.');
      if (f.fractionDigits !== undefined && frac.length > f.fractionDigits) fail(`has more than ${f.fractionDigits} decimals`);
      if (f.totalDigits !== undefined && (int.replace(/^0+/, '') + frac).length > f.totalDigits)
        fail(`has more than ${f.totalDigits} digits`);
    }
  }

  function checkElement(path: string, decl: ElementDecl, value: unknown, errors: string[], response: boolean): void {
    if (Array.isArray(value)) {
      if (decl.max <= 1 && response) return checkType(path, decl.type, value, errors, response); // collapsed wrapper
      if (decl.max <= 1) {
        errors.push(`${path}: is not repeatable (maxOccurs 1) but is an array`);
        return;
      }
      if (value.length > decl.max) errors.push(`${path}: ${value.length} items, at most ${decl.max} allowed`);
      if (value.length < decl.min) errors.push(`${path}: ${value.length} items, at least ${decl.min} required`);
      value.forEach((v, i) => checkType(`${path}[${i}]`, decl.type, v, errors, response));
      return;
    }
    checkType(path, decl.type, value, errors, response);
  }

  function checkType(path: string, t: ElementDecl['type'], value: unknown, errors: string[], response: boolean): void {
    const def = resolveType(t);
    if (def.kind === 'builtin') return checkScalar(path, def.name, value, errors);
    if (def.kind === 'simple') return checkScalar(path, def, value, errors);
    if (def.simpleBase) return checkScalar(path, def.simpleBase, value, errors);
    const content = contentOf(def);
    if (response && Array.isArray(value)) {
      const only = allElements(content);
      if (only.length === 1 && only[0].max > 1) return checkElement(`${path}`, only[0], value, errors, response);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      errors.push(`${path}: expected an object (complex type), got ${JSON.stringify(value)}`);
      return;
    }
    const obj = value as Record<string, unknown>;
    if (response) checkUnordered(path, content, obj, errors);
    else checkOrdered(path, content, obj, errors);
  }

  function checkUnordered(path: string, content: Group, obj: Record<string, unknown>, errors: string[]): void {
    const byName = new Map(allElements(content).map((e) => [e.name, e] as const));
    for (const [key, v] of Object.entries(obj)) {
      const decl = byName.get(key);
      if (!decl) errors.push(`${path}.${key}: unknown element (allowed: ${[...byName.keys()].join(', ')})`);
      else checkElement(`${path}.${key}`, decl, v, errors, true);
    }
    for (const name of requiredNames(content)) if (!(name in obj)) errors.push(`${path}.${name}: required element missing`);
  }

  function checkOrdered(path: string, content: Group, obj: Record<string, unknown>, errors: string[]): void {
    const keys = Object.keys(obj);
    let pos = 0;
    const match = (p: Particle): void => {
      if (p.kind === 'element') {
        if (keys[pos] === p.name) {
          checkElement(`${path}.${p.name}`, p, obj[p.name], errors, false);
          pos++;
        } else if (p.min > 0) {
          errors.push(
            keys.includes(p.name)
              ? `${path}.${p.name}: out of XSD sequence order (found before it: ${keys[pos]})`
              : `${path}.${p.name}: required element missing`,
          );
        }
        return;
      }
      if (p.min === 0 && !firstNames(p).has(keys[pos])) return;
      const rounds = p.max === Infinity ? keys.length + 1 : p.max;
      for (let round = 0; round < rounds; round++) {
        const start = pos;
        if (p.kind === 'sequence') {
          if (round > 0 && !firstNames(p).has(keys[pos])) break;
          for (const item of p.items) match(item);
        } else {
          const branch = p.items.find((b) => firstNames(b).has(keys[pos]));
          if (branch) match(branch);
          else if (round === 0 && p.min > 0 && !p.items.some(nullable)) {
            errors.push(`${path}: one of ${p.items.flatMap((b) => [...firstNames(b)]).join(' | ')} is required`);
          }
        }
        if (pos === start) break;
      }
    };
    match(content);
    const known = new Set(allElements(content).map((e) => e.name));
    for (const key of keys.slice(pos)) {
      if (errors.some((e) => e.startsWith(`${path}.${key}: out of XSD sequence order`))) continue;
      errors.push(
        known.has(key)
          ? `${path}.${key}: out of XSD sequence order (expected order: ${[...known].filter((k) => keys.includes(k)).join(', ')})`
          : `${path}.${key}: unknown element`,
      );
    }
  }

  return {
    rootElements: topLevel,
    check(document, options = {}) {
      if (document === null || typeof document !== 'object' || Array.isArray(document)) return ['(document): expected a JSON object'];
      const keys = Object.keys(document);
      if (keys.length !== 1) return [`(document): expected exactly one root element, got ${keys.join(', ') || 'none'}`];
      const root = roots.get(keys[0]);
      if (!root && topLevel.has(keys[0])) return [`${keys[0]}: not among the elements derived for the tests (test/specs/derive.ts)`];
      if (!root) return [`${keys[0]}: not a top-level element of the XSD`];
      const errors: string[] = [];
      checkElement(keys[0], root, (document as Record<string, unknown>)[keys[0]], errors, options.response === true);
      return errors;
    },
  };
}
