/**
 * The benchmark shapes: each is a Baton definition and the plain Temporal
 * workflow (bench/plain/workflows.ts) that does the same work, with the
 * number of block runs one run makes (a loop's items count one each, the
 * loop's own `over` one more; the plain loop has an activity for it too).
 */
import { stringify } from 'yaml';

export interface Shape {
  readonly id: string;
  readonly title: string;
  readonly blockRuns: number;
  /** Runs in flight at once in the throughput phase (the same for Baton and plain). */
  readonly concurrency: number;
  readonly definition: string;
  readonly trigger: unknown;
  readonly plain: { readonly workflow: string; readonly input: unknown };
}

const CHAIN = 10;
const WIDTH = 20;
const ITEMS = 100;
const LOOP_CONCURRENCY = 10;

const code = (id: string, body: string, after?: string[]) => ({ id, type: 'code', ...(after ? { after } : {}), code: body });
const yaml = (name: string, blocks: unknown[]) => stringify({ name, blocks });

const range = (count: number, from = 1) => Array.from({ length: count }, (_, i) => i + from);

export const SHAPES: readonly Shape[] = [
  {
    id: 'hello',
    title: 'hello: 2 parallel + join',
    blockRuns: 3,
    concurrency: 16,
    definition: yaml('bench-hello', [
      code('greeting', 'return `Hello, ${trigger.data.name}!`;'),
      code('numbers', 'const values = [1, 2, 3, 4, 5];\nreturn { values, sum: values.reduce((a, b) => a + b, 0) };'),
      code('summary', 'return { message: greeting.data, sum: numbers.data.sum };', ['greeting', 'numbers']),
    ]),
    trigger: { name: 'bench' },
    plain: { workflow: 'plainHello', input: { name: 'bench' } },
  },
  {
    id: 'single',
    title: '1 block',
    blockRuns: 1,
    concurrency: 24,
    definition: yaml('bench-single', [code('only', 'return trigger.data.n + 1;')]),
    trigger: { n: 1 },
    plain: { workflow: 'plainSingle', input: { n: 1 } },
  },
  {
    id: 'chain',
    title: `${CHAIN}-block chain`,
    blockRuns: CHAIN,
    concurrency: 16,
    definition: yaml(
      'bench-chain',
      range(CHAIN).map((i) => (i === 1 ? code('s1', 'return trigger.data.n + 1;') : code(`s${i}`, `return s${i - 1}.data + 1;`, [`s${i - 1}`]))),
    ),
    trigger: { n: 1 },
    plain: { workflow: 'plainChain', input: { n: 1, length: CHAIN } },
  },
  {
    id: 'fanout',
    title: `${WIDTH}-wide fan-out + fan-in`,
    blockRuns: WIDTH + 1,
    concurrency: 6,
    definition: yaml('bench-fanout', [
      ...range(WIDTH).map((i) => code(`w${i}`, `return trigger.data.n * ${i};`)),
      code('join', `return ${range(WIDTH).map((i) => `w${i}.data`).join(' + ')};`, range(WIDTH).map((i) => `w${i}`)),
    ]),
    trigger: { n: 1 },
    plain: { workflow: 'plainFanOut', input: { n: 1, width: WIDTH } },
  },
  {
    id: 'loop',
    title: `${ITEMS}-item loop, concurrency ${LOOP_CONCURRENCY}`,
    blockRuns: ITEMS + 1,
    concurrency: 3,
    definition: yaml('bench-loop', [
      {
        id: 'squares',
        type: 'loop',
        over: 'trigger.data.items',
        concurrency: LOOP_CONCURRENCY,
        body: { type: 'code', code: 'return item * item;' },
      },
    ]),
    trigger: { items: range(ITEMS, 0) },
    plain: { workflow: 'plainLoop', input: { n: 0, items: range(ITEMS, 0), concurrency: LOOP_CONCURRENCY } },
  },
];
