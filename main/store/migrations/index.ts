// Every schema migration, in order. Append new ones; never edit or renumber a released one.

import type { Migration } from './migration';
import { initialSchema } from './0001-initial-schema';
import { pools } from './0002-pools';
import { reviews } from './0003-reviews';
import { accessTokens } from './0004-access-tokens';
import { exportChecks } from './0005-export-checks';

export type { Migration } from './migration';

export const migrations: readonly Migration[] = [initialSchema, pools, reviews, accessTokens, exportChecks];

export const LATEST_SCHEMA_VERSION = migrations.length;
