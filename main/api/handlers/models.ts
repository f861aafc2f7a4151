// models.*: a folder's card before import, importing it (content-hashed), and the workspace's models
// with their cards read fresh from their folders (a moved or deleted folder shows as a problem).

import type { ModelRecord } from '../../store/index';
import type { ModelSummary } from '../contract/index';
import type { HandlerContext, Handlers } from '../handler-types';
import { readModelCard, registerModelFolder } from '../model-registration';
import { expandHome } from './workspace';

function modelView(ctx: HandlerContext, m: ModelRecord): ModelSummary {
  const bundled = m.sourcePath.startsWith(ctx.resources.root);
  try {
    return { ...m, bundled, card: readModelCard(m.sourcePath), problem: null };
  } catch (e) {
    return { ...m, bundled, card: null, problem: e instanceof Error ? e.message : String(e) };
  }
}

export const modelHandlers: Handlers = {
  'models.list': (ctx) => ({ models: ctx.ws.models.list().map((m) => modelView(ctx, m)) }),
  'models.inspect': (_ctx, req) => ({ card: readModelCard(expandHome(req.path)) }),
  'models.import': (ctx, req) => {
    const { model, alreadyImported } = registerModelFolder(ctx.ws, expandHome(req.path), req.name);
    return { model: modelView(ctx, model), alreadyImported };
  },
};
