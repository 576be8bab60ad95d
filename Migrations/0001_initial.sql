-- PawsHub schema, first revision. Append-only: never edit a released migration, add NNNN_next.sql instead.
-- Timestamps are TEXT 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC (the layout JupyterHub's own SQLite uses), so they
-- sort and compare as text and stay readable in the sqlite3 shell. JSON columns hold UTF-8 JSON text.
-- ON DELETE CASCADE follows what JupyterHub deletes with a record: a user takes their servers, tokens,
-- memberships, role assignments, OAuth codes and shares (given or received) with them.

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
    admin INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
    created TEXT NOT NULL,
    last_activity TEXT,
    cookie_id TEXT NOT NULL UNIQUE,
    encrypted_auth_state BLOB,
    blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
    wiki_user_id INTEGER
);
CREATE INDEX users_wiki_user_id ON users (wiki_user_id) WHERE wiki_user_id IS NOT NULL;

-- One row per spawner: the default server has name ''. Named-server rows outlive a stop.
CREATE TABLE servers (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    display_name TEXT,
    url TEXT,
    ip TEXT,
    port INTEGER CHECK (port IS NULL OR (port >= 0 AND port <= 65535)),
    base_url TEXT,
    started TEXT,
    last_activity TEXT,
    pending TEXT CHECK (pending IN ('spawn', 'stop', 'check', 'rename')),
    ready INTEGER NOT NULL DEFAULT 0 CHECK (ready IN (0, 1)),
    state TEXT NOT NULL DEFAULT '{}',
    user_options TEXT NOT NULL DEFAULT '{}',
    server_version TEXT,
    -- The REST model promises ready is false while any transition is pending.
    CHECK (ready = 0 OR pending IS NULL),
    UNIQUE (user_id, name)
);
-- Start-up reads only active servers; this keeps that O(active), not O(users).
CREATE INDEX servers_active ON servers (user_id) WHERE ready = 1 OR pending IS NOT NULL;

CREATE TABLE groups (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
    description TEXT,
    properties TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE user_group_map (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, group_id)
) WITHOUT ROWID;
CREATE INDEX user_group_map_group ON user_group_map (group_id);

CREATE TABLE roles (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
    description TEXT,
    scopes TEXT NOT NULL DEFAULT '[]'
);

-- OAuth clients. 'jupyterhub' is the client of every non-OAuth API token, so it always exists.
CREATE TABLE oauth_clients (
    id INTEGER PRIMARY KEY,
    identifier TEXT NOT NULL UNIQUE CHECK (length(identifier) > 0),
    description TEXT,
    secret TEXT,
    redirect_uri TEXT,
    allowed_scopes TEXT NOT NULL DEFAULT '[]',
    created TEXT NOT NULL
);
INSERT INTO oauth_clients (identifier, description, created)
VALUES ('jupyterhub', 'JupyterHub', strftime('%Y-%m-%d %H:%M:%f000', 'now'));

CREATE TABLE services (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) > 0),
    admin INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
    url TEXT,
    oauth_client_id TEXT REFERENCES oauth_clients (identifier) ON DELETE SET NULL,
    pid INTEGER,
    last_activity TEXT
);

CREATE TABLE user_role_map (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role_id INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, role_id)
) WITHOUT ROWID;
CREATE INDEX user_role_map_role ON user_role_map (role_id);

CREATE TABLE group_role_map (
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    role_id INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, role_id)
) WITHOUT ROWID;
CREATE INDEX group_role_map_role ON group_role_map (role_id);

CREATE TABLE service_role_map (
    service_id INTEGER NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    role_id INTEGER NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (service_id, role_id)
) WITHOUT ROWID;
CREATE INDEX service_role_map_role ON service_role_map (role_id);

-- AUTOINCREMENT: token ids are shown to users as 'a<id>' and must never be reused after a revoke.
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    prefix TEXT NOT NULL CHECK (length(prefix) = 4),
    hashed TEXT NOT NULL UNIQUE,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    service_id INTEGER REFERENCES services (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL DEFAULT 'jupyterhub' REFERENCES oauth_clients (identifier) ON DELETE CASCADE,
    scopes TEXT NOT NULL DEFAULT '[]',
    note TEXT,
    created TEXT NOT NULL,
    expires_at TEXT,
    last_activity TEXT,
    session_id TEXT,
    CHECK ((user_id IS NULL) <> (service_id IS NULL))
);
CREATE INDEX api_tokens_prefix ON api_tokens (prefix);
CREATE INDEX api_tokens_user ON api_tokens (user_id, client_id) WHERE user_id IS NOT NULL;
CREATE INDEX api_tokens_service ON api_tokens (service_id) WHERE service_id IS NOT NULL;
CREATE INDEX api_tokens_session ON api_tokens (session_id) WHERE session_id IS NOT NULL;
CREATE INDEX api_tokens_client ON api_tokens (client_id);
CREATE INDEX api_tokens_expires ON api_tokens (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE oauth_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    prefix TEXT NOT NULL CHECK (length(prefix) = 4),
    hashed TEXT NOT NULL UNIQUE,
    client_id TEXT NOT NULL REFERENCES oauth_clients (identifier) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scopes TEXT NOT NULL DEFAULT '[]',
    session_id TEXT,
    code_challenge TEXT,
    code_challenge_method TEXT,
    created TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX oauth_codes_prefix ON oauth_codes (prefix);
CREATE INDEX oauth_codes_user ON oauth_codes (user_id);
CREATE INDEX oauth_codes_client ON oauth_codes (client_id);
CREATE INDEX oauth_codes_expires ON oauth_codes (expires_at);

-- At most one share per (server, user) and per (server, group); UNIQUE ignores the NULL side.
CREATE TABLE shares (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    server_id INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    group_id INTEGER REFERENCES groups (id) ON DELETE CASCADE,
    scopes TEXT NOT NULL DEFAULT '[]',
    created TEXT NOT NULL,
    CHECK ((user_id IS NULL) <> (group_id IS NULL)),
    UNIQUE (server_id, user_id),
    UNIQUE (server_id, group_id)
);
CREATE INDEX shares_user ON shares (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX shares_group ON shares (group_id) WHERE group_id IS NOT NULL;

-- Share codes are shown as 'sc_<id>'.
CREATE TABLE share_codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    server_id INTEGER NOT NULL REFERENCES servers (id) ON DELETE CASCADE,
    prefix TEXT NOT NULL CHECK (length(prefix) = 4),
    hashed TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL DEFAULT '[]',
    created TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    exchange_count INTEGER NOT NULL DEFAULT 0,
    last_exchanged_at TEXT
);
CREATE INDEX share_codes_server ON share_codes (server_id);
CREATE INDEX share_codes_prefix ON share_codes (prefix);
CREATE INDEX share_codes_expires ON share_codes (expires_at);
