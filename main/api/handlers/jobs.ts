// jobs.*: the queue, cancel and resume. A running job's cancel is asked for here and ends at the
// job's next cancellation point; the answer does not wait for that (its job-finished event says when).

import { setTimeout as delay } from 'node:timers/promises';
import type { Handlers } from '../handler-types';
import { notFound } from '../error-mapping';
import { jobSummary } from '../job-views';

/** How long a cancel answer waits for the job to end before answering with its current state. */
const CANCEL_ANSWER_WAIT_MS = 300;

export const jobHandlers: Handlers = {
  'jobs.list': (ctx, req) => {
    const jobs = ctx.ws.jobs.list(req.status ? { status: req.status } : {});
    return { jobs: jobs.slice(-req.limit).reverse().map((j) => jobSummary(ctx.ws, j)) };
  },
  'jobs.cancel': async (ctx, req) => {
    if (!ctx.ws.jobs.get(req.id)) throw notFound(`job ${req.id}`);
    const ended = ctx.runner.cancel(req.id);
    ended.catch(() => undefined); // a refusal is raised by the race below; a later one has no caller left
    await Promise.race([ended, delay(CANCEL_ANSWER_WAIT_MS)]);
    return { job: jobSummary(ctx.ws, ctx.ws.jobs.get(req.id)!) };
  },
  'jobs.resume': (ctx, req) => {
    if (!ctx.ws.jobs.get(req.id)) throw notFound(`job ${req.id}`);
    return { job: jobSummary(ctx.ws, ctx.runner.resume(req.id)) };
  },
};
