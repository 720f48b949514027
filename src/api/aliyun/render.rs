//! Encoding views as Alibaba Elasticsearch / Logstash JSON, and the one
//! place where strato's states become Alibaba's status vocabulary.

use uuid::Uuid;

use super::wire::{ClusterTask, ElasticsearchInstance, Endpoint, InstanceNetwork, InstanceNodeSpec, InstanceStatus, LogstashInstance, NodeInfo, RoleConfiguration, Tag, WhiteIpGroup, ZoneInfo};
use crate::core::roles::MemberRole;
use crate::core::status::NodeHealth;
use crate::observed::Usage;
use crate::core::access::{WhiteIpKind, PUBLIC_PORT_OFFSET};
use crate::app::ClusterView;
use crate::core::cluster::{Lifecycle, Product};
use crate::core::job::{JobKind, JobState};
use crate::core::status::Health;
use crate::core::search::SearchSpec;
use crate::core::{CoreError, Millis};

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
pub fn status(v: &ClusterView) -> InstanceStatus {
    match (v.cluster.lifecycle, &v.active_job) {
        (Lifecycle::Creating, _) => InstanceStatus::Activating,
        (Lifecycle::CreateFailed, _) => InstanceStatus::Invalid,
        (Lifecycle::Deleting | Lifecycle::Deleted, _) => InstanceStatus::Inactive,
        (_, Some(j)) if j.state == JobState::Paused => InstanceStatus::Suspended,
        (_, Some(j)) if j.kind == JobKind::StopCluster && v.cluster.delete_at.is_some() => InstanceStatus::Inactive,
        (_, Some(_)) => InstanceStatus::Activating,
        (Lifecycle::Stopped, None) => InstanceStatus::Inactive,
        (Lifecycle::Running, None) => match v.health {
            Health::Normal | Health::Degraded => InstanceStatus::Active,
            Health::Unavailable | Health::Stopped => InstanceStatus::Invalid,
        },
    }
}

fn tasks(v: &ClusterView) -> Vec<ClusterTask> {
    let Some(j) = &v.active_job else { return vec![] };
    let status = if j.state == JobState::Paused { "suspended" } else { "running" };
    vec![ClusterTask { name: j.kind.as_str().into(), progress: j.progress_percent(), status: status.into() }]
}

/// What both products show of an instance.
struct Common {
    spec: SearchSpec,
    endpoints: Vec<Endpoint>,
}

/// Only search instances reach this dialect (lookups are scoped by product).
fn common(v: &ClusterView) -> Result<Common, CoreError> {
    let c = &v.cluster;
    let s = c.spec.search().ok_or_else(|| CoreError::Internal(format!("cluster {} is not a search instance", c.id)))?;
    let endpoints = v
        .nodes
        .iter()
        .map(|(n, _)| Endpoint { host: n.address.to_string(), port: n.port, zone_id: s.availability_zone.clone() })
        .collect();
    Ok(Common { spec: s.clone(), endpoints })
}

fn node_spec(s: &SearchSpec) -> InstanceNodeSpec {
    InstanceNodeSpec { disk: s.disk_gb, disk_encryption: false, disk_type: s.disk_type.clone(), performance_level: String::new(), spec: s.flavor.clone() }
}

fn network(s: &SearchSpec) -> InstanceNetwork {
    let groups = s
        .access
        .groups
        .iter()
        .map(|g| WhiteIpGroup { group_name: Some(g.name.clone()), ips: Some(g.ips.clone()), white_ip_type: Some(g.kind.as_str().into()) })
        .collect();
    InstanceNetwork {
        r#type: "vpc".into(),
        vpc_id: s.vpc_id.clone(),
        vs_area: s.availability_zone.clone(),
        vswitch_id: s.subnet_id.clone(),
        white_ip_group_list: groups,
    }
}

fn zones(s: &SearchSpec) -> Vec<ZoneInfo> {
    vec![ZoneInfo { status: "NORMAL".into(), zone_id: s.availability_zone.clone() }]
}

/// A dedicated role's configuration, if the instance has its members.
fn role_configuration(s: &SearchSpec, role: MemberRole) -> Option<RoleConfiguration> {
    s.dedicated_role(role).map(|d| RoleConfiguration { amount: d.members.len() as u32, disk: d.disk_gb, disk_type: d.disk_type.clone(), spec: d.flavor.clone() })
}

pub fn elasticsearch(v: &ClusterView) -> Result<ElasticsearchInstance, CoreError> {
    let (c, Common { spec: s, endpoints }) = (&v.cluster, common(v)?);
    let first = v.nodes.first().map(|(n, _)| (n.address.to_string(), n.port));
    Ok(ElasticsearchInstance {
        cluster_tasks: tasks(v),
        created_at: time(c.created_at),
        delete_time: c.delete_at.map(time),
        description: s.description.clone(),
        domain: first.as_ref().map(|f| f.0.clone()).unwrap_or_default(),
        endpoint_list: endpoints,
        es_version: format!("{}_with_X-Pack", minor(&s.version)),
        instance_id: instance_id(s.product, c.id),
        network_config: network(&s),
        node_amount: s.node_count,
        node_spec: node_spec(&s),
        payment_type: "postpaid".into(),
        port: first.as_ref().map(|f| f.1).unwrap_or_default(),
        public_domain: if s.access.public { first.as_ref().map(|f| f.0.clone()).unwrap_or_default() } else { String::new() },
        resource_group_id: c.project_id.clone(),
        status: status(v),
        updated_at: time(c.updated_at),
        zone_infos: zones(&s),
        inited: !matches!(c.lifecycle, Lifecycle::Creating | Lifecycle::CreateFailed),
        protocol: if s.https { "HTTPS" } else { "HTTP" }.into(),
        enable_public: s.access.public,
        public_port: first.as_ref().map(|f| f.1.saturating_add(PUBLIC_PORT_OFFSET)).unwrap_or_default(),
        public_ip_whitelist: s.access.list(WhiteIpKind::PublicEs),
        private_network_ip_white_list: s.access.list(WhiteIpKind::PrivateEs),
        kibana_domain: String::new(),
        kibana_port: 0,
        kibana_private_domain: String::new(),
        enable_kibana_public_network: false,
        enable_kibana_private_network: false,
        kibana_ip_whitelist: vec![],
        kibana_private_ip_whitelist: vec![],
        es_config: s.engine_settings.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect(),
        zone_count: 1,
        arch_type: "public".into(),
        master_configuration: role_configuration(&s, MemberRole::Master).unwrap_or_default(),
        client_node_configuration: role_configuration(&s, MemberRole::Client).map(|c| serde_json::to_value(c).unwrap_or_default()),
        warm_node_configuration: role_configuration(&s, MemberRole::Cold).map(|c| serde_json::to_value(c).unwrap_or_default()),
        kibana_configuration: RoleConfiguration::default(),
        tags: s.tags.iter().map(|t| Tag { tag_key: Some(t.key.clone()), tag_value: Some(t.value.clone()) }).collect(),
    })
}

pub fn logstash(v: &ClusterView) -> Result<LogstashInstance, CoreError> {
    let (c, Common { spec: s, endpoints }) = (&v.cluster, common(v)?);
    Ok(LogstashInstance {
        cluster_tasks: tasks(v),
        created_at: time(c.created_at),
        delete_time: c.delete_at.map(time),
        description: s.description.clone(),
        endpoint_list: endpoints,
        instance_id: instance_id(s.product, c.id),
        network_config: network(&s),
        node_amount: s.node_count,
        node_spec: node_spec(&s),
        payment_type: "postpaid".into(),
        resource_group_id: c.project_id.clone(),
        status: status(v),
        updated_at: time(c.updated_at),
        version: format!("{}_with_X-Pack", minor(&s.version)),
        zone_infos: zones(&s),
    })
}

/// ListAllNode: each member with what was last observed of it; with
/// `extended`, its figures (`usage` of a node's id).
pub fn nodes(v: &ClusterView, extended: bool, usage: impl Fn(Uuid) -> Usage, load: Option<f64>) -> Result<Vec<NodeInfo>, CoreError> {
    let s = common(v)?.spec;
    let percent = |x: f64| format!("{x:.1}%");
    Ok(v.nodes
        .iter()
        .map(|(n, h)| {
            let u = usage(n.id);
            let disk = u.disk_bytes.map(|b| percent(b as f64 / (f64::from(s.disk_gb.max(1)) * 1e9) * 100.0));
            NodeInfo {
                cpu_percent: extended.then(|| u.cpu_percent.map(percent)),
                disk_used_percent: extended.then_some(disk),
                health: match h {
                    NodeHealth::Ready => "GREEN",
                    NodeHealth::Starting => "YELLOW",
                    NodeHealth::Down => "RED",
                    NodeHealth::Unknown => "GRAY",
                }
                .into(),
                heap_percent: extended.then_some(None),
                host: n.address.to_string(),
                load_one_m: extended.then(|| load.map(|l| format!("{l:.2}"))),
                node_type: s.role_of(n.ordinal).aliyun().into(),
                port: n.port,
                zone_id: s.availability_zone.clone(),
            }
        })
        .collect())
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

    /// The text a `json!` map gives (keys sorted) is the text the struct gives.
    fn same_text_as_a_sorted_map(v: &impl serde::Serialize) -> serde_json::Value {
        let text = serde_json::to_string(v).unwrap();
        let value = serde_json::to_value(v).unwrap();
        assert_eq!(text, value.to_string());
        value
    }

    #[test]
    fn bodies_keep_their_text_names_and_types() {
        use super::super::wire::{Ack, ErrorBody, ListReply, Reply, TotalCount};
        let group = WhiteIpGroup { group_name: Some("default".into()), ips: Some(vec!["0.0.0.0/0".into()]), white_ip_type: Some("PRIVATE_ES".into()) };
        let network = InstanceNetwork { r#type: "vpc".into(), vpc_id: "v".into(), vs_area: "z".into(), vswitch_id: "s".into(), white_ip_group_list: vec![group] };
        let spec = InstanceNodeSpec { disk: 20, disk_encryption: false, disk_type: "cloud_ssd".into(), performance_level: String::new(), spec: "elasticsearch.sn2ne.large".into() };
        let es = ElasticsearchInstance {
            cluster_tasks: vec![ClusterTask { name: "change_cluster".into(), progress: 50, status: "suspended".into() }],
            created_at: "t".into(),
            delete_time: Some("t".into()),
            description: "d".into(),
            domain: "127.0.0.2".into(),
            endpoint_list: vec![Endpoint { host: "127.0.0.2".into(), port: 9200, zone_id: "z".into() }],
            es_version: "7.10_with_X-Pack".into(),
            instance_id: "es-cn-x".into(),
            network_config: network.clone(),
            node_amount: 2,
            node_spec: spec.clone(),
            payment_type: "postpaid".into(),
            port: 9200,
            public_domain: String::new(),
            resource_group_id: "p".into(),
            status: InstanceStatus::Suspended,
            updated_at: "t".into(),
            zone_infos: vec![ZoneInfo { status: "NORMAL".into(), zone_id: "z".into() }],
            inited: true,
            protocol: "HTTP".into(),
            enable_public: false,
            public_port: 0,
            public_ip_whitelist: vec![],
            private_network_ip_white_list: vec!["0.0.0.0/0".into()],
            kibana_domain: String::new(),
            kibana_port: 0,
            kibana_private_domain: String::new(),
            enable_kibana_public_network: false,
            enable_kibana_private_network: false,
            kibana_ip_whitelist: vec![],
            kibana_private_ip_whitelist: vec![],
            es_config: Default::default(),
            zone_count: 1,
            arch_type: "public".into(),
            master_configuration: RoleConfiguration::default(),
            client_node_configuration: None,
            warm_node_configuration: None,
            kibana_configuration: RoleConfiguration::default(),
            tags: vec![Tag { tag_key: Some("k".into()), tag_value: Some("v".into()) }],
        };
        let v = same_text_as_a_sorted_map(&Reply { request_id: "R".into(), result: es.clone() });
        assert_eq!((&v["Result"]["status"], &v["Result"]["port"], &v["Result"]["nodeSpec"]["disk"]), (&serde_json::json!("suspended"), &serde_json::json!(9200), &serde_json::json!(20)));
        let ls = LogstashInstance {
            cluster_tasks: vec![],
            created_at: "t".into(),
            delete_time: None,
            description: "d".into(),
            endpoint_list: vec![],
            instance_id: "ls-cn-x".into(),
            network_config: network,
            node_amount: 1,
            node_spec: spec,
            payment_type: "postpaid".into(),
            resource_group_id: "p".into(),
            status: InstanceStatus::Active,
            updated_at: "t".into(),
            version: "7.4_with_X-Pack".into(),
            zone_infos: vec![],
        };
        let v = same_text_as_a_sorted_map(&ListReply { headers: TotalCount { total: 1 }, request_id: "R".into(), result: vec![ls] });
        assert_eq!(v["Headers"]["X-Total-Count"], 1);
        assert!(v["Result"][0].get("deleteTime").is_none(), "{v}");
        same_text_as_a_sorted_map(&ErrorBody { code: "C".into(), host_id: "strato".into(), message: "m".into(), request_id: "R".into() });
        same_text_as_a_sorted_map(&Ack { request_id: "R".into() });
        same_text_as_a_sorted_map(&Reply { request_id: "R".into(), result: true });
        // A clientToken's stored result comes back as it was answered.
        let stored = serde_json::to_string(&es).unwrap();
        assert_eq!(serde_json::to_string(&serde_json::from_str::<ElasticsearchInstance>(&stored).unwrap()).unwrap(), stored);
    }
}
