//! The cluster resource: what the user asked for (spec), what strato persists
//! (record and nodes), and the lifecycle a cluster moves through.

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

/// A validated request for a new cluster (from create or restore).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterSpec {
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
}

/// A cluster as persisted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cluster {
    pub id: Uuid,
    pub project_id: String,
    pub spec: ClusterSpec,
    pub lifecycle: Lifecycle,
    pub failure: Option<Failure>,
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
}
