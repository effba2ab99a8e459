/**
 * `npm run bench -- codec`: the payload codec's encode+decode against Node's
 * raw AES-256-GCM (createCipheriv/createDecipheriv, a fresh IV each time) on
 * the same bytes, in the same run, interleaved call by call so machine load
 * hits both alike.
 *
 * Sizes 1 KB, 10 KB, 64 KB, 1 MB; data JSON (compressible, like the plans and
 * statuses Baton sends) and random (incompressible). The codec is measured as
 * configured (compression from 16 KB) and with compression off, which
 * separates the cost of sealing a Temporal payload from the cost of deflate.
 * Goals (issue 4): at least 90% of raw throughput at 1 MB, at most 0.1 ms p50
 * per payload up to 10 KB.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { createKeyRing, KeyRingPayloadCodec, METADATA_COMPRESSION } from '../shared/codec/index.ts';

const quick = process.argv.includes('--quick');
/** Wall time per measured case (both contenders together). */
const BUDGET_MS = quick ? 500 : 3000;
const SIZES = [1024, 10 * 1024, 64 * 1024, 1024 * 1024];

const key = randomBytes(32);
const ring = createKeyRing([['bench', key]]);
const codecs = {
  codec: new KeyRingPayloadCodec(ring),
  'codec, no compression': new KeyRingPayloadCodec(ring, { compressAboveBytes: Number.POSITIVE_INFINITY }),
};

function jsonBytes(size: number): Buffer {
  const rows: string[] = [];
  let length = 2;
  for (let i = 0; length < size; i++) {
    const row = JSON.stringify({ id: `blk-${i}`, status: i % 7 ? 'completed' : 'failed', ref: `runs/run-m0x${i.toString(36)}/blocks/b${i % 60}`, bytes: (i * 7919) % 100_000, at: 1_764_000_000_000 + i * 37 });
    rows.push(row);
    length += row.length + 1;
  }
  return Buffer.from(`[${rows.join(',')}]`).subarray(0, size);
}

function rawRoundTrip(data: Buffer): void {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = cipher.update(data);
  cipher.final();
  const tag = cipher.getAuthTag();
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  decipher.update(body);
  decipher.final();
}

interface Sample {
  readonly times: number[];
}

const newSample = (): Sample => ({ times: [] });

/**
 * Runs both contenders in turn, one call each per step (the order flipping
 * every step), for `budgetMs`: a burst of load from elsewhere lands on both.
 */
async function measurePair(budgetMs: number, raw: () => unknown, ours: () => unknown): Promise<[Sample, Sample]> {
  const samples: [Sample, Sample] = [newSample(), newSample()];
  const contenders = [raw, ours] as const;
  const end = performance.now() + budgetMs;
  for (let step = 0; performance.now() < end; step++) {
    for (const which of step % 2 === 0 ? [0, 1] : [1, 0]) {
      const start = performance.now();
      await contenders[which]!();
      samples[which]!.times.push(performance.now() - start);
    }
  }
  return samples;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

const p50 = (sample: Sample) => median(sample.times);

/**
 * Throughput from the median round trip: the machine is shared, and a mean
 * would mostly measure whoever else had the CPU.
 */
const mbPerSecond = (size: number, p50Ms: number) => size / 1e6 / (p50Ms / 1000);

interface Row {
  size: number;
  data: string;
  contender: string;
  compressed: boolean;
  mbps: number;
  rawMbps: number;
  /** Median over back-to-back pairs of raw time / codec time: load that hits a pair hits both. */
  share: number;
  p50: number;
  rawP50: number;
}

async function measureCase(size: number, data: string, bytes: Buffer): Promise<Row[]> {
  const payload: Payload = { metadata: { encoding: Buffer.from(data === 'json' ? 'json/plain' : 'binary/plain') }, data: bytes };
  const rows: Row[] = [];
  for (const [contender, codec] of Object.entries(codecs)) {
    const roundTrip = async () => codec.decode(await codec.encode([payload]));
    const [probe] = await codec.encode([payload]);
    const [back] = await codec.decode([probe!]);
    if (!Buffer.from(back!.data!).equals(bytes)) throw new Error(`${contender} did not round-trip ${size} bytes of ${data}`);
    await measurePair(100, () => rawRoundTrip(bytes), roundTrip); // warm up
    const [raw, ours] = await measurePair(BUDGET_MS, () => rawRoundTrip(bytes), roundTrip);
    rows.push({
      size,
      data,
      contender,
      compressed: probe!.metadata?.[METADATA_COMPRESSION] !== undefined,
      share: median(raw.times.map((rawTime, i) => rawTime / ours.times[i]!)),
      mbps: mbPerSecond(size, p50(ours)),
      rawMbps: mbPerSecond(size, p50(raw)),
      p50: p50(ours),
      rawP50: p50(raw),
    });
  }
  return rows;
}

const label = (size: number) => (size >= 1024 * 1024 ? `${size / 1024 / 1024} MB` : `${size / 1024} KB`);

export async function runCodecBench(): Promise<void> {
  const rows: Row[] = [];
  for (const size of SIZES) {
    for (const [data, bytes] of [
      ['json', jsonBytes(size)],
      ['random', randomBytes(size)],
    ] as const) {
      rows.push(...(await measureCase(size, data, bytes)));
    }
  }
  console.log(`\npayload codec encode+decode vs raw AES-256-GCM encrypt+decrypt, same bytes, interleaved call by call (${BUDGET_MS} ms a case)`);
  console.log('MB/s = size / p50 round trip; % of raw = median over back-to-back pairs of raw time / codec time');
  console.log('| size | data | contender | compressed | MB/s | raw MB/s | % of raw | p50 ms | raw p50 ms |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const cells = [label(r.size), r.data, r.contender, r.compressed ? 'yes' : 'no', r.mbps.toFixed(0), r.rawMbps.toFixed(0), `${(100 * r.share).toFixed(0)}%`, r.p50.toFixed(4), r.rawP50.toFixed(4)];
    console.log(`| ${cells.join(' | ')} |`);
  }
  const atOneMb = rows.filter((r) => r.size === 1024 * 1024);
  console.log('\ngoal: >= 90% of raw throughput at 1 MB');
  for (const r of atOneMb) console.log(`  ${r.contender}, ${r.data}: ${(100 * r.share).toFixed(0)}% (${r.share >= 0.9 ? 'met' : 'NOT met'})`);
  const small = rows.filter((r) => r.size <= 10 * 1024 && r.contender === 'codec');
  const worst = Math.max(...small.map((r) => r.p50));
  console.log(`goal: <= 0.1 ms p50 per payload up to 10 KB: worst ${worst.toFixed(4)} ms (${worst <= 0.1 ? 'met' : 'NOT met'})`);
}

if (import.meta.url === `file://${process.argv[1]}`) await runCodecBench();
