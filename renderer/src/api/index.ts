// The client this page uses: the desktop bridge when the preload put one on window, else the
// browser-mode server that served the page.

import type { LontarBridge } from '../../../main/api/contract/index';
import type { LontarClient } from './client';
import { electronClient } from './electron-client';
import { httpClient } from './http-client';

declare global {
  interface Window {
    lontar?: LontarBridge;
  }
}

export const api: LontarClient = window.lontar ? electronClient(window.lontar) : httpClient(window.location.origin);
export { ApiCallError, type ApiEvent, type ApiMethod, type ApiRequest, type ApiResponse } from './client';
