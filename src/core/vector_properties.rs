//! A vector cluster's properties that change no process: labels, security
//! groups and autoscaling settings (recorded and shown: a standalone Milvus
//! scales neither its compute nor its replicas by itself here). Pure rules.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::error::{CoreError, Field};
use super::vector::MAX_CU_SIZE;

/// At most this many labels per cluster.
pub const MAX_LABELS: usize = 50;
/// Replicas autoscaling may range over (Zilliz's 1–10).
pub const MAX_REPLICAS: u32 = 10;

/// One scheduled scaling target.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScalingSchedule {
    #[serde(default)]
    pub timezone: String,
    pub cron: String,
    pub target: u32,
}

/// A range (`min`, `max`) or schedules, for compute units or replicas.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScalingRange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedules: Vec<ScalingSchedule>,
}

impl ScalingRange {
    fn is_empty(&self) -> bool {
        self.min.is_none() && self.max.is_none() && self.schedules.is_empty()
    }
}

/// Autoscaling settings: recorded and shown, never acted on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Autoscaling {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cu: Option<ScalingRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replica: Option<ScalingRange>,
}

impl Autoscaling {
    pub fn is_empty(&self) -> bool {
        self.cu.is_none() && self.replica.is_none()
    }
}

/// A range as asked (numbers unchecked).
#[derive(Debug, Clone, Default)]
pub struct RangeInput {
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub schedules: Vec<(String, String, i64)>,
}

fn range(input: Option<RangeInput>, what: &str, hi: i64) -> Result<Option<ScalingRange>, CoreError> {
    let Some(r) = input else { return Ok(None) };
    let bad = |m: String| CoreError::invalid(Field::CuSize, m);
    let bounded = |v: Option<i64>, name: &str| -> Result<Option<u32>, CoreError> {
        match v {
            Some(n) if !(1..=hi).contains(&n) => Err(bad(format!("autoscaling.{what}.{name} must be 1 to {hi}, got {n}"))),
            other => Ok(other.map(|n| n as u32)),
        }
    };
    let (min, max) = (bounded(r.min, "min")?, bounded(r.max, "max")?);
    if let (Some(lo), Some(up)) = (min, max) {
        if lo > up {
            return Err(bad(format!("autoscaling.{what}.min ({lo}) is above max ({up})")));
        }
    }
    if (min.is_some() || max.is_some()) && !r.schedules.is_empty() {
        return Err(bad(format!("autoscaling.{what}: give min/max or schedules, not both")));
    }
    let mut schedules = Vec::new();
    for (timezone, cron, target) in r.schedules {
        if cron.split_whitespace().count() < 5 {
            return Err(bad(format!("autoscaling.{what}.schedules: `{cron}` is not a cron expression")));
        }
        let target = bounded(Some(target), "schedules.target")?.unwrap_or(1);
        schedules.push(ScalingSchedule { timezone, cron, target });
    }
    let out = ScalingRange { min, max, schedules };
    // `{}` removes the setting (the provider's way of turning it off).
    Ok((!out.is_empty()).then_some(out))
}

/// Checks autoscaling settings; an empty range removes that setting.
pub fn autoscaling(cu: Option<RangeInput>, replica: Option<RangeInput>) -> Result<Autoscaling, CoreError> {
    Ok(Autoscaling { cu: range(cu, "cu", MAX_CU_SIZE)?, replica: range(replica, "replica", MAX_REPLICAS as i64)? })
}

/// Labels: at most 50, keys 1–64 characters, values up to 256, no control characters.
pub fn labels(wanted: BTreeMap<String, String>) -> Result<BTreeMap<String, String>, CoreError> {
    if wanted.len() > MAX_LABELS {
        return Err(CoreError::invalid(Field::Tags, format!("a cluster has at most {MAX_LABELS} labels")));
    }
    for (k, v) in &wanted {
        let key_ok = (1..=64).contains(&k.chars().count()) && !k.chars().any(char::is_control);
        if !key_ok || v.chars().count() > 256 || v.chars().any(char::is_control) {
            return Err(CoreError::invalid(Field::Tags, format!("label `{k}`: keys are 1-64 characters, values up to 256, without control characters")));
        }
    }
    Ok(wanted)
}

/// Security group ids (recorded: loopback has none): each a network id.
pub fn security_groups(ids: Vec<String>) -> Result<Vec<String>, CoreError> {
    for id in &ids {
        super::validate::network_id(id, Field::SecurityGroupId)?;
    }
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn autoscaling_ranges_schedules_and_removal() {
        let r = |min, max| Some(RangeInput { min, max, schedules: vec![] });
        let a = autoscaling(r(Some(1), Some(4)), None).unwrap();
        assert_eq!(a.cu.as_ref().map(|c| (c.min, c.max)), Some((Some(1), Some(4))));
        assert!(autoscaling(r(Some(4), Some(1)), None).is_err());
        assert!(autoscaling(r(Some(0), None), None).is_err());
        assert!(autoscaling(None, r(Some(1), Some(11))).is_err());
        let removed = autoscaling(Some(RangeInput::default()), Some(RangeInput::default())).unwrap();
        assert!(removed.is_empty(), "{{}} turns autoscaling off");
        let sched = RangeInput { schedules: vec![("UTC".into(), "0 8 * * 1-5".into(), 4)], ..RangeInput::default() };
        assert_eq!(autoscaling(Some(sched), None).unwrap().cu.unwrap().schedules[0].target, 4);
        let bad = RangeInput { schedules: vec![("UTC".into(), "daily".into(), 4)], ..RangeInput::default() };
        assert!(autoscaling(Some(bad), None).is_err());
        let both = RangeInput { min: Some(1), schedules: vec![("UTC".into(), "0 8 * * *".into(), 2)], ..RangeInput::default() };
        assert!(autoscaling(Some(both), None).is_err());
    }

    #[test]
    fn labels_and_security_groups() {
        let l = BTreeMap::from([("env".to_string(), "ci".to_string())]);
        assert_eq!(labels(l.clone()).unwrap(), l);
        assert!(labels(BTreeMap::from([(String::new(), "v".to_string())])).is_err());
        assert!(labels((0..51).map(|i| (format!("k{i}"), String::new())).collect()).is_err());
        assert_eq!(security_groups(vec!["sg-1".into(), "sg-1".into()]).unwrap(), vec!["sg-1".to_string()]);
        assert!(security_groups(vec!["bad id!".into()]).is_err());
    }
}
