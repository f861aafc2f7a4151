// Review calls: rounds in which annotators judge a run's predictions (accept, correct, flag, note),
// submit, and then see each other's answers and the agreement; an owner creates rounds and exports
// the corrected labels as a new dataset version. Every call acts as the caller (the desktop user,
// or the person signed in over the network); other annotators' answers are never sent before the
// caller has submitted.

import { z } from 'zod';
import { id, languageCode, noArguments, shortText, split, timestamp } from './common';

const label = z.string().min(1).max(200);
const probability = z.number().min(0).max(1);

export const reviewFilters = z.strictObject({
  languages: z.array(languageCode).max(100).optional(),
  splits: z.array(split).max(3).optional(),
  /** Only items the model labelled with one of these. */
  predicted: z.array(label).max(100).optional(),
  /** Only items whose gold label is one of these. */
  gold: z.array(label).max(100).optional(),
  /** Bounds on the model's top label probability, inclusive. */
  minConfidence: probability.optional(),
  maxConfidence: probability.optional(),
  goldAgreement: z.enum(['any', 'agree', 'disagree']).optional(),
  limit: z.number().int().min(1).max(100_000).optional(),
});
export type ReviewFilters = z.infer<typeof reviewFilters>;

export const reviewMember = z.object({
  annotatorId: id,
  name: z.string(),
  role: z.enum(['owner', 'annotator']),
  submittedAt: timestamp.nullable(),
  /** How many items they have answered (a count: it reveals no answer). */
  answered: z.number().int().nonnegative(),
});

export const reviewSummary = z.object({
  id,
  name: z.string(),
  runId: id,
  runName: z.string().nullable(),
  datasetId: id,
  datasetName: z.string(),
  labels: z.array(z.string()),
  filters: z.record(z.string(), z.unknown()),
  showGold: z.boolean(),
  createdAt: timestamp,
  itemCount: z.number().int().nonnegative(),
  members: z.array(reviewMember),
  me: z.object({
    member: z.boolean(),
    answered: z.number().int().nonnegative(),
    submittedAt: timestamp.nullable(),
    /** Whether this caller may see the others' answers and the agreement. */
    maySeeOthers: z.boolean(),
  }),
  versions: z.array(z.object({ datasetId: id, name: z.string(), createdAt: timestamp })),
});
export type ReviewSummary = z.infer<typeof reviewSummary>;

export const reviewAnswer = z.object({
  label: z.string().nullable(),
  flagged: z.boolean(),
  note: z.string().nullable(),
});
export type ReviewAnswer = z.infer<typeof reviewAnswer>;

export const reviewItem = z.object({
  position: z.number().int().nonnegative(),
  exampleId: id,
  sourceId: z.string(),
  language: z.string(),
  split: z.string(),
  text: z.string().nullable(),
  premise: z.string().nullable(),
  hypothesis: z.string().nullable(),
  predicted: z.string(),
  /** Softmax of the model's label scores. */
  probabilities: z.record(z.string(), z.number()),
  confidence: z.number().nullable(),
  /** Shown when the round shows gold labels, or once the caller has submitted. */
  gold: z.string().nullable(),
  /** The caller's own answer. */
  answer: reviewAnswer.nullable(),
});
export type ReviewItem = z.infer<typeof reviewItem>;

export const reviewAgreement = z.object({
  annotators: z.number().int(),
  annotatorNames: z.array(z.string()),
  items: z.number().int(),
  pairableItems: z.number().int(),
  completeItems: z.number().int(),
  observedAgreement: z.number().nullable(),
  cohensKappa: z.number().nullable(),
  fleissKappa: z.number().nullable(),
  krippendorffAlpha: z.number().nullable(),
  perLabel: z.array(z.object({ label: z.string(), agreement: z.number().nullable(), answers: z.number().int() })),
  modelAgreement: z.number().nullable(),
  /** Rows: the model's label; columns: the annotators' labels (every submitted answer counts). */
  confusion: z.object({ labels: z.array(z.string()), matrix: z.array(z.array(z.number().int())) }),
});
export type ReviewAgreement = z.infer<typeof reviewAgreement>;

export const reviewSource = z.object({
  runId: id,
  runName: z.string().nullable(),
  runKind: z.string(),
  datasetId: id,
  datasetName: z.string(),
  labels: z.array(z.string()),
  evaluations: z.array(z.object({ language: z.string(), split: z.string(), count: z.number().int(), accuracy: z.number().nullable() })),
});
export type ReviewSource = z.infer<typeof reviewSource>;

const byId = z.strictObject({ id });

export const reviewCalls = {
  /** Runs with stored predictions, per dataset: what a round can be made from (owner). */
  'reviews.sources': { request: noArguments, response: z.object({ sources: z.array(reviewSource) }) },
  'reviews.list': { request: noArguments, response: z.object({ reviews: z.array(reviewSummary) }) },
  'reviews.get': { request: byId, response: reviewSummary },
  /** A new round; its queue is chosen by the filters and frozen (owner). */
  'reviews.create': {
    request: z.strictObject({
      name: shortText(100),
      runId: id,
      datasetId: id,
      filters: reviewFilters.default({}),
      showGold: z.boolean().default(false),
    }),
    response: reviewSummary,
  },
  /** The queue with the model's answers and the caller's own answers. */
  'reviews.items': { request: byId, response: z.object({ items: z.array(reviewItem) }) },
  /** Sets the caller's whole answer to one item; no label, no flag and no note removes it. */
  'reviews.answer': {
    request: z.strictObject({
      reviewId: id,
      exampleId: id,
      label: label.nullable().default(null),
      flagged: z.boolean().default(false),
      note: z.string().max(4000).nullable().default(null),
    }),
    response: z.object({ answer: reviewAnswer.nullable(), answered: z.number().int().nonnegative() }),
  },
  /** Locks the caller's answers (every item needs one); then the others' answers and the agreement open up. */
  'reviews.submit': { request: byId, response: reviewSummary },
  /** The submitted answers the caller may see (forbidden before they submit). */
  'reviews.answers': {
    request: byId,
    response: z.object({
      answers: z.array(z.object({ annotatorId: id, name: z.string(), exampleId: id, label: z.string().nullable(), flagged: z.boolean(), note: z.string().nullable() })),
    }),
  },
  /** Agreement over the submitted answers (forbidden before the caller submits). */
  'reviews.agreement': { request: byId, response: reviewAgreement },
  /** The corrected labels as a new dataset with provenance (owner). */
  'reviews.exportVersion': {
    request: z.strictObject({
      reviewId: id,
      name: shortText(200).optional(),
      rule: z.enum(['majority', 'adjudicator']).default('majority'),
      adjudicatorId: id.optional(),
      flagged: z.enum(['keep', 'drop']).default('keep'),
    }),
    response: z.object({
      datasetId: id,
      name: z.string(),
      changed: z.number().int(),
      dropped: z.number().int(),
      ties: z.number().int(),
      provenance: z.record(z.string(), z.unknown()),
    }),
  },
} as const;
