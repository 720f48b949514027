//! Identity rows (domains, projects, users, assignments, tokens, access and
//! API keys) and Alibaba signature nonces. A revocation (a deleted key, a
//! changed assignment) bumps `identity_epoch`, which running servers poll.

use sqlx::sqlite::SqlitePool;
use sqlx::Row;

use super::rows::{access_key_from, api_key_from, project_from, user_from};
use super::StoreResult;
use crate::core::identity::{AccessKey, ApiKey, Domain, Project, TokenRecord, User};
use crate::core::Millis;
use crate::store::NonceUse;

const BUMP_EPOCH: &str = "INSERT INTO meta (key, value) VALUES ('identity_epoch', 1) ON CONFLICT (key) DO UPDATE SET value = value + 1";

pub(super) async fn create_domain(pool: &SqlitePool, d: &Domain) -> StoreResult<()> {
    sqlx::query("INSERT INTO domains (id, name, created_at) VALUES (?, ?, ?)")
        .bind(&d.id)
        .bind(&d.name)
        .bind(crate::core::now_ms())
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn create_project(pool: &SqlitePool, p: &Project) -> StoreResult<()> {
    sqlx::query("INSERT INTO projects (id, domain_id, name, created_at) VALUES (?, ?, ?, ?)")
        .bind(&p.id)
        .bind(&p.domain_id)
        .bind(&p.name)
        .bind(crate::core::now_ms())
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn create_user(pool: &SqlitePool, u: &User) -> StoreResult<()> {
    sqlx::query("INSERT INTO users (id, domain_id, name, password_hash, created_at) VALUES (?, ?, ?, ?, ?)")
        .bind(&u.id)
        .bind(&u.domain_id)
        .bind(&u.name)
        .bind(&u.password_hash)
        .bind(crate::core::now_ms())
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn assign(pool: &SqlitePool, user_id: &str, project_id: &str) -> StoreResult<()> {
    sqlx::query("INSERT OR IGNORE INTO assignments (user_id, project_id) VALUES (?, ?)")
        .bind(user_id)
        .bind(project_id)
        .execute(pool)
        .await?;
    bump_identity_epoch(pool).await
}

pub(super) async fn count_users(pool: &SqlitePool) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await?)
}

pub(super) async fn list_domains(pool: &SqlitePool) -> StoreResult<Vec<Domain>> {
    let rows = sqlx::query("SELECT id, name FROM domains ORDER BY created_at").fetch_all(pool).await?;
    rows.iter().map(|r| Ok(Domain { id: r.try_get("id")?, name: r.try_get("name")? })).collect()
}

pub(super) async fn list_users(pool: &SqlitePool) -> StoreResult<Vec<User>> {
    let rows = sqlx::query("SELECT * FROM users ORDER BY created_at").fetch_all(pool).await?;
    rows.iter().map(user_from).collect()
}

pub(super) async fn list_projects(pool: &SqlitePool) -> StoreResult<Vec<Project>> {
    let rows = sqlx::query("SELECT * FROM projects ORDER BY created_at").fetch_all(pool).await?;
    rows.iter().map(project_from).collect()
}

pub(super) async fn find_domain(pool: &SqlitePool, id_or_name: &str) -> StoreResult<Option<Domain>> {
    let row = sqlx::query("SELECT id, name FROM domains WHERE id = ? OR name = ? LIMIT 1")
        .bind(id_or_name)
        .bind(id_or_name)
        .fetch_optional(pool)
        .await?;
    row.map(|r| Ok(Domain { id: r.try_get("id")?, name: r.try_get("name")? })).transpose()
}

pub(super) async fn find_user(pool: &SqlitePool, domain_id: &str, name: &str) -> StoreResult<Option<User>> {
    let row = sqlx::query("SELECT * FROM users WHERE domain_id = ? AND name = ?")
        .bind(domain_id)
        .bind(name)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(user_from).transpose()
}

pub(super) async fn get_user(pool: &SqlitePool, id: &str) -> StoreResult<Option<User>> {
    let row = sqlx::query("SELECT * FROM users WHERE id = ?").bind(id).fetch_optional(pool).await?;
    row.as_ref().map(user_from).transpose()
}

pub(super) async fn get_project(pool: &SqlitePool, id: &str) -> StoreResult<Option<Project>> {
    let row = sqlx::query("SELECT * FROM projects WHERE id = ?").bind(id).fetch_optional(pool).await?;
    row.as_ref().map(project_from).transpose()
}

pub(super) async fn find_project(pool: &SqlitePool, domain_id: &str, name: &str) -> StoreResult<Option<Project>> {
    let row = sqlx::query("SELECT * FROM projects WHERE domain_id = ? AND name = ?")
        .bind(domain_id)
        .bind(name)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(project_from).transpose()
}

pub(super) async fn user_projects(pool: &SqlitePool, user_id: &str) -> StoreResult<Vec<Project>> {
    let rows = sqlx::query(
        "SELECT p.* FROM projects p JOIN assignments a ON a.project_id = p.id WHERE a.user_id = ? ORDER BY p.created_at",
    )
    .bind(user_id)
    .fetch_all(pool)
    .await?;
    rows.iter().map(project_from).collect()
}

pub(super) async fn insert_token(pool: &SqlitePool, hash: &str, t: &TokenRecord) -> StoreResult<()> {
    sqlx::query("INSERT INTO tokens (hash, user_id, project_id, issued_at, expires_at) VALUES (?, ?, ?, ?, ?)")
        .bind(hash)
        .bind(&t.user_id)
        .bind(&t.project_id)
        .bind(t.issued_at)
        .bind(t.expires_at)
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn find_token(pool: &SqlitePool, hash: &str) -> StoreResult<Option<TokenRecord>> {
    let row = sqlx::query("SELECT * FROM tokens WHERE hash = ?").bind(hash).fetch_optional(pool).await?;
    row.map(|r| {
        Ok(TokenRecord {
            user_id: r.try_get("user_id")?,
            project_id: r.try_get("project_id")?,
            issued_at: r.try_get("issued_at")?,
            expires_at: r.try_get("expires_at")?,
        })
    })
    .transpose()
}

pub(super) async fn insert_access_key(pool: &SqlitePool, k: &AccessKey) -> StoreResult<()> {
    sqlx::query("INSERT INTO access_keys (access_key, user_id, salt, description, created_at) VALUES (?, ?, ?, ?, ?)")
        .bind(&k.access_key)
        .bind(&k.user_id)
        .bind(&k.salt)
        .bind(&k.description)
        .bind(k.created_at)
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn find_access_key(pool: &SqlitePool, ak: &str) -> StoreResult<Option<AccessKey>> {
    let row =
        sqlx::query("SELECT * FROM access_keys WHERE access_key = ?").bind(ak).fetch_optional(pool).await?;
    row.as_ref().map(access_key_from).transpose()
}

pub(super) async fn list_access_keys(pool: &SqlitePool) -> StoreResult<Vec<AccessKey>> {
    let rows = sqlx::query("SELECT * FROM access_keys ORDER BY created_at").fetch_all(pool).await?;
    rows.iter().map(access_key_from).collect()
}

pub(super) async fn delete_access_key(pool: &SqlitePool, ak: &str) -> StoreResult<bool> {
    let r = sqlx::query("DELETE FROM access_keys WHERE access_key = ?").bind(ak).execute(pool).await?;
    bump_identity_epoch(pool).await?;
    Ok(r.rows_affected() > 0)
}

pub(super) async fn insert_api_key(pool: &SqlitePool, key: &ApiKey, hash: &str) -> StoreResult<()> {
    sqlx::query("INSERT INTO api_keys (id, hash, user_id, project_id, name, created_at) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(&key.id)
        .bind(hash)
        .bind(&key.user_id)
        .bind(&key.project_id)
        .bind(&key.name)
        .bind(key.created_at)
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn find_api_key(pool: &SqlitePool, hash: &str) -> StoreResult<Option<ApiKey>> {
    let row = sqlx::query("SELECT * FROM api_keys WHERE hash = ?").bind(hash).fetch_optional(pool).await?;
    row.as_ref().map(api_key_from).transpose()
}

pub(super) async fn list_api_keys(pool: &SqlitePool) -> StoreResult<Vec<ApiKey>> {
    let rows = sqlx::query("SELECT * FROM api_keys ORDER BY created_at").fetch_all(pool).await?;
    rows.iter().map(api_key_from).collect()
}

pub(super) async fn delete_api_key(pool: &SqlitePool, id: &str) -> StoreResult<bool> {
    let r = sqlx::query("DELETE FROM api_keys WHERE id = ?").bind(id).execute(pool).await?;
    bump_identity_epoch(pool).await?;
    Ok(r.rows_affected() > 0)
}

pub(super) async fn identity_epoch(pool: &SqlitePool) -> StoreResult<i64> {
    let v: Option<i64> = sqlx::query_scalar("SELECT value FROM meta WHERE key = 'identity_epoch'").fetch_optional(pool).await?;
    Ok(v.unwrap_or(0))
}

pub(super) async fn use_nonce(pool: &SqlitePool, access_key: &str, nonce: &str, now: Millis, expires_at: Millis, per_key: u32) -> StoreResult<NonceUse> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query("DELETE FROM signature_nonces WHERE access_key = ? AND expires_at < ?")
        .bind(access_key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let seen: Option<i64> = sqlx::query_scalar("SELECT 1 FROM signature_nonces WHERE access_key = ? AND nonce = ?")
        .bind(access_key)
        .bind(nonce)
        .fetch_optional(&mut *tx)
        .await?;
    if seen.is_some() {
        return Ok(NonceUse::Replayed);
    }
    let live: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM signature_nonces WHERE access_key = ?")
        .bind(access_key)
        .fetch_one(&mut *tx)
        .await?;
    if live >= per_key as i64 {
        return Ok(NonceUse::TooMany);
    }
    sqlx::query("INSERT INTO signature_nonces (access_key, nonce, expires_at) VALUES (?, ?, ?)")
        .bind(access_key)
        .bind(nonce)
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(NonceUse::Fresh)
}

pub(super) async fn prune_nonces(pool: &SqlitePool, now: Millis) -> StoreResult<u64> {
    let r = sqlx::query("DELETE FROM signature_nonces WHERE expires_at < ?").bind(now).execute(pool).await?;
    Ok(r.rows_affected())
}

/// Tells every process that cached identity to drop it (see `Store::identity_epoch`).
async fn bump_identity_epoch(pool: &SqlitePool) -> StoreResult<()> {
    sqlx::query(BUMP_EPOCH)
        .execute(pool)
        .await?;
    Ok(())
}

pub(super) async fn grant_admin(pool: &SqlitePool, user_id: &str) -> StoreResult<()> {
    sqlx::query("INSERT OR IGNORE INTO admins (user_id) VALUES (?)").bind(user_id).execute(pool).await?;
    Ok(())
}

pub(super) async fn is_admin(pool: &SqlitePool, user_id: &str) -> StoreResult<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM admins WHERE user_id = ?").bind(user_id).fetch_one(pool).await?;
    Ok(n > 0)
}

pub(super) async fn count_admins(pool: &SqlitePool) -> StoreResult<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM admins").fetch_one(pool).await?)
}

/// Deletes every identity that is not an admin's (their keys and tokens,
/// their assignments, projects and domains no admin is in) and tells every
/// server to drop what it cached.
pub(super) async fn forget_all_but_admins(conn: &mut sqlx::SqliteConnection) -> StoreResult<()> {
    const OTHERS: &str = "user_id NOT IN (SELECT user_id FROM admins)";
    for statement in [
        format!("DELETE FROM tokens WHERE {OTHERS}"),
        format!("DELETE FROM access_keys WHERE {OTHERS}"),
        format!("DELETE FROM api_keys WHERE {OTHERS}"),
        format!("DELETE FROM assignments WHERE {OTHERS}"),
        "DELETE FROM users WHERE id NOT IN (SELECT user_id FROM admins)".to_string(),
        "DELETE FROM tokens WHERE project_id NOT IN (SELECT project_id FROM assignments)".to_string(),
        "DELETE FROM api_keys WHERE project_id NOT IN (SELECT project_id FROM assignments)".to_string(),
        "DELETE FROM projects WHERE id NOT IN (SELECT project_id FROM assignments)".to_string(),
        "DELETE FROM domains WHERE id NOT IN (SELECT domain_id FROM users) AND id NOT IN (SELECT domain_id FROM projects)".to_string(),
    ] {
        sqlx::query(&statement).execute(&mut *conn).await?;
    }
    sqlx::query(BUMP_EPOCH)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
