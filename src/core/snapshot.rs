//! Snapshots: an online physical backup of a cluster's primary, kept under
//! strato's data directory, restorable into a new cluster.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::cluster::{ClusterSpec, Failure};
use super::error::{CoreError, Field};
use super::Millis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SnapshotKind {
    Manual,
    Auto,
}

impl SnapshotKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotKind::Manual => "MANUAL",
            SnapshotKind::Auto => "AUTO",
        }
    }
}

impl FromStr for SnapshotKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "MANUAL" => Ok(SnapshotKind::Manual),
            "AUTO" => Ok(SnapshotKind::Auto),
            other => Err(format!("unknown snapshot kind `{other}`")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SnapshotStatus {
    /// The backup job runs.
    Creating,
    /// Complete and restorable.
    Available,
    /// The backup failed; `failure` says why. Holds no files.
    Unavailable,
    /// The delete job runs.
    Deleting,
    /// Gone; kept for history only.
    Deleted,
}

impl SnapshotStatus {
    pub const ALL: [SnapshotStatus; 5] = [
        SnapshotStatus::Creating,
        SnapshotStatus::Available,
        SnapshotStatus::Unavailable,
        SnapshotStatus::Deleting,
        SnapshotStatus::Deleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SnapshotStatus::Creating => "creating",
            SnapshotStatus::Available => "available",
            SnapshotStatus::Unavailable => "unavailable",
            SnapshotStatus::Deleting => "deleting",
            SnapshotStatus::Deleted => "deleted",
        }
    }
}

impl fmt::Display for SnapshotStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SnapshotStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        SnapshotStatus::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| format!("unknown snapshot status `{s}`"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub id: Uuid,
    pub project_id: String,
    pub cluster_id: Uuid,
    pub name: String,
    pub description: String,
    pub kind: SnapshotKind,
    pub status: SnapshotStatus,
    /// The cluster's spec when the snapshot was taken.
    pub source: ClusterSpec,
    pub size_bytes: i64,
    pub failure: Option<Failure>,
    pub created_at: Millis,
    pub started_at: Option<Millis>,
    pub finished_at: Option<Millis>,
}

/// Snapshot names follow the cluster name rules.
pub fn validate_name(name: &str) -> Result<(), CoreError> {
    super::validate::resource_name(name, Field::SnapshotName, "snapshot")
}

/// Descriptions: at most 256 characters, none of `!<>'=&"`.
pub fn validate_description(d: &str) -> Result<(), CoreError> {
    if d.chars().count() > 256 || d.chars().any(|c| "!<>'=&\"".contains(c)) {
        return Err(CoreError::invalid(
            Field::SnapshotDescription,
            "invalid snapshot description: at most 256 characters, none of !<>'=&\"",
        ));
    }
    Ok(())
}

/// The snapshots of a deleted cluster that go with it: every automated one
/// and all manual ones but the newest `keep` (None keeps every manual one).
pub fn retired_by_cluster_delete(snapshots: &[Snapshot], keep: Option<u32>) -> Vec<Uuid> {
    let mut manual: Vec<&Snapshot> = snapshots
        .iter()
        .filter(|s| s.kind == SnapshotKind::Manual && matches!(s.status, SnapshotStatus::Available | SnapshotStatus::Unavailable))
        .collect();
    manual.sort_by_key(|s| std::cmp::Reverse((s.created_at, s.id)));
    let auto = snapshots
        .iter()
        .filter(|s| s.kind == SnapshotKind::Auto && matches!(s.status, SnapshotStatus::Available | SnapshotStatus::Unavailable));
    let excess_manual = match keep {
        Some(n) => manual.into_iter().skip(n as usize).collect(),
        None => vec![],
    };
    auto.chain(excess_manual).map(|s| s.id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(kind: SnapshotKind, at: Millis, status: SnapshotStatus) -> Snapshot {
        Snapshot {
            id: Uuid::new_v4(),
            project_id: "p".into(),
            cluster_id: Uuid::nil(),
            name: format!("s{at}"),
            description: String::new(),
            kind,
            status,
            source: serde_json::from_value(serde_json::json!({
                "name": "c", "node_type": "t", "number_of_node": 3, "number_of_cn": 3, "port": 8000,
                "user_name": "u", "vpc_id": "v", "subnet_id": "s", "security_group_id": "g",
                "availability_zone": "z", "public_ip": {"public_bind_type": "not_use", "eip_id": ""},
                "enterprise_project_id": "0", "tags": []
            }))
            .unwrap(),
            size_bytes: 0,
            failure: None,
            created_at: at,
            started_at: None,
            finished_at: None,
        }
    }

    #[test]
    fn cluster_delete_keeps_the_newest_manual_snapshots() {
        use SnapshotKind::*;
        use SnapshotStatus::*;
        let all = vec![
            snap(Manual, 1, Available),
            snap(Manual, 3, Available),
            snap(Manual, 2, Unavailable),
            snap(Auto, 4, Available),
            snap(Manual, 5, Creating),
        ];
        let gone = retired_by_cluster_delete(&all, Some(1));
        assert!(gone.contains(&all[0].id) && gone.contains(&all[2].id) && gone.contains(&all[3].id));
        assert!(!gone.contains(&all[1].id), "the newest manual one stays");
        assert!(!gone.contains(&all[4].id), "a snapshot still being made is not touched");
        assert_eq!(retired_by_cluster_delete(&all, Some(0)).len(), 4);
        assert_eq!(retired_by_cluster_delete(&all, None), vec![all[3].id]);
    }

    #[test]
    fn names_and_descriptions_are_checked() {
        assert!(validate_name("snapshotForDemoCluster").is_ok());
        for bad in ["abc", "1abc", "a b c", &"a".repeat(65)] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
        assert!(validate_description("Snapshot description").is_ok());
        assert!(validate_description("<script>").is_err());
        for s in SnapshotStatus::ALL {
            assert_eq!(s.as_str().parse::<SnapshotStatus>().unwrap(), s);
        }
    }
}
