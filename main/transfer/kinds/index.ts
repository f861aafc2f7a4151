// The transfer job kinds, registered with the job runner in main/jobs/kinds/index.ts.

export { competenceKind } from './competence';
export { discoverKind } from './discover';
export { transferKind } from './transfer';
export { evaluateKind } from './evaluate';
