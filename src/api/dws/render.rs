//! Building DWS wire types from core views, and the one place where strato's
//! states become DWS's status / sub_status / task_status vocabulary.

use std::collections::BTreeMap;

use super::wire::{self, ClusterStatus, JobStatus, NodeStatus, SnapshotStatus, SubStatus, TaskStatus};
use crate::app::{ClusterView, SnapshotView};
use crate::core::cluster::{FailedJob, Lifecycle, Node, WarehouseSpec, EIP_PORT_OFFSET, ELB_PORT_OFFSET};
use crate::core::parameters;
use crate::core::iso;
use crate::core::job::{Job, JobKind, JobState};
use crate::core::node_types::NodeType;
use crate::core::now_ms;
use crate::core::snapshot::{next_fire, Policy, SnapshotKind, SnapshotStatus as Stored};
use crate::core::status::{Health, NodeHealth};
use crate::engine::postgres::DEFAULT_DATABASE;

/// (status, sub_status, task_status) for a cluster.
pub fn vocabulary(v: &ClusterView) -> (ClusterStatus, Option<SubStatus>, Option<TaskStatus>) {
    let task = match &v.active_job {
        Some(j) => task_status(j),
        None => v.cluster.failure.as_ref().and_then(|f| f.job.as_ref()).and_then(task_failure),
    };
    let (status, sub) = match v.cluster.lifecycle {
        Lifecycle::Creating => (ClusterStatus::Creating, None),
        Lifecycle::CreateFailed => (ClusterStatus::CreationFailed, None),
        Lifecycle::Deleting => (ClusterStatus::Deleting, None),
        Lifecycle::Deleted => (ClusterStatus::Deleted, None),
        Lifecycle::Stopped => match v.health {
            Health::Stopped => (ClusterStatus::Stopped, None),
            Health::Normal | Health::Degraded | Health::Unavailable => (ClusterStatus::Unavailable, None),
        },
        Lifecycle::Running => match v.health {
            Health::Normal => (ClusterStatus::Available, Some(SubStatus::Normal)),
            Health::Degraded => (ClusterStatus::Available, Some(SubStatus::Degraded)),
            Health::Unavailable | Health::Stopped => (ClusterStatus::Unavailable, None),
        },
    };
    (status, sub, task)
}

/// task_status after a task failed, until the next one: what the providers'
/// wait loops read as the failure (`RESIZE_FAILURE`, ...).
fn task_failure(job: &FailedJob) -> Option<TaskStatus> {
    match job.kind {
        JobKind::RestartCluster => Some(TaskStatus::RebootFailure),
        JobKind::ChangeCluster if job.shrank() => Some(TaskStatus::ClusterShrinkFailed),
        JobKind::ChangeCluster => Some(TaskStatus::ResizeFailure),
        _ => None,
    }
}

/// task_status while a job runs; `None` for jobs that are not user tasks.
fn task_status(job: &Job) -> Option<TaskStatus> {
    match job.kind {
        JobKind::ChangeCluster if job.payload.shrinks() => Some(TaskStatus::ClusterShrinking),
        JobKind::ChangeCluster => Some(TaskStatus::Growing),
        JobKind::RestartCluster => Some(TaskStatus::Rebooting),
        JobKind::StopCluster => Some(TaskStatus::Stopping),
        JobKind::StartCluster => Some(TaskStatus::Starting),
        JobKind::CreateSnapshot => Some(TaskStatus::Snapshotting),
        JobKind::RestoreCluster => Some(TaskStatus::Restoring),
        JobKind::ModifyCluster => Some(TaskStatus::Resizing),
        JobKind::ApplySettings => Some(TaskStatus::SettingConfiguration),
        // A password reset is one statement: no task name of its own.
        JobKind::CreateCluster | JobKind::DeleteCluster | JobKind::RepairCluster | JobKind::DeleteSnapshot | JobKind::ResetPassword | JobKind::RenameCluster | JobKind::ConfigureElb => {
            None
        }
    }
}

fn action_progress(v: &ClusterView) -> BTreeMap<String, String> {
    let Some(job) = &v.active_job else { return BTreeMap::new() };
    let name = match job.kind {
        JobKind::CreateCluster => "CREATING",
        JobKind::RestartCluster => "REBOOTING",
        JobKind::StopCluster => "STOPPING",
        JobKind::StartCluster => "STARTING",
        JobKind::DeleteCluster => "DELETING",
        JobKind::CreateSnapshot => "SNAPSHOTTING",
        JobKind::RestoreCluster => "RESTORING",
        JobKind::ChangeCluster if job.payload.shrinks() => "CLUSTER_SHRINKING",
        JobKind::ChangeCluster => "GROWING",
        JobKind::ModifyCluster => "RESIZING",
        JobKind::ApplySettings => "SETTING_CONFIGURATION",
        JobKind::RepairCluster | JobKind::DeleteSnapshot | JobKind::ResetPassword | JobKind::RenameCluster | JobKind::ConfigureElb => {
            return BTreeMap::new()
        }
    };
    BTreeMap::from([(name.to_string(), format!("{}%", job.progress_percent()))])
}

fn node_status(h: NodeHealth, lifecycle: Lifecycle) -> NodeStatus {
    match (h, lifecycle) {
        (NodeHealth::Ready, _) => NodeStatus::Ready,
        (NodeHealth::Starting | NodeHealth::Unknown, _) | (NodeHealth::Down, Lifecycle::Creating) => NodeStatus::Starting,
        (NodeHealth::Down, _) => NodeStatus::Down,
    }
}

fn jdbc_url(n: &Node) -> String {
    format!("jdbc:postgresql://{}:{}/{DEFAULT_DATABASE}", n.address, n.port)
}

fn connect(n: &Node) -> String {
    format!("{}:{}", n.address, n.port)
}

/// A cluster as `GET /v1.0/{project_id}/clusters/{cluster_id}` (and the list) shows it.
pub fn cluster(v: &ClusterView, region: &str) -> wire::Cluster {
    let c = &v.cluster;
    let s = c.spec.warehouse().expect("the DWS dialect sees warehouse clusters only (App::cluster filters by engine)");
    let (status, sub_status, task_status) = vocabulary(v);
    let primary = v.nodes.first().map(|(n, _)| n);
    // Served by strato's forwarder on the primary's address (`endpoints.rs`).
    let public_endpoints = primary
        .filter(|_| s.has_public_ip())
        .map(|n| {
            let at = format!("{}:{}", n.address, s.port + EIP_PORT_OFFSET);
            wire::PublicEndpoint { jdbc_url: format!("jdbc:postgresql://{at}/{DEFAULT_DATABASE}"), public_connect_info: at }
        })
        .into_iter()
        .collect();
    let elb = s.elb.as_ref().zip(primary).map(|(b, n)| wire::ElbView {
        name: format!("elb-{}", b.id.chars().take(8).collect::<String>()),
        id: b.id.clone(),
        public_ip: None,
        private_ip: n.address.to_string(),
        private_endpoint: format!("{}:{}", n.address, s.port + ELB_PORT_OFFSET),
        vpc_id: s.vpc_id.clone(),
    });
    wire::Cluster {
        id: c.id,
        name: s.name.clone(),
        status,
        sub_status,
        task_status,
        action_progress: action_progress(v),
        version: "1.1.0".into(),
        created: iso(c.created_at),
        updated: iso(c.updated_at),
        port: s.port,
        endpoints: v.nodes.iter().map(|(n, _)| wire::Endpoint { connect_info: connect(n), jdbc_url: jdbc_url(n) }).collect(),
        public_endpoints,
        nodes: v
            .nodes
            .iter()
            .map(|(n, h)| wire::ClusterNode { id: n.id, name: n.name(&s.name), status: node_status(*h, c.lifecycle) })
            .collect(),
        private_ip: v.nodes.iter().map(|(n, _)| n.address.to_string()).collect(),
        number_of_node: s.number_of_node,
        number_of_cn: s.number_of_cn,
        node_type: s.node_type.clone(),
        node_type_id: crate::core::node_types::find(&s.node_type).map(|t| t.id).unwrap_or_default().into(),
        availability_zone: s.availability_zone.clone(),
        region: region.into(),
        vpc_id: s.vpc_id.clone(),
        subnet_id: s.subnet_id.clone(),
        security_group_id: s.security_group_id.clone(),
        user_name: s.user_name.clone(),
        public_ip: wire::PublicIpView {
            public_bind_type: s.public_ip.public_bind_type.clone(),
            eip_id: s.eip_id(c.id),
        },
        recent_event: v.recent_events,
        tags: s.tags.iter().map(Into::into).collect(),
        enterprise_project_id: s.enterprise_project_id.clone(),
        maintain_window: wire::MaintainWindow {
            day: s.maintain_window.day.clone(),
            start_time: s.maintain_window.start_time.clone(),
            end_time: s.maintain_window.end_time.clone(),
        },
        parameter_group: {
            let g = parameter_group(v);
            wire::ParameterGroup { id: g.id, name: g.name, status: g.status }
        },
        failed_reasons: c
            .failure
            .as_ref()
            .map(|f| wire::FailedReasons { error_code: f.code.clone(), error_msg: f.message.clone() }),
        cluster_description_info: s.description.clone(),
        cluster_timezone: s.timezone.clone(),
        volume: {
            let v = s.volume_or_default();
            wire::VolumeView { volume: v.volume_type, capacity: v.capacity_gb }
        },
        resize_info: resize_info(v),
        order_id: None,
        elb,
    }
}

fn resize_info(v: &ClusterView) -> Option<wire::ResizeInfo> {
    let job = v.active_job.as_ref().filter(|j| j.kind == JobKind::ChangeCluster)?;
    Some(wire::ResizeInfo {
        target_node_num: job.payload.to_nodes?,
        origin_node_num: job.payload.from_nodes?,
        resize_status: task_status(job)?,
        start_time: iso(job.started_at.unwrap_or(job.created_at)),
    })
}

/// Job status vocabulary: INIT, WAITING, RUNNING, FAIL, SUCCESS.
pub fn job(j: &Job, now: i64) -> wire::JobDetail {
    let status = match j.state {
        JobState::Succeeded => JobStatus::Success,
        JobState::Failed => JobStatus::Fail,
        JobState::Paused => JobStatus::Waiting,
        JobState::Enqueued if j.is_running(now) || j.next_step > 0 => JobStatus::Running,
        JobState::Enqueued if j.started_at.is_some() => JobStatus::Waiting,
        JobState::Enqueued => JobStatus::Init,
    };
    let failure = j.error.as_ref().filter(|_| j.state == JobState::Failed);
    wire::JobDetail {
        job_id: j.id,
        job_name: j.kind.as_str().into(),
        begin_time: j.started_at.map(iso),
        end_time: j.finished_at.map(iso),
        status,
        progress: format!("{}%", j.progress_percent()),
        failed_code: failure.map(|e| e.code.clone()),
        failed_detail: failure.map(|e| e.message.clone()),
    }
}

fn detail(t: &NodeType) -> Vec<wire::NodeTypeDetail> {
    let line = |kind: &str, value: u32, unit: Option<&str>| wire::NodeTypeDetail {
        kind: kind.into(),
        value: value.to_string(),
        unit: unit.map(Into::into),
    };
    vec![line("vCPU", t.vcpus, None), line(t.disk_type, t.disk_gb, Some("GB")), line("mem", t.ram_gb, Some("GB"))]
}

/// `GET /v1.0/{project_id}/node_types` as seed 004 shows it.
pub fn node_types_legacy(types: &[NodeType]) -> wire::NodeTypesV1 {
    let node_types =
        types.iter().map(|t| wire::NodeTypeV1 { spec_name: t.spec_name.into(), id: t.id.into(), detail: detail(t) }).collect();
    wire::NodeTypesV1 { node_types }
}

/// `GET /v2/{project_id}/node-types` as the SDKs read it.
pub fn node_types(types: &[NodeType], zones: &[String]) -> wire::NodeTypes {
    let node_type = |t: &NodeType| wire::NodeType {
        spec_name: t.spec_name.into(),
        id: t.id.into(),
        datastore_type: "dws".into(),
        architecture: "x86".into(),
        available_zones: zones.iter().map(|z| wire::AvailableZone { code: z.clone(), status: "normal".into() }).collect(),
        ram: t.ram_gb,
        vcpus: t.vcpus,
        datastores: vec![wire::NodeTypeDatastore {
            version: "8.1.3".into(),
            attachments: wire::CnRange { min_cn: 2, max_cn: 20 },
        }],
        volume: wire::NodeTypeVolume { kind: t.disk_type.into(), size: t.disk_gb },
        detail: detail(t),
    };
    wire::NodeTypes { node_types: types.iter().map(node_type).collect(), count: types.len() }
}

/// ISO 8601 with the `Z` DWS puts on snapshot and policy times.
fn zulu(t: i64) -> String {
    format!("{}Z", iso(t))
}

/// Snapshot status vocabulary: CREATING, AVAILABLE, UNAVAILABLE (and DELETING
/// while its files go); RESTORING while a restore reads it.
pub fn snapshot(v: &SnapshotView) -> wire::Snapshot {
    let (s, restoring, progress) = (&v.snapshot, v.restoring, v.progress);
    let status = match s.status {
        Stored::Creating => SnapshotStatus::Creating,
        Stored::Available if restoring => SnapshotStatus::Restoring,
        Stored::Available => SnapshotStatus::Available,
        Stored::Unavailable => SnapshotStatus::Unavailable,
        Stored::Deleting => SnapshotStatus::Deleting,
        Stored::Deleted => SnapshotStatus::Deleted,
    };
    wire::Snapshot {
        id: s.id,
        name: s.name.clone(),
        description: s.description.clone(),
        started: s.started_at.map(zulu),
        finished: s.finished_at.filter(|_| s.status != Stored::Creating).map(zulu),
        // GB, as DWS reports it.
        size: (s.size_bytes as f64 / 1e9 * 1e6).round() / 1e6,
        status,
        kind: match s.kind {
            SnapshotKind::Manual => wire::SnapshotType::Manual,
            SnapshotKind::Auto => wire::SnapshotType::Auto,
        },
        cluster_id: s.cluster_id,
        cluster_name: s.source.name.clone(),
        updated: s.finished_at.or(s.started_at).map(zulu),
        datastore: wire::SnapshotDatastore { kind: "dws".into(), version: "1.1.0".into() },
        progress: progress.map(|p| format!("{p}%")),
        failed_reasons: s
            .failure
            .as_ref()
            .map(|f| wire::FailedReasons { error_code: f.code.clone(), error_msg: f.message.clone() }),
    }
}

/// A cluster's automated snapshot policy.
pub fn policy(p: &Policy) -> wire::SnapshotPolicy {
    let strategy = |s: &crate::core::snapshot::Strategy| wire::BackupStrategy {
        policy_id: s.id,
        policy_name: s.name.clone(),
        backup_strategy: s.cron.clone(),
        backup_type: "full".into(),
        backup_level: "cluster".into(),
        next_fire_time: next_fire(&s.cron, s.last_fired_at.max(now_ms())).map(zulu),
        update_time: zulu(s.updated_at),
    };
    wire::SnapshotPolicy {
        keep_day: p.keep_day,
        auto_backup: p.auto_backup,
        backup_strategies: p.strategies.iter().map(strategy).collect(),
        device_name: None,
        server_ips: vec![],
        server_port: None,
        backup_param: None,
        backup_strategy_cluster_type_limit_num: 3,
        backup_strategy_schema_type_limit_num: 0,
    }
}

/// The cluster's parameter group: In-Sync, Applying while a settings job
/// runs, Sync-Failure (with the reason) after one failed, Pending-Reboot while
/// a node awaits a restart for a changed parameter.
pub fn parameter_group(v: &ClusterView) -> wire::ClusterConfiguration {
    let id = v.cluster.id;
    let awaiting = v.cluster.spec.warehouse().is_some_and(|w| !w.awaiting_restart.is_empty());
    let failed = v.cluster.failure.as_ref().filter(|f| f.job.is_some_and(|j| j.kind == JobKind::ApplySettings));
    let (status, fail_reason) = match (&v.active_job, failed) {
        (Some(j), _) if j.kind == JobKind::ApplySettings => ("Applying", None),
        (_, Some(f)) => ("Sync-Failure", Some(f.message.clone())),
        _ if awaiting => ("Pending-Reboot", None),
        _ => ("In-Sync", None),
    };
    wire::ClusterConfiguration {
        id: parameters::group_id(id).to_string(),
        name: parameters::group_name(id),
        r#type: "hiddenParameterGroup".into(),
        status: status.into(),
        fail_reason,
    }
}

/// Every parameter with the cluster's value (set, else the default) on both roles.
pub fn parameters(w: &WarehouseSpec) -> Vec<wire::ConfigurationParameter> {
    let node_type = crate::core::node_types::find(&w.node_type).unwrap_or_else(|| crate::core::node_types::catalog().remove(0));
    parameters::PARAMETERS
        .iter()
        .map(|p| {
            let default_value = p.default_value(&node_type);
            let value = w.parameters.get(p.name).cloned().unwrap_or_else(|| default_value.clone());
            wire::ConfigurationParameter {
                name: p.name.into(),
                values: parameters::ROLES
                    .iter()
                    .map(|role| wire::ParameterUnit { r#type: role.to_string(), value: value.clone(), default_value: default_value.clone() })
                    .collect(),
                unit: p.unit.into(),
                r#type: p.kind.dws_type().into(),
                readonly: p.readonly,
                value_range: p.kind.value_range(),
                restart_required: p.restart_required,
                description: p.description.into(),
            }
        })
        .collect()
}
