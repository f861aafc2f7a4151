// What the whole interface shares: the host and its first-run resources, the open workspace, and the
// engine's device with its reason. Reloaded when the workspace changes or a job ends.

import { api } from '../api/index';
import type { AppInfo, EngineInfo, WorkspaceInfo } from '../../../main/api/contract/index';

class AppState {
  app = $state<AppInfo | null>(null);
  workspace = $state<WorkspaceInfo | null>(null);
  engine = $state<EngineInfo | null>(null);
  error = $state<string | null>(null);

  constructor() {
    api.onEvent((e) => {
      if (e.type === 'workspace-changed') this.workspace = e.workspace;
      if (e.type === 'workspace-changed' || e.type === 'job-finished') void this.refresh();
    });
  }

  async refresh(): Promise<void> {
    try {
      const [app, workspace, engine] = await Promise.all([api.call('app.info', {}), api.call('workspace.info', {}), api.call('engine.info', {})]);
      Object.assign(this, { app, workspace, engine, error: null });
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }
}

export const appState = new AppState();
