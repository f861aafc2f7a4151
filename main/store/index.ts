// The run store's public surface: everything outside main/store/ imports from here.

export { Workspace, DB_FILE, BLOB_DIR, type OpenOptions } from './workspace';
export { checkWorkspace, formatIntegrityReport, type IntegrityReport, type BlobCheckDepth } from './integrity';
export { backupWorkspace, type BackupResult } from './backup';
export { collectGarbage, blobReferences, releaseUnreferenced, type GarbageReport } from './garbage';
export { resolveWorkspaceDir, defaultWorkspaceDir, type ResolvedWorkspace } from './default-location';
export { LATEST_SCHEMA_VERSION } from './migrations/index';
export * from './errors';
export type { BlobRef, BlobRecord } from './blobs';
export type { JsonObject } from './json-column';
export * from './repositories/datasets';
export * from './repositories/examples';
export * from './repositories/pools';
export * from './repositories/models';
export * from './repositories/runs';
export * from './repositories/metrics';
export * from './repositories/circuits';
export * from './repositories/evaluations';
export * from './repositories/annotations';
export * from './repositories/reviews';
export * from './repositories/dataset-versions';
export * from './repositories/access';
export * from './repositories/exports';
export * from './repositories/jobs';
