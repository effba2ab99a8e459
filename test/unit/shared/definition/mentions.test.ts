import { describe, expect, it } from 'vitest';
import { findMentions } from '../../../../shared/definition/mentions.ts';

const candidates = new Set(['trigger', 'orders', 'customers', 'x']);
const mentions = (code: string): string[] => findMentions(`(async function () {\n${code}\n})`, candidates);

describe('findMentions', () => {
  it('counts `orders.data`', () => {
    expect(mentions('return orders.data.length;')).toEqual(['orders']);
  });

  it('does not count a property access `x.orders` (or `x?.orders`)', () => {
    expect(mentions('const y = foo.orders; return foo?.orders;')).toEqual([]);
    expect(mentions('return x.orders;')).toEqual(['x']);
  });

  it('counts `trigger`', () => {
    expect(mentions('return trigger.data?.name;')).toEqual(['trigger']);
  });

  it('counts ids used by spread, in templates, as arguments and in computed access', () => {
    expect(mentions('return [...orders.data];')).toEqual(['orders']);
    expect(mentions('return `${customers.data.length}`;')).toEqual(['customers']);
    expect(mentions('return f(orders, {c: customers});')).toEqual(['customers', 'orders']);
    expect(mentions('return map[orders.data[0]];')).toEqual(['orders']);
  });

  it('does not count longer names that contain an id, and ignores non-candidates', () => {
    expect(mentions('const ordersX = $orders + orders_2 + myorders + foo;')).toEqual([]);
  });

  it('does not count ids in strings, comments, object keys or labels', () => {
    expect(mentions('// orders\nconst s = "orders" + \'customers\'; /* x */ return { orders: 1, customers() {} };')).toEqual([]);
  });

  it('counts a shorthand property and a template literal expression, not the literal text', () => {
    expect(mentions('return { orders, text: `customers ${x.data}` };')).toEqual(['orders', 'x']);
  });

  it('returns each id once, sorted', () => {
    expect(mentions('orders; trigger; orders; customers; trigger')).toEqual(['customers', 'orders', 'trigger']);
  });
});
