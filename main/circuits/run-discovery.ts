// The whole discovery job: CD-T discovery, control sets, faithfulness per depth on the validation
// split, and optionally the fast first-order screen with its rank correlation to CD-T.

import type { Runner } from '../engine/runtime/runner';
import type { ClassificationExample } from '../models/classification/batch-encoder';
import type { ClassificationTask } from '../models/classification/task';
import type { LoadedModel } from '../models/load';
import { headAttribution } from './attribution';
import { CIRCUIT_FILE_VERSION, type CircuitFile } from './circuit-file';
import { CircuitSession } from './circuit-session';
import { discover, type DiscoveryOptions, type Progress } from './discovery';
import { evaluateFaithfulness } from './faithfulness';
import { meanBaselineReport } from './mean-baseline';
import { allHeads, headKey, type Head } from './heads';
import { layerProfile } from './layer-profile';
import { comparisonSets, randomDraws, selectionSize, spearman } from './selection';

export interface DiscoveryJobOptions extends DiscoveryOptions {
  batchSize: number;
  maxLength: number;
  /** Also rank every head by gradient × deviation and report its agreement with CD-T. */
  fastScreen: boolean;
  /** Random sets of the circuit's size whose faithfulness is the null the circuit is compared with. */
  randomDraws?: number;
  runner?: Runner;
  threads?: number;
}

/** Random sets in the faithfulness null: p-values down to 1/21, at about one validation pass each. */
const RANDOM_DRAWS = 20;

export const DEFAULT_DISCOVERY: Omit<DiscoveryJobOptions, 'runner' | 'threads'> = {
  seed: 31,
  selectionRatio: 0.02,
  maxDepth: 2,
  meanSize: 50,
  discoverySize: 50,
  rankBy: 'directional',
  cd: { attention: 'fixed', tol: 1e-8, signCleanup: 'mlp' },
  // A source is the head's deviation at the label position only. Over all positions, early heads are
  // credited with every token they touch that later heads read: on a planted last-layer circuit only
  // this scope finds it, and on the demo model its circuits are the more faithful (docs/circuits.md).
  sourceScope: 'label-position',
  batchSize: 10,
  maxLength: 128,
  fastScreen: true,
  randomDraws: RANDOM_DRAWS,
};

export async function runDiscovery(
  model: LoadedModel,
  task: ClassificationTask,
  data: { pool: readonly ClassificationExample[]; validation: readonly ClassificationExample[] },
  options: DiscoveryJobOptions,
  progress: Progress = () => undefined,
): Promise<CircuitFile> {
  const config = model.config;
  const drawCount = options.randomDraws ?? RANDOM_DRAWS;
  const session = await CircuitSession.open(model, task, options);
  try {
    const run = await discover(session, data.pool, data.validation, options, progress);
    const heads = allHeads(config);
    const logitScores = new Map(run.iterations[0]!.scores.map((s) => [headKey(s.head), s[options.rankBy]]));
    const comparisons = comparisonSets(heads, logitScores, run.circuit, options.seed);

    let faithfulness: CircuitFile['faithfulness'] = null;
    if (data.validation.length > 0) {
      const t0 = performance.now();
      const byDepth = run.iterations.map((_, d) => ({
        name: `circuit depth ${d}`,
        heads: run.iterations.slice(0, d + 1).flatMap((x) => x.selected),
      }));
      const draws = randomDraws(heads, run.circuit, options.seed, drawCount);
      faithfulness = await evaluateFaithfulness(
        session,
        run.mean,
        data.validation,
        [...byDepth, { name: 'random', heads: comparisons.random }, { name: 'least relevant', heads: comparisons.leastRelevant }, { name: 'near zero', heads: comparisons.nearZero }],
        { against: byDepth.at(-1)!.name, draws },
      );
      run.timings.faithfulness = (performance.now() - t0) / 1000;
    }

    let fastScreen: CircuitFile['fastScreen'] = null;
    if (options.fastScreen) {
      const t0 = performance.now();
      const attribution = await headAttribution(session, run.mean, run.sets.discovery);
      const cdt = heads.map((h) => logitScores.get(headKey(h))!);
      const fast = heads.map((h) => attribution[h.layer]![h.head]!);
      fastScreen = { attribution, spearmanWithCdt: spearman(fast, cdt), seconds: (performance.now() - t0) / 1000 };
    }

    const plain = (h: Head) => ({ layer: h.layer, head: h.head });
    return {
      version: CIRCUIT_FILE_VERSION,
      createdAt: new Date().toISOString(),
      model: { path: model.dir, family: config.family, layers: config.numLayers, heads: config.numHeads, headDim: config.headDim },
      task: {
        kind: task.kind,
        labels: task.labels.map((l) => l.name),
        ...(task.kind === 'label-words' ? { template: task.template.source } : {}),
      },
      settings: {
        seed: options.seed,
        selectionRatio: options.selectionRatio,
        perIteration: selectionSize(heads.length, options.selectionRatio),
        maxDepth: options.maxDepth,
        meanSize: options.meanSize,
        discoverySize: options.discoverySize,
        rankBy: options.rankBy,
        attention: options.cd.attention,
        signCleanup: options.cd.signCleanup,
        sourceScope: options.sourceScope,
        randomDraws: drawCount,
        sequenceLength: session.seq,
        biasTolerance: options.cd.tol,
      },
      examples: {
        mean: run.sets.mean.map((e) => e.id),
        discovery: run.sets.discovery.map((e) => e.id),
        overlapping: run.sets.overlapping,
        correctPerLabel: run.sets.correctPerLabel,
        pool: data.pool.length,
        validation: data.validation.length,
      },
      meanBaseline: meanBaselineReport(session, run.mean, [...run.sets.discovery, ...data.validation]),
      iterations: run.iterations.map((it) => ({
        depth: it.depth,
        targets: it.targets === 'logits' ? 'logits' : it.targets.map(plain),
        scores: it.scores.map((s) => ({ ...plain(s.head), directional: s.directional, magnitude: s.magnitude })),
        selected: it.selected.map(plain),
        seconds: it.seconds,
      })),
      circuit: run.circuit.map(plain),
      expansion: run.expansion,
      layerProfile: run.iterations.flatMap((it) => {
        const kept = new Set(it.selected.map(headKey));
        return layerProfile(it.depth, it.scores.map((s) => ({ layer: s.head.layer, score: s[options.rankBy], selected: kept.has(headKey(s.head)) })));
      }),
      comparisons: { random: comparisons.random.map(plain), leastRelevant: comparisons.leastRelevant.map(plain), nearZero: comparisons.nearZero.map(plain) },
      faithfulness,
      fastScreen,
      timings: { ...run.timings, ...(fastScreen ? { 'fast screen': fastScreen.seconds } : {}) },
    };
  } finally {
    await session.close();
  }
}
