// Browser mode: calls are POST /api/<method> with a JSON body (the session cookie proves the page
// came from `lontar serve`), events arrive on a WebSocket at /events, reopened after a drop with a
// growing delay.

import type { ApiEvent, ApiResult } from '../../../main/api/contract/index';
import { listeners, unwrap, type LontarClient } from './client';

const MAX_RETRY_MS = 10_000;

export function httpClient(origin: string): LontarClient {
  const events = listeners<ApiEvent>();
  const reconnects = listeners<void>();
  let connected = false;
  let wasOpen = false;
  let delay = 250;

  const connect = () => {
    const socket = new WebSocket(`${origin.replace(/^http/, 'ws')}/events`);
    socket.onopen = () => {
      connected = true;
      delay = 250;
      if (wasOpen) reconnects.emit();
      wasOpen = true;
    };
    socket.onmessage = (m) => events.emit(JSON.parse(String(m.data)) as ApiEvent);
    socket.onclose = () => {
      connected = false;
      setTimeout(connect, delay);
      delay = Math.min(MAX_RETRY_MS, delay * 2);
    };
  };
  connect();

  return {
    host: 'browser',
    get connected() {
      return connected;
    },
    async call(method, request) {
      const response = await fetch(`${origin}/api/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(request ?? {}),
        credentials: 'same-origin',
      });
      // Refusals the server explains in the envelope (403 forbidden, 400 not JSON, 413 too large)
      // are unwrapped like any other; a plain-text status (401 signed out, 429) becomes an error.
      if (!response.ok && !(response.headers.get('content-type') ?? '').startsWith('application/json')) {
        throw new Error(`${method}: ${response.status} ${(await response.text()).trim()}`);
      }
      return unwrap((await response.json()) as ApiResult<unknown>) as never;
    },
    onEvent: (listener) => events.add(listener),
    onReconnect: (listener) => reconnects.add(listener),
  };
}
