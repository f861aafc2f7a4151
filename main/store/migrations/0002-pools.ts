// Schema version 2: discovery/tuning pools. A pool split is one seeded partition of a language's
// training examples; several seeds can coexist, so membership is a table rather than a column on
// examples. Triggers make the database itself refuse any non-training example in a pool, so test
// rows cannot leak in even through a bug in the code above it.

import type { Migration } from './migration';

export const pools: Migration = {
  version: 2,
  name: 'discovery and tuning pools',
  up(db) {
    db.exec(`
      CREATE TABLE pool_splits (
        id              INTEGER PRIMARY KEY,
        dataset_id      INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        language        TEXT NOT NULL,
        seed            INTEGER NOT NULL,
        discovery_size  INTEGER NOT NULL CHECK (discovery_size >= 0),
        tuning_size     INTEGER NOT NULL CHECK (tuning_size >= 0),
        created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        UNIQUE (dataset_id, language, seed, discovery_size, tuning_size)
      );

      CREATE TABLE pool_members (
        pool_split_id  INTEGER NOT NULL REFERENCES pool_splits(id) ON DELETE CASCADE,
        example_id     INTEGER NOT NULL REFERENCES examples(id) ON DELETE CASCADE,
        pool           TEXT NOT NULL CHECK (pool IN ('discovery', 'tuning')),
        position       INTEGER NOT NULL CHECK (position >= 0),
        PRIMARY KEY (pool_split_id, example_id),
        UNIQUE (pool_split_id, pool, position)
      ) WITHOUT ROWID;
      CREATE INDEX pool_members_by_example ON pool_members(example_id);

      CREATE TRIGGER pool_members_train_only BEFORE INSERT ON pool_members
      WHEN (SELECT split FROM examples WHERE id = NEW.example_id) IS NOT 'train'
      BEGIN
        SELECT RAISE(ABORT, 'only training examples may enter a pool');
      END;

      CREATE TRIGGER pool_members_same_language BEFORE INSERT ON pool_members
      WHEN NOT EXISTS (
        SELECT 1 FROM examples e JOIN pool_splits p ON p.id = NEW.pool_split_id
        WHERE e.id = NEW.example_id AND e.dataset_id = p.dataset_id AND e.language = p.language)
      BEGIN
        SELECT RAISE(ABORT, 'a pool member must come from the pool split''s dataset and language');
      END;

      CREATE TRIGGER pool_members_no_update BEFORE UPDATE ON pool_members
      BEGIN
        SELECT RAISE(ABORT, 'pool members are immutable; create a new pool split instead');
      END;

      CREATE TRIGGER examples_pooled_stay_train BEFORE UPDATE OF split ON examples
      WHEN NEW.split IS NOT 'train' AND EXISTS (SELECT 1 FROM pool_members WHERE example_id = NEW.id)
      BEGIN
        SELECT RAISE(ABORT, 'this example is in a pool and must stay in the training split');
      END;
    `);
  },
};
