//! Snapshots: an online physical backup of a cluster's primary, kept under
//! strato's data directory, restorable into a new cluster.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::cluster::{WarehouseSpec, Failure};
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
    pub source: WarehouseSpec,
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
    if d.chars().count() > 256 || d.chars().any(|c| "!<>'=&\"".contains(c) || c.is_control()) {
        return Err(CoreError::invalid(
            Field::SnapshotDescription,
            "invalid snapshot description: at most 256 characters, none of !<>'=&\" and no control characters",
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

/// One schedule of an automated snapshot policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Strategy {
    pub id: Uuid,
    pub name: String,
    /// Quartz-style cron: seconds minutes hours day-of-month month day-of-week [year].
    pub cron: String,
    /// When it last fired (or was set); the next run is the first cron time after it.
    pub last_fired_at: Millis,
    pub updated_at: Millis,
}

/// A cluster's automated snapshot policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Days an automated snapshot is kept.
    pub keep_day: u32,
    pub auto_backup: bool,
    pub strategies: Vec<Strategy>,
}

pub const MAX_KEEP_DAYS: u32 = 31;

/// Parses a policy's cron expression; errors name the expression.
pub fn schedule(cron: &str) -> Result<cron::Schedule, CoreError> {
    cron.parse::<cron::Schedule>().map_err(|e| {
        CoreError::invalid(Field::SnapshotPolicy, format!("invalid cron expression `{cron}` for backup_strategy: {e}"))
    })
}

/// The first run of `cron` strictly after `after`.
pub fn next_fire(cron: &str, after: Millis) -> Option<Millis> {
    let s = schedule(cron).ok()?;
    let after = chrono::DateTime::from_timestamp_millis(after)?;
    s.after(&after).next().map(|t| t.timestamp_millis())
}

pub fn validate_policy(p: &Policy) -> Result<(), CoreError> {
    if !(1..=MAX_KEEP_DAYS).contains(&p.keep_day) {
        return Err(CoreError::invalid(
            Field::SnapshotPolicy,
            format!("keep_day must be between 1 and {MAX_KEEP_DAYS}, got {}", p.keep_day),
        ));
    }
    for s in &p.strategies {
        schedule(&s.cron)?;
        if s.name.is_empty() || s.name.chars().count() > 64 {
            return Err(CoreError::invalid(Field::SnapshotPolicy, "policy_name must be 1 to 64 characters"));
        }
    }
    Ok(())
}

/// Automated snapshots older than `keep_day` days (a day lasting `day_ms`).
pub fn expired_auto(snapshots: &[Snapshot], keep_day: u32, day_ms: i64, now: Millis) -> Vec<Uuid> {
    snapshots
        .iter()
        .filter(|s| s.kind == SnapshotKind::Auto && matches!(s.status, SnapshotStatus::Available | SnapshotStatus::Unavailable))
        .filter(|s| now - s.created_at > keep_day as i64 * day_ms)
        .map(|s| s.id)
        .collect()
}

#[cfg(test)]
mod policy_tests {
    use super::*;

    #[test]
    fn cron_schedules_fire_after_their_last_run() {
        // Every day at 02:00:00.
        let day = 86_400_000;
        let next = next_fire("0 0 2 * * ?", 0).unwrap();
        assert_eq!(next, 2 * 3_600_000);
        assert_eq!(next_fire("0 0 2 * * ?", next).unwrap(), next + day);
        assert!(schedule("not a cron").is_err());
        assert!(next_fire("*/2 * * * * ?", 1_000).unwrap() == 2_000);
    }

    #[test]
    fn policies_are_validated() {
        let s = Strategy { id: Uuid::nil(), name: "nightly".into(), cron: "0 0 2 * * ?".into(), last_fired_at: 0, updated_at: 0 };
        let mut p = Policy { keep_day: 7, auto_backup: true, strategies: vec![s] };
        assert!(validate_policy(&p).is_ok());
        p.keep_day = 0;
        assert!(validate_policy(&p).is_err());
        p.keep_day = 32;
        assert!(validate_policy(&p).is_err());
        p.keep_day = 7;
        p.strategies[0].cron = "0 0 25 * * ?".into();
        assert!(validate_policy(&p).is_err());
    }
}
