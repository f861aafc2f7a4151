// Schema version 1: every table of the run store except pools (added in 0002).
// Conventions: integer ids, ISO-8601 UTC timestamps as TEXT, JSON as TEXT checked with json_valid,
// blob references are sha256 hex names pointing at the `blobs` table, finite status sets as CHECKs.

import type { Migration } from './migration';

const NOW = "(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";

export const initialSchema: Migration = {
  version: 1,
  name: 'initial schema',
  up(db) {
    db.exec(`
      CREATE TABLE blobs (
        hash        TEXT PRIMARY KEY CHECK (length(hash) = 64 AND hash NOT GLOB '*[^0-9a-f]*'),
        size        INTEGER NOT NULL CHECK (size >= 0),
        media_type  TEXT,
        created_at  TEXT NOT NULL DEFAULT ${NOW}
      );

      CREATE TABLE datasets (
        id           INTEGER PRIMARY KEY,
        name         TEXT NOT NULL UNIQUE,
        task         TEXT NOT NULL CHECK (task IN ('classification', 'nli')),
        labels       TEXT NOT NULL CHECK (json_valid(labels)),
        format       TEXT NOT NULL,
        source_path  TEXT NOT NULL,
        source_hash  TEXT NOT NULL,
        source_files TEXT NOT NULL CHECK (json_valid(source_files)),
        licence      TEXT,
        created_at   TEXT NOT NULL DEFAULT ${NOW}
      );

      CREATE TABLE examples (
        id          INTEGER PRIMARY KEY,
        dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        source_id   TEXT NOT NULL,
        language    TEXT NOT NULL,
        split       TEXT NOT NULL CHECK (split IN ('train', 'valid', 'test')),
        text        TEXT,
        premise     TEXT,
        hypothesis  TEXT,
        label       TEXT NOT NULL,
        source_file TEXT NOT NULL,
        source_line INTEGER NOT NULL,
        -- one text layout per example: a single text, or a premise/hypothesis pair
        CHECK ((text IS NOT NULL AND premise IS NULL AND hypothesis IS NULL)
            OR (text IS NULL AND premise IS NOT NULL AND hypothesis IS NOT NULL)),
        UNIQUE (dataset_id, language, split, source_id)
      );
      CREATE INDEX examples_by_split ON examples(dataset_id, language, split, label);

      CREATE TABLE models (
        id            INTEGER PRIMARY KEY,
        name          TEXT NOT NULL UNIQUE,
        family        TEXT NOT NULL,
        source_path   TEXT NOT NULL,
        content_hash  TEXT NOT NULL,
        config        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
        created_at    TEXT NOT NULL DEFAULT ${NOW}
      );

      CREATE TABLE runs (
        id             INTEGER PRIMARY KEY,
        kind           TEXT NOT NULL,
        name           TEXT,
        model_id       INTEGER REFERENCES models(id),
        dataset_id     INTEGER REFERENCES datasets(id),
        parent_run_id  INTEGER REFERENCES runs(id),
        config         TEXT NOT NULL CHECK (json_valid(config)),
        seed           INTEGER NOT NULL,
        status         TEXT NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
        output_blob    TEXT REFERENCES blobs(hash),
        error          TEXT,
        created_at     TEXT NOT NULL DEFAULT ${NOW},
        started_at     TEXT,
        finished_at    TEXT
      );
      CREATE INDEX runs_by_parent ON runs(parent_run_id);

      CREATE TABLE metrics (
        run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        name         TEXT NOT NULL,
        step         INTEGER NOT NULL,
        value        REAL NOT NULL,
        recorded_at  TEXT NOT NULL DEFAULT ${NOW},
        PRIMARY KEY (run_id, name, step)
      ) WITHOUT ROWID;

      CREATE TABLE circuits (
        id              INTEGER PRIMARY KEY,
        run_id          INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        language        TEXT NOT NULL,
        selection_ratio REAL NOT NULL CHECK (selection_ratio > 0 AND selection_ratio <= 1),
        depth           INTEGER NOT NULL CHECK (depth >= 0),
        heads           TEXT NOT NULL CHECK (json_valid(heads)),
        created_at      TEXT NOT NULL DEFAULT ${NOW}
      );

      -- every scored head of every discovery iteration, selected or not (Compare and Circuits views)
      CREATE TABLE head_scores (
        circuit_id  INTEGER NOT NULL REFERENCES circuits(id) ON DELETE CASCADE,
        iteration   INTEGER NOT NULL CHECK (iteration >= 0),
        target      TEXT NOT NULL,
        layer       INTEGER NOT NULL CHECK (layer >= 0),
        head        INTEGER NOT NULL CHECK (head >= 0),
        score       REAL NOT NULL,
        selected    INTEGER NOT NULL DEFAULT 0 CHECK (selected IN (0, 1)),
        PRIMARY KEY (circuit_id, iteration, target, layer, head)
      ) WITHOUT ROWID;

      CREATE TABLE evaluations (
        id          INTEGER PRIMARY KEY,
        run_id      INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        dataset_id  INTEGER NOT NULL REFERENCES datasets(id),
        language    TEXT NOT NULL,
        split       TEXT NOT NULL CHECK (split IN ('train', 'valid', 'test')),
        count       INTEGER NOT NULL CHECK (count >= 0),
        accuracy    REAL,
        macro_f1    REAL,
        loss        REAL,
        extra       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(extra)),
        created_at  TEXT NOT NULL DEFAULT ${NOW}
      );
      CREATE INDEX evaluations_by_run ON evaluations(run_id);

      CREATE TABLE predictions (
        evaluation_id  INTEGER NOT NULL REFERENCES evaluations(id) ON DELETE CASCADE,
        example_id     INTEGER NOT NULL REFERENCES examples(id),
        predicted      TEXT NOT NULL,
        correct        INTEGER NOT NULL CHECK (correct IN (0, 1)),
        scores         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(scores)),
        PRIMARY KEY (evaluation_id, example_id)
      ) WITHOUT ROWID;

      CREATE TABLE annotators (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        role        TEXT NOT NULL CHECK (role IN ('owner', 'annotator')),
        created_at  TEXT NOT NULL DEFAULT ${NOW}
      );

      -- one current judgement per annotator and example; a revision overwrites it
      CREATE TABLE annotations (
        id             INTEGER PRIMARY KEY,
        annotator_id   INTEGER NOT NULL REFERENCES annotators(id),
        example_id     INTEGER NOT NULL REFERENCES examples(id) ON DELETE CASCADE,
        evaluation_id  INTEGER REFERENCES evaluations(id) ON DELETE SET NULL,
        label          TEXT,
        note           TEXT,
        created_at     TEXT NOT NULL DEFAULT ${NOW},
        updated_at     TEXT NOT NULL DEFAULT ${NOW},
        CHECK (label IS NOT NULL OR note IS NOT NULL),
        UNIQUE (annotator_id, example_id)
      );
      CREATE INDEX annotations_by_example ON annotations(example_id);

      CREATE TABLE exports (
        id           INTEGER PRIMARY KEY,
        run_id       INTEGER NOT NULL REFERENCES runs(id),
        format       TEXT NOT NULL CHECK (format IN ('hf-folder', 'onnx', 'head-delta')),
        blob_hash    TEXT REFERENCES blobs(hash),
        destination  TEXT,
        created_at   TEXT NOT NULL DEFAULT ${NOW}
      );

      CREATE TABLE jobs (
        id               INTEGER PRIMARY KEY,
        kind             TEXT NOT NULL,
        run_id           INTEGER REFERENCES runs(id),
        device           TEXT NOT NULL DEFAULT 'cpu',
        payload          TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
        status           TEXT NOT NULL DEFAULT 'queued'
                         CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled', 'interrupted')),
        progress         REAL NOT NULL DEFAULT 0 CHECK (progress >= 0 AND progress <= 1),
        progress_detail  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(progress_detail)),
        checkpoint_blob  TEXT REFERENCES blobs(hash),
        checkpoint_step  INTEGER,
        error            TEXT,
        created_at       TEXT NOT NULL DEFAULT ${NOW},
        started_at       TEXT,
        finished_at      TEXT,
        updated_at       TEXT NOT NULL DEFAULT ${NOW}
      );
      CREATE INDEX jobs_by_status ON jobs(status, id);
    `);
  },
};
