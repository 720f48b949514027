//! Validation of cluster create requests, per REFERENCE.md §1 "Create fields".
//! Returns a `WarehouseSpec` plus the admin password, which is never persisted:
//! it goes to the engine once, which keeps only its SCRAM verifier.

use super::cluster::{WarehouseSpec, PublicIp, Tag};
use super::error::{CoreError, Field};
use super::node_types::NodeType;

/// A create request as the dialects decode it: every field optional so that
/// a missing field is a validation error in the dialect's format, not a
/// deserialisation failure.
#[derive(Debug, Default, Clone)]
pub struct CreateInput {
    pub name: Option<String>,
    pub node_type: Option<String>,
    pub number_of_node: Option<i64>,
    pub number_of_cn: Option<i64>,
    pub port: Option<i64>,
    pub user_name: Option<String>,
    pub user_pwd: Option<String>,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub security_group_id: Option<String>,
    pub availability_zone: Option<String>,
    pub public_ip: Option<PublicIp>,
    pub enterprise_project_id: Option<String>,
    pub tags: Vec<Tag>,
    /// The v2 create's `volume`: its type and GB per node.
    pub volume: Option<(Option<String>, Option<i64>)>,
}

/// DWS's documented minimum; a server may lower it for development (`--min-nodes`).
pub const MIN_NODES: i64 = 3;
pub const MAX_NODES: i64 = 256;
pub const DEFAULT_PORT: i64 = 8000;
pub const MAX_TAGS: usize = 20;

/// PostgreSQL reserved key words and role names the engine keeps for itself.
const RESERVED_USER_NAMES: &[&str] = &[
    "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both",
    "case", "cast", "check", "collate", "column", "constraint", "create", "current_catalog",
    "current_date", "current_role", "current_time", "current_timestamp", "current_user",
    "default", "deferrable", "desc", "distinct", "do", "else", "end", "except", "false",
    "fetch", "for", "foreign", "from", "grant", "group", "having", "in", "initially",
    "intersect", "into", "lateral", "leading", "limit", "localtime", "localtimestamp", "none",
    "not", "null", "offset", "on", "only", "or", "order", "placing", "primary", "public",
    "references", "returning", "select", "session_user", "some", "strato", "symmetric",
    "table", "then", "to", "trailing", "true", "union", "unique", "user", "using",
    "variadic", "when", "where", "window", "with",
];

const SPECIAL_CHARS: &str = "~!?,.:;-_'\"(){}[]/<>@#%^&*+|\\=`$";

fn required(v: &Option<String>, field: Field, what: &str) -> Result<String, CoreError> {
    match v.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s.to_string()),
        _ => Err(CoreError::invalid(field, format!("{what} is required"))),
    }
}

/// Free text (descriptions) must not carry control characters: a NUL or an
/// escape sequence stored here would come back in every list.
pub fn plain_text(text: &str, field: Field, what: &str) -> Result<(), CoreError> {
    match text.chars().find(|c| c.is_control()) {
        Some(c) => Err(CoreError::invalid(field, format!("{what} must not contain control characters (found U+{:04X})", c as u32))),
        None => Ok(()),
    }
}

/// DWS resource names (clusters, snapshots): 4–64 characters, a letter
/// first, then letters, digits, `-`, `_`. `what` names the resource in the error.
pub fn resource_name(name: &str, field: Field, what: &str) -> Result<(), CoreError> {
    let ok_len = (4..=64).contains(&name.chars().count());
    let ok_first = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let ok_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok_len && ok_first && ok_chars {
        Ok(())
    } else {
        Err(CoreError::invalid(
            field,
            format!(
                "invalid {what} name `{name}`: 4 to 64 characters, starting with a letter, \
                 containing only letters, digits, hyphens (-) and underscores (_)"
            ),
        ))
    }
}

pub fn cluster_name(name: &str) -> Result<(), CoreError> {
    resource_name(name, Field::Name, "cluster")
}

/// Administrator names: 1–63 characters of lowercase letters, digits and `_`,
/// starting with a lowercase letter or `_`, and not a reserved word.
pub fn user_name(name: &str) -> Result<(), CoreError> {
    let ok_len = (1..=63).contains(&name.len());
    let ok_first = name.chars().next().is_some_and(|c| c.is_ascii_lowercase() || c == '_');
    let ok_chars = name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !(ok_len && ok_first && ok_chars) {
        return Err(CoreError::invalid(
            Field::UserName,
            format!(
                "invalid administrator name `{name}`: 1 to 63 characters, lowercase letters, \
                 digits and underscores, starting with a lowercase letter or underscore"
            ),
        ));
    }
    if RESERVED_USER_NAMES.contains(&name) || name.starts_with("pg_") {
        return Err(CoreError::invalid(
            Field::UserName,
            format!("invalid administrator name `{name}`: it is a reserved word"),
        ));
    }
    Ok(())
}

/// Administrator passwords: 12–32 characters from at least three of upper
/// case, lower case, digits and special characters; not the user name or
/// the user name reversed.
pub fn user_pwd(pwd: &str, user: &str) -> Result<(), CoreError> {
    let len = pwd.chars().count();
    let classes = [
        pwd.chars().any(|c| c.is_ascii_uppercase()),
        pwd.chars().any(|c| c.is_ascii_lowercase()),
        pwd.chars().any(|c| c.is_ascii_digit()),
        pwd.chars().any(|c| SPECIAL_CHARS.contains(c)),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    let allowed = pwd.chars().all(|c| c.is_ascii_alphanumeric() || SPECIAL_CHARS.contains(c));
    if !(12..=32).contains(&len) || classes < 3 || !allowed {
        return Err(CoreError::invalid(
            Field::UserPwd,
            "invalid administrator password: 12 to 32 characters with at least three of \
             uppercase letters, lowercase letters, digits and special characters \
             (~!?,.:;-_'\"(){}[]/<>@#%^&*+|\\=)",
        ));
    }
    let lower = pwd.to_ascii_lowercase();
    let reversed: String = user.chars().rev().collect();
    if lower == user.to_ascii_lowercase() || lower == reversed.to_ascii_lowercase() {
        return Err(CoreError::invalid(
            Field::UserPwd,
            "invalid administrator password: it must not be the user name or the user name reversed",
        ));
    }
    Ok(())
}

pub fn tags(tags: &[Tag]) -> Result<(), CoreError> {
    if tags.len() > MAX_TAGS {
        return Err(CoreError::invalid(Field::Tags, format!("at most {MAX_TAGS} tags are allowed")));
    }
    const FORBIDDEN: &str = "=*<>\\,|/";
    for t in tags {
        let bad = |s: &str, max: usize| s.chars().count() > max || s.chars().any(|c| FORBIDDEN.contains(c));
        if t.key.is_empty() || bad(&t.key, 128) || bad(&t.value, 255) {
            return Err(CoreError::invalid(
                Field::Tags,
                format!("invalid tag `{}`: key 1-128 and value up to 255 characters, none of =*<>\\,|/", t.key),
            ));
        }
    }
    Ok(())
}

/// The timezones DWS offers (huaweicloudsdkdws `ClusterTimezoneReq`).
pub const TIMEZONES: &[&str] = &[
    "Etc/GMT+11", "US/Hawaii", "Etc/GMT+9", "US/Alaska", "US/Pacific", "Etc/GMT+8", "Canada/Mountain", "US/Arizona",
    "Canada/Saskatchewan", "Etc/GMT+6", "US/Central", "EST", "America/Bogota", "Etc/GMT+5", "Canada/Atlantic",
    "America/Cuiaba", "America/Buenos_Aires", "Etc/GMT+3", "Canada/Newfoundland", "America/Santiago", "Etc/GMT+2",
    "Atlantic/Cape_Verde", "Europe/London", "Africa/Monrovia", "UTC", "Europe/Belgrade", "CET", "MET",
    "Europe/Amsterdam", "EET", "Europe/Athens", "Asia/Amman", "Asia/Beirut", "Europe/Minsk", "Africa/Nairobi",
    "Europe/Moscow", "Etc/GMT-4", "Asia/Tbilisi", "Asia/Kabul", "Etc/GMT-5", "Asia/Calcutta", "Etc/GMT-6", "Etc/GMT-7",
    "PRC", "Asia/Shanghai", "Etc/GMT-8", "Australia/Perth", "Asia/Seoul", "Asia/Tokyo", "Australia/Darwin",
    "Australia/Adelaide", "Australia/Sydney", "Australia/Brisbane", "Etc/GMT-11", "Pacific/Auckland", "Etc/GMT-12",
];

pub fn cluster_timezone(tz: &str) -> Result<(), CoreError> {
    if TIMEZONES.contains(&tz) {
        return Ok(());
    }
    Err(CoreError::invalid(Field::Timezone, format!("cluster_timezone `{tz}` is not one DWS offers (UTC, Asia/Shanghai, Europe/Amsterdam, ...)")))
}

/// Per-node disk sizes a cluster may have, GB.
pub const VOLUME_GB: (i64, i64) = (10, 32768);

/// A v2 create's `volume`: a type (`SSD` by default) and a size in range.
fn volume(volume_type: Option<&str>, capacity: Option<i64>) -> Result<super::cluster::Volume, CoreError> {
    let volume_type = volume_type.unwrap_or("SSD");
    if volume_type.is_empty() || volume_type.len() > 32 || !volume_type.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(CoreError::invalid(Field::Volume, format!("volume.volume `{volume_type}` is not a disk type (SSD, SAS, ...)")));
    }
    let gb = capacity.ok_or_else(|| CoreError::invalid(Field::Volume, "volume.capacity is required"))?;
    storage_size(gb)?;
    Ok(super::cluster::Volume { volume_type: volume_type.into(), capacity_gb: gb as u32 })
}

fn storage_size(gb: i64) -> Result<(), CoreError> {
    if !(VOLUME_GB.0..=VOLUME_GB.1).contains(&gb) {
        return Err(CoreError::invalid(Field::Volume, format!("a node's disk is {} to {} GB, got {gb}", VOLUME_GB.0, VOLUME_GB.1)));
    }
    Ok(())
}

/// `expand-instance-storage`: the new size per node must be larger than `current`.
pub fn expanded_volume(current: &super::cluster::Volume, new_size: i64) -> Result<super::cluster::Volume, CoreError> {
    storage_size(new_size)?;
    if new_size <= current.capacity_gb as i64 {
        return Err(CoreError::invalid(Field::Volume, format!("new_size must be larger than the current {} GB, got {new_size}", current.capacity_gb)));
    }
    Ok(super::cluster::Volume { capacity_gb: new_size as u32, ..current.clone() })
}

/// A maintenance window: a day `Mon`..`Sun` and two `HH:MM` times that differ.
pub fn maintain_window(w: &super::cluster::MaintainWindow) -> Result<(), CoreError> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let time = |t: &str| {
        let (h, m) = t.split_once(':')?;
        let ok = h.len() == 2 && m.len() == 2 && h.parse::<u8>().ok()? < 24 && m.parse::<u8>().ok()? < 60;
        ok.then_some(())
    };
    if !DAYS.contains(&w.day.as_str()) {
        return Err(CoreError::invalid(Field::MaintainWindow, format!("day must be one of {}, got `{}`", DAYS.join(", "), w.day)));
    }
    if time(&w.start_time).is_none() || time(&w.end_time).is_none() || w.start_time == w.end_time {
        return Err(CoreError::invalid(Field::MaintainWindow, "start_time and end_time must be two different HH:MM times"));
    }
    Ok(())
}

/// A cluster description: at most 256 characters, no control characters.
pub fn cluster_description(text: &str) -> Result<(), CoreError> {
    if text.chars().count() > 256 {
        return Err(CoreError::invalid(Field::Description, "description_info must be at most 256 characters"));
    }
    plain_text(text, Field::Description, "description_info")
}

/// `tags/batch-create`: each tag is added, or replaces the value of the tag
/// with its key; the result keeps the tag rules (at most `MAX_TAGS`).
pub fn tags_added(current: &[Tag], add: &[Tag]) -> Result<Vec<Tag>, CoreError> {
    if add.is_empty() {
        return Err(CoreError::invalid(Field::Tags, "tags must name at least one tag"));
    }
    tags(add)?;
    let mut out = current.to_vec();
    for t in add {
        match out.iter_mut().find(|o| o.key == t.key) {
            Some(o) => o.value = t.value.clone(),
            None => out.push(t.clone()),
        }
    }
    tags(&out)?;
    Ok(out)
}

/// `tags/batch-delete`: the tags with these keys go (a value, when given,
/// must match); keys the cluster does not have are ignored.
pub fn tags_removed(current: &[Tag], remove: &[(String, Option<String>)]) -> Result<Vec<Tag>, CoreError> {
    if remove.is_empty() || remove.iter().any(|(k, _)| k.is_empty()) {
        return Err(CoreError::invalid(Field::Tags, "tags must name at least one tag, each with a key"));
    }
    let gone = |t: &Tag| remove.iter().any(|(k, v)| *k == t.key && v.as_ref().is_none_or(|v| *v == t.value));
    Ok(current.iter().filter(|t| !gone(t)).cloned().collect())
}

/// The tags without those with `keys`; with `strict` (a one-tag delete) each
/// key must be there (else `TagNotFound`, nothing removed).
pub fn tags_without_keys(current: &[Tag], keys: &[String], strict: bool) -> Result<Vec<Tag>, CoreError> {
    if let Some(missing) = keys.iter().find(|k| strict && !current.iter().any(|t| t.key == **k)) {
        return Err(CoreError::TagNotFound(missing.clone()));
    }
    Ok(current.iter().filter(|t| !keys.contains(&t.key)).cloned().collect())
}

/// A DWS node-count change: nodes to add (`resize` `scale_out.count`) or to
/// take away (`cluster-shrink` `shrink_number`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    Out(i64),
    In(i64),
}

/// An EIP or ELB id: 1–64 of `A-Za-z0-9-_` (strato has no network service
/// to look them up in; any well-formed id is one).
pub fn network_id(id: &str, field: Field) -> Result<(), CoreError> {
    let ok = !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(CoreError::invalid(field, format!("`{id}` is not a valid id (1-64 of A-Z, a-z, 0-9, - and _)")))
    }
}

/// The node count a scale change leads to, from `current`: at least one node
/// added or taken away, never below `min_nodes` nor above `MAX_NODES`.
pub fn scale_target(current: u32, change: Scale, min_nodes: i64) -> Result<u32, CoreError> {
    let current = current as i64;
    let (n, to) = match change {
        Scale::Out(n) => (n, current.saturating_add(n)),
        Scale::In(n) => (n, current.saturating_sub(n)),
    };
    if n < 1 {
        return Err(CoreError::invalid(Field::NumberOfNode, format!("the number of nodes to add or remove must be at least 1, got {n}")));
    }
    if to > MAX_NODES {
        return Err(CoreError::invalid(
            Field::NumberOfNode,
            format!("a cluster has at most {MAX_NODES} nodes: {current} + {n} is {to}"),
        ));
    }
    if to < min_nodes {
        return Err(CoreError::invalid(
            Field::NumberOfNode,
            format!("a cluster keeps at least {min_nodes} nodes: {current} - {n} is {to}"),
        ));
    }
    Ok(to as u32)
}

/// Validates a create request against the node types on offer and the
/// availability zones of this region. Returns the spec and the password.
pub fn create(
    input: &CreateInput,
    node_types: &[NodeType],
    zones: &[String],
    min_nodes: i64,
) -> Result<(WarehouseSpec, String), CoreError> {
    let name = required(&input.name, Field::Name, "name")?;
    cluster_name(&name)?;
    let node_type = required(&input.node_type, Field::NodeType, "node_type")?;
    if !node_types.iter().any(|t| t.spec_name == node_type) {
        return Err(CoreError::invalid(
            Field::NodeType,
            format!("node type `{node_type}` does not exist; list them with GET /v2/{{project_id}}/node-types"),
        ));
    }
    let nodes = input
        .number_of_node
        .ok_or_else(|| CoreError::invalid(Field::NumberOfNode, "number_of_node is required"))?;
    if !(min_nodes..=MAX_NODES).contains(&nodes) {
        return Err(CoreError::invalid(
            Field::NumberOfNode,
            format!("number_of_node must be between {min_nodes} and {MAX_NODES}, got {nodes}"),
        ));
    }
    let port = input.port.unwrap_or(DEFAULT_PORT);
    if !(8000..=30000).contains(&port) {
        return Err(CoreError::invalid(Field::Port, format!("port must be between 8000 and 30000, got {port}")));
    }
    let user = required(&input.user_name, Field::UserName, "user_name")?;
    user_name(&user)?;
    let pwd = input
        .user_pwd
        .clone()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| CoreError::invalid(Field::UserPwd, "user_pwd is required"))?;
    user_pwd(&pwd, &user)?;
    let vpc_id = required(&input.vpc_id, Field::VpcId, "vpc_id")?;
    let subnet_id = required(&input.subnet_id, Field::SubnetId, "subnet_id")?;
    let security_group_id = required(&input.security_group_id, Field::SecurityGroupId, "security_group_id")?;
    let availability_zone = match input.availability_zone.as_deref().filter(|s| !s.is_empty()) {
        Some(az) if zones.iter().any(|z| z == az) => az.to_string(),
        Some(az) => {
            return Err(CoreError::invalid(
                Field::AvailabilityZone,
                format!("availability zone `{az}` does not exist; known zones: {}", zones.join(", ")),
            ))
        }
        None => zones.first().cloned().unwrap_or_default(),
    };
    let public_ip = match &input.public_ip {
        None => PublicIp { public_bind_type: "not_use".into(), eip_id: String::new() },
        Some(p) if ["auto_assign", "not_use", "bind_existing"].contains(&p.public_bind_type.as_str()) => {
            if p.public_bind_type == "bind_existing" && p.eip_id.is_empty() {
                return Err(CoreError::invalid(Field::PublicIp, "public_ip.eip_id is required with bind_existing"));
            }
            p.clone()
        }
        Some(p) => {
            return Err(CoreError::invalid(
                Field::PublicIp,
                format!(
                    "public_ip.public_bind_type `{}` is invalid: auto_assign, not_use or bind_existing",
                    p.public_bind_type
                ),
            ))
        }
    };
    let max_cn = nodes.min(20);
    let min_cn = 2.min(max_cn);
    let number_of_cn = input.number_of_cn.unwrap_or(3.min(max_cn));
    if !(min_cn..=max_cn).contains(&number_of_cn) {
        return Err(CoreError::invalid(
            Field::NumberOfCn,
            format!("number_of_cn must be between {min_cn} and {max_cn}, got {number_of_cn}"),
        ));
    }
    tags(&input.tags)?;
    let spec = WarehouseSpec {
        name,
        node_type,
        number_of_node: nodes as u32,
        number_of_cn: number_of_cn as u32,
        port: port as u16,
        user_name: user,
        vpc_id,
        subnet_id,
        security_group_id,
        availability_zone,
        public_ip,
        enterprise_project_id: input.enterprise_project_id.clone().unwrap_or_else(|| "0".into()),
        tags: input.tags.clone(),
        description: String::new(),
        timezone: "UTC".into(),
        maintain_window: Default::default(),
        volume: input.volume.as_ref().map(|(t, gb)| volume(t.as_deref(), *gb)).transpose()?,
        parameters: Default::default(),
        awaiting_restart: vec![],
        elb: None,
    };
    Ok((spec, pwd))
}

/// The fields a restore may set; everything else comes from the snapshot's
/// source cluster (node type, node count, administrator).
#[derive(Debug, Default, Clone)]
pub struct RestoreInput {
    pub name: Option<String>,
    pub vpc_id: Option<String>,
    pub subnet_id: Option<String>,
    pub security_group_id: Option<String>,
    pub availability_zone: Option<String>,
    pub port: Option<i64>,
    pub public_ip: Option<PublicIp>,
    pub enterprise_project_id: Option<String>,
    pub number_of_cn: Option<i64>,
}

/// Validates a restore against the snapshot's source spec: omitted network
/// fields default to the source's.
pub fn restore(source: &WarehouseSpec, input: &RestoreInput, zones: &[String]) -> Result<WarehouseSpec, CoreError> {
    let pick = |v: &Option<String>, dflt: &str| Some(v.clone().filter(|s| !s.is_empty()).unwrap_or_else(|| dflt.to_string()));
    let as_create = CreateInput {
        name: input.name.clone(),
        node_type: Some(source.node_type.clone()),
        number_of_node: Some(source.number_of_node as i64),
        number_of_cn: input.number_of_cn.or(Some(source.number_of_cn as i64)),
        port: input.port.or(Some(source.port as i64)),
        user_name: Some(source.user_name.clone()),
        // The administrator comes with the data; this placeholder only passes the checks.
        user_pwd: Some("Placeholder-Pw1".into()),
        vpc_id: pick(&input.vpc_id, &source.vpc_id),
        subnet_id: pick(&input.subnet_id, &source.subnet_id),
        security_group_id: pick(&input.security_group_id, &source.security_group_id),
        availability_zone: pick(&input.availability_zone, &source.availability_zone),
        public_ip: input.public_ip.clone().or(Some(source.public_ip.clone())),
        enterprise_project_id: input.enterprise_project_id.clone().or(Some(source.enterprise_project_id.clone())),
        tags: source.tags.clone(),
        volume: source.volume.as_ref().map(|v| (Some(v.volume_type.clone()), Some(v.capacity_gb as i64))),
    };
    let nodes = source.number_of_node as i64;
    let catalog = super::node_types::catalog();
    // The data is the source's, and so is the setting it was written under.
    create(&as_create, &catalog, zones, nodes.min(MIN_NODES)).map(|(spec, _)| WarehouseSpec { timezone: source.timezone.clone(), ..spec })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::node_types;

    fn good() -> CreateInput {
        CreateInput {
            name: Some("dws-demo".into()),
            node_type: Some("dws.d1.xlarge".into()),
            number_of_node: Some(3),
            port: Some(8000),
            user_name: Some("dbadmin".into()),
            user_pwd: Some("Dws2017demo!".into()),
            vpc_id: Some("vpc".into()),
            subnet_id: Some("subnet".into()),
            security_group_id: Some("sg".into()),
            ..Default::default()
        }
    }

    fn field_of(input: CreateInput) -> Option<Field> {
        match create(&input, &node_types::catalog(), &["eu-de-01".to_string()], MIN_NODES) {
            Ok(_) => None,
            Err(CoreError::Invalid { field, .. }) => Some(field),
            Err(e) => panic!("unexpected error {e}"),
        }
    }

    #[test]
    fn the_seed_request_is_valid() {
        let (spec, pwd) = create(&good(), &node_types::catalog(), &["eu-de-01".into()], MIN_NODES).unwrap();
        assert_eq!(spec.number_of_node, 3);
        assert_eq!(spec.availability_zone, "eu-de-01");
        assert_eq!(pwd, "Dws2017demo!");
    }

    #[test]
    fn each_constraint_names_its_field() {
        type Mutation = Box<dyn Fn(&mut CreateInput)>;
        let cases: Vec<(Mutation, Field)> = vec![
            (Box::new(|i| i.name = None), Field::Name),
            (Box::new(|i| i.name = Some("abc".into())), Field::Name),
            (Box::new(|i| i.name = Some("1abc".into())), Field::Name),
            (Box::new(|i| i.name = Some("ab c!".into())), Field::Name),
            (Box::new(|i| i.name = Some("a".repeat(65))), Field::Name),
            (Box::new(|i| i.node_type = Some("dws.nope".into())), Field::NodeType),
            (Box::new(|i| i.number_of_node = Some(2)), Field::NumberOfNode),
            (Box::new(|i| i.number_of_node = Some(257)), Field::NumberOfNode),
            (Box::new(|i| i.number_of_node = None), Field::NumberOfNode),
            (Box::new(|i| i.port = Some(7999)), Field::Port),
            (Box::new(|i| i.port = Some(30001)), Field::Port),
            (Box::new(|i| i.user_name = Some("DBadmin".into())), Field::UserName),
            (Box::new(|i| i.user_name = Some("9admin".into())), Field::UserName),
            (Box::new(|i| i.user_name = Some("select".into())), Field::UserName),
            (Box::new(|i| i.user_name = Some("pg_admin".into())), Field::UserName),
            (Box::new(|i| i.user_name = Some("a".repeat(64))), Field::UserName),
            (Box::new(|i| i.user_pwd = Some("short1!A".into())), Field::UserPwd),
            (Box::new(|i| i.user_pwd = Some("alllowercase1".into())), Field::UserPwd),
            (Box::new(|i| i.user_pwd = Some("A".repeat(33) + "a1")), Field::UserPwd),
            (Box::new(|i| i.user_pwd = None), Field::UserPwd),
            (Box::new(|i| i.vpc_id = None), Field::VpcId),
            (Box::new(|i| i.subnet_id = Some(" ".into())), Field::SubnetId),
            (Box::new(|i| i.security_group_id = None), Field::SecurityGroupId),
            (Box::new(|i| i.availability_zone = Some("mars-1".into())), Field::AvailabilityZone),
            (Box::new(|i| i.number_of_cn = Some(1)), Field::NumberOfCn),
            (Box::new(|i| i.number_of_cn = Some(4)), Field::NumberOfCn),
            (
                Box::new(|i| {
                    i.public_ip = Some(PublicIp { public_bind_type: "x".into(), eip_id: String::new() })
                }),
                Field::PublicIp,
            ),
            (Box::new(|i| i.tags = vec![Tag { key: "a=b".into(), value: "v".into() }]), Field::Tags),
            (
                Box::new(|i| i.tags = (0..21).map(|n| Tag { key: format!("k{n}"), value: "v".into() }).collect()),
                Field::Tags,
            ),
        ];
        for (i, (mutate, field)) in cases.into_iter().enumerate() {
            let mut input = good();
            mutate(&mut input);
            assert_eq!(field_of(input), Some(field), "case {i}");
        }
    }

    #[test]
    fn a_lower_node_minimum_admits_single_node_clusters() {
        let mut one = good();
        one.number_of_node = Some(1);
        assert!(create(&one, &node_types::catalog(), &["eu-de-01".into()], 1).is_ok());
        assert!(create(&one, &node_types::catalog(), &["eu-de-01".into()], MIN_NODES).is_err());
    }

    #[test]
    fn restore_defaults_to_the_source_and_validates_overrides() {
        let (source, _) = create(&good(), &node_types::catalog(), &["eu-de-01".into(), "eu-de-02".into()], MIN_NODES).unwrap();
        let zones = ["eu-de-01".to_string(), "eu-de-02".to_string()];
        let mut input = RestoreInput { name: Some("dws-restore".into()), ..Default::default() };
        let spec = restore(&source, &input, &zones).unwrap();
        assert_eq!((spec.name.as_str(), spec.vpc_id.as_str(), spec.port), ("dws-restore", "vpc", 8000));
        assert_eq!((spec.node_type.clone(), spec.number_of_node, spec.user_name.clone()), (source.node_type.clone(), 3, source.user_name.clone()));
        input.port = Some(9000);
        input.availability_zone = Some("eu-de-02".into());
        let spec = restore(&source, &input, &zones).unwrap();
        assert_eq!((spec.port, spec.availability_zone.as_str()), (9000, "eu-de-02"));
        input.name = None;
        assert!(matches!(restore(&source, &input, &zones), Err(CoreError::Invalid { field: Field::Name, .. })));
        input.name = Some("ok-name".into());
        input.port = Some(1);
        assert!(matches!(restore(&source, &input, &zones), Err(CoreError::Invalid { field: Field::Port, .. })));
    }

    #[test]
    fn password_may_not_be_the_user_name_reversed() {
        assert!(user_pwd("Abcdefgh12345", "abcdefgh12345").is_err());
        let user = "x54321hgfedcba";
        let reversed: String = user.chars().rev().collect();
        assert!(user_pwd(&reversed.to_uppercase(), user).is_err());
        assert!(user_pwd("Dws2017demo!", "dbadmin").is_ok());
    }

    #[test]
    fn a_scale_change_adds_or_removes_at_least_one_node_within_the_bounds() {
        assert_eq!(scale_target(3, Scale::Out(2), 3).unwrap(), 5);
        assert_eq!(scale_target(5, Scale::In(2), 3).unwrap(), 3);
        for (current, change) in [(3, Scale::Out(0)), (3, Scale::In(0)), (3, Scale::Out(-1)), (5, Scale::In(3)), (255, Scale::Out(2)),
            (3, Scale::Out(i64::MAX)), (3, Scale::In(i64::MAX)), (3, Scale::In(i64::MIN))] {
            let e = scale_target(current, change, 3).unwrap_err();
            assert!(matches!(e, CoreError::Invalid { field: Field::NumberOfNode, .. }), "{current} {change:?}: {e:?}");
        }
        assert_eq!(scale_target(2, Scale::In(1), 1).unwrap(), 1, "--min-nodes 1 allows single-node clusters");
    }

    #[test]
    fn tags_are_added_replaced_and_removed_within_the_rules() {
        let t = |k: &str, v: &str| Tag { key: k.into(), value: v.into() };
        let now = vec![t("env", "dev"), t("team", "a")];
        let added = tags_added(&now, &[t("env", "prod"), t("cost", "42")]).unwrap();
        assert_eq!(added, vec![t("env", "prod"), t("team", "a"), t("cost", "42")]);
        assert!(tags_added(&now, &[]).is_err());
        assert!(tags_added(&now, &[t("bad=key", "v")]).is_err());
        let many: Vec<Tag> = (0..19).map(|i| t(&format!("k{i}"), "v")).collect();
        assert!(matches!(tags_added(&many, &[t("x", "1"), t("y", "2")]), Err(CoreError::Invalid { field: Field::Tags, .. })));
        let removed = tags_removed(&added, &[("env".into(), Some("dev".into())), ("cost".into(), None), ("nope".into(), None)]).unwrap();
        assert_eq!(removed, vec![t("env", "prod"), t("team", "a")], "a value that does not match keeps the tag");
        assert!(tags_removed(&added, &[]).is_err());
    }
}
