/**
 * The script that turns the XSD and the Checkout.com reference into facts keeps structure and
 * value constraints and drops every text, on small descriptions written here; the committed
 * derived files hold no prose either.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DERIVED, deriveOpenApiFacts, deriveXsdFacts, schemaFacts } from './derive';

const XSD = `<?xml version="1.0" encoding="utf-8"?>
<xs:schema xmlns:anet="urn:t" xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:t">
  <!-- a comment the facts must not carry -->
  <xs:simpleType name="code">
    <xs:annotation><xs:documentation>Prose about codes.</xs:documentation></xs:annotation>
    <xs:restriction base="xs:string"><xs:pattern value="[0-9]+"/><xs:maxLength value="4"/></xs:restriction>
  </xs:simpleType>
  <xs:complexType name="base"><xs:sequence><xs:element name="id" type="xs:int"/></xs:sequence></xs:complexType>
  <xs:complexType name="order">
    <xs:complexContent><xs:extension base="anet:base"><xs:sequence>
      <xs:element name="code" type="anet:code" minOccurs="0"/>
      <xs:choice><xs:element name="card" type="xs:string"/><xs:element name="bank" type="xs:string"/></xs:choice>
      <xs:element name="line" maxOccurs="unbounded">
        <xs:simpleType><xs:restriction base="xs:string"><xs:enumeration value="a"/><xs:enumeration value="b"/></xs:restriction></xs:simpleType>
      </xs:element>
    </xs:sequence></xs:extension></xs:complexContent>
  </xs:complexType>
  <xs:complexType name="unused"><xs:sequence><xs:element name="x" type="xs:string"/></xs:sequence></xs:complexType>
  <xs:element name="orderRequest" type="anet:order"/>
  <xs:element name="otherRequest" type="anet:unused"/>
</xs:schema>`;

describe('deriveXsdFacts', () => {
  const facts = deriveXsdFacts(XSD, ['orderRequest'], 'tiny.xsd');

  it('keeps element names, order, occurrences, extension bases and facets', () => {
    expect(facts.topLevelElements).toEqual(['orderRequest', 'otherRequest']);
    expect(facts.elements.orderRequest).toEqual({ kind: 'element', name: 'orderRequest', min: 1, max: 1, type: 'anet:order' });
    const order = facts.complexTypes.order;
    expect(order?.extends).toBe('anet:base');
    const items = order?.content?.items ?? [];
    expect(items.map((i) => (i.kind === 'element' ? i.name : i.kind))).toEqual(['code', 'choice', 'line']);
    expect(items[0]).toMatchObject({ min: 0, max: 1, type: 'anet:code' });
    expect(items[2]).toMatchObject({ max: 'unbounded', type: { kind: 'simple', facets: { enumeration: ['a', 'b'] } } });
    expect(facts.simpleTypes.code).toEqual({ kind: 'simple', base: 'xs:string', facets: { patterns: ['[0-9]+'], maxLength: 4 } });
  });

  it('keeps only the types the chosen elements reach, and no documentation or comment', () => {
    expect(Object.keys(facts.complexTypes).sort()).toEqual(['base', 'order']);
    const text = JSON.stringify(facts);
    expect(text).not.toMatch(/Prose|comment|documentation|annotation/);
    expect(facts.derivedFrom).toMatchObject({ file: 'tiny.xsd', generator: 'test/specs/derive.ts' });
    expect(facts.derivedFrom.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses an element the schema does not declare', () => {
    expect(() => deriveXsdFacts(XSD, ['nope'], 'tiny.xsd')).toThrow(/no top-level element nope/);
  });
});

describe('deriveOpenApiFacts', () => {
  const spec = {
    openapi: '3.0.1',
    info: { title: 'An API', description: 'Long prose.' },
    paths: {
      '/things': {
        post: {
          summary: 'Create a thing',
          description: 'Prose.',
          requestBody: {
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/Thing' }, examples: { one: { value: { name: 'x' } } } },
            },
          },
          responses: {
            '201': { description: 'Created', content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          },
        },
      },
      '/other': { get: { responses: { '200': { description: 'ok' } } } },
    },
    components: {
      schemas: {
        Thing: {
          type: 'object',
          title: 'A thing',
          description: 'What a thing is.',
          required: ['name', 'source'],
          properties: {
            name: { type: 'string', maxLength: 10, example: 'lamp', description: 'Its name.' },
            description: { type: 'string', 'x-cko-note': 'a property named description stays' },
            source: { $ref: '#/components/schemas/Source' },
          },
        },
        Source: {
          type: 'object',
          discriminator: { propertyName: 'type', mapping: { card: '#/components/schemas/CardSource' } },
          properties: { type: { type: 'string', enum: ['card'] } },
        },
        CardSource: { allOf: [{ $ref: '#/components/schemas/Source' }, { type: 'object', properties: { last4: { type: 'string' } } }] },
        Unused: { type: 'string', description: 'not reached' },
      },
    },
  };
  const facts = deriveOpenApiFacts(spec, ['/things'], 'tiny.json', JSON.stringify(spec));

  it('keeps the listed paths and the schemas they reach, discriminator targets included', () => {
    expect(Object.keys(facts.paths)).toEqual(['/things']);
    expect(Object.keys(facts.components.schemas)).toEqual(['CardSource', 'Source', 'Thing']);
    expect(facts.components.schemas.Thing).toEqual({
      type: 'object',
      required: ['name', 'source'],
      properties: {
        name: { type: 'string', maxLength: 10 },
        description: { type: 'string' },
        source: { $ref: '#/components/schemas/Source' },
      },
    });
    expect(facts.paths['/things']?.post).toEqual({
      requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
      responses: { '201': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } } },
    });
  });

  it('drops every text: summaries, descriptions, titles, examples, extensions', () => {
    expect(JSON.stringify(facts)).not.toMatch(/prose|Prose|Created|A thing|lamp|x-cko|not reached|Create a thing/);
    expect(schemaFacts({ type: 'integer', minimum: 0, default: 3, deprecated: true })).toEqual({ type: 'integer', minimum: 0 });
  });
});

describe('the committed derived files', () => {
  const read = (f: string) => JSON.parse(readFileSync(resolve(__dirname, f), 'utf8'));

  it('hold the structure of the originals, with no documentation text', () => {
    const anet = read(DERIVED.anet.output);
    expect(anet.topLevelElements).toHaveLength(94);
    expect(anet.derivedFrom.file).toBe(DERIVED.anet.original);
    expect(JSON.stringify(anet)).not.toMatch(/"(documentation|annotation)"/);

    const cko = read(DERIVED.checkout.output);
    expect(cko.derivedFrom.file).toBe(DERIVED.checkout.original);
    const keys = new Set<string>();
    const walk = (n: unknown, names: boolean): void => {
      if (Array.isArray(n)) return n.forEach((x) => walk(x, false));
      if (typeof n !== 'object' || n === null) return;
      for (const [k, v] of Object.entries(n)) {
        if (!names) keys.add(k);
        walk(v, !names && (k === 'properties' || k === 'paths' || k === 'schemas' || k === 'content' || k === 'responses'));
      }
    };
    walk(cko, false);
    expect(keys.has('type')).toBe(true);
    for (const prose of ['description', 'summary', 'title', 'example', 'examples']) expect(keys.has(prose), prose).toBe(false);
  });
});
