// Native file dialogs: the shell answers `dialogs.choosePath` itself (the backend has no windows).

import { dialog, type BrowserWindow, type OpenDialogOptions } from 'electron';
import type { PathPurpose } from '../../main/api/contract/index';
import { en as t } from '../../renderer/src/strings/en'; // the shell's menus and dialogs are English

const OPTIONS: Record<PathPurpose, OpenDialogOptions> = {
  'dataset-file': {
    title: t.shell.chooseDatasetFile,
    properties: ['openFile'],
    filters: [{ name: t.shell.datasetFiles, extensions: ['csv', 'tsv', 'tab', 'jsonl', 'ndjson'] }],
  },
  'dataset-folder': { title: t.shell.chooseDatasetFolder, properties: ['openDirectory'] },
  'model-folder': { title: t.shell.chooseModelFolder, properties: ['openDirectory'] },
  'workspace-folder': { title: t.shell.chooseWorkspace, properties: ['openDirectory', 'createDirectory'] },
  'export-folder': { title: t.shell.chooseExportFolder, properties: ['openDirectory', 'createDirectory', 'promptToCreate'] },
};

export async function choosePath(window: BrowserWindow | null, purpose: PathPurpose): Promise<{ path: string | null }> {
  const result = window ? await dialog.showOpenDialog(window, OPTIONS[purpose]) : await dialog.showOpenDialog(OPTIONS[purpose]);
  return { path: result.canceled ? null : (result.filePaths[0] ?? null) };
}
