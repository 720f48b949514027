//! The database parameters a DWS cluster's users may read and set: real
//! PostgreSQL settings under their own names (the ones GaussDB(DWS) shares
//! with PostgreSQL), each with its type, range and whether a change waits for
//! a restart (PostgreSQL's `postmaster` context).
//!
//! In strato every node is one whole PostgreSQL server, so a parameter has one
//! value per node: the `cn` and `dn` values DWS shows are that one value, and
//! an update that gives them different values is refused.

use std::collections::BTreeMap;

use super::error::{CoreError, Field};
use super::node_types::NodeType;

/// How a parameter's value is written and checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// `on` / `off` (also `true`, `yes`, `1`, … as PostgreSQL reads them).
    Boolean,
    Integer { min: i64, max: i64 },
    Float { min: f64, max: f64 },
    /// One of these words.
    Enum(&'static [&'static str]),
    /// Free text (one line, no control characters).
    Text,
}

impl Kind {
    /// DWS's name for the type (`ConfigurationParameter.type`).
    pub fn dws_type(self) -> &'static str {
        match self {
            Kind::Boolean => "boolean",
            Kind::Integer { .. } => "integer",
            Kind::Float { .. } => "float",
            Kind::Enum(_) => "list",
            Kind::Text => "string",
        }
    }

    /// The accepted values as DWS's `value_range` shows them.
    pub fn value_range(self) -> String {
        match self {
            Kind::Boolean => "on|off".into(),
            Kind::Integer { min, max } => format!("{min}-{max}"),
            Kind::Float { min, max } => format!("{min}-{max}"),
            Kind::Enum(words) => words.join("|"),
            Kind::Text => String::new(),
        }
    }
}

/// Where a default comes from: fixed, or the node type's sizing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Default {
    Fixed(&'static str),
    MaxConnections,
    SharedBuffers,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parameter {
    pub name: &'static str,
    pub kind: Kind,
    pub unit: &'static str,
    /// PostgreSQL applies a change only at the next start.
    pub restart_required: bool,
    /// Shown, never set through the API (strato manages it).
    pub readonly: bool,
    pub default: Default,
    pub description: &'static str,
}

impl Parameter {
    pub fn default_value(&self, node_type: &NodeType) -> String {
        match self.default {
            Default::Fixed(v) => v.to_string(),
            Default::MaxConnections => node_type.max_connections.to_string(),
            Default::SharedBuffers => pages_8k(node_type.shared_buffers).to_string(),
        }
    }

    /// The value as PostgreSQL's `pg_settings.setting` shows it, or why it is refused.
    pub fn normalize(&self, value: &str) -> Result<String, String> {
        let v = value.trim();
        match self.kind {
            Kind::Boolean => match v.to_ascii_lowercase().as_str() {
                "on" | "true" | "yes" | "1" => Ok("on".into()),
                "off" | "false" | "no" | "0" => Ok("off".into()),
                _ => Err(format!("`{value}` is not a boolean (on or off)")),
            },
            Kind::Integer { min, max } => match v.parse::<i64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n.to_string()),
                Ok(_) => Err(format!("{v} is outside {min}-{max}")),
                Err(_) => Err(format!("`{value}` is not an integer")),
            },
            Kind::Float { min, max } => match v.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= min && x <= max => Ok(v.to_string()),
                Ok(_) => Err(format!("{v} is outside {min}-{max}")),
                Err(_) => Err(format!("`{value}` is not a number")),
            },
            Kind::Enum(words) => words
                .iter()
                .find(|w| w.eq_ignore_ascii_case(v))
                .map(|w| w.to_string())
                .ok_or_else(|| format!("`{value}` is not one of {}", words.join(", "))),
            Kind::Text if v.len() > 1024 => Err("longer than 1024 characters".into()),
            Kind::Text if v.chars().any(char::is_control) => Err("contains a control character".into()),
            Kind::Text => Ok(v.to_string()),
        }
    }
}

/// A size such as `32MB` in PostgreSQL's 8 kB pages.
fn pages_8k(size: &str) -> u64 {
    let (digits, unit) = size.split_at(size.find(|c: char| !c.is_ascii_digit()).unwrap_or(size.len()));
    let n: u64 = digits.parse().unwrap_or(0);
    match unit {
        "GB" => n * 128 * 1024,
        "MB" => n * 128,
        "kB" => n / 8,
        _ => n,
    }
}

const fn param(name: &'static str, kind: Kind, unit: &'static str, default: Default, description: &'static str) -> Parameter {
    Parameter { name, kind, unit, restart_required: false, readonly: false, default, description }
}

const fn needs_restart(p: Parameter) -> Parameter {
    Parameter { restart_required: true, ..p }
}

const fn readonly(p: Parameter) -> Parameter {
    Parameter { readonly: true, ..p }
}

const fn int(min: i64, max: i64) -> Kind {
    Kind::Integer { min, max }
}

const INT_MAX: i64 = 2_147_483_647;
const BOOL: Kind = Kind::Boolean;
const ON: Default = Default::Fixed("on");

/// Every parameter a cluster shows, by name.
pub const PARAMETERS: &[Parameter] = &[
    param("autovacuum", BOOL, "", ON, "Starts the autovacuum subprocess."),
    needs_restart(param("autovacuum_max_workers", int(1, 128), "", Default::Fixed("3"), "Maximum number of simultaneously running autovacuum worker processes.")),
    param("autovacuum_naptime", int(1, 2_147_483), "s", Default::Fixed("60"), "Time to sleep between autovacuum runs."),
    param("checkpoint_timeout", int(30, 86_400), "s", Default::Fixed("300"), "Maximum time between automatic WAL checkpoints."),
    param("datestyle", Kind::Enum(&["ISO, MDY", "ISO, DMY", "ISO, YMD", "SQL, MDY", "SQL, DMY", "Postgres, MDY", "Postgres, DMY", "German, DMY"]), "", Default::Fixed("ISO, MDY"), "Display format for date and time values."),
    param("deadlock_timeout", int(1, INT_MAX), "ms", Default::Fixed("1000"), "Time to wait on a lock before checking for deadlock."),
    param("default_statistics_target", int(1, 10_000), "", Default::Fixed("100"), "Default statistics target for table columns."),
    param("enable_bitmapscan", BOOL, "", ON, "Enables the planner's use of bitmap-scan plans."),
    param("enable_hashjoin", BOOL, "", ON, "Enables the planner's use of hash join plans."),
    param("enable_indexscan", BOOL, "", ON, "Enables the planner's use of index-scan plans."),
    param("enable_mergejoin", BOOL, "", ON, "Enables the planner's use of merge join plans."),
    param("enable_nestloop", BOOL, "", ON, "Enables the planner's use of nested-loop join plans."),
    param("enable_seqscan", BOOL, "", ON, "Enables the planner's use of sequential-scan plans."),
    param("enable_sort", BOOL, "", ON, "Enables the planner's use of explicit sort steps."),
    param("lock_timeout", int(0, INT_MAX), "ms", Default::Fixed("0"), "Maximum allowed duration of any wait for a lock (0 turns this off)."),
    param("log_min_duration_statement", int(-1, INT_MAX), "ms", Default::Fixed("-1"), "Logs statements that run at least this long (-1 turns this off)."),
    param("log_statement", Kind::Enum(&["none", "ddl", "mod", "all"]), "", Default::Fixed("none"), "Type of statements logged."),
    param("maintenance_work_mem", int(1024, INT_MAX), "kB", Default::Fixed("65536"), "Maximum memory for maintenance operations."),
    needs_restart(param("max_connections", int(1, 262_143), "", Default::MaxConnections, "Maximum number of concurrent connections to each node.")),
    needs_restart(param("max_prepared_transactions", int(0, 262_143), "", Default::Fixed("0"), "Maximum number of simultaneously prepared transactions.")),
    readonly(needs_restart(param("max_wal_senders", int(0, 262_143), "", Default::Fixed("260"), "WAL senders for the cluster's standbys (managed by strato)."))),
    param("random_page_cost", Kind::Float { min: 0.0, max: 1.0e10 }, "", Default::Fixed("4"), "Planner's estimate of the cost of a nonsequentially fetched disk page."),
    param("search_path", Kind::Text, "", Default::Fixed("\"$user\", public"), "Schema search order for names that are not schema-qualified."),
    needs_restart(param("shared_buffers", int(16, 1_073_741_823), "8kB", Default::SharedBuffers, "Memory for the shared buffer cache, in 8 kB pages.")),
    param("statement_timeout", int(0, INT_MAX), "ms", Default::Fixed("0"), "Maximum allowed duration of any statement (0 turns this off)."),
    param("track_activities", BOOL, "", ON, "Collects information about executing commands."),
    readonly(param("wal_level", Kind::Enum(&["replica"]), "", Default::Fixed("replica"), "How much information is written to the WAL (managed by strato).")),
    param("work_mem", int(64, INT_MAX), "kB", Default::Fixed("4096"), "Memory for internal sort operations and hash tables before spilling to disk."),
];

pub fn find(name: &str) -> Option<&'static Parameter> {
    PARAMETERS.iter().find(|p| p.name == name)
}

/// The id of a cluster's one parameter group (DWS's `hiddenParameterGroup`,
/// the one the API changes): derived from the cluster's, never stored.
pub fn group_id(cluster_id: uuid::Uuid) -> uuid::Uuid {
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x5f2a_9c1e_4b7d_4e0a_9a51_6d3c_2b8e_f017);
    uuid::Uuid::new_v5(&NAMESPACE, cluster_id.as_bytes())
}

/// DWS's name of that group.
pub fn group_name(cluster_id: uuid::Uuid) -> String {
    format!("parameterGroupFor_{cluster_id}")
}

/// Refuses a configuration id that is not the cluster's parameter group.
pub fn check_group(cluster_id: uuid::Uuid, configuration_id: &str) -> Result<(), CoreError> {
    match configuration_id.parse::<uuid::Uuid>() {
        Ok(id) if id == group_id(cluster_id) => Ok(()),
        _ => Err(CoreError::invalid(
            Field::ParameterGroup,
            format!("`{configuration_id}` is not a parameter group of cluster {cluster_id}"),
        )),
    }
}

/// The node roles DWS names a value by.
pub const ROLES: [&str; 2] = ["cn", "dn"];

/// One `{type, name, value}` of an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub role: String,
    pub name: String,
    pub value: String,
}

/// The settings an update makes (name → value as PostgreSQL shows it), or
/// the first reason it is refused; nothing is applied unless all are valid.
pub fn assignments(list: &[Assignment]) -> Result<BTreeMap<String, String>, CoreError> {
    if list.is_empty() {
        return Err(CoreError::invalid(Field::ParameterValue, "`configurations` names no parameter"));
    }
    let mut set: BTreeMap<String, String> = BTreeMap::new();
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for a in list {
        if !ROLES.contains(&a.role.as_str()) {
            return Err(CoreError::invalid(Field::ParameterValue, format!("`type` of {} must be cn or dn, not `{}`", a.name, a.role)));
        }
        let p = find(&a.name).ok_or_else(|| CoreError::invalid(Field::Parameter, format!("the parameter `{}` does not exist", a.name)))?;
        if p.readonly {
            return Err(CoreError::invalid(Field::ParameterValue, format!("the parameter `{}` is read-only", p.name)));
        }
        if seen.contains(&(a.role.as_str(), a.name.as_str())) {
            return Err(CoreError::invalid(Field::ParameterDuplicate, format!("the {} value of `{}` is given twice", a.role, a.name)));
        }
        seen.push((a.role.as_str(), a.name.as_str()));
        let value = p.normalize(&a.value).map_err(|why| CoreError::invalid(Field::ParameterValue, format!("`{}`: {why}", p.name)))?;
        match set.get(p.name) {
            Some(other) if *other != value => {
                return Err(CoreError::invalid(
                    Field::ParameterValue,
                    format!("`{}`: strato runs every node as one PostgreSQL server, so its cn and dn values must match", p.name),
                ))
            }
            _ => {
                set.insert(p.name.to_string(), value);
            }
        }
    }
    Ok(set)
}

/// A parameter's line in a node's configuration file (the value quoted).
pub fn conf_line(name: &str, value: &str) -> String {
    format!("{name} = '{}'\n", value.replace('\\', "\\\\").replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(role: &str, name: &str, value: &str) -> Assignment {
        Assignment { role: role.into(), name: name.into(), value: value.into() }
    }

    fn field_of(r: Result<BTreeMap<String, String>, CoreError>) -> Field {
        match r {
            Err(CoreError::Invalid { field, .. }) => field,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn values_are_checked_and_normalized_to_what_postgresql_shows() {
        let set = assignments(&[a("cn", "work_mem", " 8192 "), a("dn", "work_mem", "8192"), a("cn", "enable_hashjoin", "FALSE"), a("dn", "log_statement", "DDL")]).unwrap();
        assert_eq!(set["work_mem"], "8192");
        assert_eq!(set["enable_hashjoin"], "off");
        assert_eq!(set["log_statement"], "ddl");
    }

    #[test]
    fn a_bad_update_is_refused_whole_with_the_reason() {
        assert_eq!(field_of(assignments(&[a("cn", "work_mem", "1024"), a("cn", "no_such_thing", "1")])), Field::Parameter);
        assert_eq!(field_of(assignments(&[a("cn", "work_mem", "10")])), Field::ParameterValue);
        assert_eq!(field_of(assignments(&[a("cn", "work_mem", "lots")])), Field::ParameterValue);
        assert_eq!(field_of(assignments(&[a("cn", "enable_seqscan", "maybe")])), Field::ParameterValue);
        assert_eq!(field_of(assignments(&[a("xx", "work_mem", "1024")])), Field::ParameterValue);
        assert_eq!(field_of(assignments(&[a("cn", "wal_level", "replica")])), Field::ParameterValue);
        assert_eq!(field_of(assignments(&[a("cn", "work_mem", "1024"), a("dn", "work_mem", "2048")])), Field::ParameterValue);
        assert_eq!(field_of(assignments(&[a("cn", "work_mem", "1024"), a("cn", "work_mem", "1024")])), Field::ParameterDuplicate);
        assert_eq!(field_of(assignments(&[a("cn", "search_path", "a\nb")])), Field::ParameterValue);
        assert_eq!(field_of(assignments(&[])), Field::ParameterValue);
        assert_eq!(field_of(assignments(&[a("cn", "random_page_cost", "NaN")])), Field::ParameterValue);
    }

    #[test]
    fn the_catalogue_is_sorted_unique_and_its_defaults_are_valid() {
        let names: Vec<&str> = PARAMETERS.iter().map(|p| p.name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(names, sorted);
        let t = &super::super::node_types::catalog()[0];
        for p in PARAMETERS {
            assert_eq!(p.normalize(&p.default_value(t)).as_deref(), Ok(p.default_value(t).as_str()), "{}", p.name);
        }
    }

    #[test]
    fn sizes_are_counted_in_pages() {
        assert_eq!((pages_8k("32MB"), pages_8k("1GB"), pages_8k("64kB")), (4096, 131_072, 8));
    }

    #[test]
    fn a_value_is_quoted_for_the_configuration_file() {
        assert_eq!(conf_line("search_path", "\"$user\", it's"), "search_path = '\"$user\", it''s'\n");
    }
}
