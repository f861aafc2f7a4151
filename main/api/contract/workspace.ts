// Workspace, application and engine calls: which workspace is open, what it holds, which host
// serves the UI, the first-run resources, and the device the engine will use (with its reason).

import { z } from 'zod';
import { absolutePath, id, noArguments } from './common';

export const workspaceInfo = z.object({
  dir: z.string(),
  schemaVersion: z.number().int(),
  counts: z.object({
    datasets: z.number().int(),
    examples: z.number().int(),
    models: z.number().int(),
    circuits: z.number().int(),
    jobs: z.number().int(),
    activeJobs: z.number().int(),
  }),
});
export type WorkspaceInfo = z.infer<typeof workspaceInfo>;

export const appInfo = z.object({
  version: z.string(),
  /** desktop: the Electron shell; browser: `lontar serve`. */
  host: z.enum(['desktop', 'browser']),
  /** Native file dialogs exist (desktop only); browser mode asks for typed paths. */
  nativeDialogs: z.boolean(),
  /** The bundled first-run resources: the demo model (registered on first start) and NusaX. */
  demo: z.object({
    modelId: id.nullable(),
    modelName: z.string().nullable(),
    modelProblem: z.string().nullable(),
    datasetPath: z.string().nullable(),
    datasetId: id.nullable(),
  }),
  /** Who is calling: the local owner, or the person signed in over the network (browser mode). */
  caller: z.object({ annotatorId: id, name: z.string(), role: z.enum(['owner', 'annotator']) }),
});
export type AppInfo = z.infer<typeof appInfo>;

export const engineInfo = z.object({
  provider: z.enum(['cpu', 'cuda']),
  /** Why this provider: e.g. "using CPU: libonnxruntime_providers_cuda.so is not installed in …". */
  reason: z.string(),
  /** Devices jobs can be queued on. */
  devices: z.array(z.enum(['cpu', 'cuda'])),
  cpus: z.number().int(),
  cpuModel: z.string(),
  memoryBytes: z.number(),
  platform: z.string(),
  arch: z.string(),
  node: z.string(),
});
export type EngineInfo = z.infer<typeof engineInfo>;

export const workspaceCalls = {
  'app.info': { request: noArguments, response: appInfo },
  'workspace.info': { request: noArguments, response: workspaceInfo },
  'workspace.open': {
    request: z.strictObject({ dir: absolutePath, create: z.boolean().default(true) }),
    response: workspaceInfo,
  },
  'engine.info': { request: noArguments, response: engineInfo },
} as const;
