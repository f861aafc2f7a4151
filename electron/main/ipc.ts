// One ipcMain handler per contract call, on its own fixed channel. Each checks that the call comes
// from the top frame of Lontar's own page, validates the payload with the call's schema, and then
// answers it: native dialogs here, everything else in the backend process (which validates again).

import { BrowserWindow, ipcMain } from 'electron';
import type { Backend } from './backend';
import { API_METHODS, channelOf, EVENT_CHANNEL, parseRequest, SHELL_METHODS, type ApiResult } from '../../main/api/contract/index';
import type { ApiParsedRequest } from '../../main/api/contract/index';
import { choosePath } from './dialogs';
import { isTrustedSender } from './security';

const refused: ApiResult<never> = { ok: false, error: { code: 'unavailable', message: 'refused: the call did not come from Lontar’s own page' } };

export function registerIpc(backend: Backend): void {
  for (const method of API_METHODS) {
    ipcMain.handle(channelOf(method), async (event, payload: unknown): Promise<ApiResult<unknown>> => {
      if (!isTrustedSender(event.senderFrame, event.sender)) return refused;
      const parsed = parseRequest(method, payload);
      if (!parsed.ok) return parsed;
      if (SHELL_METHODS.includes(method)) {
        const { purpose } = parsed.request as ApiParsedRequest<'dialogs.choosePath'>;
        return { ok: true, value: await choosePath(BrowserWindow.fromWebContents(event.sender), purpose) };
      }
      return backend.call(method, parsed.request);
    });
  }
  backend.onEvent((e) => {
    for (const window of BrowserWindow.getAllWindows()) if (!window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, e);
  });
}
