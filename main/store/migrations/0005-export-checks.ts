// Schema version 5: export verification. exports gain the files' checksum manifest and model card
// (details), and the outcome and time of the last verification.

import type { Migration } from './migration';

export const exportChecks: Migration = {
  version: 5,
  name: 'export details and verification',
  up(db) {
    db.exec(`
      ALTER TABLE exports ADD COLUMN details TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(details));
      ALTER TABLE exports ADD COLUMN verification TEXT CHECK (verification IS NULL OR json_valid(verification));
      ALTER TABLE exports ADD COLUMN verified_at TEXT;
    `);
  },
};
