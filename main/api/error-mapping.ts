// Turns whatever a handler throws into the contract's error envelope. Errors Lontar raises on
// purpose already say what happened and what to do; they keep their message and get the code the
// UI acts on. Anything else is an internal error: its message is passed on (never a stack trace)
// and the stack goes to the host's log.

import { CircuitEditError } from '../circuits/edit-circuit';
import { PoolLeakError } from '../data/index';
import { JobConfigError, JobStateError } from '../jobs/index';
import { TaskError } from '../models/classification/task';
import { TemplateError } from '../models/classification/prompt-template';
import { ModelConfigError } from '../models/config';
import { LabelWordError } from '../models/label-words';
import { TensorLayoutError } from '../models/tensor-layout';
import { TokenizerFileError } from '../models/tokenizer-json';
import { WorkspaceError } from '../store/index';
import { ApiError, type ApiErrorBody } from './contract/index';

const REFUSED_INPUT = [CircuitEditError, PoolLeakError, TaskError, TemplateError, ModelConfigError, LabelWordError, TensorLayoutError, TokenizerFileError];

export function toErrorBody(e: unknown, log: (message: string) => void = (m) => process.stderr.write(`${m}\n`)): ApiErrorBody {
  if (e instanceof ApiError) return e.toBody();
  if (e instanceof WorkspaceError) return { code: 'unavailable', message: e.message };
  if (e instanceof JobConfigError) return { code: 'invalid-request', message: e.message };
  if (e instanceof JobStateError) return { code: 'conflict', message: e.message };
  if (REFUSED_INPUT.some((type) => e instanceof type)) return { code: 'rejected', message: (e as Error).message };
  const message = e instanceof Error ? e.message : String(e);
  log(`lontar: internal error: ${e instanceof Error ? (e.stack ?? message) : message}`);
  return { code: 'internal', message };
}

export const notFound = (what: string): ApiError => new ApiError('not-found', `no ${what} in this workspace`);
