// Native file dialogs: answered by the Electron shell itself (never by the backend). Browser mode
// has no native dialogs; its host answers these calls with an `unavailable` error and the UI asks
// for a typed path instead.

import { z } from 'zod';

export const pathPurpose = z.enum(['dataset-file', 'dataset-folder', 'model-folder', 'workspace-folder', 'export-folder']);
export type PathPurpose = z.infer<typeof pathPurpose>;

export const dialogCalls = {
  'dialogs.choosePath': {
    request: z.strictObject({ purpose: pathPurpose }),
    /** null when the user closed the dialog without choosing. */
    response: z.object({ path: z.string().nullable() }),
  },
} as const;
