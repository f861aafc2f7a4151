// transfer.estimate and circuits.estimate, what the launch forms show before a job starts: a
// registered model's estimated peak memory and time against the memory available now, smaller with
// micro-batches; and refusals for a missing model, an ambiguous request and a micro-batch that does
// not divide the batch.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { RUNTIME_BYTES } from '../../main/transfer/footprint';
import { writeModel } from '../transfer/fixtures';
import { ok, refusedCall, startService } from './fixtures';

test('transfer.estimate: the peak and time of a launch before it starts, and what it refuses', async (t) => {
  const { dir, service } = await startService(t);
  const { model } = await ok(service, 'models.import', { path: writeModel(join(dir, 'model')) });
  const asked = { modelId: model.id, methods: ['full'], examples: 12, recipe: { epochs: 2, batchSize: 8, maxLength: 64 } };
  const whole = await ok(service, 'transfer.estimate', asked);
  assert.equal(whole.method, 'full');
  assert.ok(whole.fits, 'a tiny model fits');
  assert.equal(whole.proposedMicroBatch, null);
  assert.ok(whole.peakBytes > RUNTIME_BYTES && whole.availableBytes > 0 && whole.seconds > 0);
  const micro = await ok(service, 'transfer.estimate', { ...asked, recipe: { ...asked.recipe, microBatch: 2 } });
  assert.ok(micro.peakBytes < whole.peakBytes, 'micro-batches need less');

  assert.equal((await refusedCall(service, 'transfer.estimate', { ...asked, modelId: 999 })).code, 'not-found');
  assert.match((await refusedCall(service, 'transfer.estimate', { methods: ['full'], examples: 12 })).message, /give the model or the competence run/);
  assert.match((await refusedCall(service, 'transfer.estimate', { ...asked, recipe: { batchSize: 8, microBatch: 3 } })).message, /micro-batch must divide the batch size/);

  const discovery = await ok(service, 'circuits.estimate', { modelId: model.id, settings: { maxDepth: 2, batchSize: 6, maxLength: 64 } });
  assert.ok(discovery.fits && discovery.peakBytes > RUNTIME_BYTES && discovery.iteration0Seconds > 0);
  assert.ok(Math.abs(discovery.atMostSeconds - 3 * discovery.iteration0Seconds) < 1e-9, 'three iterations at most three times the first');
  assert.equal((await refusedCall(service, 'circuits.estimate', { modelId: 999 })).code, 'not-found');
});
