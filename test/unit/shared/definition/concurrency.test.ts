import { describe, expect, it } from 'vitest';
import { compileDefinition, concurrencyKeyValue, parseDefinition } from '../../../../shared/definition/index.ts';
import { gateIdOf } from '../../../../shared/runs/index.ts';
import { block, issuesOf, workflow } from './helpers.ts';

const withConcurrency = (section: string) => `${workflow(block('a'))}concurrency: ${section}\n`;

describe('the concurrency section', () => {
  it('parses a limit, a key and an overflow, with queue as the default overflow', () => {
    const definition = parseDefinition(withConcurrency('{ limit: 3, key: "{{ trigger.data.customer }}" }'), 'test.yaml');
    expect(definition.concurrency).toEqual({ limit: 3, key: '{{ trigger.data.customer }}', overflow: 'queue' });
    expect(parseDefinition(withConcurrency('{ limit: 1, overflow: reject }'), 'test.yaml').concurrency).toEqual({ limit: 1, overflow: 'reject' });
  });

  it('leaves the hash of a definition without one as it was', () => {
    const plain = compileDefinition(parseDefinition(workflow(block('a')), 'test.yaml'));
    const limited = compileDefinition(parseDefinition(withConcurrency('{ limit: 2 }'), 'test.yaml'));
    expect(plain.definition).not.toHaveProperty('concurrency');
    expect(limited.hash).not.toBe(plain.hash);
  });

  it('names a bad limit, an unknown overflow and a typo', () => {
    expect(issuesOf(withConcurrency('{ limit: 0 }'))).toEqual([{ path: 'concurrency.limit', message: expect.stringContaining('>=1') }]);
    expect(issuesOf(withConcurrency('{ limit: 2, overflow: drop }'))).toEqual([{ path: 'concurrency.overflow', message: expect.stringContaining('queue') }]);
    expect(issuesOf(withConcurrency('{ limit: 2, keys: x }'))).toEqual([{ path: 'concurrency.keys', message: 'unknown field' }]);
  });

  it('takes a key that names trigger data only, never an expression', () => {
    for (const key of ['{{ trigger.data.customer.toUpperCase() }}', '{{ trigger.type }}', 'customer', '{{ trigger.data }}', '{{ trigger.data.a + 1 }}']) {
      expect(issuesOf(withConcurrency(`{ limit: 2, key: ${JSON.stringify(key)} }`))).toEqual([
        { path: 'concurrency.key', message: expect.stringContaining('must name a value of the trigger data') },
      ]);
    }
    expect(parseDefinition(withConcurrency('{ limit: 2, key: "{{trigger.data.orders[0].region}}" }'), 'test.yaml').concurrency?.key).toBeDefined();
  });
});

describe('the key of a run', () => {
  const concurrency = { limit: 2, key: '{{ trigger.data.order[1].customer }}', overflow: 'queue' as const };

  it('is the text of the value at the path', () => {
    expect(concurrencyKeyValue(concurrency, { order: [{}, { customer: 'acme' }] })).toEqual({ ok: true, value: 'acme' });
    expect(concurrencyKeyValue(concurrency, { order: [{}, { customer: 42 }] })).toEqual({ ok: true, value: '42' });
    expect(concurrencyKeyValue({ limit: 2, overflow: 'queue' }, { anything: 1 })).toEqual({ ok: true, value: '' });
  });

  it('is a problem naming the path when absent, null or not a scalar, and never reads inherited properties', () => {
    for (const data of [null, {}, { order: [] }, { order: [{}, { customer: null }] }, { order: [{}, { customer: { id: 1 } }] }, { order: [{}, {}] }]) {
      const key = concurrencyKeyValue(concurrency, data);
      expect(key.ok).toBe(false);
      expect(key.ok ? '' : key.problem).toContain('trigger.data.order[1].customer');
    }
    expect(concurrencyKeyValue({ limit: 1, key: '{{ trigger.data.constructor }}', overflow: 'queue' }, {}).ok).toBe(false);
  });

  it('reaches Temporal only hashed into the gate id', () => {
    const id = gateIdOf('orders', 'acme-customer-7');
    expect(id).toMatch(/^baton-gate-[0-9a-f]{32}$/);
    expect(id).not.toContain('acme');
    expect(gateIdOf('orders', 'acme-customer-8')).not.toBe(id);
    expect(gateIdOf('invoices', 'acme-customer-7')).not.toBe(id);
  });
});
