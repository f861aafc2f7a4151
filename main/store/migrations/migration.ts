// The shape of one schema migration. Migrations are numbered files (0001-…, 0002-…) applied in order
// inside one transaction at open; `version` is what `PRAGMA user_version` reads after it ran.

import type { Database } from 'better-sqlite3';

export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
}
