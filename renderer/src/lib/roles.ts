// Which views a role sees. The server decides what a caller may do (main/api/access-policy.ts, a 403
// otherwise); this only keeps an annotator's workbench to what they can use, Review, instead of
// views that would fail. The owner sees every view.

import { api } from '../api/index';
import { appState } from './app-state.svelte';
import { VIEWS, type View } from './router.svelte';

export type Role = 'owner' | 'annotator';

const ANNOTATOR_VIEWS: readonly View[] = ['review'];

/**
 * The caller's role: the desktop app is always the owner; in a browser it is known once app.info has
 * answered (null until then, so nothing owner-only is drawn for an annotator even for a moment).
 */
export function currentRole(): Role | null {
  if (api.host === 'desktop') return 'owner';
  // app.info failed (signed out, say): draw the usual workbench; its calls say what is wrong.
  return appState.app?.caller.role ?? (appState.error ? 'owner' : null);
}

export const viewsFor = (role: Role | null): readonly View[] => (role === 'owner' ? VIEWS : role === 'annotator' ? ANNOTATOR_VIEWS : []);

export const mayOpen = (role: Role | null, view: View): boolean => viewsFor(role).includes(view);

/** Where a role lands: the owner on Start, an annotator on Review. */
export const homeView = (role: Role): View => (role === 'annotator' ? 'review' : 'start');
