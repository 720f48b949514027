//! Member roles of a search cluster: data members (CSS `ess` / `lgs`,
//! Alibaba `WORKER`) and dedicated master, client (coordinating) and cold
//! (warm) members. A dedicated role's members are named by ordinal, since
//! members come and go: data members are every other one. Pure rules: each
//! product's names, counts and how a role's membership changes.

use serde::{Deserialize, Serialize};

use super::error::{CoreError, Field};
use super::search::Datastore;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MemberRole {
    Data,
    Master,
    Client,
    Cold,
}

impl MemberRole {
    pub const DEDICATED: [MemberRole; 3] = [MemberRole::Master, MemberRole::Client, MemberRole::Cold];

    /// CSS's name (`instances[].type`, `roles[].type`).
    pub fn css(self, datastore: Datastore) -> &'static str {
        match self {
            MemberRole::Data if datastore == Datastore::Logstash => "lgs",
            MemberRole::Data => "ess",
            MemberRole::Master => "ess-master",
            MemberRole::Client => "ess-client",
            MemberRole::Cold => "ess-cold",
        }
    }

    /// The role a CSS name stands for in a cluster of `datastore`.
    pub fn parse_css(s: &str, datastore: Datastore) -> Result<MemberRole, CoreError> {
        let found = [MemberRole::Data, MemberRole::Master, MemberRole::Client, MemberRole::Cold].into_iter().find(|r| r.css(datastore) == s.trim());
        match found {
            Some(r) if r == MemberRole::Data || datastore != Datastore::Logstash => Ok(r),
            _ => Err(CoreError::invalid(
                Field::NumberOfNode,
                format!("unknown role `{s}` for a {} cluster ({})", datastore.as_str(), css_names(datastore)),
            )),
        }
    }

    /// Alibaba's name (`ListAllNode`'s `nodeType`).
    pub fn aliyun(self) -> &'static str {
        match self {
            MemberRole::Data => "WORKER",
            MemberRole::Master => "MASTER",
            MemberRole::Client => "COORDINATING",
            MemberRole::Cold => "WORKER_WARM",
        }
    }

    /// How many members a dedicated role may have, by product family.
    pub fn bounds(self, aliyun: bool) -> (u32, u32) {
        match (self, aliyun) {
            (MemberRole::Master, false) => (3, 9),
            (MemberRole::Master, true) => (3, 3),
            (MemberRole::Client, false) | (MemberRole::Cold, false) => (1, 32),
            (MemberRole::Client, true) => (2, 25),
            (MemberRole::Cold, true) => (2, 50),
            (MemberRole::Data, _) => (1, 200),
        }
    }
}

fn css_names(d: Datastore) -> &'static str {
    if d == Datastore::Logstash {
        "lgs"
    } else {
        "ess, ess-master, ess-client, ess-cold"
    }
}

/// A dedicated role's members and what each of them is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DedicatedRole {
    pub role: MemberRole,
    /// Its members' ordinals.
    pub members: Vec<u32>,
    pub flavor: String,
    pub disk_gb: u32,
    pub disk_type: String,
}

/// Checks a dedicated role's member count (masters: an odd number).
pub fn dedicated_count(role: MemberRole, n: i64, aliyun: bool) -> Result<u32, CoreError> {
    let (lo, hi) = role.bounds(aliyun);
    let what = if aliyun { role.aliyun() } else { role.css(Datastore::Elasticsearch) };
    if !(lo as i64..=hi as i64).contains(&n) {
        return Err(CoreError::invalid(Field::NumberOfNode, format!("{what} members must number {lo} to {hi}, got {n}")));
    }
    if role == MemberRole::Master && n % 2 == 0 {
        return Err(CoreError::invalid(Field::NumberOfNode, format!("{what} members must be an odd number, got {n}")));
    }
    Ok(n as u32)
}

/// The role of member `ordinal`: a dedicated role's, else data.
pub fn role_of(dedicated: &[DedicatedRole], ordinal: u32) -> MemberRole {
    dedicated.iter().find(|d| d.members.contains(&ordinal)).map(|d| d.role).unwrap_or(MemberRole::Data)
}

/// Which ordinals a change of `role` to `to` members adds (after `next_free`,
/// the first ordinal no member ever had) or retires (the newest of the role),
/// given the role's members now.
pub fn membership_change(now: &[u32], to: u32, next_free: u32) -> (Vec<u32>, Vec<u32>) {
    let have = now.len() as u32;
    if to >= have {
        ((next_free..next_free + (to - have)).collect(), vec![])
    } else {
        let mut newest = now.to_vec();
        newest.sort_unstable_by(|a, b| b.cmp(a));
        (vec![], newest.into_iter().take((have - to) as usize).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_counts_and_membership_changes() {
        assert_eq!(MemberRole::parse_css("ess-master", Datastore::Elasticsearch).unwrap(), MemberRole::Master);
        assert_eq!(MemberRole::parse_css("lgs", Datastore::Logstash).unwrap(), MemberRole::Data);
        assert!(MemberRole::parse_css("ess-master", Datastore::Logstash).is_err());
        assert!(MemberRole::parse_css("ess-hot", Datastore::Elasticsearch).is_err());
        assert_eq!(MemberRole::Client.aliyun(), "COORDINATING");
        assert!(dedicated_count(MemberRole::Master, 3, false).is_ok() && dedicated_count(MemberRole::Master, 4, false).is_err());
        assert!(dedicated_count(MemberRole::Master, 11, false).is_err() && dedicated_count(MemberRole::Master, 5, true).is_err());
        assert!(dedicated_count(MemberRole::Client, 1, true).is_err() && dedicated_count(MemberRole::Cold, 1, false).is_ok());
        let d = vec![DedicatedRole { role: MemberRole::Master, members: vec![2, 3, 4], flavor: "f".into(), disk_gb: 40, disk_type: "t".into() }];
        assert_eq!((role_of(&d, 3), role_of(&d, 0)), (MemberRole::Master, MemberRole::Data));
        assert_eq!(membership_change(&[0, 1, 5], 5, 7), (vec![7, 8], vec![]));
        assert_eq!(membership_change(&[0, 1, 5], 1, 7), (vec![], vec![5, 1]));
        assert_eq!(membership_change(&[0, 1], 2, 7), (vec![], vec![]));
    }
}
