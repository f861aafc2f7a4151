// The desktop shell: the preload exposes one function per call on window.lontar (fixed IPC
// channels, validated again in the main process) and an event subscription.

import type { LontarBridge } from '../../../main/api/contract/index';
import { listeners, unwrap, type LontarClient } from './client';

export function electronClient(bridge: LontarBridge): LontarClient {
  const reconnects = listeners<void>();
  return {
    host: 'desktop',
    connected: true,
    async call(method, request) {
      const fn = bridge[method] as (r: unknown) => Promise<Parameters<typeof unwrap>[0]>;
      return unwrap(await fn(request ?? {})) as never;
    },
    onEvent: (listener) => bridge.onEvent(listener),
    onReconnect: (listener) => reconnects.add(listener),
  };
}
