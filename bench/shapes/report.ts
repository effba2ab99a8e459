/**
 * The shapes benchmark's report: a Markdown table (printed and written), the
 * raw figures as JSON, and an SVG chart (block runs/s and p50 latency, Baton
 * beside plain and plainLocal), all under bench/results/.
 */
import { writeResult } from '../support/results.ts';
import { fixed, mib } from '../support/stats.ts';
import type { PhasePlan, SystemResult } from './measure.ts';
import type { Shape } from './shapes.ts';

export interface ShapeResult {
  readonly shape: Shape;
  readonly baton: SystemResult;
  readonly plain: SystemResult;
  /** The same plain workflows on local activities: the limit of this stack. */
  readonly plainLocal: SystemResult;
}

/** Issue 17's goals on this 2-core machine: never timing assertions in tests, only lines in the report. */
export const GOALS = {
  blockRunsPerSecond: 400,
  threeBlockP50Ms: 35,
  throughputRatio: 1.0,
  chainThroughputRatio: 1.5,
  localThroughputRatio: 0.7,
} as const;

const blockRate = (r: SystemResult, shape: Shape) => r.throughput.runsPerSecond * shape.blockRuns;
const cpuPercent = (r: SystemResult, name: string) => ((r.usage.cpuMs[name] ?? NaN) / r.usage.wallMs) * 100;
/** CPU of the whole stack (worker, executors, Temporal; not this driver) per block run. */
const cpuPerBlock = (r: SystemResult, shape: Shape) =>
  Object.values(r.usage.cpuMs).reduce((a, b) => a + b, 0) / (r.throughput.runs * shape.blockRuns);

export function markdownTable(results: readonly ShapeResult[]): string {
  const lines = [
    '| shape | system | p50 ms | p99 ms | runs/s | block runs/s | worker CPU % | worker RSS MiB | executors CPU % | Temporal CPU % | stack CPU ms / block run |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { shape, baton, plain, plainLocal } of results) {
    for (const [system, r] of [
      ['Baton', baton],
      ['plain', plain],
      ['plainLocal', plainLocal],
    ] as const) {
      lines.push(
        `| ${shape.title} | ${system} | ${fixed(r.latency.p50)} | ${fixed(r.latency.p99)} | ${fixed(r.throughput.runsPerSecond)} | ` +
          `${fixed(blockRate(r, shape))} | ${fixed(cpuPercent(r, 'worker'), 0)} | ${mib(r.usage.peakRssBytes.worker ?? NaN)} | ` +
          `${system === 'Baton' ? fixed(cpuPercent(r, 'executors'), 0) : '–'} | ${fixed(cpuPercent(r, 'temporal'), 0)} | ${fixed(cpuPerBlock(r, shape), 2)} |`,
      );
    }
  }
  lines.push(
    '',
    '| shape | throughput Baton / plain | throughput Baton / plainLocal | p50 Baton − plain ms | p50 Baton − plainLocal ms | per-block latency overhead ms | per-block CPU overhead ms |',
  );
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const { shape, baton, plain, plainLocal } of results) {
    lines.push(
      `| ${shape.title} | ${fixed(baton.throughput.runsPerSecond / plain.throughput.runsPerSecond, 2)} | ` +
        `${fixed(baton.throughput.runsPerSecond / plainLocal.throughput.runsPerSecond, 2)} | ` +
        `${fixed(baton.latency.p50 - plain.latency.p50)} | ${fixed(baton.latency.p50 - plainLocal.latency.p50)} | ` +
        `${fixed((baton.latency.p50 - plain.latency.p50) / shape.blockRuns, 2)} | ` +
        `${fixed(cpuPerBlock(baton, shape) - cpuPerBlock(plain, shape), 2)} |`,
    );
  }
  return lines.join('\n');
}

export function goalLines(results: readonly ShapeResult[]): string[] {
  const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const lines: string[] = [];
  const best = [...results].sort((a, b) => blockRate(b.baton, b.shape) - blockRate(a.baton, a.shape))[0];
  if (best) {
    const rate = blockRate(best.baton, best.shape);
    lines.push(
      `- block runs/s ≥ ${GOALS.blockRunsPerSecond}: ${mark(rate >= GOALS.blockRunsPerSecond)} (best: ${fixed(rate)} on ${best.shape.title}; ` +
        results.map((r) => `${r.shape.id} ${fixed(blockRate(r.baton, r.shape))}`).join(', ') +
        ')',
    );
  }
  const three = results.find((r) => r.shape.blockRuns === 3);
  if (three) {
    lines.push(`- 3-block p50 ≤ ${GOALS.threeBlockP50Ms} ms: ${mark(three.baton.latency.p50 <= GOALS.threeBlockP50Ms)} (${fixed(three.baton.latency.p50)} ms)`);
  }
  const ratioLine = (label: string, goal: number, of: (r: ShapeResult) => number, which = results) => {
    if (which.length === 0) return;
    const ratios = which.map((r) => ({ id: r.shape.id, ratio: of(r) }));
    lines.push(
      `- ${label} ≥ ${goal}: ${mark(ratios.every((r) => r.ratio >= goal))} (` + ratios.map((r) => `${r.id} ${fixed(r.ratio, 2)}`).join(', ') + ')',
    );
  };
  const overPlain = (r: ShapeResult) => r.baton.throughput.runsPerSecond / r.plain.throughput.runsPerSecond;
  ratioLine('throughput × plain, every shape', GOALS.throughputRatio, overPlain);
  ratioLine('throughput × plain, 10-block chain', GOALS.chainThroughputRatio, overPlain, results.filter((r) => r.shape.id === 'chain'));
  ratioLine('throughput × plainLocal, every shape', GOALS.localThroughputRatio, (r) => r.baton.throughput.runsPerSecond / r.plainLocal.throughput.runsPerSecond);
  return lines;
}

const esc = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** One panel of grouped bars: a pair (Baton, plain) per shape. */
function panel(options: {
  x: number;
  title: string;
  results: readonly ShapeResult[];
  value: (r: SystemResult, shape: Shape) => number;
  goal?: number;
  unit: string;
}): string {
  const width = 440;
  const height = 270;
  const top = 40;
  const bottom = 40;
  const left = 50;
  const plotHeight = height - top - bottom;
  const values = options.results.flatMap((r) => [r.baton, r.plain, r.plainLocal].map((result) => options.value(result, r.shape)));
  const max = Math.max(...values.filter(Number.isFinite), options.goal ?? 0) * 1.15 || 1;
  const y = (v: number) => top + plotHeight - (Math.max(0, v) / max) * plotHeight;
  const group = (width - left - 10) / Math.max(1, options.results.length);
  const bar = Math.min(24, group / 4);
  const parts: string[] = [
    `<g transform="translate(${options.x},0)">`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(options.title)}</text>`,
    `<line x1="${left}" y1="${top + plotHeight}" x2="${width - 10}" y2="${top + plotHeight}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${top + plotHeight}" stroke="#333"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (max / 4) * i;
    parts.push(
      `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" font-size="10" fill="#555">${v >= 100 ? v.toFixed(0) : v.toFixed(1)}</text>`,
      `<line x1="${left}" y1="${y(v)}" x2="${width - 10}" y2="${y(v)}" stroke="#ddd"/>`,
    );
  }
  if (options.goal !== undefined) {
    parts.push(
      `<line x1="${left}" y1="${y(options.goal)}" x2="${width - 10}" y2="${y(options.goal)}" stroke="#c0392b" stroke-dasharray="5,4"/>`,
      `<text x="${left + 4}" y="${y(options.goal) - 4}" font-size="10" fill="#c0392b">goal ${options.goal} ${esc(options.unit)}</text>`,
    );
  }
  options.results.forEach((r, i) => {
    const cx = left + group * i + group / 2;
    for (const [offset, result, color] of [
      [-1.5 * bar, r.baton, '#2e6db4'],
      [-0.5 * bar, r.plain, '#9aa5b1'],
      [0.5 * bar, r.plainLocal, '#d9b44a'],
    ] as const) {
      const v = options.value(result, r.shape);
      if (!Number.isFinite(v)) continue;
      parts.push(
        `<rect x="${cx + offset}" y="${y(v)}" width="${bar - 2}" height="${top + plotHeight - y(v)}" fill="${color}"/>`,
        `<text x="${cx + offset + (bar - 2) / 2}" y="${y(v) - 3}" text-anchor="middle" font-size="9">${v >= 100 ? v.toFixed(0) : v.toFixed(1)}</text>`,
      );
    }
    parts.push(`<text x="${cx}" y="${top + plotHeight + 16}" text-anchor="middle" font-size="11">${esc(r.shape.id)}</text>`);
  });
  parts.push('</g>');
  return parts.join('\n');
}

export function svgChart(results: readonly ShapeResult[], subtitle: string): string {
  const width = 900;
  const height = 300;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    panel({ x: 0, title: 'Throughput: block runs/s (higher is better)', results, value: (r, s) => blockRate(r, s), goal: GOALS.blockRunsPerSecond, unit: '/s' }),
    panel({ x: 450, title: 'End-to-end p50 latency, ms (lower is better)', results, value: (r) => r.latency.p50, unit: 'ms' }),
    `<rect x="60" y="${height - 34}" width="12" height="12" fill="#2e6db4"/><text x="78" y="${height - 24}" font-size="11">Baton</text>`,
    `<rect x="130" y="${height - 34}" width="12" height="12" fill="#9aa5b1"/><text x="148" y="${height - 24}" font-size="11">plain Temporal</text>`,
    `<rect x="260" y="${height - 34}" width="12" height="12" fill="#d9b44a"/><text x="278" y="${height - 24}" font-size="11">plain, local activities</text>`,
    `<text x="420" y="${height - 24}" font-size="10" fill="#555">${esc(subtitle)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}

export function writeReport(options: { results: readonly ShapeResult[]; quick: boolean; machine: string; plan: PhasePlan }): string[] {
  const { results, quick, machine, plan } = options;
  const name = quick ? 'shapes-quick' : 'shapes';
  const command = `npm run bench${quick ? ' -- --quick' : ''}`;
  const method =
    `Baton and plain take turns: up to ${plan.latencyRuns} runs each one at a time for latency (at most ${plan.latencyMaxMs / 1000} s ` +
    `for both), then ${plan.throughputMs / 1000} s each with a fixed number of runs in flight for throughput, in ` +
    `${plan.throughputRounds} alternating windows; CPU % is of one core.`;
  const table = markdownTable(results);
  const goals = goalLines(results);
  const markdown = [
    `# Baton vs plain Temporal (${quick ? 'quick' : 'full'} run)`,
    '',
    `Machine: ${machine}. Command: \`${command}\`. ${method}`,
    '',
    table,
    '',
    'Goals:',
    ...goals,
    '',
  ].join('\n');
  console.log(`\n${table}\n\n${goals.join('\n')}`);
  return [
    writeResult(`${name}.md`, markdown),
    writeResult(
      `${name}.json`,
      `${JSON.stringify(
      {
        machine,
        command,
        plan,
        results: results.map(({ shape, baton, plain, plainLocal }) => ({
          shape: { id: shape.id, title: shape.title, blockRuns: shape.blockRuns, concurrency: shape.concurrency },
          baton,
          plain,
          plainLocal,
        })),
      },
      null,
      2,
    )}\n`,
    ),
    writeResult(`${name}.svg`, svgChart(results, `${machine} · ${command}`)),
  ];
}
