// Dataset import, validation and pools: the public surface of main/data.

export { importSource, prepareImport, readSource, commitImport, checkAgainstWorkspace, newDataset } from './import';
export type { ImportOptions, ImportOutcome, ImportStatus, PreparedImport } from './import';
export { combinedHash } from './source-files';
export { formatReport, isAccepted, type ValidationReport } from './report';
export { ISSUE_SEVERITY, type Issue, type IssueCode, type Severity } from './issues';
export { DEFAULT_LIMITS, type ValidationLimits, type SplitCounts } from './validate';
export { ROLES, type ColumnMapping, type Role } from './mapping';
export { NUSAX_LABELS, NUSAX_LANGUAGE_CODES } from './read-nusax';
export { XNLI_LABELS, PAPER_XNLI_SIZES, type XnliSizes } from './read-xnli';
export { normaliseSplit, type SourceFormat, type ExampleDraft } from './types';
export {
  splitPools,
  sampleBalanced,
  balancedOrder,
  createPoolSplit,
  PAPER_POOL_SIZES,
  PoolLeakError,
  type PoolCandidate,
  type PoolSizes,
} from './pools';
