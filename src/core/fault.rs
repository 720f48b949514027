//! Fault rules: what a test suite asks strato to break on purpose (an API
//! error, added latency, a failing job step, a killed or frozen node), and
//! which requests and jobs a rule applies to. Pure data and matching; the
//! registry that fires rules lives in `crate::faults`.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::cluster::{ClusterSpec, Product};
use super::vector::Offering;
use super::job::JobKind;

/// What a rule injects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// The request is refused in the dialect's envelope with this HTTP status
    /// (4xx or 5xx; Zilliz also 200, as it answers request errors) and code.
    ApiError {
        status: u16,
        code: String,
        #[serde(default)]
        message: Option<String>,
    },
    /// The request waits this long before it is handled.
    Latency { ms: u64 },
    /// The job the operation started fails at a step (the first one it runs,
    /// or step `step`) with this code (default: the product's failure code)
    /// and reason.
    StepFailure {
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        reason: Option<String>,
        #[serde(default)]
        step: Option<u32>,
    },
    /// A node's process is killed (SIGKILL), as if it crashed.
    KillNode {
        #[serde(default)]
        node: u32,
    },
    /// A node's process is frozen (SIGSTOP) for `seconds`, then continued:
    /// it stops answering without dying.
    FreezeNode {
        #[serde(default)]
        node: u32,
        seconds: u64,
    },
}

impl FaultAction {
    pub fn kind(&self) -> &'static str {
        match self {
            FaultAction::ApiError { .. } => "api_error",
            FaultAction::Latency { .. } => "latency",
            FaultAction::StepFailure { .. } => "step_failure",
            FaultAction::KillNode { .. } => "kill_node",
            FaultAction::FreezeNode { .. } => "freeze_node",
        }
    }

    /// Fires when a request arrives (as opposed to when a job runs a step).
    pub fn at_request(&self) -> bool {
        !matches!(self, FaultAction::StepFailure { .. })
    }

    /// Acts on a cluster's processes, so the rule must name a cluster.
    pub fn on_engine(&self) -> bool {
        matches!(self, FaultAction::KillNode { .. } | FaultAction::FreezeNode { .. })
    }
}

/// A rule as a user submits it (`POST /_strato/faults`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// `dws`, `css`, `zilliz`, `aliyun_elasticsearch`, `aliyun_logstash`.
    pub product: String,
    /// The dialect's operation name (`RestartCluster`, `UpdateInstance`); none: every operation.
    #[serde(default)]
    pub operation: Option<String>,
    #[serde(default)]
    pub project_id: Option<String>,
    /// The cluster's id as the dialect shows it.
    #[serde(default)]
    pub cluster_id: Option<String>,
    /// How many times it fires before it is spent; none: until deleted.
    #[serde(default)]
    pub count: Option<u32>,
    /// The chance that a matching request or step fires it (default 1).
    #[serde(default)]
    pub probability: Option<f64>,
    pub fault: FaultAction,
}

/// A validated rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FaultRule {
    pub id: Uuid,
    pub product: Product,
    pub operation: Option<String>,
    pub project_id: Option<String>,
    /// The dialect's spelling, as given.
    pub cluster_id: Option<String>,
    /// The cluster behind it.
    #[serde(skip)]
    pub cluster: Option<Uuid>,
    pub count: Option<u32>,
    pub probability: f64,
    pub fault: FaultAction,
}

/// Where a rule might fire: a request for an operation, or a job's step.
#[derive(Debug, Clone, Copy)]
pub struct Site<'a> {
    pub product: Product,
    pub operation: &'a str,
    pub project_id: Option<&'a str>,
    pub cluster: Option<Uuid>,
    /// The job's step index; None for a request.
    pub step: Option<u32>,
}

impl FaultSpec {
    pub fn validate(self) -> Result<FaultRule, String> {
        let product: Product = self.product.parse()?;
        let probability = self.probability.unwrap_or(1.0);
        if !(probability > 0.0 && probability <= 1.0) {
            return Err(format!("probability must be in (0, 1], got {probability}"));
        }
        if self.count == Some(0) {
            return Err("count must be at least 1 (omit it for a rule that fires until deleted)".into());
        }
        let cluster = match &self.cluster_id {
            Some(s) => Some(parse_cluster_id(s).ok_or_else(|| format!("cluster_id `{s}` is not a cluster id"))?),
            None => None,
        };
        match &self.fault {
            FaultAction::ApiError { status, code, .. } => {
                // Zilliz answers its request errors with HTTP 200 and a code.
                let zilliz_style = product == Product::Zilliz && *status == 200;
                if !(400..=599).contains(status) && !zilliz_style {
                    return Err(format!("an api_error's status must be 4xx or 5xx (or 200 for Zilliz), got {status}"));
                }
                if code.trim().is_empty() {
                    return Err("an api_error needs the dialect's error code".into());
                }
                if product == Product::Zilliz && code.parse::<u32>().is_err() {
                    return Err(format!("Zilliz error codes are numbers, got `{code}`"));
                }
            }
            FaultAction::Latency { ms } if *ms > 120_000 => return Err("latency is at most 120000 ms".into()),
            FaultAction::FreezeNode { seconds, .. } if *seconds == 0 || *seconds > 3600 => {
                return Err("freeze_node's seconds must be 1..=3600".into())
            }
            _ => {}
        }
        if self.fault.on_engine() && cluster.is_none() {
            return Err(format!("a {} fault needs cluster_id", self.fault.kind()));
        }
        Ok(FaultRule {
            id: Uuid::new_v4(),
            product,
            operation: self.operation.filter(|o| !o.is_empty()),
            project_id: self.project_id,
            cluster_id: self.cluster_id,
            cluster,
            count: self.count,
            probability,
            fault: self.fault,
        })
    }
}

impl FaultRule {
    /// Whether the rule applies at `site` (before its probability is rolled).
    pub fn matches(&self, site: &Site) -> bool {
        let at_step = site.step.is_some();
        if self.fault.at_request() == at_step || self.product != site.product {
            return false;
        }
        if self.operation.as_deref().is_some_and(|o| !o.eq_ignore_ascii_case(site.operation)) {
            return false;
        }
        if self.project_id.as_deref().is_some_and(|p| Some(p) != site.project_id) {
            return false;
        }
        if self.cluster.is_some() && self.cluster != site.cluster {
            return false;
        }
        match (&self.fault, site.step) {
            (FaultAction::StepFailure { step: Some(want), .. }, Some(at)) => *want == at,
            _ => true,
        }
    }
}

/// The cluster behind any dialect's id: a UUID, or a prefix ending in `-`
/// followed by its 32 hex digits (`in01-…`, `es-cn-…`, `ls-cn-…`).
pub fn parse_cluster_id(s: &str) -> Option<Uuid> {
    if let Ok(id) = Uuid::try_parse(s) {
        return Some(id);
    }
    let (prefix, hex) = s.split_at_checked(s.len().checked_sub(32)?)?;
    if !prefix.ends_with('-') {
        return None;
    }
    Uuid::try_parse(hex).ok()
}

/// The operation of each product's API that starts a job of `kind` on a
/// cluster of `spec` (what a step-failure rule names). Jobs strato starts
/// itself keep strato's name.
pub fn job_operation(spec: &ClusterSpec, kind: JobKind, payload: &super::job::JobPayload) -> &'static str {
    use JobKind::*;
    use Product::*;
    let offering = match spec {
        ClusterSpec::Vector(v) => Some(v.offering),
        _ => None,
    };
    match (spec.product(), kind) {
        (_, RepairCluster) => "RepairCluster",
        (Zilliz, CreateCluster) => match offering {
            Some(Offering::Serverless) => "CreateServerlessCluster",
            Some(Offering::Free) => "CreateFreeCluster",
            _ => "CreateDedicatedCluster",
        },
        (Zilliz, StopCluster) => "SuspendCluster",
        (Zilliz, StartCluster) => "ResumeCluster",
        (Zilliz, ModifyCluster) => "ModifyCluster",
        (Zilliz, DeleteCluster) => "DropCluster",
        (AliyunElasticsearch, CreateCluster) => "CreateInstance",
        (AliyunElasticsearch, RestartCluster) => "RestartInstance",
        (AliyunElasticsearch, ChangeCluster) => "UpdateInstance",
        (AliyunElasticsearch, DeleteCluster) => "DeleteInstance",
        (AliyunLogstash, CreateCluster) => "CreateLogstash",
        (AliyunLogstash, RestartCluster) => "RestartLogstash",
        (AliyunLogstash, ChangeCluster) => "UpdateLogstash",
        (AliyunLogstash, DeleteCluster) => "DeleteLogstash",
        (_, CreateCluster) => "CreateCluster",
        (_, RestartCluster) => "RestartCluster",
        (_, StopCluster) => "StopCluster",
        (_, StartCluster) => "StartCluster",
        (_, DeleteCluster) => "DeleteCluster",
        (_, CreateSnapshot) => "CreateSnapshot",
        (_, RestoreCluster) => "RestoreCluster",
        (_, DeleteSnapshot) => "DeleteSnapshot",
        (_, ModifyCluster) => "ModifyCluster",
        (Dws, ChangeCluster) if payload.shrinks() => "ShrinkCluster",
        (Dws, ChangeCluster) => "ResizeCluster",
        (_, ChangeCluster) => "UpdateCluster",
        (_, ResetPassword) => "ResetPassword",
        (_, ApplySettings) => "ModifyClusterTimezone",
        (_, RenameCluster) => "ModifyClusterName",
        (_, ConfigureElb) => "AssociateElb",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(json: serde_json::Value) -> Result<FaultRule, String> {
        serde_json::from_value::<FaultSpec>(json).map_err(|e| e.to_string())?.validate()
    }

    fn site(product: Product, operation: &str, cluster: Option<Uuid>, step: Option<u32>) -> Site<'static> {
        let operation: &'static str = Box::leak(operation.to_string().into_boxed_str());
        Site { product, operation, project_id: Some("p1"), cluster, step }
    }

    #[test]
    fn rules_are_validated_before_they_are_armed() {
        let ok = spec(serde_json::json!({"product": "dws", "operation": "RestartCluster",
            "fault": {"type": "api_error", "status": 503, "code": "DWS.0001"}}));
        assert!(ok.is_ok(), "{ok:?}");
        for bad in [
            serde_json::json!({"product": "nope", "fault": {"type": "latency", "ms": 1}}),
            serde_json::json!({"product": "dws", "fault": {"type": "api_error", "status": 200, "code": "X"}}),
            serde_json::json!({"product": "zilliz", "fault": {"type": "api_error", "status": 500, "code": "DWS.1"}}),
            serde_json::json!({"product": "dws", "fault": {"type": "kill_node"}}),
            serde_json::json!({"product": "dws", "count": 0, "fault": {"type": "latency", "ms": 1}}),
            serde_json::json!({"product": "dws", "probability": 1.5, "fault": {"type": "latency", "ms": 1}}),
            serde_json::json!({"product": "dws", "cluster_id": "zz", "fault": {"type": "latency", "ms": 1}}),
            serde_json::json!({"product": "dws", "fault": {"type": "explode"}}),
            serde_json::json!({"product": "dws", "extra": 1, "fault": {"type": "latency", "ms": 1}}),
        ] {
            assert!(spec(bad.clone()).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_rule_matches_its_product_operation_cluster_and_moment() {
        let c = Uuid::new_v4();
        let api = spec(serde_json::json!({"product": "zilliz", "operation": "resumecluster",
            "cluster_id": format!("in01-{}", c.simple()), "fault": {"type": "api_error", "status": 500, "code": "96999"}}))
        .unwrap();
        assert!(api.matches(&site(Product::Zilliz, "ResumeCluster", Some(c), None)));
        assert!(!api.matches(&site(Product::Zilliz, "ResumeCluster", Some(c), Some(0))), "an api error never fires at a step");
        assert!(!api.matches(&site(Product::Zilliz, "SuspendCluster", Some(c), None)));
        assert!(!api.matches(&site(Product::Dws, "ResumeCluster", Some(c), None)));
        assert!(!api.matches(&site(Product::Zilliz, "ResumeCluster", Some(Uuid::new_v4()), None)));
        let step = spec(serde_json::json!({"product": "dws", "operation": "RestartCluster", "project_id": "p1",
            "fault": {"type": "step_failure", "step": 1}}))
        .unwrap();
        assert!(step.matches(&site(Product::Dws, "RestartCluster", None, Some(1))));
        assert!(!step.matches(&site(Product::Dws, "RestartCluster", None, Some(0))));
        assert!(!step.matches(&site(Product::Dws, "RestartCluster", None, None)));
    }

    #[test]
    fn every_dialect_s_cluster_id_leads_to_its_cluster() {
        let c = Uuid::new_v4();
        for s in [c.to_string(), format!("in01-{}", c.simple()), format!("es-cn-{}", c.simple())] {
            assert_eq!(parse_cluster_id(&s), Some(c), "{s}");
        }
        for s in ["", "x", &format!("in01{}", c.simple())] {
            assert_eq!(parse_cluster_id(s), None, "{s}");
        }
        use crate::core::search::{Datastore, SearchSpec};
        use crate::core::vector::{CuType, Plan, VectorSpec};
        let text = String::new;
        let search = ClusterSpec::Search(SearchSpec {
            product: Product::AliyunElasticsearch, name: text(), description: text(), datastore: Datastore::Elasticsearch,
            version: text(), node_count: 2, flavor: text(), disk_type: text(), disk_gb: 20, vpc_id: text(),
            subnet_id: text(), security_group_id: text(), availability_zone: text(), https: false, authority: false, tags: vec![], engine_settings: Default::default(), access: Default::default(), pipelines: Vec::new(), routes: Vec::new(), index_snapshots: Default::default(), dedicated: Vec::new(),
        });
        assert_eq!(job_operation(&search, JobKind::ChangeCluster, &Default::default()), "UpdateInstance");
        let vector = |offering| ClusterSpec::Vector(VectorSpec {
            name: text(), description: text(), region_id: text(), offering, plan: Plan::Standard,
            cu_type: CuType::PerformanceOptimized, cu_size: 1, labels: Default::default(), security_groups: vec![], autoscaling: Default::default(), project: None,
        });
        assert_eq!(job_operation(&vector(Offering::Dedicated), JobKind::StartCluster, &Default::default()), "ResumeCluster");
        assert_eq!(job_operation(&vector(Offering::Serverless), JobKind::CreateCluster, &Default::default()), "CreateServerlessCluster");
    }
}
