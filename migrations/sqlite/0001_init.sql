-- strato's embedded store. Timestamps are BIGINT milliseconds since the epoch.
CREATE TABLE IF NOT EXISTS domains (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS projects (
    id TEXT PRIMARY KEY,
    domain_id TEXT NOT NULL REFERENCES domains(id),
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (domain_id, name)
);
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    domain_id TEXT NOT NULL REFERENCES domains(id),
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (domain_id, name)
);
CREATE TABLE IF NOT EXISTS assignments (
    user_id TEXT NOT NULL REFERENCES users(id),
    project_id TEXT NOT NULL REFERENCES projects(id),
    PRIMARY KEY (user_id, project_id)
);
-- Only a hash of each token is kept.
CREATE TABLE IF NOT EXISTS tokens (
    hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    project_id TEXT NOT NULL REFERENCES projects(id),
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
-- The secret of an access key is derived from the server's master key and
-- the salt; it is never stored.
CREATE TABLE IF NOT EXISTS access_keys (
    access_key TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    salt TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
-- Bearer API keys (Zilliz-style), scoped to one project; only their SHA-256 is kept.
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL REFERENCES users(id),
    project_id TEXT NOT NULL REFERENCES projects(id),
    name TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS clusters (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    name TEXT NOT NULL,
    -- dws | zilliz | ...: the product it was ordered through (which dialect sees it).
    product TEXT NOT NULL,
    spec TEXT NOT NULL,
    lifecycle TEXT NOT NULL,
    failure TEXT,
    -- A protective deletion: deleted at this time unless cancelled.
    delete_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS clusters_live_name ON clusters(project_id, product, name) WHERE lifecycle != 'deleted';
CREATE TABLE IF NOT EXISTS nodes (
    id TEXT PRIMARY KEY,
    cluster_id TEXT NOT NULL REFERENCES clusters(id),
    ordinal INTEGER NOT NULL,
    address TEXT NOT NULL,
    port INTEGER NOT NULL,
    -- How many consecutive ports from `port` the node holds machine-wide
    -- (0: only `port` on its own address).
    port_block INTEGER NOT NULL DEFAULT 0,
    released INTEGER NOT NULL DEFAULT 0,
    UNIQUE (cluster_id, ordinal)
);
CREATE UNIQUE INDEX IF NOT EXISTS nodes_live_address ON nodes(address) WHERE released = 0;
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    cluster_id TEXT NOT NULL REFERENCES clusters(id),
    -- What the job holds exclusively: a cluster id, or a snapshot id for
    -- snapshot deletion. One active job per lock key.
    lock_key TEXT NOT NULL,
    -- The snapshot a snapshot, restore or snapshot-delete job works on.
    snapshot_id TEXT,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    next_step INTEGER NOT NULL DEFAULT 0,
    -- Percent done within the current step (a long backup reports it).
    step_progress INTEGER NOT NULL DEFAULT 0,
    total_steps INTEGER NOT NULL,
    payload TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    lease_owner TEXT,
    lease_expires_at INTEGER,
    -- A user asked an interruptible job to stop at its next step boundary (it then becomes 'paused').
    interrupt INTEGER NOT NULL DEFAULT 0
);
-- One operation per cluster (or snapshot) at a time, a paused one included: a second enqueue violates this index.
CREATE UNIQUE INDEX IF NOT EXISTS jobs_one_active_per_lock ON jobs(lock_key) WHERE state IN ('enqueued', 'paused');
CREATE INDEX IF NOT EXISTS jobs_by_snapshot ON jobs(snapshot_id) WHERE state = 'enqueued';
CREATE INDEX IF NOT EXISTS jobs_claimable ON jobs(state, created_at);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    cluster_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_cluster ON events(cluster_id, at);
CREATE TABLE IF NOT EXISTS snapshots (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    cluster_id TEXT NOT NULL REFERENCES clusters(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,              -- MANUAL | AUTO
    status TEXT NOT NULL,            -- creating | available | unavailable | deleting | deleted
    -- The source cluster's spec at snapshot time: a restore defaults to it.
    source TEXT NOT NULL,
    size_bytes INTEGER NOT NULL DEFAULT 0,
    -- Retired by its cluster's deletion while a restore read it: deleted when that ends.
    retire_after_use INTEGER NOT NULL DEFAULT 0,
    failure TEXT,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
);
CREATE UNIQUE INDEX IF NOT EXISTS snapshots_live_name ON snapshots(project_id, name) WHERE status != 'deleted';
CREATE INDEX IF NOT EXISTS snapshots_by_cluster ON snapshots(cluster_id, created_at);
-- A cluster's automated snapshot policy (strategies with cron schedules).
CREATE TABLE IF NOT EXISTS snapshot_policies (
    cluster_id TEXT PRIMARY KEY REFERENCES clusters(id),
    project_id TEXT NOT NULL,
    policy TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
-- Alibaba clientToken idempotency: the first request's fingerprint and, once
-- it succeeded, its result. Kept 48 hours.
CREATE TABLE IF NOT EXISTS client_tokens (
    scope TEXT NOT NULL,
    token TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (scope, token)
);
-- Alibaba signature nonces an access key has used, kept while a replay of
-- their request could still pass the date check (so a restart forgets none).
CREATE TABLE IF NOT EXISTS signature_nonces (
    access_key TEXT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (access_key, nonce)
);
CREATE INDEX IF NOT EXISTS signature_nonces_by_expiry ON signature_nonces(access_key, expires_at);
CREATE INDEX IF NOT EXISTS clusters_due_deletion ON clusters(delete_at) WHERE delete_at IS NOT NULL;
-- Counters several processes share: `identity_epoch` goes up with every
-- revocation (a deleted access or API key, a changed assignment), so a
-- running server drops what it cached of identity.
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS clusters_by_lifecycle ON clusters(lifecycle);
-- Pages of a project's clusters of one product, answered from this index alone.
CREATE INDEX IF NOT EXISTS clusters_by_page ON clusters(project_id, product, created_at, id, lifecycle);
CREATE INDEX IF NOT EXISTS jobs_by_cluster ON jobs(cluster_id) WHERE state IN ('enqueued', 'paused');
CREATE INDEX IF NOT EXISTS nodes_by_cluster ON nodes(cluster_id, ordinal);
-- Users who may use strato's own admin surface (/_strato/ on the IAM listener).
CREATE TABLE IF NOT EXISTS admins (
    user_id TEXT PRIMARY KEY REFERENCES users(id)
);
-- Zilliz projects an account (the strato project an API key acts in) created;
-- its default project is the account itself and is not stored.
CREATE TABLE IF NOT EXISTS vector_projects (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    name TEXT NOT NULL,
    plan TEXT NOT NULL,
    region_ids TEXT NOT NULL DEFAULT '[]',
    description TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (account, name)
);
