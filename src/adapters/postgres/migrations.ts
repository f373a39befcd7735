// Versioned schema for the PostgreSQL adapter. Entry i is schema version i + 1; each runs once,
// in order, in its own transaction, and the schema_migrations table records it. Never edit a
// shipped entry: append. Tables are created unqualified, in the first schema of search_path.
//
// The columns mirror the SQLite adapter's (same names, same flag packing) so the two adapters
// share one meaning. Differences, and why:
// - Every id, time and counter is BIGINT: Unix seconds and u32 MsgSeq/MsgRandom overflow INTEGER.
// - UserIDs are TEXT COLLATE "C": byte order, like SQLite's BINARY, so "ORDER BY peer" sorts the
//   same in both adapters whatever the database's locale, and the btrees skip locale rules.
// - Counters carry CHECK (>= 0): the adapter clamps with GREATEST, the database refuses a bug.
// - Bodies stay TEXT holding JSON, not JSONB: JSONB reorders object keys, and MsgBody must come
//   back exactly as it was sent. (JSON text escapes U+0000 as "\u0000", so it fits TEXT.)
// - Free text stored as is (CloudCustomData, Nick, FaceUrl) is BYTEA holding UTF-8 (schema 3):
//   PostgreSQL TEXT cannot hold U+0000, which clients may send and SQLite stores.
export const MIGRATIONS: readonly string[] = [
  // 1: accounts, messages, conversations, the per-user event sequence, the recall audit log.
  `
  CREATE TABLE accounts (
    app          BIGINT NOT NULL,
    user_id      TEXT COLLATE "C" NOT NULL,
    nick         TEXT,
    face_url     TEXT,
    created_at   BIGINT NOT NULL,
    kicked_at    BIGINT,
    event_seq    BIGINT NOT NULL DEFAULT 0,                              -- last seq handed out; its row lock orders a user's events
    unread_total BIGINT NOT NULL DEFAULT 0 CHECK (unread_total >= 0),   -- maintained on every write, never counted on read
    PRIMARY KEY (app, user_id)
  );

  CREATE TABLE messages (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app               BIGINT NOT NULL,
    user_lo           TEXT COLLATE "C" NOT NULL,   -- the conversation: its two users in sorted order
    user_hi           TEXT COLLATE "C" NOT NULL,
    sender            TEXT COLLATE "C" NOT NULL,
    recipient         TEXT COLLATE "C" NOT NULL,
    seq               BIGINT NOT NULL,
    random            BIGINT NOT NULL,
    time              BIGINT NOT NULL,
    body              TEXT   NOT NULL,             -- JSON MsgBody; '[]' once recalled
    cloud_custom_data TEXT   NOT NULL,             -- '' once recalled
    offline_push_info TEXT,                        -- NULL once recalled
    origin            TEXT   NOT NULL,
    flags             INTEGER NOT NULL,
    life_time         BIGINT NOT NULL,
    recalled_by       TEXT,
    recalled_at       BIGINT
  );
  -- The message identity; concurrent duplicate sends meet here (INSERT ... ON CONFLICT DO NOTHING).
  CREATE UNIQUE INDEX messages_identity ON messages (app, sender, recipient, seq, random, time);
  CREATE INDEX messages_history ON messages (app, user_lo, user_hi, time, seq, id);

  CREATE TABLE conversations (
    app         BIGINT NOT NULL,
    owner       TEXT COLLATE "C" NOT NULL,
    peer        TEXT COLLATE "C" NOT NULL,
    unread      BIGINT NOT NULL DEFAULT 0 CHECK (unread >= 0),
    read_time   BIGINT NOT NULL DEFAULT 0,   -- read cursor: messages at or before (read_time, read_id) are read
    read_id     BIGINT NOT NULL DEFAULT 0,
    last_msg_id BIGINT,
    last_time   BIGINT NOT NULL DEFAULT 0,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (app, owner, peer)
  );
  CREATE INDEX conversations_recent ON conversations (app, owner, updated_at DESC, peer);

  CREATE TABLE events (
    app           BIGINT NOT NULL,
    user_id       TEXT COLLATE "C" NOT NULL,
    seq           BIGINT NOT NULL,
    kind          TEXT   NOT NULL,
    message_id    BIGINT,
    data          TEXT,
    at            BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    origin_device TEXT,
    PRIMARY KEY (app, user_id, seq)
  );
  CREATE INDEX events_by_message ON events (message_id) WHERE message_id IS NOT NULL;

  CREATE TABLE recall_audit (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app       BIGINT NOT NULL,
    sender    TEXT   NOT NULL,
    recipient TEXT   NOT NULL,
    msg_key   TEXT   NOT NULL,
    by_user   TEXT   NOT NULL,
    via       TEXT   NOT NULL,
    at        BIGINT NOT NULL
  );
  CREATE INDEX recall_audit_by_app ON recall_audit (app, id);
  `,
  // 2: the durable outbox of after-callbacks (webhooks), written in the transaction of their event.
  `
  CREATE TABLE callback_outbox (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app         BIGINT NOT NULL,
    command     TEXT   NOT NULL,
    order_key   TEXT COLLATE "C" NOT NULL,
    message_id  BIGINT,                        -- so a recall can erase the content it carries
    body        TEXT   NOT NULL,
    query       TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,               -- ms
    next_at     BIGINT NOT NULL,               -- ms
    lease_until BIGINT NOT NULL DEFAULT 0,     -- ms
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
  );
  CREATE INDEX callback_outbox_order ON callback_outbox (order_key, id);
  CREATE INDEX callback_outbox_message ON callback_outbox (message_id) WHERE message_id IS NOT NULL;
  `,
  // 3: free text that may contain U+0000 becomes UTF-8 bytes (TEXT refuses that character).
  `
  ALTER TABLE messages ALTER COLUMN cloud_custom_data TYPE BYTEA USING convert_to(cloud_custom_data, 'UTF8');
  ALTER TABLE accounts
    ALTER COLUMN nick TYPE BYTEA USING convert_to(nick, 'UTF8'),
    ALTER COLUMN face_url TYPE BYTEA USING convert_to(face_url, 'UTF8');
  `,
  // h13a: profile fields other than nick and avatar (which stay on the account row), one row per
  // field set: a string (UTF-8 bytes, as nick and face_url: TEXT refuses U+0000) or an integer.
  `
  CREATE TABLE profile_fields (
    app       BIGINT NOT NULL,
    user_id   TEXT COLLATE "C" NOT NULL,
    tag       TEXT COLLATE "C" NOT NULL,
    str_value BYTEA,
    int_value BIGINT,
    PRIMARY KEY (app, user_id, tag)
  );
  `,
  // global mute (setnospeaking): the Unix second each mute ends, 0 for none. On the account row,
  // so account_delete removes them and a re-imported account starts unmuted.
  `
  ALTER TABLE accounts ADD COLUMN c2c_mute_until BIGINT NOT NULL DEFAULT 0;
  ALTER TABLE accounts ADD COLUMN group_mute_until BIGINT NOT NULL DEFAULT 0;
  `,
  // h13d: message extensions (set_key_values / get_key_values): a version per message and its pairs.
  // Keyed by the message's id; a recall deletes both (they are content).
  `
  CREATE TABLE message_extension_versions (
    message_id BIGINT  PRIMARY KEY,
    version    BIGINT  NOT NULL,            -- raised by one per set / delete / clear
    clear_seq  BIGINT  NOT NULL DEFAULT 0   -- version of the last clear
  );
  CREATE TABLE message_extensions (
    message_id BIGINT  NOT NULL,
    ext_key    BYTEA  NOT NULL,
    ext_value  BYTEA  NOT NULL,
    seq        BIGINT  NOT NULL,            -- version that last wrote the pair
    PRIMARY KEY (message_id, ext_key)
  );
  `,
];
