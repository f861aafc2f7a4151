// The job system's public surface: the runner the owning process drives, the events it emits, the
// registry of kinds, and the contract a kind implements.

export { JobRunner, JobStateError, type JobRunnerOptions, type EnqueueRequest } from './runner';
export type { JobEvents, JobProgressEvent } from './events';
export { JobRegistry, JobConfigError, BUILT_IN_KINDS } from './registry';
export { requestCancel, cancelRequests } from './cancel-requests';
export { spawnWithTsx, JOB_PROCESS_ENTRY, type JobProcessSpawner, type JobChild } from './job-process';
export { PortJobChild, type JobPort } from './port-child';
export { runTrainingLoop, type TrainingLoopOptions } from './training-loop';
export { readCheckpointFile, writeCheckpointFile, CHECKPOINT_MEDIA_TYPE } from './checkpoint-file';
export { REMOTE_REPOSITORIES, type RemoteStore } from './remote-store';
export * from './types';
