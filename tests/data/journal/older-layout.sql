-- A betastate journal (table layout 1) whose payloads were written in an older layout,
-- schema version 0, invented for the tests: a phase entry said "date" where it now says
-- "on", and spending said "euros" where it now says "amount". The committee in the middle
-- is stored at the current schema (1). The product and every value are invented.
CREATE TABLE betastate_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE betastate_streams (
  slug TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  descriptor TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE betastate_events (
  position INTEGER PRIMARY KEY,
  slug TEXT NOT NULL REFERENCES betastate_streams (slug),
  version INTEGER NOT NULL CHECK (version > 0),
  id TEXT NOT NULL UNIQUE,
  recorded_at TEXT NOT NULL,
  command_id TEXT NOT NULL,
  command_type TEXT NOT NULL,
  actor TEXT,
  event_type TEXT NOT NULL,
  schema_version INTEGER NOT NULL,
  payload TEXT NOT NULL,
  UNIQUE (slug, version)
);
CREATE TABLE betastate_commands (
  command_id TEXT PRIMARY KEY,
  slug TEXT NOT NULL REFERENCES betastate_streams (slug),
  command_type TEXT NOT NULL,
  command TEXT NOT NULL,
  version INTEGER NOT NULL,
  events INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
CREATE TABLE betastate_snapshots (
  slug TEXT PRIMARY KEY REFERENCES betastate_streams (slug),
  version INTEGER NOT NULL,
  schema_version INTEGER NOT NULL,
  events TEXT NOT NULL
);
INSERT INTO betastate_meta VALUES ('layout', '1');
INSERT INTO betastate_streams VALUES (
  'atelier-numerique', 4,
  '{"slug":"atelier-numerique","title":"Atelier numérique","incubator":"incubateur-fictif","history":[],"extra":{}}',
  1, '2024-01-08T09:00:00+00:00'
);
INSERT INTO betastate_events VALUES (
  1, 'atelier-numerique', 1, '0b6f1d2e-4c1a-4f7e-9a51-1d2c3b4a5e61', '2024-01-08T09:00:00+00:00',
  'import:0b6f1d2e', 'import', NULL, 'PhaseEntered', 0,
  '{"_type":"PhaseEntered","date":"2024-01-08","phase":"investigation"}'
);
INSERT INTO betastate_events VALUES (
  2, 'atelier-numerique', 2, '5a0c9e31-7d2b-4b8e-8f6a-2e3d4c5b6a72', '2024-03-04T14:30:00+00:00',
  'comite-2024-03', 'HoldCommittee', '{"role":"sponsor","name":null,"organisation":null}',
  'CommitteeHeld', 1,
  '{"_type":"CommitteeHeld","on":"2024-03-04","decision":"continue","phase_change":"construction","period_start":"2024-03-04","period_end":"2024-09-04","grants":[{"source":"sponsor","amount":"90000"}]}'
);
INSERT INTO betastate_events VALUES (
  3, 'atelier-numerique', 3, '9c4e2f53-1a6b-4d9c-b7e8-3f4e5d6c7b83', '2024-03-04T14:30:00+00:00',
  'comite-2024-03', 'HoldCommittee', '{"role":"sponsor","name":null,"organisation":null}',
  'PhaseEntered', 0,
  '{"_type":"PhaseEntered","date":"2024-03-04","phase":"construction"}'
);
INSERT INTO betastate_events VALUES (
  4, 'atelier-numerique', 4, 'e1d7a864-2b9c-4e0d-a6f9-4a5f6e7d8c94', '2024-03-15T10:05:00+00:00',
  'achat-ateliers', 'Spend', '{"role":"intrapreneur","name":null,"organisation":null}',
  'Spent', 0,
  '{"_type":"Spent","on":"2024-03-15","euros":"1200.50","label":"ateliers"}'
);
INSERT INTO betastate_commands VALUES (
  'achat-ateliers', 'atelier-numerique', 'Spend',
  '{"_type":"Spend","on":"2024-03-15","by":{"role":"intrapreneur","name":null,"organisation":null},"amount":"1200.50","label":"ateliers","comment":null}',
  4, 1, '[]', '2024-03-15T10:05:00+00:00'
);
