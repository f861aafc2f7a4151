// reviews.*: review rounds as the caller sees them. The rules (who may create and export, whose
// answers are hidden until when) live in main/review and the store; this file only translates the
// contract to them and their refusals to the contract's error codes.

import {
  agreementOf,
  createReview,
  exportCorrectedVersion,
  getReview,
  listReviews,
  reviewItems,
  reviewSources,
  saveAnswer,
  submitReview,
  visibleAnswers,
  type ReviewCaller,
} from '../../review/index';
import { ReviewRuleError } from '../../store/index';
import { ApiError } from '../contract/index';
import type { HandlerContext, Handlers } from '../handler-types';

const callerOf = (ctx: HandlerContext): ReviewCaller => ({ annotatorId: ctx.caller.annotatorId, role: ctx.caller.role });

/** Runs `fn`, answering a broken review rule with its code instead of an internal error. */
function ruled<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof ReviewRuleError) throw new ApiError(e.kind, e.message);
    throw e;
  }
}

export const reviewHandlers: Handlers = {
  'reviews.sources': (ctx) => ({ sources: reviewSources(ctx.ws) }),
  'reviews.list': (ctx) => ({ reviews: listReviews(ctx.ws, callerOf(ctx)) }),
  'reviews.get': (ctx, req) => ruled(() => getReview(ctx.ws, callerOf(ctx), req.id)),
  'reviews.create': (ctx, req) =>
    ruled(() => createReview(ctx.ws, callerOf(ctx), { name: req.name, runId: req.runId, datasetId: req.datasetId, filters: req.filters, showGold: req.showGold })),
  'reviews.items': (ctx, req) => ruled(() => ({ items: reviewItems(ctx.ws, callerOf(ctx), req.id) })),
  'reviews.answer': (ctx, req) =>
    ruled(() => {
      const caller = callerOf(ctx);
      const saved = saveAnswer(ctx.ws, caller, req.reviewId, req.exampleId, { label: req.label, flagged: req.flagged, note: req.note });
      const answered = ctx.ws.reviews.member(req.reviewId, caller.annotatorId)?.answered ?? 0;
      return { answer: saved && { label: saved.label, flagged: saved.flagged, note: saved.note }, answered };
    }),
  'reviews.submit': (ctx, req) => ruled(() => submitReview(ctx.ws, callerOf(ctx), req.id)),
  'reviews.answers': (ctx, req) =>
    ruled(() => {
      const names = new Map(ctx.ws.reviews.members(req.id).map((m) => [m.annotatorId, m.name]));
      const answers = visibleAnswers(ctx.ws, callerOf(ctx), req.id);
      return { answers: answers.map((a) => ({ annotatorId: a.annotatorId, name: names.get(a.annotatorId) ?? '', exampleId: a.exampleId, label: a.label, flagged: a.flagged, note: a.note })) };
    }),
  'reviews.agreement': (ctx, req) => ruled(() => agreementOf(ctx.ws, callerOf(ctx), req.id)),
  'reviews.exportVersion': (ctx, req) =>
    ruled(() => {
      const v = exportCorrectedVersion(ctx.ws, callerOf(ctx), {
        reviewId: req.reviewId,
        rule: req.rule,
        flagged: req.flagged,
        ...(req.name !== undefined && { name: req.name }),
        ...(req.adjudicatorId !== undefined && { adjudicatorId: req.adjudicatorId }),
      });
      return { datasetId: v.dataset.id, name: v.dataset.name, changed: v.changed, dropped: v.dropped, ties: v.ties, provenance: v.version.provenance };
    }),
};
