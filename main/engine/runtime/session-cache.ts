// One loaded session per shape bucket (e.g. batch × sequence length), created on first use and
// evicted least-recently-used beyond a limit. Graph building and session creation happen once per
// bucket; later batches of the same bucket reuse the session.

import type { EncodedModel } from '../onnx/encode';
import type { Runner, SessionInfo } from './runner';

export class SessionCache {
  private readonly sessions = new Map<string, Promise<SessionInfo>>();

  constructor(
    private readonly runner: Runner,
    private readonly maxSessions = 4,
  ) {}

  async get(key: string, build: () => EncodedModel): Promise<SessionInfo> {
    let s = this.sessions.get(key);
    if (s) {
      this.sessions.delete(key); // re-insert: Map order is the recency order
      this.sessions.set(key, s);
      return s;
    }
    s = this.runner.load(build());
    this.sessions.set(key, s);
    s.catch(() => this.sessions.delete(key));
    while (this.sessions.size > this.maxSessions) {
      const [oldest, info] = this.sessions.entries().next().value as [string, Promise<SessionInfo>];
      this.sessions.delete(oldest);
      await this.runner.release((await info).id);
    }
    return s;
  }

  /** Releases the sessions whose keys `match` (ones no later work will run). */
  async release(match: (key: string) => boolean): Promise<void> {
    for (const [key, s] of [...this.sessions].filter(([k]) => match(k))) {
      this.sessions.delete(key);
      await this.runner.release((await s).id).catch(() => undefined);
    }
  }

  get size(): number {
    return this.sessions.size;
  }

  async clear(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) await this.runner.release((await s).id).catch(() => undefined);
  }
}

/** Rounds a length up to the next bucket boundary: multiples of `step`, capped at `max`. */
export function bucketLength(length: number, step = 16, max = Number.POSITIVE_INFINITY): number {
  return Math.min(max, Math.max(step, Math.ceil(length / step) * step));
}
