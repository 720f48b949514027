//! CSS index snapshots: the snapshot function's settings (where snapshots go)
//! and the automatic-snapshot policy, with CSS's rules for each field. Pure:
//! the app records the result in one store transaction.

use serde::{Deserialize, Serialize};

use super::error::{CoreError, Field};

/// The automatic-snapshot policy (`index_snapshot/policy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotPolicy {
    pub enabled: bool,
    pub prefix: String,
    /// `HH:mm GMT+HH:mm`: when a day's snapshot is taken.
    pub period: String,
    /// Days a snapshot is kept, 1–90.
    pub keepday: u32,
    /// `DAY`, `HOUR` or a weekday (`SUN` … `SAT`).
    pub frequency: String,
    /// Indices, comma-separated (`*` for every one).
    pub indices: String,
    /// Whether the snapshots the policy took go when it is turned off.
    pub delete_auto: bool,
}

impl Default for SnapshotPolicy {
    fn default() -> Self {
        SnapshotPolicy {
            enabled: false,
            prefix: "snapshot".into(),
            period: "00:00 GMT+08:00".into(),
            keepday: 7,
            frequency: "DAY".into(),
            indices: "*".into(),
            delete_auto: false,
        }
    }
}

/// A cluster's snapshot function.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexSnapshots {
    /// On (`backupAvailable`): where snapshots go is set.
    #[serde(default)]
    pub available: bool,
    #[serde(default)]
    pub bucket: String,
    #[serde(default)]
    pub base_path: String,
    #[serde(default)]
    pub agency: String,
    #[serde(default)]
    pub policy: SnapshotPolicy,
}

/// A policy change as asked (fields left out keep their values).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyInput {
    pub enable: Option<bool>,
    pub prefix: Option<String>,
    pub period: Option<String>,
    pub keepday: Option<i64>,
    pub frequency: Option<String>,
    pub indices: Option<String>,
    pub delete_auto: Option<bool>,
}

fn invalid(m: impl Into<String>) -> CoreError {
    CoreError::invalid(Field::SnapshotPolicy, m)
}

const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

impl IndexSnapshots {
    /// The function on, with snapshots going to `bucket`/`base_path`.
    pub fn set(&self, bucket: &str, base_path: &str, agency: &str) -> Result<IndexSnapshots, CoreError> {
        let ok_bucket = (3..=63).contains(&bucket.len())
            && bucket.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
            && bucket.starts_with(|c: char| c.is_ascii_alphanumeric());
        if !ok_bucket {
            return Err(invalid(format!("bucket `{bucket}` must be 3-63 lower-case letters, digits, - and .")));
        }
        if agency.trim().is_empty() || agency.len() > 64 {
            return Err(invalid("agency is required (at most 64 characters)"));
        }
        if base_path.len() > 256 || base_path.chars().any(|c| c.is_control() || c == '\\') {
            return Err(invalid(format!("basePath `{base_path}` must be at most 256 characters, with / between names")));
        }
        Ok(IndexSnapshots { available: true, bucket: bucket.into(), base_path: base_path.into(), agency: agency.into(), policy: self.policy.clone() })
    }

    /// `auto_setting`: the function on, with a bucket and path of the cluster's own.
    pub fn automatic(&self, cluster_name: &str, cluster_key: &str) -> IndexSnapshots {
        IndexSnapshots {
            available: true,
            bucket: format!("css-backup-{cluster_key}"),
            base_path: format!("css_repository/{cluster_name}"),
            agency: "css_obs_agency".into(),
            policy: self.policy.clone(),
        }
    }

    /// The function off (`DELETE index_snapshots`): its policy goes off too.
    /// Off already is `Unchanged` (CSS answers it with CSS.0004).
    pub fn off(&self) -> Result<IndexSnapshots, CoreError> {
        if !self.available {
            return Err(CoreError::invalid(Field::Unchanged, "the snapshot function is off already"));
        }
        Ok(IndexSnapshots { policy: SnapshotPolicy { enabled: false, ..self.policy.clone() }, ..IndexSnapshots::default() })
    }

    /// The policy after `input`; turning it on needs the function on.
    pub fn with_policy(&self, input: &PolicyInput) -> Result<IndexSnapshots, CoreError> {
        let p = &self.policy;
        let enabled = input.enable.ok_or_else(|| invalid("enable is required (\"true\" or \"false\")"))?;
        if enabled && !self.available {
            return Err(CoreError::WrongState { state: "without the snapshot function: set index_snapshot/setting first".into() });
        }
        let prefix = input.prefix.clone().unwrap_or_else(|| p.prefix.clone());
        let ok_prefix = (1..=32).contains(&prefix.len())
            && prefix.starts_with(|c: char| c.is_ascii_lowercase())
            && prefix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !ok_prefix {
            return Err(invalid(format!("prefix `{prefix}` must be 1-32 lower-case letters, digits, - and _, starting with a letter")));
        }
        let period = input.period.clone().unwrap_or_else(|| p.period.clone());
        if !period_ok(&period) {
            return Err(invalid(format!("period `{period}` must be HH:mm GMT+HH:mm (a whole hour, e.g. 00:00 GMT+08:00)")));
        }
        let keepday = match input.keepday {
            None => p.keepday,
            Some(k) if (1..=90).contains(&k) => k as u32,
            Some(k) => return Err(invalid(format!("keepday must be 1 to 90, got {k}"))),
        };
        let frequency = input.frequency.clone().unwrap_or_else(|| p.frequency.clone());
        if !(frequency == "DAY" || frequency == "HOUR" || WEEKDAYS.contains(&frequency.as_str())) {
            return Err(invalid(format!("frequency must be DAY, HOUR or a weekday (SUN..SAT), got `{frequency}`")));
        }
        let indices = input.indices.clone().unwrap_or_else(|| p.indices.clone());
        if indices.len() > 1024 || indices.chars().any(char::is_control) {
            return Err(invalid("indices must be at most 1024 characters"));
        }
        let policy = SnapshotPolicy { enabled, prefix, period, keepday, frequency, indices, delete_auto: input.delete_auto.unwrap_or(p.delete_auto) };
        Ok(IndexSnapshots { policy, ..self.clone() })
    }
}

/// `HH:mm GMT+HH:mm` with a whole hour (CSS takes snapshots on the hour).
fn period_ok(p: &str) -> bool {
    let Some((time, zone)) = p.split_once(' ') else { return false };
    let Some((h, m)) = time.split_once(':') else { return false };
    let hour_ok = h.len() == 2 && h.parse::<u32>().is_ok_and(|h| h < 24) && m == "00";
    let zone_ok = zone.strip_prefix("GMT").is_some_and(|z| {
        let (sign, rest) = z.split_at(z.len().min(1));
        matches!(sign, "+" | "-") && rest.split_once(':').is_some_and(|(zh, zm)| zh.len() == 2 && zh.parse::<u32>().is_ok_and(|h| h <= 14) && matches!(zm, "00" | "30" | "45"))
    });
    hour_ok && zone_ok
}

/// A snapshot's name: 4–64 lower-case letters, digits, `-` and `_`, starting with a letter.
pub fn snapshot_name(name: &str) -> Result<(), CoreError> {
    let ok = (4..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(CoreError::invalid(Field::SnapshotName, format!("snapshot name `{name}` must be 4-64 lower-case letters, digits, - and _, starting with a letter")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_function_and_its_policy_follow_css_rules() {
        let off = IndexSnapshots::default();
        assert!(matches!(off.off(), Err(CoreError::Invalid { field: Field::Unchanged, .. })));
        let enable = PolicyInput { enable: Some(true), ..PolicyInput::default() };
        assert!(matches!(off.with_policy(&enable), Err(CoreError::WrongState { .. })), "the function must be on first");
        assert!(off.with_policy(&PolicyInput { enable: Some(false), ..PolicyInput::default() }).is_ok(), "the provider turns it off on a cluster without it");
        let on = off.set("css-bucket", "css_repository/demo", "css_obs_agency").unwrap();
        assert!(on.available);
        assert!(off.set("Bad_Bucket", "p", "a").is_err() && off.set("bucket", "p", "").is_err());
        let p = on.with_policy(&PolicyInput { enable: Some(true), prefix: Some("daily".into()), period: Some("16:00 GMT+08:00".into()), keepday: Some(7), ..PolicyInput::default() }).unwrap();
        assert_eq!((p.policy.enabled, p.policy.prefix.as_str(), p.policy.keepday), (true, "daily", 7));
        for bad in [
            PolicyInput { keepday: Some(91), ..enable.clone() },
            PolicyInput { period: Some("16:30 GMT+08:00".into()), ..enable.clone() },
            PolicyInput { period: Some("25:00 GMT+08:00".into()), ..enable.clone() },
            PolicyInput { prefix: Some("Daily".into()), ..enable.clone() },
            PolicyInput { frequency: Some("MONTH".into()), ..enable.clone() },
            PolicyInput { enable: None, ..PolicyInput::default() },
        ] {
            assert!(on.with_policy(&bad).is_err(), "{bad:?}");
        }
        let gone = p.off().unwrap();
        assert!(!gone.available && !gone.policy.enabled && gone.bucket.is_empty());
        assert!(snapshot_name("snap-1").is_ok() && snapshot_name("1snap").is_err() && snapshot_name("abc").is_err());
    }
}
