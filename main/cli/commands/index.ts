// Command groups of the CLI, in help order. Each module exports `register(program)`.

import type { Command } from 'commander';
import { registerAccess } from './access';
import { registerDiscover } from './discover';
import { registerData } from './data';
import { registerDemo } from './demo';
import { registerEngine } from './engine';
import { registerExperiment } from './experiment';
import { registerExport } from './export';
import { registerJobs } from './jobs';
import { registerModel } from './model';
import { registerPatch } from './patch';
import { registerPredict } from './predict';
import { registerTransfer } from './transfer';
import { registerServe } from './serve';
import { registerWorkspace } from './workspace';

export const commandGroups: ((program: Command) => void)[] = [
  registerEngine,
  registerWorkspace,
  registerData,
  registerJobs,
  registerModel,
  registerPredict,
  registerExport,
  registerPatch,
  registerDiscover,
  registerServe,
  registerAccess,
  registerTransfer,
  registerExperiment,
  registerDemo,
];
