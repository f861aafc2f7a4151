// Before a training job starts from the CLI: the pre-launch estimate on stderr (stdout keeps the
// result, also under --json), a warning with the micro-batch that fits when it will not fit.

import { availableParallelism } from 'node:os';
import type { Workspace } from '../store/index';
import { describeEstimate, estimateLaunchFor } from '../transfer/launch-estimate';
import type { TransferMethod } from '../transfer/methods';
import { recipeSchema, type RecipeInput } from '../transfer/recipe';

export function announceEstimate(ws: Workspace, modelId: number, methods: readonly TransferMethod[], examples: number, recipeInput: RecipeInput, threads?: number): void {
  const model = ws.models.get(modelId);
  const recipe = recipeSchema.safeParse(recipeInput);
  if (!model || !recipe.success) return; // the job's own validation says what is wrong
  const estimate = estimateLaunchFor(model.sourcePath, { methods, examples, recipe: recipe.data, threads: threads ?? availableParallelism() });
  process.stderr.write(`${estimate.fits ? '' : 'warning: '}${describeEstimate(estimate, recipe.data.batchSize)}\n`);
}
