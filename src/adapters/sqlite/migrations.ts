// Versioned schema for the SQLite adapter. Each entry runs once, in order, inside a transaction;
// PRAGMA user_version records how far a database has come. Never edit a shipped entry: append.
export const MIGRATIONS: readonly string[] = [
  // 1: accounts, messages, conversations, the per-user event sequence, the recall audit log.
  `
  CREATE TABLE accounts (
    app          INTEGER NOT NULL,
    user_id      TEXT    NOT NULL,
    nick         TEXT,
    face_url     TEXT,
    created_at   INTEGER NOT NULL,
    kicked_at    INTEGER,
    event_seq    INTEGER NOT NULL DEFAULT 0,   -- last seq handed out in this user's event sequence
    unread_total INTEGER NOT NULL DEFAULT 0,   -- maintained on every write, never counted on read
    PRIMARY KEY (app, user_id)
  ) WITHOUT ROWID;

  CREATE TABLE messages (
    id                INTEGER PRIMARY KEY,
    app               INTEGER NOT NULL,
    user_lo           TEXT    NOT NULL,        -- the conversation: its two users in sorted order
    user_hi           TEXT    NOT NULL,
    sender            TEXT    NOT NULL,
    recipient         TEXT    NOT NULL,
    seq               INTEGER NOT NULL,
    random            INTEGER NOT NULL,
    time              INTEGER NOT NULL,
    body              TEXT    NOT NULL,        -- JSON MsgBody; '[]' once recalled
    cloud_custom_data TEXT    NOT NULL,        -- '' once recalled
    offline_push_info TEXT,                    -- NULL once recalled
    origin            TEXT    NOT NULL,
    flags             INTEGER NOT NULL,
    life_time         INTEGER NOT NULL,
    recalled_by       TEXT,
    recalled_at       INTEGER
  );
  CREATE UNIQUE INDEX messages_identity ON messages (app, sender, recipient, seq, random, time);
  CREATE INDEX messages_history ON messages (app, user_lo, user_hi, time, seq, id);

  CREATE TABLE conversations (
    app         INTEGER NOT NULL,
    owner       TEXT    NOT NULL,
    peer        TEXT    NOT NULL,
    unread      INTEGER NOT NULL DEFAULT 0,
    read_time   INTEGER NOT NULL DEFAULT 0,    -- read cursor: messages before (read_time, read_id) are read
    read_id     INTEGER NOT NULL DEFAULT 0,
    last_msg_id INTEGER,
    last_time   INTEGER NOT NULL DEFAULT 0,
    updated_at  INTEGER NOT NULL,
    PRIMARY KEY (app, owner, peer)
  ) WITHOUT ROWID;
  CREATE INDEX conversations_recent ON conversations (app, owner, updated_at);

  CREATE TABLE events (
    app           INTEGER NOT NULL,
    user_id       TEXT    NOT NULL,
    seq           INTEGER NOT NULL,
    kind          TEXT    NOT NULL,
    message_id    INTEGER,
    data          TEXT,
    at            INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    origin_device TEXT,
    PRIMARY KEY (app, user_id, seq)
  ) WITHOUT ROWID;
  CREATE INDEX events_by_message ON events (message_id) WHERE message_id IS NOT NULL;

  CREATE TABLE recall_audit (
    id        INTEGER PRIMARY KEY,
    app       INTEGER NOT NULL,
    sender    TEXT    NOT NULL,
    recipient TEXT    NOT NULL,
    msg_key   TEXT    NOT NULL,
    by_user   TEXT    NOT NULL,
    via       TEXT    NOT NULL,
    at        INTEGER NOT NULL
  );
  CREATE INDEX recall_audit_by_app ON recall_audit (app, id);
  `,
  // 2: the durable outbox of after-callbacks (webhooks), written in the transaction of their event.
  `
  CREATE TABLE callback_outbox (
    id          INTEGER PRIMARY KEY,
    app         INTEGER NOT NULL,
    command     TEXT    NOT NULL,
    order_key   TEXT    NOT NULL,
    message_id  INTEGER,                       -- so a recall can erase the content it carries
    body        TEXT    NOT NULL,
    query       TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,              -- ms
    next_at     INTEGER NOT NULL,              -- ms
    lease_until INTEGER NOT NULL DEFAULT 0,    -- ms
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
  );
  CREATE INDEX callback_outbox_order ON callback_outbox (order_key, id);
  CREATE INDEX callback_outbox_message ON callback_outbox (message_id) WHERE message_id IS NOT NULL;
  `,
  // 3: one index per message instead of two. The conversation index also carries the identity
  // (app, sender, recipient, seq, random, time): the pair (user_lo, user_hi) and the sender fix the
  // recipient, so its uniqueness is the identity's. A send then updates one random index page, not two.
  `
  DROP INDEX messages_identity;
  DROP INDEX messages_history;
  CREATE UNIQUE INDEX messages_conversation ON messages (app, user_lo, user_hi, time, seq, random, sender);
  `,
  // h13a: profile fields other than nick and avatar (which stay on the account row), one row per
  // field set: a string or an integer value.
  `
  CREATE TABLE profile_fields (
    app       INTEGER NOT NULL,
    user_id   TEXT    NOT NULL,
    tag       TEXT    NOT NULL,
    str_value TEXT,
    int_value INTEGER,
    PRIMARY KEY (app, user_id, tag)
  );
  `,
  // global mute (setnospeaking): the Unix second each mute ends, 0 for none. On the account row,
  // so account_delete removes them and a re-imported account starts unmuted.
  `
  ALTER TABLE accounts ADD COLUMN c2c_mute_until INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE accounts ADD COLUMN group_mute_until INTEGER NOT NULL DEFAULT 0;
  `,
  // h13d: message extensions (set_key_values / get_key_values): a version per message and its pairs.
  // Keyed by the message's id; a recall deletes both (they are content).
  `
  CREATE TABLE message_extension_versions (
    message_id INTEGER  PRIMARY KEY,
    version    INTEGER  NOT NULL,            -- raised by one per set / delete / clear
    clear_seq  INTEGER  NOT NULL DEFAULT 0   -- version of the last clear
  );
  CREATE TABLE message_extensions (
    message_id INTEGER  NOT NULL,
    ext_key    TEXT    NOT NULL,
    ext_value  TEXT    NOT NULL,
    seq        INTEGER  NOT NULL,            -- version that last wrote the pair
    PRIMARY KEY (message_id, ext_key)
  );
  `,
];
