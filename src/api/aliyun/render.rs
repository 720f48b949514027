//! Encoding views as Alibaba Elasticsearch / Logstash JSON, and the one
//! place where strato's states become Alibaba's status vocabulary.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::app::ClusterView;
use crate::core::cluster::{Lifecycle, Product};
use crate::core::job::{JobKind, JobState};
use crate::core::status::Health;
use crate::core::Millis;

pub fn instance_id(product: Product, id: Uuid) -> String {
    format!("{}{}", prefix(product), id.simple())
}

fn prefix(product: Product) -> &'static str {
    if product == Product::AliyunLogstash {
        "ls-cn-"
    } else {
        "es-cn-"
    }
}

/// The UUID behind an instance id of `product`; None if it is not one.
pub fn parse_instance_id(product: Product, s: &str) -> Option<Uuid> {
    s.strip_prefix(prefix(product)).and_then(|hex| Uuid::try_parse(hex).ok())
}

fn time(ms: Millis) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// active, activating (a job runs), suspended (a change was interrupted),
/// inactive (frozen by a protective deletion), invalid (failed or down).
pub fn status(v: &ClusterView) -> &'static str {
    match (v.cluster.lifecycle, &v.active_job) {
        (Lifecycle::Creating, _) => "activating",
        (Lifecycle::CreateFailed, _) => "invalid",
        (Lifecycle::Deleting | Lifecycle::Deleted, _) => "inactive",
        (_, Some(j)) if j.state == JobState::Paused => "suspended",
        (_, Some(j)) if j.kind == JobKind::StopCluster && v.cluster.delete_at.is_some() => "inactive",
        (_, Some(_)) => "activating",
        (Lifecycle::Stopped, None) => "inactive",
        (Lifecycle::Running, None) => match v.health {
            Health::Normal | Health::Degraded => "active",
            Health::Unavailable | Health::Stopped => "invalid",
        },
    }
}

fn tasks(v: &ClusterView) -> Value {
    match &v.active_job {
        Some(j) => json!([{
            "name": j.kind.as_str(),
            "status": if j.state == JobState::Paused { "suspended" } else { "running" },
            "progress": j.progress_percent(),
        }]),
        None => json!([]),
    }
}

pub fn instance(v: &ClusterView) -> Value {
    let c = &v.cluster;
    let Some(s) = c.spec.search() else { return json!({}) };
    let product = s.product;
    let endpoints: Vec<Value> =
        v.nodes.iter().map(|(n, _)| json!({"host": n.address.to_string(), "port": n.port, "zoneId": s.availability_zone})).collect();
    let mut out = json!({
        "instanceId": instance_id(product, c.id),
        "description": s.description,
        "nodeAmount": s.node_count,
        "status": status(v),
        "nodeSpec": {"spec": s.flavor, "disk": s.disk_gb, "diskType": s.disk_type},
        "networkConfig": {"type": "vpc", "vpcId": s.vpc_id, "vswitchId": s.subnet_id, "vsArea": s.availability_zone},
        "paymentType": "postpaid",
        "resourceGroupId": c.project_id,
        "createdAt": time(c.created_at),
        "updatedAt": time(c.updated_at),
        "zoneInfos": [{"zoneId": s.availability_zone, "status": "NORMAL"}],
        "clusterTasks": tasks(v),
    });
    if product == Product::AliyunLogstash {
        out["version"] = json!(format!("{}_with_X-Pack", minor(&s.version)));
        out["endpointList"] = json!(endpoints);
    } else {
        out["esVersion"] = json!(format!("{}_with_X-Pack", minor(&s.version)));
        let first = v.nodes.first().map(|(n, _)| (n.address.to_string(), n.port));
        out["domain"] = json!(first.as_ref().map(|f| f.0.clone()).unwrap_or_default());
        out["port"] = json!(first.map(|f| f.1).unwrap_or_default());
        out["publicDomain"] = json!("");
        out["endpointList"] = json!(endpoints);
    }
    if let Some(t) = c.delete_at {
        out["deleteTime"] = json!(time(t));
    }
    out
}

/// `7.10.2` → `7.10`, as Alibaba names versions.
fn minor(v: &str) -> String {
    v.splitn(3, '.').take(2).collect::<Vec<_>>().join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_per_product() {
        let id = Uuid::new_v4();
        let es = instance_id(Product::AliyunElasticsearch, id);
        assert!(es.starts_with("es-cn-"));
        assert_eq!(parse_instance_id(Product::AliyunElasticsearch, &es), Some(id));
        assert_eq!(parse_instance_id(Product::AliyunLogstash, &es), None);
        assert_eq!(minor("7.10.2"), "7.10");
    }
}
