//! RestartInstance / RestartLogstash bodies: which members, how many at once.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::core::error::Field;
use crate::core::job::RollingRestart;
use crate::core::CoreError;

/// The body of `POST .../actions/restart` (all optional: no body restarts
/// every member, one at a time).
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RestartRequest {
    /// `instance` (the default: every member), `nodeIp` (the members of `nodes`), or `nodeEcsId`
    /// (strato's members have no ECS ids: InvalidParameter).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "nodeIp")]
    pub restart_type: Option<String>,
    /// The members' addresses (`nodeIp`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nodes: Option<Vec<String>>,
    /// A blue-green restart (new members, then the old retired): not emulated (501).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blue_green_dep: Option<bool>,
    /// A forced `instance` restart's share of the members restarted at once, 1-100 (percent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_count: Option<f64>,
    /// `percent` (the only unit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch_unit: Option<String>,
}

/// Why a restart's batch was refused (Alibaba's own codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchRefusal {
    /// A forced restart needs 0 < batchCount ≤ 100.
    BadBatch,
    /// A normal restart takes no batchCount.
    NormalWithBatch,
}

impl RestartRequest {
    /// The rolling restart asked for, given the members (ordinal, address).
    pub fn rolling(&self, force: bool, members: &[(u32, String)]) -> Result<Result<RollingRestart, BatchRefusal>, CoreError> {
        if self.blue_green_dep == Some(true) {
            return Err(CoreError::NotEmulated("blue-green restarts (members are restarted in place)".into()));
        }
        let invalid = |m: String| CoreError::invalid(Field::Restart, m);
        match self.restart_type.as_deref().map(str::trim).unwrap_or("") {
            "" | "instance" => {
                if let Some(unit) = self.batch_unit.as_deref().filter(|u| *u != "percent") {
                    return Err(invalid(format!("batchUnit must be percent, got `{unit}`")));
                }
                let batch = self.batch_count.filter(|c| *c != 0.0);
                Ok(match (force, batch) {
                    (true, Some(c)) if c > 0.0 && c <= 100.0 => Ok(RollingRestart::by_percent(members.len() as u32, c.ceil() as u32)),
                    (true, _) => Err(BatchRefusal::BadBatch),
                    (false, Some(_)) => Err(BatchRefusal::NormalWithBatch),
                    (false, None) => Ok(RollingRestart { members: None, batch: 1 }),
                })
            }
            "nodeIp" => {
                let wanted = self.nodes.clone().unwrap_or_default();
                if wanted.is_empty() {
                    return Err(invalid("a nodeIp restart needs nodes: the members' addresses".into()));
                }
                let mut ordinals = Vec::new();
                for ip in &wanted {
                    let (n, _) = members.iter().find(|(_, a)| a == ip.trim()).ok_or_else(|| invalid(format!("`{ip}` is not a member of the instance")))?;
                    if !ordinals.contains(n) {
                        ordinals.push(*n);
                    }
                }
                ordinals.sort();
                Ok(Ok(RollingRestart { members: Some(ordinals), batch: 1 }))
            }
            "nodeEcsId" => Err(invalid("strato's members have no ECS ids; restart them by nodeIp".into())),
            other => Err(invalid(format!("restartType must be instance, nodeIp or nodeEcsId, got `{other}`"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restart_kinds_batches_and_refusals() {
        let members = vec![(0, "127.10.0.1".to_string()), (1, "127.10.0.2".to_string()), (2, "127.10.0.3".to_string())];
        let r = |json: &str, force: bool| serde_json::from_str::<RestartRequest>(json).unwrap().rolling(force, &members);
        assert_eq!(r("{}", false).unwrap(), Ok(RollingRestart { members: None, batch: 1 }));
        assert_eq!(r(r#"{"restartType":"instance","batchCount":50}"#, true).unwrap(), Ok(RollingRestart { members: None, batch: 2 }));
        assert_eq!(r(r#"{"batchCount":0}"#, true).unwrap(), Err(BatchRefusal::BadBatch));
        assert_eq!(r(r#"{"batchCount":101}"#, true).unwrap(), Err(BatchRefusal::BadBatch));
        assert_eq!(r(r#"{"batchCount":30}"#, false).unwrap(), Err(BatchRefusal::NormalWithBatch));
        assert_eq!(
            r(r#"{"restartType":"nodeIp","nodes":["127.10.0.3","127.10.0.1","127.10.0.3"]}"#, false).unwrap(),
            Ok(RollingRestart { members: Some(vec![0, 2]), batch: 1 })
        );
        assert!(r(r#"{"restartType":"nodeIp","nodes":["10.0.0.1"]}"#, false).is_err());
        assert!(r(r#"{"restartType":"nodeIp"}"#, false).is_err());
        assert!(r(r#"{"restartType":"nodeEcsId","nodes":["i-1"]}"#, false).is_err());
        assert!(matches!(r(r#"{"blueGreenDep":true}"#, false), Err(CoreError::NotEmulated(_))));
    }
}
