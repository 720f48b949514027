//! The identity service behind the Keystone dialect and every authenticated
//! call: password login (argon2 hashes), opaque tokens (only their SHA-256 is
//! stored, they expire), and access keys whose secrets are derived from a
//! master key on demand (HMAC verification needs the secret; storing it
//! would defeat "hashed at rest").

use std::path::Path;
use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::Utc;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::signature::{self, SignatureError, WireRequest};
use crate::core::identity::{new_hex_id, AccessKey, ApiKey, Domain, Project, TokenRecord, User};
use crate::core::{now_ms, CoreError, Millis};
use super::cache::IdentityCache;
use super::secrets::Secrets;
use crate::store::{NonceUse, Store};

#[derive(Debug, Error)]
pub enum AuthError {
    #[error("authentication required: send X-Auth-Token or sign the request")]
    Missing,
    #[error("the user name, domain or password is wrong")]
    BadCredentials,
    #[error("the token is invalid or has expired")]
    BadToken,
    #[error("the access key is unknown")]
    UnknownAccessKey,
    #[error("signature rejected: {0}")]
    BadSignature(#[from] SignatureError),
    #[error("no access to project {0}")]
    Forbidden(String),
    #[error("the scope names no project this user can use")]
    BadScope,
    #[error(transparent)]
    Store(#[from] CoreError),
}

#[cfg(test)]
impl AuthError {
    /// One of every variant, `BadSignature` with each of `signature`.
    pub fn samples(signature: impl IntoIterator<Item = SignatureError>) -> Vec<AuthError> {
        let s = || String::from("x");
        let mut all = vec![
            AuthError::Missing,
            AuthError::BadCredentials,
            AuthError::BadToken,
            AuthError::UnknownAccessKey,
            AuthError::Forbidden(s()),
            AuthError::BadScope,
            AuthError::Store(CoreError::Internal(s())),
        ];
        all.extend(signature.into_iter().map(AuthError::BadSignature));
        all
    }
}

/// Who a request acts for.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: User,
    /// The project a token is scoped to; `None` for signed requests, which
    /// name their project per call.
    pub scoped_project: Option<String>,
}

/// A freshly issued token: the secret goes to the caller once.
pub struct IssuedToken {
    pub token: String,
    pub record: TokenRecord,
    pub user: User,
    pub project: Project,
    pub domain: Domain,
}

/// Who to log in: by id, or by name within a domain (given by id or name).
pub struct Login<'a> {
    pub user_id: Option<&'a str>,
    pub user_name: Option<&'a str>,
    pub domain: Option<&'a str>,
    pub password: &'a str,
}

/// Which project to scope to: by id, or by name within a domain.
pub struct Scope<'a> {
    pub project_id: Option<&'a str>,
    pub project_name: Option<&'a str>,
    pub domain: Option<&'a str>,
}

/// The credentials made at first start, printed and written to endpoints.json.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct BootstrapCredentials {
    pub domain: String,
    pub domain_id: String,
    pub user: String,
    pub password: String,
    pub project: String,
    pub project_id: String,
    pub access_key: String,
    pub secret_key: String,
    /// A bearer API key (Zilliz dialect) for the same user and project.
    pub api_key: String,
}

pub struct Identity {
    store: Arc<dyn Store>,
    secrets: Arc<Secrets>,
    token_ttl_ms: i64,
    max_skew: chrono::Duration,
    nonces_per_key: u32,
    cache: IdentityCache,
}

/// How many unexpired Alibaba nonces one access key may have at most: with the 15-minute window
/// that is over 10 signed requests a second, sustained, per key. A key over it is refused
/// (`TooManyNonces`) while every other key goes on: the bound is per key, so one tenant cannot fill
/// a shared memory and lock everyone out.
pub const NONCES_PER_KEY: u32 = 10_000;

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 hashing cannot fail").to_string()
}

fn password_matches(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

fn random_alnum(len: usize, upper_only: bool) -> String {
    const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const MIXED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let set = if upper_only { UPPER } else { MIXED };
    let mut rng = rand::thread_rng();
    (0..len).map(|_| set[rng.gen_range(0..set.len())] as char).collect()
}

/// Loads the master key, creating it (0600) on first start.
pub fn load_master_key(path: &Path) -> anyhow::Result<Vec<u8>> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Ok(text) = std::fs::read_to_string(path) {
        return Ok(hex::decode(text.trim())?);
    }
    let mut key = vec![0u8; 32];
    rand::thread_rng().fill_bytes(&mut key);
    let mut f = std::fs::OpenOptions::new().create_new(true).write(true).mode(0o600).open(path)?;
    std::io::Write::write_all(&mut f, hex::encode(&key).as_bytes())?;
    f.sync_all()?;
    Ok(key)
}

impl Identity {
    pub fn new(store: Arc<dyn Store>, secrets: Arc<Secrets>, token_ttl_ms: i64) -> Self {
        Identity {
            store,
            secrets,
            token_ttl_ms,
            max_skew: chrono::Duration::minutes(15),
            nonces_per_key: NONCES_PER_KEY,
            cache: IdentityCache::default(),
        }
    }

    /// The same service with another per-key nonce bound (tests).
    pub fn with_nonces_per_key(mut self, n: u32) -> Self {
        self.nonces_per_key = n;
        self
    }

    /// The secret of an access key: HMAC(master key, access key ‖ salt ‖ block),
    /// two blocks mapped onto 40 alphanumerics, the length vendors' secrets have.
    pub fn derive_secret(&self, access_key: &str, salt: &str) -> String {
        self.secrets.derive(&[access_key, salt], 40)
    }

    async fn resolve_domain(&self, domain: Option<&str>) -> Result<Option<Domain>, AuthError> {
        match domain {
            Some(d) => Ok(self.store.find_domain(d).await?),
            None => Ok(None),
        }
    }

    /// Password login plus project scope → a new token.
    pub async fn issue_token(&self, login: &Login<'_>, scope: &Scope<'_>) -> Result<IssuedToken, AuthError> {
        let user = match (login.user_id, login.user_name) {
            (Some(id), _) => self.store.get_user(id).await?,
            (None, Some(name)) => match self.resolve_domain(login.domain).await? {
                Some(d) => self.store.find_user(&d.id, name).await?,
                None => None,
            },
            (None, None) => None,
        };
        // Hash even when the user is unknown, so timing does not reveal names.
        let phc = user.as_ref().map(|u| u.password_hash.clone()).unwrap_or_else(|| DUMMY_HASH.clone());
        let password = login.password.to_string();
        let ok = tokio::task::spawn_blocking(move || password_matches(&password, &phc)).await.unwrap_or(false);
        let user = match user {
            Some(u) if ok => u,
            _ => return Err(AuthError::BadCredentials),
        };
        let projects = self.store.user_projects(&user.id).await?;
        let project = match (scope.project_id, scope.project_name) {
            (Some(id), _) => projects.into_iter().find(|p| p.id == id),
            (None, Some(name)) => {
                let domain = match scope.domain {
                    Some(d) => self.resolve_domain(Some(d)).await?.map(|d| d.id),
                    None => Some(user.domain_id.clone()),
                };
                projects.into_iter().find(|p| p.name == name && Some(&p.domain_id) == domain.as_ref())
            }
            // Unscoped: the user's first project, as a default project would be.
            (None, None) => projects.into_iter().next(),
        }
        .ok_or(AuthError::BadScope)?;
        let domain = self
            .store
            .find_domain(&user.domain_id)
            .await?
            .ok_or_else(|| AuthError::Store(CoreError::Internal("user without domain".into())))?;
        let token = format!("ST{}", random_alnum(62, false));
        let now = now_ms();
        let record = TokenRecord {
            user_id: user.id.clone(),
            project_id: project.id.clone(),
            issued_at: now,
            expires_at: now + self.token_ttl_ms,
        };
        self.store.insert_token(&sha256_hex(&token), &record).await?;
        Ok(IssuedToken { token, record, user, project, domain })
    }

    /// Resolves an `X-Auth-Token` (from memory once seen: a token never changes).
    pub async fn check_token(&self, token: &str) -> Result<(Principal, TokenRecord), AuthError> {
        self.cache.revalidate(self.store.as_ref()).await;
        let hash = sha256_hex(token);
        let (record, user) = match self.cache.token(&hash) {
            Some(hit) => hit,
            None => {
                let fill = self.cache.begin();
                let record = self.store.find_token(&hash).await?.ok_or(AuthError::BadToken)?;
                let user = self.store.get_user(&record.user_id).await?.ok_or(AuthError::BadToken)?;
                self.cache.put_token(fill, &hash, record.clone(), user.clone());
                (record, user)
            }
        };
        if record.expires_at <= now_ms() {
            return Err(AuthError::BadToken);
        }
        Ok((Principal { user, scoped_project: Some(record.project_id.clone()) }, record))
    }

    /// The projects a user is assigned to (from memory within `cache::RECHECK_MS`).
    async fn user_projects(&self, user_id: &str) -> Result<Vec<Project>, AuthError> {
        self.cache.revalidate(self.store.as_ref()).await;
        if let Some(hit) = self.cache.projects(user_id) {
            return Ok(hit);
        }
        let fill = self.cache.begin();
        let projects = self.store.user_projects(user_id).await?;
        self.cache.put_projects(fill, user_id, projects.clone());
        Ok(projects)
    }

    /// Verifies an AK/SK-signed request; an Alibaba request's signed nonce must not have been
    /// used by the same access key within the skew window (`SignatureError::Replayed`).
    pub async fn check_signature(&self, req: &WireRequest<'_>) -> Result<Principal, AuthError> {
        let claim = signature::parse_claim(req)?;
        self.cache.revalidate(self.store.as_ref()).await;
        let (key, user) = match self.cache.access_key(&claim.access_key) {
            Some(hit) => hit,
            None => {
                let fill = self.cache.begin();
                let key = self.store.find_access_key(&claim.access_key).await?.ok_or(AuthError::UnknownAccessKey)?;
                let user = self.store.get_user(&key.user_id).await?.ok_or(AuthError::UnknownAccessKey)?;
                self.cache.put_access_key(fill, key.clone(), user.clone());
                (key, user)
            }
        };
        let secret = self.derive_secret(&key.access_key, &key.salt);
        let now = Utc::now();
        signature::verify(req, &claim, secret.as_bytes(), now, self.max_skew)?;
        // Only a verified request records its nonce: an unsigned or forged one must not be able
        // to burn a nonce a legitimate request is about to use.
        // Replay protection: a nonce the key used is refused while its request could still pass
        // the date check; the store keeps them, so a restart of strato forgets none.
        if let Some(nonce) = signature::signed_nonce(req, &claim) {
            let expires = (signature::request_time(req, &claim.scheme)? + self.max_skew).timestamp_millis();
            match self.store.use_nonce(&key.access_key, nonce, now.timestamp_millis(), expires, self.nonces_per_key).await? {
                NonceUse::Fresh => {}
                NonceUse::Replayed => return Err(SignatureError::Replayed.into()),
                NonceUse::TooMany => return Err(SignatureError::TooManyNonces.into()),
            }
        }
        Ok(Principal { user, scoped_project: None })
    }

    /// Whether the principal may act in `project_id`.
    pub async fn authorize(&self, p: &Principal, project_id: &str) -> Result<(), AuthError> {
        let allowed = match &p.scoped_project {
            Some(scoped) => scoped == project_id,
            None => self.user_projects(&p.user.id).await?.iter().any(|x| x.id == project_id),
        };
        if allowed {
            Ok(())
        } else {
            Err(AuthError::Forbidden(project_id.to_string()))
        }
    }

    pub async fn projects_of(&self, p: &Principal) -> Result<Vec<Project>, AuthError> {
        let all = self.user_projects(&p.user.id).await?;
        Ok(match &p.scoped_project {
            Some(s) => all.into_iter().filter(|x| &x.id == s).collect(),
            None => all,
        })
    }

    // --- administration (strato admin, bootstrap)

    pub async fn create_domain(&self, name: &str) -> Result<Domain, AuthError> {
        let d = Domain { id: new_hex_id(), name: name.into() };
        self.store.create_domain(&d).await?;
        Ok(d)
    }

    pub async fn create_project(&self, domain_id: &str, name: &str) -> Result<Project, AuthError> {
        let p = Project { id: new_hex_id(), domain_id: domain_id.into(), name: name.into() };
        self.store.create_project(&p).await?;
        Ok(p)
    }

    pub async fn create_user(&self, domain_id: &str, name: &str, password: &str) -> Result<User, AuthError> {
        let password = password.to_string();
        let password_hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| AuthError::Store(CoreError::Internal(e.to_string())))?;
        let u = User { id: new_hex_id(), domain_id: domain_id.into(), name: name.into(), password_hash };
        self.store.create_user(&u).await?;
        Ok(u)
    }

    /// A new access key for a user; the secret is returned once, never stored.
    pub async fn create_access_key(&self, user_id: &str, description: &str) -> Result<(AccessKey, String), AuthError> {
        let key = AccessKey {
            access_key: random_alnum(20, true),
            user_id: user_id.into(),
            salt: random_alnum(16, false),
            description: description.into(),
            created_at: now_ms(),
        };
        self.store.insert_access_key(&key).await?;
        let secret = self.derive_secret(&key.access_key, &key.salt);
        Ok((key, secret))
    }

    /// A new bearer API key acting for `user_id` in `project_id` (the user must
    /// be assigned to it). The secret is returned once; only its SHA-256 is stored.
    pub async fn create_api_key(&self, user_id: &str, project_id: &str, name: &str) -> Result<(ApiKey, String), AuthError> {
        if !self.store.user_projects(user_id).await?.iter().any(|p| p.id == project_id) {
            return Err(AuthError::Forbidden(project_id.to_string()));
        }
        let secret = format!("sk-strato-{}", random_alnum(48, false));
        let key = ApiKey {
            id: new_hex_id(),
            user_id: user_id.into(),
            project_id: project_id.into(),
            name: name.into(),
            created_at: now_ms(),
        };
        self.store.insert_api_key(&key, &sha256_hex(&secret)).await?;
        Ok((key, secret))
    }

    /// Resolves an `Authorization: Bearer <API key>`; the principal is scoped
    /// to the key's project, and loses it if the user is unassigned from it.
    pub async fn check_api_key(&self, secret: &str) -> Result<Principal, AuthError> {
        self.cache.revalidate(self.store.as_ref()).await;
        let hash = sha256_hex(secret);
        if let Some(hit) = self.cache.api_key(&hash) {
            return Ok(hit);
        }
        let fill = self.cache.begin();
        let key = self.store.find_api_key(&hash).await?.ok_or(AuthError::BadToken)?;
        let user = self.store.get_user(&key.user_id).await?.ok_or(AuthError::BadToken)?;
        if !self.store.user_projects(&user.id).await?.iter().any(|p| p.id == key.project_id) {
            return Err(AuthError::BadToken);
        }
        let principal = Principal { user, scoped_project: Some(key.project_id) };
        self.cache.put_api_key(fill, &hash, principal.clone());
        Ok(principal)
    }

    /// Makes the development domain, user, project and access key when the
    /// store has no user yet. Returns None when there was nothing to do.
    pub async fn bootstrap(
        &self,
        domain: &str,
        user: &str,
        password: Option<&str>,
        project: &str,
    ) -> Result<Option<BootstrapCredentials>, AuthError> {
        if self.store.count_users().await? > 0 {
            return Ok(None);
        }
        let password = password.map(str::to_string).unwrap_or_else(|| format!("St{}1!", random_alnum(14, false)));
        let d = self.create_domain(domain).await?;
        let p = self.create_project(&d.id, project).await?;
        let u = self.create_user(&d.id, user, &password).await?;
        self.store.assign(&u.id, &p.id).await?;
        self.store.grant_admin(&u.id).await?;
        let (key, secret) = self.create_access_key(&u.id, "bootstrap").await?;
        let (_, api_key) = self.create_api_key(&u.id, &p.id, "bootstrap").await?;
        Ok(Some(BootstrapCredentials {
            domain: d.name,
            domain_id: d.id,
            user: u.name,
            password,
            project: p.name,
            project_id: p.id,
            access_key: key.access_key,
            secret_key: secret,
            api_key,
        }))
    }

    /// Whether the principal may use strato's admin surface (`/_strato/`).
    pub async fn is_admin(&self, p: &Principal) -> Result<bool, AuthError> {
        Ok(self.store.is_admin(&p.user.id).await?)
    }

    /// Makes the bootstrap user an admin in a store made before admins existed.
    pub async fn ensure_admin(&self, domain: &str, user: &str) -> Result<(), AuthError> {
        if self.store.count_admins().await? > 0 {
            return Ok(());
        }
        if let Some(d) = self.store.find_domain(domain).await? {
            if let Some(u) = self.store.find_user(&d.id, user).await? {
                self.store.grant_admin(&u.id).await?;
            }
        }
        Ok(())
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }
}

static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| hash_password("not a real password"));

pub fn token_expiry_iso(ms: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_hashes_verify_only_their_password() {
        let h = hash_password("Secret-Passw0rd");
        assert!(h.starts_with("$argon2"));
        assert!(password_matches("Secret-Passw0rd", &h));
        assert!(!password_matches("secret-passw0rd", &h));
    }

    // ------------------------------------------------------------ signed requests and replays

    use super::signature::{acs3_authorization, acs_v1_authorization, huawei_authorization};
    use crate::store::sqlite::SqliteStore;

    struct Fixture {
        _dir: tempfile::TempDir,
        identity: Identity,
        /// Two access keys of one user, with their secrets.
        keys: [(String, String); 2],
    }

    async fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.path().join("strato.db")).await.unwrap());
        let identity = Identity::new(store, Arc::new(Secrets::new(vec![7; 32])), 60_000);
        let d = identity.create_domain("d").await.unwrap();
        let u = identity.create_user(&d.id, "u", "Passw0rd!").await.unwrap();
        let (k1, s1) = identity.create_access_key(&u.id, "one").await.unwrap();
        let (k2, s2) = identity.create_access_key(&u.id, "two").await.unwrap();
        Fixture { _dir: dir, identity, keys: [(k1.access_key, s1), (k2.access_key, s2)] }
    }

    /// A signed request: method, target, headers (Authorization included).
    struct Signed {
        target: String,
        headers: Vec<(String, String)>,
    }

    impl Signed {
        fn wire(&self) -> WireRequest<'_> {
            WireRequest { method: "GET", target: &self.target, headers: &self.headers, body: b"" }
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    fn sign(target: &str, mut headers: Vec<(String, String)>, authorize: impl Fn(&WireRequest) -> String) -> Signed {
        let auth = authorize(&WireRequest { method: "GET", target, headers: &headers, body: b"" });
        headers.push(("authorization".into(), auth));
        Signed { target: target.into(), headers }
    }

    /// What alibabacloud-tea-openapi sends by default, signed now.
    fn acs3(key: &(String, String), nonce: &str) -> Signed {
        let date = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let empty = sha256_hex("");
        let h = headers(&[
            ("host", "127.0.0.1:9000"),
            ("x-acs-action", "ListInstance"),
            ("x-acs-version", "2017-06-13"),
            ("x-acs-date", &date),
            ("x-acs-signature-nonce", nonce),
            ("x-acs-content-sha256", &empty),
        ]);
        let signed: Vec<String> =
            ["host", "x-acs-action", "x-acs-content-sha256", "x-acs-date", "x-acs-signature-nonce", "x-acs-version"]
                .map(String::from)
                .to_vec();
        sign("/openapi/instances?page=1", h, |r| acs3_authorization(r, &key.0, key.1.as_bytes(), &signed).unwrap())
    }

    /// What the same SDK sends with `signature_algorithm='v2'`, signed now.
    fn acs_v1(key: &(String, String), nonce: &str) -> Signed {
        let date = Utc::now().format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        let h = headers(&[
            ("date", &date),
            ("host", "127.0.0.1:9000"),
            ("accept", "application/json"),
            ("x-acs-signature-nonce", nonce),
            ("x-acs-signature-method", "HMAC-SHA1"),
            ("x-acs-signature-version", "1.0"),
            ("x-acs-version", "2017-06-13"),
            ("x-acs-action", "ListInstance"),
        ]);
        sign("/openapi/instances?page=1", h, |r| acs_v1_authorization(r, &key.0, key.1.as_bytes()))
    }

    fn is_replay(result: &Result<Principal, AuthError>) -> bool {
        matches!(result, Err(AuthError::BadSignature(SignatureError::Replayed)))
    }

    #[tokio::test]
    async fn acs3_nonce_cannot_be_replayed() {
        let f = fixture().await;
        let first = acs3(&f.keys[0], "0123456789abcdef0123456789abcdef");
        f.identity.check_signature(&first.wire()).await.unwrap();
        let again = f.identity.check_signature(&first.wire()).await;
        assert!(is_replay(&again), "{again:?}");
        assert_eq!(
            again.unwrap_err().to_string(),
            "signature rejected: the request nonce was already used"
        );
        // A new nonce is a new request, and nonces are per access key.
        f.identity.check_signature(&acs3(&f.keys[0], "fedcba9876543210fedcba9876543210").wire()).await.unwrap();
        f.identity.check_signature(&acs3(&f.keys[1], "0123456789abcdef0123456789abcdef").wire()).await.unwrap();
    }

    #[tokio::test]
    async fn acs_v1_nonce_cannot_be_replayed() {
        let f = fixture().await;
        let first = acs_v1(&f.keys[0], "6c51fb56d17db84b1ccbc01559da20c3");
        f.identity.check_signature(&first.wire()).await.unwrap();
        let again = f.identity.check_signature(&first.wire()).await;
        assert!(is_replay(&again), "{again:?}");
        f.identity.check_signature(&acs_v1(&f.keys[0], "6c51fb56d17db84b1ccbc01559da20c4").wire()).await.unwrap();
        // One nonce space per key, whichever Alibaba scheme signed it.
        let cross = f.identity.check_signature(&acs3(&f.keys[0], "6c51fb56d17db84b1ccbc01559da20c3").wire()).await;
        assert!(is_replay(&cross), "{cross:?}");
    }

    #[tokio::test]
    async fn a_refused_request_burns_no_nonce() {
        let f = fixture().await;
        let nonce = "00112233445566778899aabbccddeeff";
        let wrong = (f.keys[0].0.clone(), "not the secret".to_string());
        for forged in [acs3(&wrong, nonce), acs_v1(&wrong, nonce)] {
            let result = f.identity.check_signature(&forged.wire()).await;
            assert!(matches!(result, Err(AuthError::BadSignature(SignatureError::Mismatch))), "{result:?}");
        }
        f.identity.check_signature(&acs3(&f.keys[0], nonce).wire()).await.unwrap();
    }

    #[tokio::test]
    async fn huawei_requests_are_not_nonce_checked() {
        let f = fixture().await;
        let date = Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
        let h = headers(&[("host", "127.0.0.1:9000"), ("x-sdk-date", &date)]);
        let signed: Vec<String> = ["host", "x-sdk-date"].map(String::from).to_vec();
        let key = &f.keys[0];
        let req = sign("/v1.0/p/clusters", h, |r| huawei_authorization(r, &key.0, key.1.as_bytes(), &signed));
        f.identity.check_signature(&req.wire()).await.unwrap();
        f.identity.check_signature(&req.wire()).await.unwrap();
    }

    #[tokio::test]
    async fn nonces_live_for_their_window_and_are_bounded_per_key() {
        let f = fixture().await;
        let store = f.identity.store();
        let (t0, window) = (1_000_000i64, 900_000i64);
        assert_eq!(store.use_nonce("AK", "n1", t0, t0 + window, 2).await.unwrap(), NonceUse::Fresh);
        assert_eq!(store.use_nonce("AK", "n1", t0, t0 + window, 2).await.unwrap(), NonceUse::Replayed);
        // Live up to and including the end of its window, free again after it.
        assert_eq!(store.use_nonce("AK", "n1", t0 + window, t0 + 2 * window, 2).await.unwrap(), NonceUse::Replayed);
        let later = t0 + window + 1;
        assert_eq!(store.use_nonce("AK", "n1", later, later + window, 2).await.unwrap(), NonceUse::Fresh);
        assert_eq!(store.use_nonce("AK", "n2", later, later + window, 2).await.unwrap(), NonceUse::Fresh);
        // This key is full: its new nonces are refused, not let through...
        assert_eq!(store.use_nonce("AK", "n3", later, later + window, 2).await.unwrap(), NonceUse::TooMany);
        // ... and every other key goes on.
        assert_eq!(store.use_nonce("AK2", "n3", later, later + window, 2).await.unwrap(), NonceUse::Fresh);
        // Once they expire the key takes new ones, and pruning forgets them.
        let much_later = later + 2 * window;
        assert_eq!(store.use_nonce("AK", "n3", much_later, much_later + window, 2).await.unwrap(), NonceUse::Fresh);
        assert_eq!(store.prune_nonces(much_later).await.unwrap(), 1, "AK2's n3 has expired");
    }

    #[tokio::test]
    async fn a_key_over_its_nonce_bound_does_not_lock_out_another() {
        let f = fixture().await;
        let Fixture { identity, keys, _dir } = f;
        let identity = identity.with_nonces_per_key(2);
        identity.check_signature(&acs3(&keys[0], "a0000000000000000000000000000000").wire()).await.unwrap();
        identity.check_signature(&acs3(&keys[0], "a0000000000000000000000000000001").wire()).await.unwrap();
        let full = identity.check_signature(&acs3(&keys[0], "a0000000000000000000000000000002").wire()).await;
        assert!(matches!(full, Err(AuthError::BadSignature(SignatureError::TooManyNonces))), "{full:?}");
        identity.check_signature(&acs3(&keys[1], "a0000000000000000000000000000002").wire()).await.unwrap();
    }

    #[tokio::test]
    async fn used_nonces_survive_a_restart() {
        let f = fixture().await;
        let first = acs3(&f.keys[0], "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e");
        f.identity.check_signature(&first.wire()).await.unwrap();
        // A new server on the same store.
        let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&f._dir.path().join("strato.db")).await.unwrap());
        let restarted = Identity::new(store, Arc::new(Secrets::new(vec![7; 32])), 60_000);
        let again = restarted.check_signature(&first.wire()).await;
        assert!(is_replay(&again), "{again:?}");
    }

    #[tokio::test]
    async fn alibaba_requests_must_carry_a_signed_nonce() {
        let f = fixture().await;
        let key = &f.keys[0];
        let date = Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let empty = sha256_hex("");
        // The nonce is sent but left out of SignedHeaders: it could be swapped freely.
        let h = headers(&[("host", "127.0.0.1:9000"), ("x-acs-date", &date), ("x-acs-signature-nonce", "n-1"), ("x-acs-content-sha256", &empty)]);
        let signed: Vec<String> = ["host", "x-acs-content-sha256", "x-acs-date"].map(String::from).to_vec();
        let unsigned = sign("/openapi/instances", h, |r| acs3_authorization(r, &key.0, key.1.as_bytes(), &signed).unwrap());
        let r = f.identity.check_signature(&unsigned.wire()).await;
        assert!(matches!(r, Err(AuthError::BadSignature(SignatureError::HeaderNotSigned("x-acs-signature-nonce")))), "{r:?}");
        // No nonce at all.
        let h = headers(&[("host", "127.0.0.1:9000"), ("x-acs-date", &date), ("x-acs-content-sha256", &empty)]);
        let none = sign("/openapi/instances", h, |r| acs3_authorization(r, &key.0, key.1.as_bytes(), &signed).unwrap());
        let r = f.identity.check_signature(&none.wire()).await;
        assert!(matches!(r, Err(AuthError::BadSignature(SignatureError::MissingNonce))), "{r:?}");
        let mut v1 = acs_v1(key, "x");
        v1.headers.retain(|(n, _)| n != "x-acs-signature-nonce" && n != "authorization");
        let v1 = sign(&v1.target.clone(), v1.headers, |r| acs_v1_authorization(r, &key.0, key.1.as_bytes()));
        let r = f.identity.check_signature(&v1.wire()).await;
        assert!(matches!(r, Err(AuthError::BadSignature(SignatureError::MissingNonce))), "{r:?}");
    }
}
