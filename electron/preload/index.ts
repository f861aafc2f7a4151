// The preload (sandboxed, context-isolated): exposes `window.lontar` and nothing else — one function
// per contract call, each on its own fixed IPC channel (never a generic invoke), and an event
// subscription that hands the page only the event itself, never Electron's IPC objects.

import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { API_METHODS, channelOf, EVENT_CHANNEL } from '../../main/api/contract/methods';

const calls = Object.fromEntries(API_METHODS.map((method) => [method, (request?: unknown) => ipcRenderer.invoke(channelOf(method), request ?? {})]));

function onEvent(listener: (event: unknown) => void): () => void {
  const forward = (_e: IpcRendererEvent, event: unknown) => listener(event);
  ipcRenderer.on(EVENT_CHANNEL, forward);
  return () => ipcRenderer.removeListener(EVENT_CHANNEL, forward);
}

contextBridge.exposeInMainWorld('lontar', Object.freeze({ ...calls, onEvent }));
