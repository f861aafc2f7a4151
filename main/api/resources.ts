// The resources Lontar ships (resources/): the demo model, registered in every workspace on its
// first open so a new user has a model ready, and the NusaX-Senti data, which the first-run path
// imports in one click (after showing its validation report).

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Workspace } from '../store/index';
import { registerModelFolder } from './model-registration';

export interface BundledResources {
  root: string;
  demoModelDir: string;
  demoDatasetDir: string;
}

export const DEMO_MODEL_NAME = 'lontar-demo-qwen2';

/** The checkout's resources/, unless the desktop shell names another (a packaged app's, see electron/main/paths.ts). */
export function defaultResourcesRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env['LONTAR_RESOURCES'] ? resolve(env['LONTAR_RESOURCES']) : resolve(fileURLToPath(new URL('../../resources', import.meta.url)));
}

export function bundledResources(root = defaultResourcesRoot()): BundledResources {
  return { root, demoModelDir: join(root, 'models', DEMO_MODEL_NAME), demoDatasetDir: join(root, 'data', 'nusax-senti') };
}

export interface DemoState {
  modelId: number | null;
  modelName: string | null;
  modelProblem: string | null;
  datasetPath: string | null;
  datasetId: number | null;
}

/** Registers the demo model once per workspace (a later open finds it by its folder). */
export function registerDemoModel(ws: Workspace, resources: BundledResources): { modelId: number | null; problem: string | null } {
  const existing = ws.models.list().find((m) => m.sourcePath === resources.demoModelDir);
  if (existing) return { modelId: existing.id, problem: null };
  if (!existsSync(join(resources.demoModelDir, 'config.json'))) return { modelId: null, problem: `the demo model is not installed (${resources.demoModelDir})` };
  try {
    return { modelId: registerModelFolder(ws, resources.demoModelDir, DEMO_MODEL_NAME).model.id, problem: null };
  } catch (e) {
    return { modelId: null, problem: `the demo model could not be registered: ${e instanceof Error ? e.message : String(e)}` };
  }
}

export function demoState(ws: Workspace, resources: BundledResources, modelProblem: string | null): DemoState {
  const model = ws.models.list().find((m) => m.sourcePath === resources.demoModelDir);
  const dataset = ws.datasets.list().find((d) => d.sourcePath === resources.demoDatasetDir);
  return {
    modelId: model?.id ?? null,
    modelName: model?.name ?? null,
    modelProblem: model ? null : modelProblem,
    datasetPath: existsSync(resources.demoDatasetDir) ? resources.demoDatasetDir : null,
    datasetId: dataset?.id ?? null,
  };
}
