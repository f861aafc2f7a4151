// Schema version 3: review rounds. A review is a frozen queue of a run's predictions on a dataset
// (the items, in order), the annotators who took part and when each submitted, and their answers.
// Annotations gain the review they belong to and a flag; an annotator's answers are locked by the
// database itself once they submit (triggers), so a submitted round cannot be quietly rewritten.
// A dataset built from a review's corrections records its parent and the review (dataset_versions).

import type { Migration } from './migration';

const NOW = "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";

export const reviews: Migration = {
  version: 3,
  name: 'review rounds, per-review annotations and dataset versions',
  up(db) {
    db.exec(`
      CREATE TABLE reviews (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        run_id      INTEGER NOT NULL REFERENCES runs(id),
        dataset_id  INTEGER NOT NULL REFERENCES datasets(id),
        labels      TEXT NOT NULL CHECK (json_valid(labels)),
        filters     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(filters)),
        show_gold   INTEGER NOT NULL DEFAULT 0 CHECK (show_gold IN (0, 1)),
        created_by  INTEGER REFERENCES annotators(id),
        created_at  TEXT NOT NULL DEFAULT ${NOW}
      );

      -- the queue, frozen when the review is created: agreement is always over the same items
      CREATE TABLE review_items (
        review_id      INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
        position       INTEGER NOT NULL CHECK (position >= 0),
        evaluation_id  INTEGER NOT NULL,
        example_id     INTEGER NOT NULL,
        PRIMARY KEY (review_id, position),
        UNIQUE (review_id, example_id),
        FOREIGN KEY (evaluation_id, example_id) REFERENCES predictions(evaluation_id, example_id)
      ) WITHOUT ROWID;

      CREATE TRIGGER review_items_frozen BEFORE UPDATE ON review_items
      BEGIN
        SELECT RAISE(ABORT, 'a review''s queue is frozen when it is created');
      END;

      CREATE TABLE review_members (
        review_id     INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
        annotator_id  INTEGER NOT NULL REFERENCES annotators(id),
        joined_at     TEXT NOT NULL DEFAULT ${NOW},
        submitted_at  TEXT,
        PRIMARY KEY (review_id, annotator_id)
      ) WITHOUT ROWID;

      -- a submission is final: it cannot be withdrawn or re-dated
      CREATE TRIGGER review_members_submit_once BEFORE UPDATE OF submitted_at ON review_members
      WHEN OLD.submitted_at IS NOT NULL
      BEGIN
        SELECT RAISE(ABORT, 'this annotator has already submitted the review');
      END;

      CREATE TABLE annotations_v3 (
        id             INTEGER PRIMARY KEY,
        annotator_id   INTEGER NOT NULL REFERENCES annotators(id),
        example_id     INTEGER NOT NULL REFERENCES examples(id) ON DELETE CASCADE,
        evaluation_id  INTEGER REFERENCES evaluations(id) ON DELETE SET NULL,
        review_id      INTEGER REFERENCES reviews(id) ON DELETE CASCADE,
        label          TEXT,
        flagged        INTEGER NOT NULL DEFAULT 0 CHECK (flagged IN (0, 1)),
        note           TEXT,
        created_at     TEXT NOT NULL DEFAULT ${NOW},
        updated_at     TEXT NOT NULL DEFAULT ${NOW},
        CHECK (label IS NOT NULL OR note IS NOT NULL OR flagged = 1)
      );
      INSERT INTO annotations_v3 (id, annotator_id, example_id, evaluation_id, label, note, created_at, updated_at)
        SELECT id, annotator_id, example_id, evaluation_id, label, note, created_at, updated_at FROM annotations;
      DROP TABLE annotations;
      ALTER TABLE annotations_v3 RENAME TO annotations;
      -- one current answer per annotator and example: within each review, and outside reviews
      CREATE UNIQUE INDEX annotations_per_review ON annotations(review_id, annotator_id, example_id) WHERE review_id IS NOT NULL;
      CREATE UNIQUE INDEX annotations_outside_reviews ON annotations(annotator_id, example_id) WHERE review_id IS NULL;
      CREATE INDEX annotations_by_example ON annotations(example_id);

      CREATE TRIGGER annotations_locked_insert BEFORE INSERT ON annotations
      WHEN NEW.review_id IS NOT NULL AND EXISTS (SELECT 1 FROM review_members
        WHERE review_id = NEW.review_id AND annotator_id = NEW.annotator_id AND submitted_at IS NOT NULL)
      BEGIN
        SELECT RAISE(ABORT, 'this annotator has submitted the review; answers are locked');
      END;
      CREATE TRIGGER annotations_locked_update BEFORE UPDATE ON annotations
      WHEN OLD.review_id IS NOT NULL AND EXISTS (SELECT 1 FROM review_members
        WHERE review_id = OLD.review_id AND annotator_id = OLD.annotator_id AND submitted_at IS NOT NULL)
      BEGIN
        SELECT RAISE(ABORT, 'this annotator has submitted the review; answers are locked');
      END;
      CREATE TRIGGER annotations_locked_delete BEFORE DELETE ON annotations
      WHEN OLD.review_id IS NOT NULL AND EXISTS (SELECT 1 FROM review_members
        WHERE review_id = OLD.review_id AND annotator_id = OLD.annotator_id AND submitted_at IS NOT NULL)
      BEGIN
        SELECT RAISE(ABORT, 'this annotator has submitted the review; answers are locked');
      END;

      CREATE TABLE dataset_versions (
        dataset_id  INTEGER PRIMARY KEY REFERENCES datasets(id) ON DELETE CASCADE,
        parent_id   INTEGER NOT NULL REFERENCES datasets(id),
        review_id   INTEGER REFERENCES reviews(id) ON DELETE SET NULL,
        provenance  TEXT NOT NULL CHECK (json_valid(provenance)),
        created_at  TEXT NOT NULL DEFAULT ${NOW}
      );
      CREATE INDEX dataset_versions_by_parent ON dataset_versions(parent_id);
    `);
  },
};
