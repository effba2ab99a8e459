import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseResources } from '../../../../shared/config/resources.ts';

const parse = (resources: unknown) => parseResources({ BATON_RESOURCES: JSON.stringify(resources) });

describe('BATON_RESOURCES', () => {
  it('is empty when unset', () => {
    expect(parseResources({})).toEqual({});
  });

  it('reads inline JSON with defaults applied, secrets left unresolved', () => {
    const resources = parse({
      shop: { type: 'postgres', url: 'postgres://app:{{ secret:SHOP_DB_PASSWORD }}@db.internal:5432/shop' },
      crm: { type: 'http', baseUrl: 'https://crm.internal/api', headers: { Authorization: 'Bearer {{ secret:CRM_TOKEN }}' } },
    });
    expect(resources.shop).toEqual({
      type: 'postgres',
      url: 'postgres://app:{{ secret:SHOP_DB_PASSWORD }}@db.internal:5432/shop',
      poolSize: 4,
      maxRows: 10_000,
      connectTimeoutMs: 10_000,
      idleTimeoutMs: 60_000,
    });
    expect(resources.crm).toEqual({
      type: 'http',
      baseUrl: 'https://crm.internal/api',
      headers: { Authorization: 'Bearer {{ secret:CRM_TOKEN }}' },
      maxRedirects: 5,
    });
  });

  it('reads a YAML file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'baton-resources-')), 'resources.yaml');
    writeFileSync(file, 'legacy:\n  type: mysql\n  url: mariadb://app:pw@db/legacy\n  ssl: { rejectUnauthorized: false }\n');
    expect(parseResources({ BATON_RESOURCES: file }).legacy).toMatchObject({ type: 'mysql', ssl: { rejectUnauthorized: false } });
  });

  it('names what is wrong and where, never echoing a URL', () => {
    expect(() => parse({ shop: { type: 'oracle', url: 'x' } })).toThrow(/^BATON_RESOURCES: shop\.type: /);
    expect(() => parse({ shop: { type: 'postgres', url: 'postgres://a:b@h/d', pool: 3 } })).toThrow(/BATON_RESOURCES: shop: Unrecognized key: "pool"/);
    expect(() => parse({ shop: { type: 'postgres', url: 'mysql://a:hunter2@h/d' } })).toThrow(
      'BATON_RESOURCES: shop.url: must start with postgres:// or postgresql://, not mysql://',
    );
    expect(() => parse({ shop: { type: 'postgres', url: 'not a url hunter2' } })).toThrow('BATON_RESOURCES: shop.url: is not a URL (expected postgres://...)');
    expect(() => parse({ crm: { type: 'http', baseUrl: 'ftp://x' } })).toThrow('crm.baseUrl: must start with http:// or https://');
    expect(() => parse({ 'bad name': { type: 'http', baseUrl: 'http://x' } })).toThrow('BATON_RESOURCES: "bad name": a resource name must be letters, digits, _ and -');
    expect(() => parseResources({ BATON_RESOURCES: '{ nope' })).toThrow(/^BATON_RESOURCES: cannot read resources/);
  });

  it('takes SSL from the URL (sslmode / ssl-mode) or from ssl, not both, and no other URL parameter', () => {
    expect(parse({ a: { type: 'postgres', url: 'postgres://u:p@h/d?sslmode=require' } }).a).toMatchObject({ type: 'postgres' });
    expect(parse({ a: { type: 'mysql', url: 'mysql://u:p@h/d?ssl-mode=REQUIRED' } }).a).toMatchObject({ type: 'mysql' });
    expect(() => parse({ a: { type: 'postgres', url: 'postgres://u:p@h/d?sslmode=require', ssl: true } })).toThrow(
      'a.url: sets sslmode while the resource sets ssl: set one of them',
    );
    expect(() => parse({ a: { type: 'postgres', url: 'postgres://u:p@h/d?application_name=x' } })).toThrow(
      `a.url: has the parameter "application_name"; only sslmode may be set in the URL`,
    );
  });
});
