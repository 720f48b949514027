//! Search and log clusters (Huawei CSS, Alibaba Elasticsearch and Logstash):
//! datastores, versions, and what a create request must say.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::cluster::{EngineKind, Product, Tag};
use super::error::{CoreError, Field};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Datastore {
    Elasticsearch,
    Opensearch,
    Logstash,
}

impl Datastore {
    pub const ALL: [Datastore; 3] = [Datastore::Elasticsearch, Datastore::Opensearch, Datastore::Logstash];

    pub fn as_str(self) -> &'static str {
        match self {
            Datastore::Elasticsearch => "elasticsearch",
            Datastore::Opensearch => "opensearch",
            Datastore::Logstash => "logstash",
        }
    }

    pub fn parse(s: &str) -> Option<Datastore> {
        Datastore::ALL.into_iter().find(|d| d.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The engine slot the server binds this datastore to.
    pub fn engine(self) -> EngineKind {
        match self {
            Datastore::Elasticsearch => EngineKind::Elasticsearch,
            Datastore::Opensearch => EngineKind::Opensearch,
            Datastore::Logstash => EngineKind::Logstash,
        }
    }

    /// Versions offered (CSS's list; Alibaba's `esVersion` names map onto these).
    pub fn versions(self) -> &'static [&'static str] {
        match self {
            Datastore::Elasticsearch => &["7.10.2", "7.9.3", "7.6.2", "6.7.0", "6.5.4"],
            Datastore::Opensearch => &["2.11.0", "1.3.6"],
            Datastore::Logstash => &["7.10.0", "7.4.0", "8.5.0"],
        }
    }
}

/// A validated search or log cluster request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchSpec {
    pub product: Product,
    pub name: String,
    pub description: String,
    pub datastore: Datastore,
    pub version: String,
    pub node_count: u32,
    /// Flavor / node spec code (recorded; every member is one process here).
    pub flavor: String,
    pub disk_type: String,
    pub disk_gb: u32,
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group_id: String,
    pub availability_zone: String,
    pub https: bool,
    pub authority: bool,
    /// Recorded (`tags/action`, create's `tags`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<Tag>,
    /// Engine settings every member is configured with (Alibaba `esConfig`),
    /// validated by `engine_settings`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub engine_settings: BTreeMap<String, String>,
    /// Public access and white-IP lists (Alibaba network settings).
    #[serde(default)]
    pub access: super::access::SearchAccess,
    /// Saved Logstash pipelines (Alibaba CreatePipelines); the deployed ones
    /// are in every member's configuration.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pipelines: Vec<super::pipeline::Pipeline>,
    /// Static routes (CSS Logstash `route`), recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<super::access::StaticRoute>,
    /// The CSS snapshot function and its automatic-snapshot policy.
    #[serde(default, skip_serializing_if = "is_off")]
    pub index_snapshots: super::index_snapshot::IndexSnapshots,
    /// Dedicated master, client and cold members (`node_count` counts the
    /// data members, every member not named here).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dedicated: Vec<super::roles::DedicatedRole>,
}

fn is_off(s: &super::index_snapshot::IndexSnapshots) -> bool {
    *s == super::index_snapshot::IndexSnapshots::default()
}

impl SearchSpec {
    /// The same cluster with `nodes` data members (a scale change).
    pub fn with_nodes(&self, nodes: u32) -> SearchSpec {
        SearchSpec { node_count: nodes, ..self.clone() }
    }

    /// Every member: the data members and the dedicated ones.
    pub fn member_count(&self) -> u32 {
        self.node_count + self.dedicated.iter().map(|d| d.members.len() as u32).sum::<u32>()
    }

    /// The role of member `ordinal`.
    pub fn role_of(&self, ordinal: u32) -> super::roles::MemberRole {
        super::roles::role_of(&self.dedicated, ordinal)
    }

    /// A dedicated role's members, if the cluster has them.
    pub fn dedicated_role(&self, role: super::roles::MemberRole) -> Option<&super::roles::DedicatedRole> {
        self.dedicated.iter().find(|d| d.role == role)
    }

    /// The flavor, disk and disk type of a member of `role`.
    pub fn role_resources(&self, role: super::roles::MemberRole) -> (&str, u32, &str) {
        match self.dedicated_role(role) {
            Some(d) => (&d.flavor, d.disk_gb, &d.disk_type),
            None => (&self.flavor, self.disk_gb, &self.disk_type),
        }
    }
}

/// Node-count bounds per product.
pub fn node_bounds(product: Product, datastore: Datastore) -> (u32, u32) {
    match (product, datastore) {
        (Product::AliyunElasticsearch, _) => (2, 50),
        (Product::AliyunLogstash, _) | (_, Datastore::Logstash) => (1, 20),
        _ => (1, 32),
    }
}

pub fn node_count(product: Product, datastore: Datastore, n: i64) -> Result<u32, CoreError> {
    let (lo, hi) = node_bounds(product, datastore);
    if (lo as i64..=hi as i64).contains(&n) {
        Ok(n as u32)
    } else {
        Err(CoreError::invalid(Field::NumberOfNode, format!("the number of nodes must be between {lo} and {hi}, got {n}")))
    }
}

/// CSS cluster names: 4–32 characters, a letter first, then letters, digits, `-`, `_`.
pub fn css_name(name: &str) -> Result<(), CoreError> {
    let ok = (4..=32).contains(&name.chars().count())
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(CoreError::invalid(
            Field::Name,
            format!("invalid cluster name `{name}`: 4 to 32 characters, starting with a letter, letters, digits, - and _ only"),
        ))
    }
}

pub fn version(datastore: Datastore, v: &str) -> Result<String, CoreError> {
    let v = v.trim();
    if datastore.versions().contains(&v) {
        Ok(v.to_string())
    } else {
        Err(CoreError::invalid(
            Field::Version,
            format!("{} version `{v}` is not offered; choose one of {}", datastore.as_str(), datastore.versions().join(", ")),
        ))
    }
}

/// CSS flavors: (name, vCPUs, GB RAM). Every member is one process here; the
/// flavor is recorded and shown, it does not limit the process.
pub const CSS_FLAVORS: &[(&str, u32, u32)] = &[
    ("ess.spec-4u8g", 4, 8),
    ("ess.spec-4u16g", 4, 16),
    ("ess.spec-4u32g", 4, 32),
    ("ess.spec-8u16g", 8, 16),
    ("ess.spec-8u32g", 8, 32),
    ("ess.spec-16u64g", 16, 64),
];

/// A CSS flavor's `flavor_id` (es-flavors), derived from its name: a UUID,
/// as CSS's are, and the same on every server.
pub fn css_flavor_id(name: &str) -> String {
    const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6f1c_29d4_0b7e_4a55_8d3e_c2a1_5b90_e347);
    uuid::Uuid::new_v5(&NAMESPACE, name.as_bytes()).to_string()
}

/// The CSS flavor a `newFlavorId` names: its `flavor_id`, or its name.
pub fn css_flavor_named(id_or_name: &str) -> Option<&'static str> {
    let wanted = id_or_name.trim();
    CSS_FLAVORS.iter().map(|(f, _, _)| *f).find(|f| *f == wanted || css_flavor_id(f).eq_ignore_ascii_case(wanted))
}

/// Disk sizes a CSS member may ask for, in GB.
pub const CSS_DISK_GB: (i64, i64) = (40, 2560);

/// Members and disk after a CSS scale-out: `add_nodes` more members, `add_gb`
/// more GB each (a multiple of 20, CSS's step); `None` where nothing changes.
pub fn css_grow(spec: &SearchSpec, add_nodes: i64, add_gb: i64) -> Result<(Option<i64>, Option<i64>), CoreError> {
    if add_nodes < 0 || add_gb < 0 {
        return Err(CoreError::invalid(Field::NumberOfNode, "nodesize and disksize cannot be negative"));
    }
    if add_gb % 20 != 0 {
        return Err(CoreError::invalid(Field::Flavor, format!("disksize must be a multiple of 20 GB, got {add_gb}")));
    }
    // Saturating: a huge request is out of range, never an overflow (the change's checks refuse it).
    let nodes = (add_nodes > 0).then(|| (spec.node_count as i64).saturating_add(add_nodes));
    let disk = (add_gb > 0).then(|| (spec.disk_gb as i64).saturating_add(add_gb));
    Ok((nodes, disk))
}

/// Members after a CSS scale-in of `remove`: fewer than half the data nodes
/// may go at once, as CSS requires.
pub fn css_shrink(spec: &SearchSpec, remove: i64) -> Result<i64, CoreError> {
    let current = spec.node_count as i64;
    if remove < 1 || remove.saturating_mul(2) >= current {
        return Err(CoreError::invalid(
            Field::NumberOfNode,
            format!("fewer than half of the {current} members may be removed at once (1 to {}), got {remove}", (current - 1) / 2),
        ));
    }
    Ok(current - remove)
}

/// The flavor a change task gives every member: one the product offers (CSS:
/// `CSS_FLAVORS`; Alibaba: a spec code `elasticsearch.<family>.<size>` or
/// `logstash.<family>.<size>`), other than the one the members run as.
pub fn flavor_change(spec: &SearchSpec, wanted: &str) -> Result<String, CoreError> {
    let wanted = offered_flavor(spec.product, spec.datastore, wanted)?;
    if wanted == spec.flavor {
        return Err(CoreError::invalid(Field::Unchanged, format!("the members run as `{wanted}` already")));
    }
    Ok(wanted.to_string())
}

/// The flavor `wanted` names, if `product` offers it (CSS: a flavor of
/// es-flavors, by name or `flavor_id`; Alibaba: a spec code).
pub fn offered_flavor(product: Product, datastore: Datastore, wanted: &str) -> Result<String, CoreError> {
    let found = match product {
        Product::Css => css_flavor_named(wanted).map(str::to_string),
        _ => Some(wanted.trim().to_string()).filter(|w| aliyun_spec_code(datastore, w)),
    };
    found.ok_or_else(|| {
        let hint = if product == Product::Css { " (see GET /v1.0/{project_id}/es-flavors)" } else { "" };
        CoreError::invalid(Field::Flavor, format!("flavor `{}` is not offered{hint}", wanted.trim()))
    })
}

/// An Alibaba spec code: the product, a family of letters and digits, an
/// ECS-style size (`small`, `medium`, `large`, `xlarge`, `<n>xlarge`).
fn aliyun_spec_code(datastore: Datastore, code: &str) -> bool {
    let product = if datastore == Datastore::Logstash { "logstash" } else { "elasticsearch" };
    let mut parts = code.split('.');
    let (Some(p), Some(family), Some(size), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else { return false };
    let size_ok = matches!(size, "small" | "medium" | "large" | "xlarge")
        || size.strip_suffix("xlarge").is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
    p == product && !family.is_empty() && family.chars().all(|c| c.is_ascii_alphanumeric()) && size_ok
}

/// The YML settings Alibaba lets `esConfig` set (its console's "YML
/// configuration"); anything else is refused.
pub const ENGINE_SETTINGS: &[&str] = &[
    "action.auto_create_index",
    "action.destructive_requires_name",
    "http.cors.allow-credentials",
    "http.cors.allow-headers",
    "http.cors.allow-origin",
    "http.cors.enabled",
    "http.cors.max-age",
    "indices.fielddata.cache.size",
    "indices.query.bool.max_clause_count",
    "reindex.remote.whitelist",
    "xpack.watcher.enabled",
];

/// Validates new engine settings (each key offered, each value one line of
/// plain text) and refuses a set the members have already.
pub fn engine_settings(spec: &SearchSpec, wanted: BTreeMap<String, String>) -> Result<BTreeMap<String, String>, CoreError> {
    for (k, v) in &wanted {
        if !ENGINE_SETTINGS.contains(&k.as_str()) {
            return Err(CoreError::invalid(
                Field::EngineSetting,
                format!("esConfig key `{k}` cannot be set; the keys that can: {}", ENGINE_SETTINGS.join(", ")),
            ));
        }
        if v.chars().count() > 1024 || v.chars().any(char::is_control) {
            return Err(CoreError::invalid(Field::EngineSetting, format!("the value of esConfig `{k}` must be one line of at most 1024 characters")));
        }
    }
    if wanted == spec.engine_settings {
        return Err(CoreError::invalid(Field::Unchanged, "the members have these settings already"));
    }
    Ok(wanted)
}

/// A CSS create request as the dialect decodes it (all optional, so that a
/// missing field is a validation error in the dialect's own format).
#[derive(Debug, Default, Clone)]
pub struct CssCreateInput {
    pub name: Option<String>,
    pub description: Option<String>,
    pub instance_num: Option<i64>,
    pub flavor_ref: Option<String>,
    pub volume_type: Option<String>,
    pub volume_size: Option<i64>,
    pub vpc_id: Option<String>,
    pub net_id: Option<String>,
    pub security_group_id: Option<String>,
    pub availability_zone: Option<String>,
    pub datastore_type: Option<String>,
    pub datastore_version: Option<String>,
    pub https_enable: bool,
    pub authority_enable: bool,
    /// Checked when given (never stored).
    pub admin_password: Option<String>,
    pub tags: Vec<Tag>,
    /// v2 `publicIPReq`: public access from the start (bandwidth, white list).
    pub public_access: Option<(i64, Option<String>)>,
    /// v2 `backupStrategy`: the snapshot function on from the start.
    pub backup: Option<CssBackup>,
    /// v2 `roles` besides the data role: (role, members, flavor, GB, disk type).
    pub dedicated: Vec<(super::roles::MemberRole, i64, Option<String>, Option<i64>, Option<String>)>,
}

/// A create's snapshot function: where snapshots go (a bucket of the
/// cluster's own if none is named) and the policy.
#[derive(Debug, Clone, Default)]
pub struct CssBackup {
    pub bucket: Option<String>,
    pub base_path: Option<String>,
    pub agency: Option<String>,
    pub policy: super::index_snapshot::PolicyInput,
}

fn required(v: &Option<String>, field: Field, what: &str) -> Result<String, CoreError> {
    match v.as_deref().map(str::trim) {
        Some(s) if !s.is_empty() => Ok(s.to_string()),
        _ => Err(CoreError::invalid(field, format!("{what} is required"))),
    }
}

/// Validates a CSS create request; `zones` are the region's availability zones.
pub fn validate_css(input: &CssCreateInput, zones: &[String]) -> Result<SearchSpec, CoreError> {
    let name = required(&input.name, Field::Name, "name")?;
    css_name(&name)?;
    let datastore_type = input.datastore_type.as_deref().unwrap_or("elasticsearch");
    let datastore = Datastore::parse(datastore_type)
        .ok_or_else(|| CoreError::invalid(Field::Datastore, format!("unknown datastore type `{datastore_type}`")))?;
    let version = version(datastore, &required(&input.datastore_version, Field::Version, "datastore.version")?)?;
    let nodes = node_count(Product::Css, datastore, input.instance_num.unwrap_or(1))?;
    let flavor = required(&input.flavor_ref, Field::Flavor, "instance.flavorRef")?;
    if !CSS_FLAVORS.iter().any(|(f, _, _)| *f == flavor) {
        return Err(CoreError::invalid(Field::Flavor, format!("unknown flavorRef `{flavor}` (see GET /v1.0/{{project_id}}/es-flavors)")));
    }
    let disk = input.volume_size.unwrap_or(CSS_DISK_GB.0);
    if !(CSS_DISK_GB.0..=CSS_DISK_GB.1).contains(&disk) || disk % 10 != 0 {
        return Err(CoreError::invalid(
            Field::Flavor,
            format!("volume.size must be a multiple of 10 between {} and {} GB, got {disk}", CSS_DISK_GB.0, CSS_DISK_GB.1),
        ));
    }
    let zone = input.availability_zone.clone().filter(|z| !z.trim().is_empty()).unwrap_or_else(|| zones[0].clone());
    if !zones.contains(&zone) {
        return Err(CoreError::invalid(Field::AvailabilityZone, format!("unknown availability zone `{zone}`")));
    }
    let description = input.description.clone().unwrap_or_default();
    super::validate::plain_text(&description, Field::Description, "desc")?;
    if description.chars().count() > 128 {
        return Err(CoreError::invalid(Field::Description, "desc is longer than 128 characters"));
    }
    if input.https_enable && !input.authority_enable {
        return Err(CoreError::invalid(Field::Security, "httpsEnable needs the security mode (authorityEnable)"));
    }
    if let Some(p) = &input.admin_password {
        css_password(p)?;
    }
    let dedicated = css_dedicated(input, nodes)?;
    let spec = SearchSpec {
        product: Product::Css,
        name,
        description,
        datastore,
        version,
        node_count: nodes,
        flavor,
        disk_type: input.volume_type.clone().unwrap_or_else(|| "COMMON".into()),
        disk_gb: disk as u32,
        vpc_id: required(&input.vpc_id, Field::VpcId, "instance.nics.vpcId")?,
        subnet_id: required(&input.net_id, Field::SubnetId, "instance.nics.netId")?,
        security_group_id: required(&input.security_group_id, Field::SecurityGroupId, "instance.nics.securityGroupId")?,
        availability_zone: zone,
        https: input.https_enable,
        authority: input.authority_enable,
        tags: super::tags::added(Product::Css, &[], &input.tags)?,
        engine_settings: BTreeMap::new(),
        access: Default::default(),
        pipelines: Vec::new(),
        routes: Vec::new(),
        index_snapshots: Default::default(),
        dedicated,
    };
    css_extras(input, spec)
}

/// The dedicated roles a v2 create asks for: their members numbered after
/// the `data` data members, masters first. Master and client disks are 40 GB
/// (CSS fixes them); cold disks a multiple of 20.
fn css_dedicated(input: &CssCreateInput, data: u32) -> Result<Vec<super::roles::DedicatedRole>, CoreError> {
    use super::roles::{dedicated_count, DedicatedRole, MemberRole};
    let mut next = data;
    let mut out: Vec<DedicatedRole> = Vec::new();
    let mut asked = input.dedicated.clone();
    asked.sort_by_key(|(role, ..)| *role);
    for (role, count, flavor, size, disk_type) in asked {
        if out.iter().any(|d| d.role == role) {
            return Err(CoreError::invalid(Field::NumberOfNode, format!("role {} is named twice", role.css(Datastore::Elasticsearch))));
        }
        let n = dedicated_count(role, count, false)?;
        let flavor = flavor.as_deref().and_then(css_flavor_named).ok_or_else(|| {
            CoreError::invalid(Field::Flavor, format!("the {} role needs a flavorRef of es-flavors", role.css(Datastore::Elasticsearch)))
        })?;
        let disk = match (role, size) {
            (MemberRole::Master | MemberRole::Client, None | Some(40)) => 40,
            (MemberRole::Master | MemberRole::Client, Some(other)) => {
                return Err(CoreError::invalid(Field::Flavor, format!("master and client disks are 40 GB, got {other}")))
            }
            (_, Some(gb)) if (CSS_DISK_GB.0..=CSS_DISK_GB.1).contains(&gb) && gb % 20 == 0 => gb as u32,
            (_, other) => return Err(CoreError::invalid(Field::Flavor, format!("cold disks must be a multiple of 20 GB, got {other:?}"))),
        };
        out.push(DedicatedRole { role, members: (next..next + n).collect(), flavor: flavor.to_string(), disk_gb: disk, disk_type: disk_type.unwrap_or_else(|| "HIGH".into()) });
        next += n;
    }
    Ok(out)
}

/// The access and snapshot settings a (v2) create asks for, on `spec`.
fn css_extras(input: &CssCreateInput, mut spec: SearchSpec) -> Result<SearchSpec, CoreError> {
    if let Some((bandwidth, white_list)) = &input.public_access {
        if !spec.https {
            return Err(CoreError::invalid(Field::Network, "public access needs HTTPS (httpsEnable)"));
        }
        let open = super::access::CssPublic::Open { bandwidth: *bandwidth, white_list: white_list.clone() };
        spec.access = spec.access.css_public(&open)?;
    }
    if let Some(b) = &input.backup {
        let off = super::index_snapshot::IndexSnapshots::default();
        let on = match &b.bucket {
            Some(bucket) => off.set(bucket, b.base_path.as_deref().unwrap_or_default(), b.agency.as_deref().unwrap_or("css_obs_agency"))?,
            None => off.automatic(&spec.name, &uuid::Uuid::new_v4().simple().to_string()[..12]),
        };
        spec.index_snapshots = on.with_policy(&b.policy)?;
    }
    Ok(spec)
}


/// An Alibaba createInstance / CreateLogstash request as the dialect decodes it.
#[derive(Debug, Default, Clone)]
pub struct AliyunCreateInput {
    pub description: Option<String>,
    /// `esVersion` / `version`, e.g. `7.10_with_X-Pack`.
    pub version: Option<String>,
    pub node_amount: Option<i64>,
    pub spec: Option<String>,
    pub disk: Option<i64>,
    pub disk_type: Option<String>,
    pub vpc_id: Option<String>,
    pub vswitch_id: Option<String>,
    pub zone: Option<String>,
    /// `esAdminPassword` (Elasticsearch only): checked, never stored.
    pub admin_password: Option<String>,
    pub tags: Vec<Tag>,
    /// Dedicated roles (`masterConfiguration`, ...): (role, amount, spec, GB, disk type).
    pub dedicated: Vec<(super::roles::MemberRole, i64, Option<String>, Option<i64>, Option<String>)>,
}

/// The offered version an Alibaba version name (`7.10_with_X-Pack`) stands for.
pub fn aliyun_version(datastore: Datastore, name: &str) -> Result<String, CoreError> {
    let wanted = name.split('_').next().unwrap_or_default();
    datastore
        .versions()
        .iter()
        .find(|v| v.starts_with(&format!("{wanted}.")) || **v == wanted)
        .map(|v| v.to_string())
        .ok_or_else(|| {
            CoreError::invalid(Field::Version, format!("version `{name}` is not offered (offered: {})", datastore.versions().join(", ")))
        })
}

/// Alibaba's admin password rule: 8–32 characters, three of upper, lower, digit, special.
pub fn aliyun_password(p: &str) -> Result<(), CoreError> {
    let classes = [
        p.chars().any(|c| c.is_ascii_uppercase()),
        p.chars().any(|c| c.is_ascii_lowercase()),
        p.chars().any(|c| c.is_ascii_digit()),
        p.chars().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if (8..=32).contains(&p.chars().count()) && classes.iter().filter(|c| **c).count() >= 3 {
        Ok(())
    } else {
        Err(CoreError::invalid(Field::UserPwd, "esAdminPassword must be 8 to 32 characters with three of: upper case, lower case, digits, special characters"))
    }
}

/// CSS's administrator password rule: Alibaba's, and neither `admin` nor its reverse.
pub fn css_password(p: &str) -> Result<(), CoreError> {
    if p.eq_ignore_ascii_case("admin") || p.eq_ignore_ascii_case("nimda") {
        return Err(CoreError::invalid(Field::UserPwd, "the password may not be the administrator's name or its reverse"));
    }
    aliyun_password(p).map_err(|_| {
        CoreError::invalid(Field::UserPwd, "the password must be 8 to 32 characters with three of: upper case, lower case, digits, special characters")
    })
}

/// An Alibaba instance description (its name in the console): plain text, at most 30 characters.
pub fn aliyun_description(d: &str) -> Result<String, CoreError> {
    super::validate::plain_text(d, Field::Description, "description")?;
    if d.chars().count() > 30 {
        return Err(CoreError::invalid(Field::Description, "description is longer than 30 characters"));
    }
    Ok(d.to_string())
}

/// Validates an Alibaba Elasticsearch or Logstash create request.
pub fn validate_aliyun(product: Product, input: &AliyunCreateInput, zones: &[String]) -> Result<SearchSpec, CoreError> {
    let datastore = if product == Product::AliyunLogstash { Datastore::Logstash } else { Datastore::Elasticsearch };
    let version = aliyun_version(datastore, &required(&input.version, Field::Version, "version")?)?;
    let nodes = node_count(product, datastore, input.node_amount.ok_or_else(|| CoreError::invalid(Field::NumberOfNode, "nodeAmount is required"))?)?;
    if datastore == Datastore::Elasticsearch {
        aliyun_password(input.admin_password.as_deref().unwrap_or_default())?;
    }
    let disk = input.disk.unwrap_or(CSS_DISK_GB.0);
    if !(20..=CSS_DISK_GB.1).contains(&disk) {
        return Err(CoreError::invalid(Field::Flavor, format!("nodeSpec.disk must be between 20 and {} GB, got {disk}", CSS_DISK_GB.1)));
    }
    // Required, as Alibaba requires it: a zone of the region, such as cn-hangzhou-i.
    let zone = required(&input.zone, Field::AvailabilityZone, "networkConfig.vsArea")?;
    if !zones.contains(&zone) {
        return Err(CoreError::invalid(
            Field::AvailabilityZone,
            format!("networkConfig.vsArea `{zone}` is not a zone of this region ({})", zones.join(", ")),
        ));
    }
    let description = aliyun_description(input.description.as_deref().unwrap_or_default())?;
    let dedicated = aliyun_dedicated(product, datastore, &input.dedicated, nodes)?;
    Ok(SearchSpec {
        product,
        // Alibaba instances are named by their description; the unique name is internal.
        name: format!("{}-{}", if datastore == Datastore::Logstash { "ls" } else { "es" }, uuid::Uuid::new_v4().simple()),
        description,
        datastore,
        version,
        node_count: nodes,
        flavor: required(&input.spec, Field::Flavor, "nodeSpec.spec")?,
        disk_type: input.disk_type.clone().unwrap_or_else(|| "cloud_ssd".into()),
        disk_gb: disk as u32,
        vpc_id: required(&input.vpc_id, Field::VpcId, "networkConfig.vpcId")?,
        subnet_id: required(&input.vswitch_id, Field::SubnetId, "networkConfig.vswitchId")?,
        security_group_id: String::new(),
        availability_zone: zone,
        https: false,
        authority: datastore == Datastore::Elasticsearch,
        tags: super::tags::added(product, &[], &input.tags)?,
        engine_settings: BTreeMap::new(),
        access: Default::default(),
        pipelines: Vec::new(),
        routes: Vec::new(),
        index_snapshots: Default::default(),
        dedicated,
    })
}

/// An Alibaba create's dedicated members (an `amount` of 0 is none),
/// numbered after the `data` data members.
fn aliyun_dedicated(
    product: Product,
    datastore: Datastore,
    asked: &[(super::roles::MemberRole, i64, Option<String>, Option<i64>, Option<String>)],
    data: u32,
) -> Result<Vec<super::roles::DedicatedRole>, CoreError> {
    let mut next = data;
    let mut out = Vec::new();
    for (role, amount, spec, disk, disk_type) in asked.iter().filter(|a| a.1 != 0) {
        if datastore == Datastore::Logstash {
            return Err(CoreError::invalid(Field::NumberOfNode, "a Logstash instance has data members only"));
        }
        let n = super::roles::dedicated_count(*role, *amount, true)?;
        let flavor = offered_flavor(product, datastore, spec.as_deref().unwrap_or_default())?;
        let disk = disk.unwrap_or(20);
        if !(20..=CSS_DISK_GB.1).contains(&disk) {
            return Err(CoreError::invalid(Field::Flavor, format!("{}: disk must be 20 to {} GB, got {disk}", role.aliyun(), CSS_DISK_GB.1)));
        }
        let kind = disk_type.clone().unwrap_or_else(|| "cloud_ssd".into());
        out.push(super::roles::DedicatedRole { role: *role, members: (next..next + n).collect(), flavor, disk_gb: disk as u32, disk_type: kind });
        next += n;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_scale_requests_are_bounded_and_never_overflow() {
        let Some(base) = crate::bench::reads::search(0).search().cloned() else { unreachable!() };
        let spec = SearchSpec { node_count: 4, disk_gb: 40, ..base };
        assert_eq!(css_grow(&spec, 1, 20).unwrap(), (Some(5), Some(60)));
        assert_eq!(css_grow(&spec, 0, 0).unwrap(), (None, None));
        assert_eq!(css_grow(&spec, i64::MAX - 1, 0).unwrap().0, Some(i64::MAX), "saturates; the change refuses it");
        assert!(css_grow(&spec, 0, 30).is_err() && css_grow(&spec, -1, 0).is_err());
        assert_eq!(css_shrink(&spec, 1).unwrap(), 3);
        assert!(css_shrink(&spec, 2).is_err() && css_shrink(&spec, 0).is_err() && css_shrink(&spec, i64::MAX).is_err());
    }

    #[test]
    fn flavors_and_engine_settings_are_checked_before_a_change() {
        let Some(base) = crate::bench::reads::search(0).search().cloned() else { unreachable!() };
        let css = SearchSpec { flavor: "ess.spec-4u8g".into(), ..base.clone() };
        assert_eq!(flavor_change(&css, "ess.spec-8u16g").unwrap(), "ess.spec-8u16g");
        assert_eq!(flavor_change(&css, &css_flavor_id("ess.spec-8u16g")).unwrap(), "ess.spec-8u16g", "by flavor_id");
        assert_ne!(css_flavor_id("ess.spec-8u16g"), css_flavor_id("ess.spec-4u8g"));
        let field = |r: Result<String, CoreError>| match r {
            Err(CoreError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(flavor_change(&css, "ess.spec-4u8g")), Field::Unchanged);
        assert_eq!(field(flavor_change(&css, "elasticsearch.sn2ne.large")), Field::Flavor);
        let ali = SearchSpec { product: Product::AliyunElasticsearch, flavor: "elasticsearch.sn2ne.large".into(), ..base };
        for ok in ["elasticsearch.sn2ne.xlarge", "elasticsearch.r6.2xlarge", "elasticsearch.sn1ne.small"] {
            assert!(flavor_change(&ali, ok).is_ok(), "{ok}");
        }
        for bad in ["logstash.n4.small", "elasticsearch.sn2ne", "elasticsearch.sn2ne.hugexlarge", "elasticsearch..large", "ess.spec-4u8g"] {
            assert_eq!(field(flavor_change(&ali, bad)), Field::Flavor, "{bad}");
        }
        let set = |pairs: &[(&str, &str)]| pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<BTreeMap<_, _>>();
        assert!(engine_settings(&ali, set(&[("action.auto_create_index", "+.*,-*")])).is_ok());
        assert!(engine_settings(&ali, set(&[("path.data", "/tmp")])).is_err());
        assert!(engine_settings(&ali, set(&[("http.cors.enabled", "true\nnode.roles: []")])).is_err());
        assert!(matches!(engine_settings(&ali, set(&[])), Err(CoreError::Invalid { field: Field::Unchanged, .. })));
    }

    #[test]
    fn names_versions_and_sizes() {
        assert!(css_name("css-demo").is_ok());
        for bad in ["abc", "1abc", "a".repeat(33).as_str(), "bad name"] {
            assert!(css_name(bad).is_err(), "{bad}");
        }
        assert_eq!(version(Datastore::Elasticsearch, "7.10.2").unwrap(), "7.10.2");
        assert!(version(Datastore::Opensearch, "7.10.2").is_err());
        assert!(node_count(Product::Css, Datastore::Elasticsearch, 32).is_ok());
        assert!(node_count(Product::Css, Datastore::Elasticsearch, 0).is_err());
        assert!(node_count(Product::AliyunElasticsearch, Datastore::Elasticsearch, 1).is_err());
        assert_eq!(Datastore::parse("OpenSearch"), Some(Datastore::Opensearch));
    }

    fn css_input() -> CssCreateInput {
        CssCreateInput {
            name: Some("css-demo".into()),
            instance_num: Some(3),
            flavor_ref: Some("ess.spec-4u8g".into()),
            volume_type: Some("COMMON".into()),
            volume_size: Some(40),
            vpc_id: Some("v".into()),
            net_id: Some("n".into()),
            security_group_id: Some("g".into()),
            datastore_type: Some("elasticsearch".into()),
            datastore_version: Some("7.10.2".into()),
            ..Default::default()
        }
    }

    #[test]
    fn aliyun_versions_and_passwords() {
        assert_eq!(aliyun_version(Datastore::Elasticsearch, "7.10_with_X-Pack").unwrap(), "7.10.2");
        assert_eq!(aliyun_version(Datastore::Logstash, "7.4_with_X-Pack").unwrap(), "7.4.0");
        assert!(aliyun_version(Datastore::Elasticsearch, "5.5_with_X-Pack").is_err());
        assert!(aliyun_password("Es-admin1").is_ok());
        assert!(aliyun_password("short1A").is_err());
        assert!(aliyun_password("alllowercase").is_err());
    }

    #[test]
    fn css_requests_are_validated_field_by_field() {
        let zones = vec!["eu-de-01".to_string()];
        let spec = validate_css(&css_input(), &zones).unwrap();
        assert_eq!((spec.node_count, spec.product, spec.availability_zone.as_str()), (3, Product::Css, "eu-de-01"));
        let cases: Vec<(CssCreateInput, Field)> = vec![
            (CssCreateInput { name: Some("x".into()), ..css_input() }, Field::Name),
            (CssCreateInput { instance_num: Some(33), ..css_input() }, Field::NumberOfNode),
            (CssCreateInput { flavor_ref: Some("huge".into()), ..css_input() }, Field::Flavor),
            (CssCreateInput { volume_size: Some(45), ..css_input() }, Field::Flavor),
            (CssCreateInput { datastore_type: Some("mongo".into()), ..css_input() }, Field::Datastore),
            (CssCreateInput { datastore_version: Some("1.0".into()), ..css_input() }, Field::Version),
            (CssCreateInput { vpc_id: None, ..css_input() }, Field::VpcId),
            (CssCreateInput { availability_zone: Some("mars-1".into()), ..css_input() }, Field::AvailabilityZone),
        ];
        for (input, want) in cases {
            match validate_css(&input, &zones) {
                Err(CoreError::Invalid { field, .. }) => assert_eq!(field, want, "{input:?}"),
                other => panic!("{input:?}: {other:?}"),
            }
        }
    }
}
