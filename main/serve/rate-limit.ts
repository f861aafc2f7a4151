// Per-client token buckets: each client (remote address) may make `burst` requests at once and then
// `perSecond` a second. Browser mode keeps two: every request, and failed sign-ins (a much smaller
// bucket, so guessing invite tokens or the session key stops after a handful of tries).

export interface BucketSettings {
  /** How many at once. */
  burst: number;
  /** How many more each second. */
  perSecond: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Clients seen beyond this are forgotten oldest first (a flood of addresses must not grow memory). */
const MAX_CLIENTS = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly settings: BucketSettings) {}

  /** Takes one token for `client`; false when its bucket is empty. */
  take(client: string, now: number = Date.now()): boolean {
    const bucket = this.refilled(client, now);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Whether `client` has a token left, without taking it. */
  allows(client: string, now: number = Date.now()): boolean {
    return this.refilled(client, now).tokens >= 1;
  }

  /** Seconds until `client` has a token again (for Retry-After). */
  retryAfterSeconds(client: string, now: number = Date.now()): number {
    const bucket = this.refilled(client, now);
    return bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) / this.settings.perSecond);
  }

  private refilled(client: string, now: number): Bucket {
    let bucket = this.buckets.get(client);
    if (!bucket) {
      if (this.buckets.size >= MAX_CLIENTS) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = { tokens: this.settings.burst, at: now };
      this.buckets.set(client, bucket);
    }
    bucket.tokens = Math.min(this.settings.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.settings.perSecond);
    bucket.at = now;
    return bucket;
  }
}
