//! The IAM listener's wire types: Keystone v3's token, version and project
//! bodies, strato's `/_strato/` admin bodies, and the error envelope. Each
//! derives its schema for the listener's OpenAPI document (`openapi.rs`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::core::fault::{FaultAction, FaultRule, FaultSpec};

// ---------------------------------------------------------------- Keystone

#[derive(Debug, Deserialize, ToSchema)]
pub struct NameOrId {
    pub id: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordUser {
    pub id: Option<String>,
    pub name: Option<String>,
    pub password: String,
    pub domain: Option<NameOrId>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ProjectScope {
    pub id: Option<String>,
    pub name: Option<String>,
    pub domain: Option<NameOrId>,
}

/// `POST /v3/auth/tokens`: password authentication, optionally project-scoped.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AuthRequest {
    pub auth: AuthInner,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AuthInner {
    pub identity: IdentityBody,
    pub scope: Option<ScopeBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct IdentityBody {
    /// Must include `password`.
    pub methods: Vec<String>,
    pub password: Option<PasswordBody>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordBody {
    pub user: PasswordUser,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ScopeBody {
    pub project: Option<ProjectScope>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Named {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenUser {
    pub id: String,
    pub name: String,
    pub domain: Named,
    pub password_expires_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenProject {
    pub id: String,
    pub name: String,
    pub domain: Named,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogEndpoint {
    pub id: String,
    pub interface: String,
    pub region: String,
    pub region_id: String,
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CatalogEntry {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub endpoints: Vec<CatalogEndpoint>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Token {
    pub methods: Vec<String>,
    pub expires_at: String,
    pub issued_at: String,
    pub audit_ids: Vec<String>,
    pub user: TokenUser,
    pub project: TokenProject,
    pub roles: Vec<Named>,
    pub catalog: Vec<CatalogEntry>,
}

/// A token's body (the secret itself is in the `X-Subject-Token` header).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenBody {
    pub token: Token,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Link {
    pub rel: String,
    pub href: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MediaType {
    pub base: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Version {
    pub id: String,
    pub status: String,
    pub updated: String,
    pub links: Vec<Link>,
    #[serde(rename = "media-types")]
    pub media_types: Vec<MediaType>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VersionValues {
    pub values: Vec<Version>,
}

/// `GET /`: the identity API versions.
#[derive(Debug, Serialize, ToSchema)]
pub struct Versions {
    pub versions: VersionValues,
}

/// `GET /v3`.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionBody {
    pub version: Version,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectItem {
    pub id: String,
    pub name: String,
    pub domain_id: String,
    pub enabled: bool,
    pub is_domain: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PageLinks {
    #[serde(rename = "self")]
    pub this: Option<String>,
    pub next: Option<String>,
    pub previous: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProjectList {
    pub projects: Vec<ProjectItem>,
    pub links: PageLinks,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ProjectQuery {
    /// Only the project of this name.
    pub name: Option<String>,
}

/// Keystone's error envelope.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status, repeated.
    pub code: u16,
    pub message: String,
    /// The status's reason phrase (`Unauthorized`).
    pub title: String,
}

// ---------------------------------------------------------------- /_strato

#[derive(Debug, Serialize, ToSchema)]
pub struct ListenerHealth {
    pub url: String,
    pub ok: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StoreHealth {
    pub ok: bool,
    pub latency_ms: f64,
    pub error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EngineHealth {
    /// `postgres`, `milvus`, `elasticsearch`, `opensearch`, `logstash`.
    pub kind: String,
    pub installed: bool,
    pub version: Option<String>,
    /// `built-in PATH`, a binding `DRIVER:PATH`, or `none`.
    pub binding: String,
    /// A stand-in (osmem-server, syslog-ng), not a real distribution.
    pub stand_in: bool,
    /// Why it cannot run clusters, when it cannot.
    pub reason: Option<String>,
}

impl From<crate::app::EngineHealth> for EngineHealth {
    fn from(e: crate::app::EngineHealth) -> Self {
        EngineHealth {
            kind: e.kind.to_string(),
            installed: e.installed,
            version: e.version,
            binding: e.binding,
            stand_in: e.stand_in,
            reason: e.reason,
        }
    }
}

/// `GET /_strato/health`.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthBody {
    /// `ok` when every listener and the store answer; `degraded` otherwise.
    pub status: String,
    pub listeners: std::collections::BTreeMap<String, ListenerHealth>,
    pub store: StoreHealth,
    pub engines: Vec<EngineHealth>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointUrls {
    pub iam: String,
    pub dws: String,
    pub zilliz: String,
    pub css: String,
    pub aliyun: String,
}

impl From<crate::api::Endpoints> for EndpointUrls {
    fn from(e: crate::api::Endpoints) -> Self {
        EndpointUrls { iam: e.iam, dws: e.dws, zilliz: e.zilliz, css: e.css, aliyun: e.aliyun }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScriptRun {
    pub name: String,
    /// `pending`, `running`, `succeeded`, `failed`, `timed_out` or `skipped`.
    pub state: String,
    pub exit_code: Option<i32>,
    pub duration_ms: Option<u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InitReport {
    pub dir: String,
    /// Every script has ended (or was skipped).
    pub done: bool,
    pub scripts: Vec<ScriptRun>,
}

impl From<crate::init_scripts::InitReport> for InitReport {
    fn from(r: crate::init_scripts::InitReport) -> Self {
        let scripts = r
            .scripts
            .into_iter()
            .map(|s| ScriptRun { name: s.name, state: s.state.as_str().into(), exit_code: s.exit_code, duration_ms: s.duration_ms })
            .collect();
        InitReport { dir: r.dir.display().to_string(), done: r.done, scripts }
    }
}

/// `GET /_strato/info`.
#[derive(Debug, Serialize, ToSchema)]
pub struct InfoBody {
    pub version: String,
    pub data_dir: String,
    /// ISO 8601, UTC.
    pub started_at: String,
    pub uptime_secs: i64,
    pub region: String,
    pub endpoints: EndpointUrls,
    /// The `--init-dir` scripts; null without one.
    pub init: Option<InitReport>,
}

/// `POST /_strato/reset` (an empty body is `{}`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// Also forget every user, project, domain and key that is not an admin's.
    #[serde(default)]
    pub identity: bool,
}

/// What a reset removed.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetReport {
    pub clusters: usize,
    pub nodes_stopped: usize,
    pub snapshots: usize,
    pub faults: usize,
    pub identity: bool,
    pub duration_ms: u64,
}

impl From<crate::app::ResetReport> for ResetReport {
    fn from(r: crate::app::ResetReport) -> Self {
        ResetReport {
            clusters: r.clusters,
            nodes_stopped: r.nodes_stopped,
            snapshots: r.snapshots,
            faults: r.faults,
            identity: r.identity,
            duration_ms: r.duration_ms,
        }
    }
}

/// What a fault rule injects.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// The request is refused in the dialect's envelope with this HTTP status
    /// (4xx or 5xx; Zilliz also 200) and code, before its handler runs.
    ApiError {
        status: u16,
        code: String,
        #[serde(default)]
        message: Option<String>,
    },
    /// The request waits this long (at most 120000 ms) before it is handled.
    Latency { ms: u64 },
    /// The job the operation starts fails at a step (the first it runs, or
    /// `step`) with `code` (default: the product's failure code) and `reason`.
    StepFailure {
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        reason: Option<String>,
        #[serde(default)]
        step: Option<u32>,
    },
    /// Node `node` (0 is the first) is killed (SIGKILL); the health loop repairs it.
    KillNode {
        #[serde(default)]
        node: u32,
    },
    /// Node `node` is frozen (SIGSTOP) for `seconds` (1..=3600), then continued.
    FreezeNode {
        #[serde(default)]
        node: u32,
        seconds: u64,
    },
}

impl From<Fault> for FaultAction {
    fn from(f: Fault) -> Self {
        match f {
            Fault::ApiError { status, code, message } => FaultAction::ApiError { status, code, message },
            Fault::Latency { ms } => FaultAction::Latency { ms },
            Fault::StepFailure { code, reason, step } => FaultAction::StepFailure { code, reason, step },
            Fault::KillNode { node } => FaultAction::KillNode { node },
            Fault::FreezeNode { node, seconds } => FaultAction::FreezeNode { node, seconds },
        }
    }
}

impl From<FaultAction> for Fault {
    fn from(f: FaultAction) -> Self {
        match f {
            FaultAction::ApiError { status, code, message } => Fault::ApiError { status, code, message },
            FaultAction::Latency { ms } => Fault::Latency { ms },
            FaultAction::StepFailure { code, reason, step } => Fault::StepFailure { code, reason, step },
            FaultAction::KillNode { node } => Fault::KillNode { node },
            FaultAction::FreezeNode { node, seconds } => Fault::FreezeNode { node, seconds },
        }
    }
}

/// `POST /_strato/faults`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultRuleRequest {
    /// `dws`, `css`, `zilliz`, `aliyun_elasticsearch` or `aliyun_logstash`.
    pub product: String,
    /// The operation's id in that listener's OpenAPI document (`RestartCluster`,
    /// `UpdateInstance`); none: every operation.
    #[serde(default)]
    pub operation: Option<String>,
    #[serde(default)]
    pub project_id: Option<String>,
    /// The cluster's id as the dialect shows it (required for kill_node and freeze_node).
    #[serde(default)]
    pub cluster_id: Option<String>,
    /// Times it fires before it is spent; none: until deleted.
    #[serde(default)]
    pub count: Option<u32>,
    /// The chance a matching request or step fires it, in (0, 1] (default 1).
    #[serde(default)]
    pub probability: Option<f64>,
    pub fault: Fault,
}

impl From<FaultRuleRequest> for FaultSpec {
    fn from(r: FaultRuleRequest) -> Self {
        FaultSpec {
            product: r.product,
            operation: r.operation,
            project_id: r.project_id,
            cluster_id: r.cluster_id,
            count: r.count,
            probability: r.probability,
            fault: r.fault.into(),
        }
    }
}

/// An armed rule (or one that fired at once: `remaining` 0).
#[derive(Debug, Serialize, ToSchema)]
pub struct FaultRuleView {
    pub id: String,
    pub product: String,
    pub operation: Option<String>,
    pub project_id: Option<String>,
    pub cluster_id: Option<String>,
    pub count: Option<u32>,
    pub probability: f64,
    pub fault: Fault,
    /// Times left before it is spent; null: until deleted.
    pub remaining: Option<u32>,
    pub fired: u64,
}

impl FaultRuleView {
    pub fn new(rule: FaultRule, remaining: Option<u32>, fired: u64) -> Self {
        FaultRuleView {
            id: rule.id.to_string(),
            product: rule.product.as_str().into(),
            operation: rule.operation,
            project_id: rule.project_id,
            cluster_id: rule.cluster_id,
            count: rule.count,
            probability: rule.probability,
            fault: rule.fault.into(),
            remaining,
            fired,
        }
    }
}

impl From<crate::faults::Armed> for FaultRuleView {
    fn from(a: crate::faults::Armed) -> Self {
        FaultRuleView::new(a.rule, a.remaining, a.fired)
    }
}

/// `GET /_strato/faults`.
#[derive(Debug, Serialize, ToSchema)]
pub struct FaultList {
    pub faults: Vec<FaultRuleView>,
}

/// `DELETE /_strato/faults`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Cleared {
    pub removed: usize,
}
