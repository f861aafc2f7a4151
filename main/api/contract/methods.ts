// The names of every call, without their schemas: the Electron preload imports only this file, so
// the sandboxed bridge stays tiny. index.ts checks at compile time that the contract defines
// exactly these calls.

export const API_METHODS = [
  'app.info',
  'workspace.info',
  'workspace.open',
  'engine.info',
  'dialogs.choosePath',
  'datasets.validate',
  'datasets.import',
  'datasets.list',
  'datasets.examples',
  'datasets.pools',
  'datasets.createPools',
  'models.list',
  'models.inspect',
  'models.import',
  'circuits.defaults',
  'circuits.discover',
  'circuits.estimate',
  'circuits.list',
  'circuits.get',
  'circuits.saveEdited',
  'circuits.compare',
  'jobs.list',
  'jobs.cancel',
  'jobs.resume',
  'transfer.runs',
  'transfer.launchCompetence',
  'transfer.discover',
  'transfer.launch',
  'transfer.estimate',
  'transfer.series',
  'transfer.comparisons',
  'transfer.compare',
  'transfer.runDemo',
  'reviews.sources',
  'reviews.list',
  'reviews.get',
  'reviews.create',
  'reviews.items',
  'reviews.answer',
  'reviews.submit',
  'reviews.answers',
  'reviews.agreement',
  'reviews.exportVersion',
  'exports.runs',
  'exports.list',
  'exports.get',
  'exports.create',
  'exports.verify',
  'access.list',
  'access.invite',
  'access.revoke',
] as const;
export type ApiMethod = (typeof API_METHODS)[number];

/** Calls the desktop shell answers itself; every other call goes to the backend. */
export const SHELL_METHODS: readonly ApiMethod[] = ['dialogs.choosePath'];

/** One IPC channel per call (never a generic "invoke anything" channel). */
export const channelOf = (method: ApiMethod): string => `lontar:${method}`;
/** The one channel the shell pushes events on. */
export const EVENT_CHANNEL = 'lontar:event';

export function isApiMethod(name: unknown): name is ApiMethod {
  return typeof name === 'string' && (API_METHODS as readonly string[]).includes(name);
}
