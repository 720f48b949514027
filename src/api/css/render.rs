//! Encoding views as CSS JSON, and the one place where strato's states
//! become CSS's status / actions vocabulary.

use serde_json::{json, Value};

use crate::app::ClusterView;
use crate::core::cluster::Lifecycle;
use crate::core::iso;
use crate::core::job::JobKind;
use crate::core::search::{Datastore, CSS_DISK_GB, CSS_FLAVORS};
use crate::core::status::{Health, NodeHealth};

/// (status, actions) of a cluster: "100" while something is in progress,
/// "200" when every member serves, "303" otherwise.
pub fn status(v: &ClusterView) -> (&'static str, Vec<&'static str>) {
    let job = v.active_job.as_ref().map(|j| j.kind);
    match (v.cluster.lifecycle, job) {
        (Lifecycle::Creating, _) => ("100", vec![]),
        (Lifecycle::CreateFailed | Lifecycle::Deleting | Lifecycle::Deleted | Lifecycle::Stopped, _) => ("303", vec![]),
        (Lifecycle::Running, Some(JobKind::RestartCluster)) => ("100", vec!["REBOOTING"]),
        (Lifecycle::Running, Some(JobKind::ModifyCluster)) => ("100", vec!["GROWING"]),
        (Lifecycle::Running, _) => match v.health {
            Health::Normal => ("200", vec![]),
            Health::Degraded | Health::Unavailable | Health::Stopped => ("303", vec![]),
        },
    }
}

fn action_progress(v: &ClusterView) -> Value {
    let Some(job) = &v.active_job else { return json!({}) };
    let name = match job.kind {
        JobKind::CreateCluster => "CREATING",
        JobKind::RestartCluster => "REBOOTING",
        JobKind::ModifyCluster => "GROWING",
        _ => return json!({}),
    };
    json!({ name: format!("{}%", job.progress_percent()) })
}

fn instance_status(h: NodeHealth, lifecycle: Lifecycle) -> &'static str {
    match (h, lifecycle) {
        (NodeHealth::Ready, _) => "200",
        (NodeHealth::Starting | NodeHealth::Unknown, _) | (NodeHealth::Down, Lifecycle::Creating) => "100",
        (NodeHealth::Down, _) => "303",
    }
}

pub fn cluster(v: &ClusterView) -> Value {
    let c = &v.cluster;
    let Some(s) = c.spec.search() else { return json!({"id": c.id, "name": c.spec.name()}) };
    let (status, actions) = status(v);
    let kind = if s.datastore == Datastore::Logstash { "lgs" } else { "ess" };
    let instances: Vec<Value> = v
        .nodes
        .iter()
        .map(|(n, h)| {
            json!({
                "id": n.id,
                "name": format!("{}-{kind}-esn-{}-1", s.name, n.ordinal + 1),
                "type": kind,
                "status": instance_status(*h, c.lifecycle),
                "specCode": s.flavor,
                "azCode": s.availability_zone,
                "ip": n.address.to_string(),
                "volume": {"type": s.disk_type, "size": s.disk_gb},
            })
        })
        .collect();
    let endpoint = v.nodes.iter().map(|(n, _)| format!("{}:{}", n.address, n.port)).collect::<Vec<_>>().join(",");
    let mut out = json!({
        "id": c.id,
        "name": s.name,
        "desc": s.description,
        "status": status,
        "actions": actions,
        "actionProgress": action_progress(v),
        "instances": instances,
        "datastore": {"type": s.datastore.as_str(), "version": s.version},
        "endpoint": endpoint,
        "publicIp": null,
        "vpcId": s.vpc_id,
        "subnetId": s.subnet_id,
        "securityGroupId": s.security_group_id,
        "httpsEnable": s.https,
        "authorityEnable": s.authority,
        "diskEncrypted": false,
        "enterpriseProjectId": "0",
        "tags": [],
        "created": iso(c.created_at),
        "updated": iso(c.updated_at),
    });
    if let Some(f) = &c.failure {
        out["failedReason"] = json!({"errorCode": f.code, "errorMsg": f.message});
    }
    out
}

/// `GET /v1.0/{pid}/es-flavors`.
pub fn flavors(region: &str, zones: &[String]) -> Value {
    let versions: Vec<Value> = Datastore::ALL
        .into_iter()
        .flat_map(|d| d.versions().iter().map(move |v| (d, *v)))
        .map(|(d, v)| {
            let flavors: Vec<Value> = CSS_FLAVORS
                .iter()
                .map(|(name, cpu, ram)| {
                    json!({"cpu": cpu, "ram": ram, "name": name, "region": region, "flavor_id": name,
                           "diskrange": format!("{},{}", CSS_DISK_GB.0, CSS_DISK_GB.1), "availableAZ": zones.join(",")})
                })
                .collect();
            json!({"version": v, "type": if d == Datastore::Logstash { "lgs" } else { "ess" }, "datastore": d.as_str(), "flavors": flavors})
        })
        .collect();
    json!({"versions": versions})
}
