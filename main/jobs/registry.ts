// Job kinds by name: the one place a kind is registered. A registry is loaded from a module that
// exports `jobKinds` (kinds/index.ts for Lontar's own), and remembers that module so each job
// process loads exactly the kinds the owner validated the configuration with.

import { z } from 'zod';
import type { JsonObject } from '../store/index';
import type { JobKind } from './types';

/** Lontar's own job kinds. */
export const BUILT_IN_KINDS = new URL('./kinds/index.ts', import.meta.url).href;

export class JobConfigError extends Error {
  override name = 'JobConfigError';
}

export class JobRegistry {
  private readonly kinds = new Map<string, JobKind>();

  constructor(
    /** The module the kinds came from (passed to job processes). */
    readonly moduleUrl: string,
    kinds: readonly JobKind[],
  ) {
    for (const k of kinds) {
      if (this.kinds.has(k.kind)) throw new Error(`job kind "${k.kind}" is registered twice in ${moduleUrl}`);
      this.kinds.set(k.kind, k);
    }
  }

  /** Imports `moduleUrl` and registers its `jobKinds`. */
  static async load(moduleUrl: string = BUILT_IN_KINDS): Promise<JobRegistry> {
    const mod = (await import(moduleUrl)) as { jobKinds?: unknown };
    if (!Array.isArray(mod.jobKinds)) throw new Error(`${moduleUrl} does not export a jobKinds array`);
    return new JobRegistry(moduleUrl, mod.jobKinds as JobKind[]);
  }

  has(kind: string): boolean {
    return this.kinds.has(kind);
  }

  get(kind: string): JobKind {
    const k = this.kinds.get(kind);
    if (!k) throw new JobConfigError(`unknown job kind "${kind}" (known: ${this.list().map((x) => x.kind).join(', ') || 'none'})`);
    return k;
  }

  list(): JobKind[] {
    return [...this.kinds.values()].sort((a, b) => a.kind.localeCompare(b.kind));
  }

  /** Validates a configuration and fills its defaults; the error names every offending field. */
  parseConfig(kind: string, raw: unknown): JsonObject {
    const parsed = this.get(kind).config.safeParse(raw ?? {});
    if (!parsed.success) throw new JobConfigError(`invalid ${kind} configuration: ${z.prettifyError(parsed.error)}`);
    const value = parsed.data as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new JobConfigError(`${kind} configuration must be an object`);
    return value as JsonObject;
  }
}
