// Schema version 4: sign-in for browser mode on a network. access_tokens: each person's invite
// tokens, stored only as sha256 hashes (a copied database does not give anyone a way in), with an
// expiry and a revocation time.

import type { Migration } from './migration';

export const accessTokens: Migration = {
  version: 4,
  name: 'access tokens',
  up(db) {
    db.exec(`
      CREATE TABLE access_tokens (
        id            INTEGER PRIMARY KEY,
        annotator_id  INTEGER NOT NULL REFERENCES annotators(id) ON DELETE CASCADE,
        token_hash    TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64 AND token_hash NOT GLOB '*[^0-9a-f]*'),
        created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        expires_at    TEXT NOT NULL,
        revoked_at    TEXT,
        last_used_at  TEXT
      );
      CREATE INDEX access_tokens_by_annotator ON access_tokens(annotator_id);
    `);
  },
};
