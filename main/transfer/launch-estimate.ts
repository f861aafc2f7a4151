// Before a launch: will it fit, and how long will it take? For fine-tuning, the footprint of each
// method asked (they run one at a time, so the largest counts) against the memory this machine has
// available now, with the largest micro-batch that fits when the asked one does not; for discovery,
// its peak and the time of iteration 0. The CLI prints them and the Transfer and Circuits forms show
// them (API `transfer.estimate`, `circuits.estimate`).

import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { estimateDiscovery, type DiscoveryFootprint, type DiscoveryFootprintInput } from '../circuits/discovery-footprint';
import { Checkpoint } from '../models/checkpoint/checkpoint';
import { hostDTypeOf } from '../models/checkpoint/safetensors-file';
import { loadModelConfig, type ModelConfig } from '../models/config';
import { estimateTraining, fittingMicroBatch, RUNTIME_BYTES, type FootprintInput, type TrainingFootprint } from './footprint';
import type { TransferMethod } from './methods';
import type { Recipe } from './recipe';
import type { KvMode, ScopeSpec } from './trainable-scope';

export interface LaunchEstimate {
  /** The method whose job needs the most memory (its figures are the ones given). */
  method: TransferMethod;
  footprint: TrainingFootprint;
  availableBytes: number;
  fits: boolean;
  /** When it does not fit: the largest micro-batch that does (undefined if none does). */
  proposedMicroBatch?: number;
}

export interface LaunchEstimateInput {
  config: ModelConfig;
  floatBytes: number;
  methods: readonly TransferMethod[];
  kv?: KvMode;
  examples: number;
  recipe: Pick<Recipe, 'batchSize' | 'microBatch' | 'maxLength' | 'epochs'>;
  threads: number;
  /** Default: what the machine has available now. */
  availableBytes?: number;
}

/** Memory the kernel could give a new job now: MemAvailable (free plus reclaimable cache) where there is one. */
export function availableMemoryBytes(): number {
  try {
    const m = /^MemAvailable:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return freemem();
}

/** Bytes per weight as the engine trains them: 8 for a float64 checkpoint, else 4 (bf16 and f16 are widened). */
export function floatBytesOf(modelDir: string): number {
  const ckpt = Checkpoint.open(modelDir);
  try {
    return hostDTypeOf(ckpt.entry(ckpt.names()[0]!)) === 'float64' ? 8 : 4;
  } finally {
    ckpt.close();
  }
}

function scopeOf(method: TransferMethod, input: LaunchEstimateInput): ScopeSpec {
  if (method === 'full' || method === 'direct') return { kind: 'all' };
  if (method === 'norms') return { kind: 'norms' };
  const c = input.config;
  // heads of equal size cost the same wherever they sit: a circuit of the paper's 2% per iteration, three iterations
  const heads = Array.from({ length: Math.max(1, Math.ceil(0.02 * c.numLayers * c.numHeads)) * 3 }, (_, i) => ({ layer: i % c.numLayers, head: Math.floor(i / c.numLayers) % c.numHeads }));
  return { kind: 'heads', heads, kv: input.kv ?? 'group' };
}

export function estimateLaunch(input: LaunchEstimateInput): LaunchEstimate {
  const availableBytes = input.availableBytes ?? availableMemoryBytes();
  const inputs = input.methods.map((method) => ({
    method,
    footprint: { config: input.config, floatBytes: input.floatBytes, scope: scopeOf(method, input), recipe: input.recipe, examples: input.examples, threads: input.threads } satisfies FootprintInput,
  }));
  const largest = inputs
    .map((i) => ({ ...i, estimate: estimateTraining(i.footprint) }))
    .reduce((a, b) => (b.estimate.peakBytes > a.estimate.peakBytes ? b : a));
  const fits = largest.estimate.peakBytes <= availableBytes;
  const proposal = fits ? undefined : fittingMicroBatch(largest.footprint, availableBytes);
  return { method: largest.method, footprint: largest.estimate, availableBytes, fits, ...(proposal !== undefined && { proposedMicroBatch: proposal }) };
}

/** The estimate for a model folder on disk (its config.json and its weights' float type). */
export function estimateLaunchFor(modelDir: string, input: Omit<LaunchEstimateInput, 'config' | 'floatBytes'>): LaunchEstimate {
  return estimateLaunch({ ...input, config: loadModelConfig(modelDir), floatBytes: floatBytesOf(modelDir) });
}

export interface DiscoveryEstimate {
  footprint: DiscoveryFootprint;
  availableBytes: number;
  fits: boolean;
}

/** Discovery on a model folder with these settings, against what the machine has available now. */
export function estimateDiscoveryFor(
  modelDir: string,
  settings: Omit<DiscoveryFootprintInput, 'config' | 'floatBytes' | 'runtimeBytes'>,
  availableBytes = availableMemoryBytes(),
): DiscoveryEstimate {
  const footprint = estimateDiscovery({ ...settings, config: loadModelConfig(modelDir), floatBytes: floatBytesOf(modelDir), runtimeBytes: RUNTIME_BYTES });
  return { footprint, availableBytes, fits: footprint.peakBytes <= availableBytes };
}

export function describeDiscoveryEstimate(e: DiscoveryEstimate): string {
  const f = e.footprint;
  const line = `estimated peak memory ${gib(f.peakBytes)} of ${gib(e.availableBytes)} available; iteration 0 about ${formatDuration(f.iteration0Seconds)} (β ${f.path === 'row' ? 'through the label row' : 'over every position'}), the whole discovery at most ${formatDuration(f.atMostSeconds)} at ${(f.flopsPerSecond / 1e9).toFixed(0)} GFLOP/s`;
  return e.fits ? line : `${line}. It will not fit: use a machine with more memory or a smaller model`;
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** One line for the CLI (and the forms' wording): the peak against what is available, the time, and what to do when it does not fit. */
export function describeEstimate(e: LaunchEstimate, batchSize: number): string {
  const f = e.footprint;
  const head = `estimated peak memory ${gib(f.peakBytes)} (${e.method}) of ${gib(e.availableBytes)} available; training about ${formatDuration(f.seconds)} at ${(f.flopsPerSecond / 1e9).toFixed(0)} GFLOP/s`;
  if (e.fits) return head;
  if (e.proposedMicroBatch !== undefined) return `${head}. It will not fit: micro-batches of ${e.proposedMicroBatch} (of the batch of ${batchSize}) would (--micro-batch ${e.proposedMicroBatch})`;
  return `${head}. It will not fit, even one row per run: use a machine with more memory or a smaller model`;
}
