//! Encoding core views as DWS JSON, and the one place where strato's states
//! become DWS's status / sub_status / task_status vocabulary.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::ClusterView;
use crate::core::cluster::{Lifecycle, Node, PublicIp, Tag};
use crate::core::iso;
use crate::core::job::{Job, JobKind, JobState};
use crate::core::node_types::NodeType;
use crate::app::SnapshotView;
use crate::core::snapshot::SnapshotStatus;
use crate::core::status::{Health, NodeHealth};
use crate::engine::postgres::DEFAULT_DATABASE;

/// (status, sub_status, task_status) for a cluster.
pub fn vocabulary(v: &ClusterView) -> (&'static str, Option<&'static str>, Option<&'static str>) {
    let task = v.active_job.as_ref().and_then(|j| task_status(j.kind));
    let (status, sub) = match v.cluster.lifecycle {
        Lifecycle::Creating => ("CREATING", None),
        Lifecycle::CreateFailed => ("CREATION FAILED", None),
        Lifecycle::Deleting => ("DELETING", None),
        Lifecycle::Deleted => ("DELETED", None),
        Lifecycle::Stopped => match v.health {
            Health::Stopped => ("STOPPED", None),
            Health::Normal | Health::Degraded | Health::Unavailable => ("UNAVAILABLE", None),
        },
        Lifecycle::Running => match v.health {
            Health::Normal => ("AVAILABLE", Some("NORMAL")),
            Health::Degraded => ("AVAILABLE", Some("DEGRADED")),
            Health::Unavailable | Health::Stopped => ("UNAVAILABLE", None),
        },
    };
    (status, sub, task)
}

/// task_status while a job runs; `None` for jobs that are not user tasks.
fn task_status(kind: JobKind) -> Option<&'static str> {
    match kind {
        JobKind::RestartCluster => Some("REBOOTING"),
        JobKind::StopCluster => Some("STOPPING"),
        JobKind::StartCluster => Some("STARTING"),
        JobKind::CreateSnapshot => Some("SNAPSHOTTING"),
        JobKind::RestoreCluster => Some("RESTORING"),
        JobKind::ModifyCluster | JobKind::ChangeCluster => Some("RESIZING"),
        JobKind::CreateCluster | JobKind::DeleteCluster | JobKind::RepairCluster | JobKind::DeleteSnapshot => None,
    }
}

fn action_progress(v: &ClusterView) -> BTreeMap<&'static str, String> {
    let Some(job) = &v.active_job else { return BTreeMap::new() };
    let name = match job.kind {
        JobKind::CreateCluster => "CREATING",
        JobKind::RestartCluster => "REBOOTING",
        JobKind::StopCluster => "STOPPING",
        JobKind::StartCluster => "STARTING",
        JobKind::DeleteCluster => "DELETING",
        JobKind::CreateSnapshot => "SNAPSHOTTING",
        JobKind::RestoreCluster => "RESTORING",
        JobKind::ModifyCluster | JobKind::ChangeCluster => "RESIZING",
        JobKind::RepairCluster | JobKind::DeleteSnapshot => return BTreeMap::new(),
    };
    BTreeMap::from([(name, format!("{}%", job.progress_percent()))])
}

fn node_status(h: NodeHealth, lifecycle: Lifecycle) -> &'static str {
    match (h, lifecycle) {
        (NodeHealth::Ready, _) => "200",
        (NodeHealth::Starting | NodeHealth::Unknown, _) | (NodeHealth::Down, Lifecycle::Creating) => "100",
        (NodeHealth::Down, _) => "300",
    }
}

/// A cluster as `GET /v1.0/{pid}/clusters/{id}` (and the list) shows it:
/// every field the SDKs' response models declare.
#[derive(Debug, Serialize)]
pub struct ClusterBody<'a> {
    id: Uuid,
    name: &'a str,
    status: &'static str,
    sub_status: Option<&'static str>,
    task_status: Option<&'static str>,
    action_progress: BTreeMap<&'static str, String>,
    version: &'static str,
    created: String,
    updated: String,
    port: u16,
    endpoints: Vec<Endpoint>,
    public_endpoints: Vec<PublicEndpoint>,
    nodes: Vec<NodeBody>,
    private_ip: Vec<String>,
    number_of_node: u32,
    number_of_cn: u32,
    node_type: &'a str,
    node_type_id: &'static str,
    availability_zone: &'a str,
    region: &'a str,
    vpc_id: &'a str,
    subnet_id: &'a str,
    security_group_id: &'a str,
    user_name: &'a str,
    public_ip: &'a PublicIp,
    recent_event: usize,
    tags: &'a [Tag],
    enterprise_project_id: &'a str,
    maintain_window: MaintainWindow,
    parameter_group: ParameterGroup,
    failed_reasons: Option<FailedReasons<'a>>,
}

/// `{"cluster": {...}}`.
#[derive(Debug, Serialize)]
pub struct OneCluster<'a> {
    pub cluster: ClusterBody<'a>,
}

/// `{"clusters": [...], "count": n}`.
#[derive(Debug, Serialize)]
pub struct ClusterList<'a> {
    pub clusters: Vec<ClusterBody<'a>>,
    pub count: usize,
}

#[derive(Debug, Serialize)]
struct Endpoint {
    connect_info: String,
    jdbc_url: String,
}

#[derive(Debug, Serialize)]
struct PublicEndpoint {
    public_connect_info: String,
    jdbc_url: String,
}

#[derive(Debug, Serialize)]
struct NodeBody {
    id: Uuid,
    name: String,
    status: &'static str,
}

#[derive(Debug, Serialize)]
struct MaintainWindow {
    day: &'static str,
    start_time: &'static str,
    end_time: &'static str,
}

#[derive(Debug, Serialize)]
struct ParameterGroup {
    id: &'static str,
    name: &'static str,
    status: &'static str,
}

#[derive(Debug, Serialize)]
struct FailedReasons<'a> {
    error_code: &'a str,
    error_msg: &'a str,
}

fn jdbc_url(n: &Node) -> String {
    format!("jdbc:postgresql://{}:{}/{DEFAULT_DATABASE}", n.address, n.port)
}

pub fn cluster<'a>(v: &'a ClusterView, region: &'a str) -> ClusterBody<'a> {
    let c = &v.cluster;
    let s = c.spec.warehouse().expect("the DWS dialect sees warehouse clusters only (App::cluster filters by engine)");
    let (status, sub_status, task_status) = vocabulary(v);
    let connect = |n: &Node| format!("{}:{}", n.address, n.port);
    let public_endpoints = v
        .nodes
        .first()
        .filter(|_| s.public_ip.public_bind_type != "not_use")
        .map(|(n, _)| PublicEndpoint { public_connect_info: connect(n), jdbc_url: jdbc_url(n) })
        .into_iter()
        .collect();
    ClusterBody {
        id: c.id,
        name: &s.name,
        status,
        sub_status,
        task_status,
        action_progress: action_progress(v),
        version: "1.1.0",
        created: iso(c.created_at),
        updated: iso(c.updated_at),
        port: s.port,
        endpoints: v.nodes.iter().map(|(n, _)| Endpoint { connect_info: connect(n), jdbc_url: jdbc_url(n) }).collect(),
        public_endpoints,
        nodes: v.nodes.iter().map(|(n, h)| NodeBody { id: n.id, name: n.name(&s.name), status: node_status(*h, c.lifecycle) }).collect(),
        private_ip: v.nodes.iter().map(|(n, _)| n.address.to_string()).collect(),
        number_of_node: s.number_of_node,
        number_of_cn: s.number_of_cn,
        node_type: &s.node_type,
        node_type_id: crate::core::node_types::find(&s.node_type).map(|t| t.id).unwrap_or_default(),
        availability_zone: &s.availability_zone,
        region,
        vpc_id: &s.vpc_id,
        subnet_id: &s.subnet_id,
        security_group_id: &s.security_group_id,
        user_name: &s.user_name,
        public_ip: &s.public_ip,
        recent_event: v.recent_events,
        tags: &s.tags,
        enterprise_project_id: &s.enterprise_project_id,
        maintain_window: MaintainWindow { day: "Wed", start_time: "22:00", end_time: "02:00" },
        parameter_group: ParameterGroup { id: "00000000-0000-0000-0000-000000000001", name: "Default-Parameter-Group-dws", status: "In-Sync" },
        failed_reasons: c.failure.as_ref().map(|f| FailedReasons { error_code: &f.code, error_msg: &f.message }),
    }
}

/// Job status vocabulary: INIT, WAITING, RUNNING, FAIL, SUCCESS.
pub fn job(j: &Job, now: i64) -> Value {
    let status = match j.state {
        JobState::Succeeded => "SUCCESS",
        JobState::Failed => "FAIL",
        JobState::Paused => "WAITING",
        JobState::Enqueued if j.is_running(now) || j.next_step > 0 => "RUNNING",
        JobState::Enqueued if j.started_at.is_some() => "WAITING",
        JobState::Enqueued => "INIT",
    };
    json!({
        "job_id": j.id,
        "job_name": j.kind.as_str(),
        "begin_time": j.started_at.map(iso),
        "end_time": j.finished_at.map(iso),
        "status": status,
        "progress": format!("{}%", j.progress_percent()),
        "failed_code": j.error.as_ref().filter(|_| j.state == JobState::Failed).map(|e| e.code.clone()),
        "failed_detail": j.error.as_ref().filter(|_| j.state == JobState::Failed).map(|e| e.message.clone()),
    })
}

fn detail(t: &NodeType) -> Value {
    json!([
        {"type": "vCPU", "value": t.vcpus.to_string()},
        {"type": t.disk_type, "value": t.disk_gb.to_string(), "unit": "GB"},
        {"type": "mem", "value": t.ram_gb.to_string(), "unit": "GB"},
    ])
}

/// `GET /v1.0/{pid}/node_types` as seed 004 shows it.
pub fn node_types_legacy(types: &[NodeType]) -> Value {
    json!({"node_types": types.iter().map(|t| json!({
        "spec_name": t.spec_name, "id": t.id, "detail": detail(t),
    })).collect::<Vec<_>>()})
}

/// `GET /v2/{pid}/node-types` as the SDKs read it.
pub fn node_types(types: &[NodeType], zones: &[String]) -> Value {
    json!({
        "node_types": types.iter().map(|t| json!({
            "spec_name": t.spec_name,
            "id": t.id,
            "datastore_type": "dws",
            "architecture": "x86",
            "available_zones": zones.iter().map(|z| json!({"code": z, "status": "normal"})).collect::<Vec<_>>(),
            "ram": t.ram_gb,
            "vcpus": t.vcpus,
            "datastores": [{"version": "8.1.3", "attachments": {"min_cn": 2, "max_cn": 20}}],
            "volume": {"type": t.disk_type, "size": t.disk_gb},
            "detail": detail(t),
        })).collect::<Vec<_>>(),
        "count": types.len(),
    })
}

/// Snapshot status vocabulary: CREATING, AVAILABLE, UNAVAILABLE (and DELETING
/// while its files go); RESTORING while a restore reads it.
pub fn snapshot(v: &SnapshotView) -> Value {
    let (s, restoring, progress) = (&v.snapshot, v.restoring, v.progress);
    let status = match s.status {
        SnapshotStatus::Creating => "CREATING",
        SnapshotStatus::Available if restoring => "RESTORING",
        SnapshotStatus::Available => "AVAILABLE",
        SnapshotStatus::Unavailable => "UNAVAILABLE",
        SnapshotStatus::Deleting => "DELETING",
        SnapshotStatus::Deleted => "DELETED",
    };
    json!({
        "id": s.id,
        "name": s.name,
        "description": s.description,
        "started": s.started_at.map(|t| format!("{}Z", iso(t))),
        "finished": s.finished_at.filter(|_| s.status != SnapshotStatus::Creating).map(|t| format!("{}Z", iso(t))),
        // GB, as DWS reports it.
        "size": (s.size_bytes as f64 / 1e9 * 1e6).round() / 1e6,
        "status": status,
        "type": s.kind.as_str(),
        "cluster_id": s.cluster_id,
        "cluster_name": s.source.name,
        "updated": s.finished_at.or(s.started_at).map(|t| format!("{}Z", iso(t))),
        "datastore": {"type": "dws", "version": "1.1.0"},
        "progress": progress.map(|p| format!("{p}%")),
        "failed_reasons": s.failure.as_ref().map(|f| json!({"error_code": f.code, "error_msg": f.message})),
    })
}
