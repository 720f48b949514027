//! The cluster resource: what the user asked for (spec), what strato persists
//! (record and nodes), and the lifecycle a cluster moves through.

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Millis;

/// The persisted intent for a cluster. Running/stopped processes are observed,
/// never stored; this only says what the cluster should be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Lifecycle {
    /// The create job has not finished yet.
    Creating,
    /// The create job failed; the cluster can only be deleted.
    CreateFailed,
    /// Nodes should be running.
    Running,
    /// Nodes should be stopped (data kept).
    Stopped,
    /// The delete job is tearing it down.
    Deleting,
    /// Gone: kept only so jobs and events still resolve.
    Deleted,
}

impl Lifecycle {
    pub const ALL: [Lifecycle; 6] = [
        Lifecycle::Creating,
        Lifecycle::CreateFailed,
        Lifecycle::Running,
        Lifecycle::Stopped,
        Lifecycle::Deleting,
        Lifecycle::Deleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Creating => "creating",
            Lifecycle::CreateFailed => "create_failed",
            Lifecycle::Running => "running",
            Lifecycle::Stopped => "stopped",
            Lifecycle::Deleting => "deleting",
            Lifecycle::Deleted => "deleted",
        }
    }
}

impl fmt::Display for Lifecycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Lifecycle {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Lifecycle::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| format!("unknown lifecycle `{s}`"))
    }
}

/// How the public IP was requested; strato records it, it has no real EIPs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicIp {
    pub public_bind_type: String,
    pub eip_id: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// Which engine runs a cluster's nodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineKind {
    Postgres,
    Milvus,
    /// Whatever the server binds each search/log datastore to (a real
    /// distribution, or a stand-in in tests): see `engine::service`.
    Elasticsearch,
    Opensearch,
    Logstash,
}

impl EngineKind {
    pub const ALL: [EngineKind; 5] =
        [EngineKind::Postgres, EngineKind::Milvus, EngineKind::Elasticsearch, EngineKind::Opensearch, EngineKind::Logstash];

    pub fn as_str(self) -> &'static str {
        match self {
            EngineKind::Postgres => "postgres",
            EngineKind::Milvus => "milvus",
            EngineKind::Elasticsearch => "elasticsearch",
            EngineKind::Opensearch => "opensearch",
            EngineKind::Logstash => "logstash",
        }
    }
}

impl FromStr for EngineKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        EngineKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| format!("unknown engine `{s}`"))
    }
}

/// The cloud product a cluster was ordered through. Each dialect sees only
/// its own product's clusters (a DWS cluster is "not found" through Zilliz).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Product {
    Dws,
    Zilliz,
    /// Huawei Cloud Search Service (Elasticsearch, OpenSearch, Logstash clusters).
    Css,
    /// Alibaba Cloud Elasticsearch instances.
    AliyunElasticsearch,
    /// Alibaba Cloud Logstash instances.
    AliyunLogstash,
}

impl FromStr for Product {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Product::ALL.into_iter().find(|p| p.as_str() == s).ok_or_else(|| format!("unknown product `{s}`"))
    }
}

impl Product {
    pub const ALL: [Product; 5] = [Product::Dws, Product::Zilliz, Product::Css, Product::AliyunElasticsearch, Product::AliyunLogstash];

    pub fn as_str(self) -> &'static str {
        match self {
            Product::Dws => "dws",
            Product::Zilliz => "zilliz",
            Product::Css => "css",
            Product::AliyunElasticsearch => "aliyun_elasticsearch",
            Product::AliyunLogstash => "aliyun_logstash",
        }
    }
}

/// What the user asked for, per product family. The family decides the engine.
// A spec lives in a cluster record (behind an Arc in the read model), rarely on
// the stack: the warehouse's size costs nothing worth a Box in every match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "snake_case")]
pub enum ClusterSpec {
    /// A data warehouse (DWS) on PostgreSQL: a primary with streaming standbys.
    Warehouse(WarehouseSpec),
    /// A vector database (Zilliz) on Milvus standalone.
    Vector(super::vector::VectorSpec),
    /// A search or log cluster (CSS, Alibaba Elasticsearch/Logstash) of equal members.
    Search(super::search::SearchSpec),
}

impl ClusterSpec {
    pub fn name(&self) -> &str {
        match self {
            ClusterSpec::Warehouse(s) => &s.name,
            ClusterSpec::Vector(s) => &s.name,
            ClusterSpec::Search(s) => &s.name,
        }
    }

    pub fn product(&self) -> Product {
        match self {
            ClusterSpec::Warehouse(_) => Product::Dws,
            ClusterSpec::Vector(_) => Product::Zilliz,
            ClusterSpec::Search(s) => s.product,
        }
    }

    pub fn engine(&self) -> EngineKind {
        match self {
            ClusterSpec::Warehouse(_) => EngineKind::Postgres,
            ClusterSpec::Vector(_) => EngineKind::Milvus,
            ClusterSpec::Search(s) => s.datastore.engine(),
        }
    }

    pub fn number_of_nodes(&self) -> u32 {
        match self {
            ClusterSpec::Warehouse(s) => s.number_of_node,
            // Standalone Milvus: every component in one process.
            ClusterSpec::Vector(_) => 1,
            ClusterSpec::Search(s) => s.member_count(),
        }
    }

    pub fn warehouse(&self) -> Option<&WarehouseSpec> {
        match self {
            ClusterSpec::Warehouse(s) => Some(s),
            ClusterSpec::Vector(_) | ClusterSpec::Search(_) => None,
        }
    }

    /// The same cluster with `cu_size` compute units (dedicated vector clusters only).
    pub fn resized(&self, cu_size: u32) -> Result<ClusterSpec, super::CoreError> {
        match self {
            ClusterSpec::Vector(v) if v.is_dedicated() => {
                super::vector::cu_size(cu_size as i64)?;
                Ok(ClusterSpec::Vector(super::vector::VectorSpec { cu_size, ..v.clone() }))
            }
            _ => Err(super::CoreError::NotSupported(format!("cluster `{}` cannot be resized", self.name()))),
        }
    }

    /// The cluster after a change task (search clusters only).
    pub fn changed(&self, change: &super::job::JobPayload) -> Result<ClusterSpec, super::CoreError> {
        match self {
            ClusterSpec::Search(s) => {
                let mut next = s.with_nodes(change.to_nodes.unwrap_or(s.node_count));
                if let Some(disk) = change.disk_gb {
                    next.disk_gb = disk;
                }
                if let Some(flavor) = &change.flavor {
                    next.flavor = flavor.clone();
                }
                if let Some(settings) = &change.engine_settings {
                    next.engine_settings = settings.clone();
                }
                if let Some(pipelines) = &change.pipelines {
                    next.pipelines = pipelines.clone();
                }
                if let Some(dedicated) = &change.dedicated {
                    next.dedicated = dedicated.clone();
                }
                Ok(ClusterSpec::Search(next))
            }
            ClusterSpec::Warehouse(w) => {
                let nodes = change.to_nodes.unwrap_or(w.number_of_node);
                // Coordinators are nodes too: a shrink takes them down with it.
                Ok(ClusterSpec::Warehouse(WarehouseSpec { number_of_node: nodes, number_of_cn: w.number_of_cn.min(nodes), ..w.clone() }))
            }
            ClusterSpec::Vector(_) => Err(super::CoreError::NotSupported(format!("cluster `{}` has no change tasks", self.name()))),
        }
    }

    /// The spec with an apply-settings job's settings (a warehouse's timezone, parameters).
    pub fn with_settings(&self, change: &super::job::JobPayload) -> Result<ClusterSpec, super::CoreError> {
        match self {
            ClusterSpec::Warehouse(w) => {
                let mut parameters = w.parameters.clone();
                parameters.extend(change.parameters.iter().flatten().map(|(k, v)| (k.clone(), v.clone())));
                Ok(ClusterSpec::Warehouse(WarehouseSpec {
                    timezone: change.timezone.clone().unwrap_or_else(|| w.timezone.clone()),
                    parameters,
                    ..w.clone()
                }))
            }
            _ => Err(super::CoreError::NotSupported(format!("cluster `{}` has no settings to apply", self.name()))),
        }
    }

    pub fn vector(&self) -> Option<&super::vector::VectorSpec> {
        match self {
            ClusterSpec::Vector(s) => Some(s),
            ClusterSpec::Warehouse(_) | ClusterSpec::Search(_) => None,
        }
    }

    pub fn search(&self) -> Option<&super::search::SearchSpec> {
        match self {
            ClusterSpec::Search(s) => Some(s),
            ClusterSpec::Warehouse(_) | ClusterSpec::Vector(_) => None,
        }
    }
}

/// A validated DWS request for a new cluster (from create or restore).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarehouseSpec {
    pub name: String,
    pub node_type: String,
    pub number_of_node: u32,
    pub number_of_cn: u32,
    pub port: u16,
    pub user_name: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group_id: String,
    pub availability_zone: String,
    pub public_ip: PublicIp,
    pub enterprise_project_id: String,
    pub tags: Vec<Tag>,
    /// `description`'s text (`cluster_description_info`); empty until set.
    #[serde(default)]
    pub description: String,
    /// Every node's `timezone` setting (`cluster_timezone`).
    #[serde(default = "utc")]
    pub timezone: String,
    /// When maintenance may happen (recorded; strato schedules none).
    #[serde(default)]
    pub maintain_window: MaintainWindow,
    /// Each node's disk as ordered (recorded: a node's disk is the machine's);
    /// `None` is the node type's.
    #[serde(default)]
    pub volume: Option<Volume>,
    /// Database parameters set through the API (name → value as PostgreSQL
    /// shows it); the rest keep their defaults (`core::parameters`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub parameters: BTreeMap<String, String>,
    /// The parameters the running nodes showed as waiting for a restart when
    /// a job last looked (`pg_settings.pending_restart`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub awaiting_restart: Vec<String>,
    /// The load balancer bound in front of the cluster, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elb: Option<ElbBinding>,
}

/// An ELB bound to a cluster: strato serves it as a forwarder to the primary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElbBinding {
    pub id: String,
}

/// Where strato serves a cluster's public endpoints: on the primary's own
/// loopback address (no other process binds it), next to its port.
pub const EIP_PORT_OFFSET: u16 = 1;
pub const ELB_PORT_OFFSET: u16 = 2;

impl WarehouseSpec {
    /// Whether an EIP is bound (`auto_assign` at create, or `bind_existing`).
    pub fn has_public_ip(&self) -> bool {
        self.public_ip.public_bind_type != "not_use"
    }

    /// The EIP id the cluster shows: the bound one, or for `auto_assign`
    /// (strato assigns no real EIP) one derived from the cluster's id.
    pub fn eip_id(&self, cluster_id: Uuid) -> String {
        match (self.public_ip.public_bind_type.as_str(), self.public_ip.eip_id.as_str()) {
            ("not_use", _) => String::new(),
            ("auto_assign", "") => {
                const NAMESPACE: Uuid = Uuid::from_u128(0x3c1d_5e7f_8a9b_4c0d_9e1f_2a3b_4c5d_6e7f);
                Uuid::new_v5(&NAMESPACE, cluster_id.as_bytes()).to_string()
            }
            (_, id) => id.to_string(),
        }
    }

    /// The ports strato forwards to the primary's `port`: the EIP's, the ELB's.
    pub fn forwarded_ports(&self) -> Vec<u16> {
        let eip = self.has_public_ip().then_some(self.port + EIP_PORT_OFFSET);
        let elb = self.elb.as_ref().map(|_| self.port + ELB_PORT_OFFSET);
        eip.into_iter().chain(elb).collect()
    }
}

impl WarehouseSpec {
    /// The disk each node has: as ordered, else the node type's.
    pub fn volume_or_default(&self) -> Volume {
        self.volume.clone().unwrap_or_else(|| {
            let t = super::node_types::find(&self.node_type).unwrap_or_else(|| super::node_types::catalog().remove(0));
            Volume { volume_type: t.disk_type.into(), capacity_gb: t.disk_gb }
        })
    }
}

/// A node's disk: its type and size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Volume {
    pub volume_type: String,
    pub capacity_gb: u32,
}

/// A weekly window: `day` `Mon`..`Sun`, times `HH:MM` (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MaintainWindow {
    pub day: String,
    pub start_time: String,
    pub end_time: String,
}

impl Default for MaintainWindow {
    /// DWS's default window.
    fn default() -> Self {
        MaintainWindow { day: "Wed".into(), start_time: "22:00".into(), end_time: "02:00".into() }
    }
}

fn utc() -> String {
    "UTC".into()
}

/// A cluster as persisted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    pub id: Uuid,
    pub project_id: String,
    pub spec: ClusterSpec,
    pub lifecycle: Lifecycle,
    pub failure: Option<Failure>,
    /// Set by a protective deletion: the cluster is stopped (frozen) and is
    /// deleted at this time unless the deletion is cancelled.
    pub delete_at: Option<Millis>,
    pub created_at: Millis,
    pub updated_at: Millis,
}

impl Cluster {
    /// A cluster about to be created (or restored) in a project.
    pub fn new(project_id: &str, spec: ClusterSpec) -> Cluster {
        let now = super::now_ms();
        Cluster {
            id: Uuid::new_v4(),
            project_id: project_id.into(),
            spec,
            lifecycle: Lifecycle::Creating,
            failure: None,
            delete_at: None,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Why the last operation on a cluster failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    pub code: String,
    pub message: String,
    /// The job that failed, for the dialects whose status says which task
    /// failed (DWS `RESIZE_FAILURE`); absent in failures recorded before it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<FailedJob>,
}

/// What a failed job was: its kind and, for a change, the member counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedJob {
    pub kind: super::job::JobKind,
    #[serde(default)]
    pub from_nodes: Option<u32>,
    #[serde(default)]
    pub to_nodes: Option<u32>,
}

impl FailedJob {
    /// A change task that took members away.
    pub fn shrank(&self) -> bool {
        super::job::takes_members_away(self.from_nodes, self.to_nodes)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NodeRole {
    Primary,
    Standby,
}

/// One engine process of a cluster, with the loopback address it owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    pub id: Uuid,
    pub cluster_id: Uuid,
    /// 0 is the primary; 1.. are standbys.
    pub ordinal: u32,
    pub address: Ipv4Addr,
    pub port: u16,
}

impl Node {
    pub fn role(&self) -> NodeRole {
        if self.ordinal == 0 {
            NodeRole::Primary
        } else {
            NodeRole::Standby
        }
    }

    /// `dws-demo-dws-cn-cn-1-1` style names are what DWS shows; ours are simpler.
    pub fn name(&self, cluster_name: &str) -> String {
        format!("{cluster_name}-node-{}", self.ordinal + 1)
    }
}

/// How an engine's nodes get their ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortNeeds {
    /// Every node listens on the cluster's one port, on its own loopback address.
    PerAddress(u16),
    /// Every node needs this many consecutive ports unique on the whole
    /// machine (its processes bind the wildcard address).
    MachineBlock(u16),
}

/// Where a new cluster's nodes may go.
#[derive(Debug, Clone)]
pub struct Placement {
    pub addresses: (Ipv4Addr, Ipv4Addr),
    /// Addresses of the range where a foreign process already holds the port.
    pub unusable_addresses: Vec<Ipv4Addr>,
    pub ports: PortNeeds,
    /// Where machine-wide port blocks are taken from.
    pub port_range: (u16, u16),
    /// Ports of that range some foreign process holds.
    pub unusable_ports: Vec<u16>,
}

/// Picks `count` addresses from `range`, skipping those in `taken`.
/// Pure so that allocation is testable; the store calls it inside the
/// transaction that inserts the nodes, which makes it race-free.
pub fn allocate_addresses(
    range: (Ipv4Addr, Ipv4Addr),
    taken: &std::collections::HashSet<Ipv4Addr>,
    count: usize,
) -> Option<Vec<Ipv4Addr>> {
    let (lo, hi) = (u32::from(range.0), u32::from(range.1));
    let picked: Vec<Ipv4Addr> = (lo..=hi)
        .map(Ipv4Addr::from)
        .filter(|a| !taken.contains(a))
        .take(count)
        .collect();
    (picked.len() == count).then_some(picked)
}

/// Picks the lowest block of `width` consecutive ports in `range` that
/// overlaps no port in `taken` (ports of live nodes, ports other processes
/// hold). Engines whose processes bind the wildcard address (Milvus) need
/// ports unique on the whole machine, not per loopback address.
pub fn allocate_port_block(range: (u16, u16), width: u16, taken: &std::collections::HashSet<u16>) -> Option<u16> {
    let (lo, hi) = (range.0 as u32, range.1 as u32);
    let width = width.max(1) as u32;
    (lo..)
        .step_by(width as usize)
        .take_while(|b| b + width - 1 <= hi)
        .find(|b| (*b..b + width).all(|p| !taken.contains(&(p as u16))))
        .map(|b| b as u16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn lifecycle_round_trips_through_its_name() {
        for l in Lifecycle::ALL {
            assert_eq!(l.as_str().parse::<Lifecycle>().unwrap(), l);
        }
        assert!("bogus".parse::<Lifecycle>().is_err());
    }

    #[test]
    fn allocation_skips_taken_addresses_and_fails_when_full() {
        let range = (Ipv4Addr::new(127, 10, 0, 1), Ipv4Addr::new(127, 10, 0, 4));
        let taken: HashSet<_> = [Ipv4Addr::new(127, 10, 0, 2)].into();
        assert_eq!(
            allocate_addresses(range, &taken, 3).unwrap(),
            vec![
                Ipv4Addr::new(127, 10, 0, 1),
                Ipv4Addr::new(127, 10, 0, 3),
                Ipv4Addr::new(127, 10, 0, 4)
            ]
        );
        assert!(allocate_addresses(range, &taken, 4).is_none());
    }

    #[test]
    fn port_blocks_avoid_every_taken_port_and_stay_in_range() {
        let taken: HashSet<u16> = [20_005].into();
        assert_eq!(allocate_port_block((20_000, 20_039), 10, &HashSet::new()), Some(20_000));
        assert_eq!(allocate_port_block((20_000, 20_039), 10, &taken), Some(20_010));
        let full: HashSet<u16> = [20_005, 20_015, 20_025, 20_035].into();
        assert_eq!(allocate_port_block((20_000, 20_039), 10, &full), None);
        assert_eq!(allocate_port_block((20_000, 20_008), 10, &HashSet::new()), None, "a block must fit");
    }
}
