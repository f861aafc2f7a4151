// How a run is named in pickers and tables: its id, name and state.

import type { TransferRun } from '../../../../main/api/contract/index';
import { t } from '../../strings/index';

export const runLabel = (r: TransferRun): string => `${r.id}: ${r.name ?? t.transfer.kinds[r.kind]} (${t.transfer.runStatus[r.status] ?? r.status})`;

/** What a run trains or computes, in words: "circuit d1 ind→jav, n=25, seed 31". */
export function runWhat(r: TransferRun): string {
  const method = r.method ? (t.transfer.methodNames[r.method] ?? r.method) : t.transfer.kinds[r.kind];
  const depth = r.depthTag !== null && r.kind === 'transfer' ? ` ${r.depthTag}` : '';
  const languages = r.target ? `${r.source ?? '?'}→${r.target}` : (r.source ?? '');
  return `${method}${depth} ${languages}${r.n !== null ? `, n=${r.n}` : ''}, seed ${r.seed}`;
}
