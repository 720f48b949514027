//! What a change task of a search cluster does, decided from its spec and
//! its members (pure): which members are added or retired, which restart and
//! whether with a new configuration, and the spec recorded at its end. One
//! role's members change per task (data members, or one dedicated role).

use std::collections::BTreeMap;

use super::cluster::Product;
use super::error::{CoreError, Field};
use super::job::JobPayload;
use super::pipeline::Pipeline;
use super::roles::{self, DedicatedRole, MemberRole};
use super::search::{self, SearchSpec, CSS_DISK_GB};

/// What a change task is asked to do (each part optional).
#[derive(Debug, Clone, Default)]
pub struct ChangeRequest {
    /// Whose members, flavor or disk change: data members unless a dedicated role.
    pub role: Option<MemberRole>,
    pub nodes: Option<i64>,
    pub disk_gb: Option<i64>,
    pub flavor: Option<String>,
    /// What a dedicated role the cluster lacks is made of (flavor, GB, disk type).
    pub new_role: Option<(String, u32, String)>,
    /// Engine settings (Alibaba `esConfig`) in place of the recorded ones.
    pub engine_settings: Option<BTreeMap<String, String>>,
    /// Logstash pipelines in place of the saved ones.
    pub pipelines: Option<Vec<Pipeline>>,
}

/// The decision: the job's payload and a line for the event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decided {
    pub payload: JobPayload,
    pub message: String,
}

/// Decides a change of `spec`, whose members are `members` (ordinals).
pub fn decide(spec: &SearchSpec, members: &[u32], product: Product, req: ChangeRequest) -> Result<Decided, CoreError> {
    let role = req.role.unwrap_or(MemberRole::Data);
    if role != MemberRole::Data && spec.datastore == search::Datastore::Logstash {
        return Err(CoreError::invalid(Field::NumberOfNode, "a Logstash cluster has data members only"));
    }
    let aliyun = matches!(product, Product::AliyunElasticsearch | Product::AliyunLogstash);
    let of_role: Vec<u32> = members.iter().copied().filter(|m| spec.role_of(*m) == role).collect();
    let (flavor_now, disk_now, _) = spec.role_resources(role);
    let (flavor_now, disk_now) = (flavor_now.to_string(), disk_now);
    let present = role == MemberRole::Data || spec.dedicated_role(role).is_some();

    let to = match (req.nodes, role) {
        (Some(n), MemberRole::Data) => search::node_count(product, spec.datastore, n)?,
        (Some(0), MemberRole::Client | MemberRole::Cold) => 0,
        (Some(n), r) => roles::dedicated_count(r, n, aliyun)?,
        (None, _) => of_role.len() as u32,
    };
    let new_role = match (&req.new_role, present) {
        (_, true) => None,
        (None, false) if to > 0 => {
            return Err(CoreError::invalid(Field::Flavor, format!("the cluster has no {} members: say what they are (flavor, disk)", role_name(role, spec, aliyun))))
        }
        (None, false) => None,
        (Some((flavor, disk, kind)), false) => {
            if !(20..=CSS_DISK_GB.1).contains(&(*disk as i64)) {
                return Err(CoreError::invalid(Field::Flavor, format!("the new members' disk must be 20 to {} GB, got {disk}", CSS_DISK_GB.1)));
            }
            Some((search::offered_flavor(product, spec.datastore, flavor)?, *disk, kind.clone()))
        }
    };
    let disk = match req.disk_gb {
        Some(d) if d == disk_now as i64 => None,
        Some(_) if matches!(role, MemberRole::Master | MemberRole::Client) => {
            return Err(CoreError::invalid(Field::Flavor, "the disks of master and client members cannot grow"))
        }
        Some(d) if (CSS_DISK_GB.0..=CSS_DISK_GB.1).contains(&d) && d > disk_now as i64 => Some(d as u32),
        Some(d) => {
            return Err(CoreError::invalid(Field::Flavor, format!("disk must grow, up to {} GB (now {disk_now} GB, asked {d})", CSS_DISK_GB.1)))
        }
        None => None,
    };
    let flavor = match req.flavor.as_deref().map(str::trim) {
        Some(f) if f != flavor_now && present => Some(search::flavor_change(&SearchSpec { flavor: flavor_now.clone(), ..spec.clone() }, f)?),
        _ => None,
    };
    let engine_settings = req.engine_settings.map(|wanted| search::engine_settings(spec, wanted)).transpose()?;
    let pipelines = req.pipelines.filter(|p| super::pipeline::redeploys(&spec.pipelines, p));
    let count_changes = to != of_role.len() as u32;
    if !count_changes && disk.is_none() && flavor.is_none() && engine_settings.is_none() && pipelines.is_none() {
        return Err(CoreError::invalid(Field::Unchanged, "the request changes nothing"));
    }
    if count_changes && flavor.is_some() {
        return Err(CoreError::invalid(Field::Flavor, "change the member count and the flavor in separate requests"));
    }

    let next_free = members.iter().max().map_or(0, |m| m + 1);
    let (add, retire) = roles::membership_change(&of_role, to, next_free);
    if retire.contains(&0) {
        return Err(CoreError::invalid(Field::NumberOfNode, "the first member cannot be retired"));
    }
    let role_after: Vec<u32> = of_role.iter().copied().filter(|m| !retire.contains(m)).chain(add.iter().copied()).collect();
    let everyone_after: Vec<u32> = members.iter().copied().filter(|m| !retire.contains(m)).chain(add.iter().copied()).collect();
    // Who restarts: every member for settings and pipelines, the role's for its flavor or disk.
    let rework = if engine_settings.is_some() || pipelines.is_some() {
        everyone_after
    } else if flavor.is_some() || disk.is_some() {
        role_after.clone()
    } else {
        vec![]
    };
    let data_to = if role == MemberRole::Data { to } else { spec.node_count };
    let mut payload = JobPayload {
        from_nodes: Some(spec.node_count),
        to_nodes: Some(data_to),
        add_members: Some(add),
        retire_members: Some(retire),
        members_after: Some(rework),
        engine_settings,
        pipelines,
        ..JobPayload::default()
    };
    if role == MemberRole::Data {
        payload.disk_gb = disk;
        payload.flavor = flavor.clone();
    } else {
        let dedicated = dedicated_after(spec, role, role_after, flavor.clone(), disk, new_role);
        payload.rewrite_members = flavor.is_some();
        payload.dedicated = Some(dedicated);
    }
    let name = role_name(role, spec, aliyun);
    let message = match (&flavor, &payload.engine_settings, &payload.pipelines, disk) {
        (Some(f), _, _, _) => format!("change of the {name} members to flavor {f} accepted"),
        (None, Some(s), _, _) => format!("{} engine setting(s) accepted", s.len()),
        (None, None, Some(p), _) => format!("deployment of {} pipeline(s) accepted", p.iter().filter(|p| p.deployed).count()),
        (None, None, None, Some(gb)) => format!("{name} disks to {gb} GB accepted"),
        (None, None, None, None) => format!("change to {to} {name} members accepted"),
    };
    Ok(Decided { payload, message })
}

fn role_name(role: MemberRole, spec: &SearchSpec, aliyun: bool) -> &'static str {
    if aliyun {
        role.aliyun()
    } else {
        role.css(spec.datastore)
    }
}

/// The dedicated roles after `role` has `members` (none: the role goes).
fn dedicated_after(spec: &SearchSpec, role: MemberRole, members: Vec<u32>, flavor: Option<String>, disk: Option<u32>, new: Option<(String, u32, String)>) -> Vec<DedicatedRole> {
    let mut all: Vec<DedicatedRole> = spec.dedicated.iter().filter(|d| d.role != role).cloned().collect();
    if !members.is_empty() {
        let base = spec.dedicated_role(role).cloned().unwrap_or_else(|| {
            let (flavor, disk_gb, disk_type) = new.unwrap_or_default();
            DedicatedRole { role, members: vec![], flavor, disk_gb, disk_type }
        });
        all.push(DedicatedRole {
            members,
            flavor: flavor.unwrap_or(base.flavor.clone()),
            disk_gb: disk.unwrap_or(base.disk_gb),
            ..base
        });
        all.sort_by_key(|d| d.role);
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> SearchSpec {
        let Some(base) = crate::bench::reads::search(0).search().cloned() else { unreachable!() };
        let masters = DedicatedRole { role: MemberRole::Master, members: vec![3, 4, 5], flavor: "ess.spec-4u8g".into(), disk_gb: 40, disk_type: "HIGH".into() };
        SearchSpec { product: Product::Css, node_count: 3, flavor: "ess.spec-4u8g".into(), disk_gb: 40, dedicated: vec![masters], ..base }
    }

    #[test]
    fn data_members_are_added_after_every_member_and_the_newest_retired() {
        let s = spec();
        let members = [0, 1, 2, 3, 4, 5];
        let d = decide(&s, &members, Product::Css, ChangeRequest { nodes: Some(5), ..Default::default() }).unwrap();
        assert_eq!((d.payload.add_members.clone(), d.payload.retire_members.clone(), d.payload.to_nodes), (Some(vec![6, 7]), Some(vec![]), Some(5)));
        let after = s.clone();
        let grown = SearchSpec { node_count: 5, ..after };
        let d = decide(&grown, &[0, 1, 2, 3, 4, 5, 6, 7], Product::Css, ChangeRequest { nodes: Some(2), ..Default::default() }).unwrap();
        assert_eq!(d.payload.retire_members, Some(vec![7, 6, 2]), "the newest data members, never a master");
        assert!(decide(&s, &members, Product::Css, ChangeRequest { nodes: Some(3), ..Default::default() }).is_err(), "no change");
    }

    #[test]
    fn a_dedicated_role_changes_alone_and_a_new_one_needs_its_resources() {
        let s = spec();
        let members = [0, 1, 2, 3, 4, 5];
        let master = |n| ChangeRequest { role: Some(MemberRole::Master), nodes: Some(n), ..Default::default() };
        assert!(decide(&s, &members, Product::Css, master(4)).is_err(), "an even number of masters");
        let d = decide(&s, &members, Product::Css, master(5)).unwrap();
        assert_eq!((d.payload.add_members.clone(), d.payload.to_nodes), (Some(vec![6, 7]), Some(3)));
        assert_eq!(d.payload.dedicated.as_ref().unwrap()[0].members, vec![3, 4, 5, 6, 7]);
        let client = ChangeRequest { role: Some(MemberRole::Client), nodes: Some(2), ..Default::default() };
        assert!(decide(&s, &members, Product::Css, client.clone()).is_err(), "what the new members are is needed");
        let with = ChangeRequest { new_role: Some(("ess.spec-4u8g".into(), 40, "HIGH".into())), ..client };
        let d = decide(&s, &members, Product::Css, with).unwrap();
        let roles: Vec<MemberRole> = d.payload.dedicated.as_ref().unwrap().iter().map(|r| r.role).collect();
        assert_eq!(roles, [MemberRole::Master, MemberRole::Client]);
        let flavor = ChangeRequest { role: Some(MemberRole::Master), flavor: Some("ess.spec-8u16g".into()), ..Default::default() };
        let d = decide(&s, &members, Product::Css, flavor).unwrap();
        assert_eq!((d.payload.members_after.clone(), d.payload.rewrite_members, d.payload.flavor.clone()), (Some(vec![3, 4, 5]), true, None));
        let disk = ChangeRequest { role: Some(MemberRole::Master), disk_gb: Some(60), ..Default::default() };
        assert!(decide(&s, &members, Product::Css, disk).is_err(), "master disks cannot grow");
    }
}
