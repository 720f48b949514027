//! Encoding views as CSS wire types, and the one place where strato's
//! states become CSS's status / actions vocabulary.

use super::wire::{
    self, Action, ActionProgress, ClusterDatastore, ClusterDetail, ElbWhiteList, FailedReason, Flavor, FlavorList, FlavorVersion, Member,
    MemberType, MemberVolume, Status,
};
use crate::core::access::{WhiteIpKind, PUBLIC_PORT_OFFSET};
use crate::app::ClusterView;
use crate::core::cluster::Lifecycle;
use crate::core::iso;
use crate::core::roles::MemberRole;
use crate::core::job::{JobKind, JobPayload};
use crate::core::search::{self, Datastore, CSS_DISK_GB, CSS_FLAVORS};
use crate::core::status::{Health, NodeHealth};
use crate::core::CoreError;

/// (status, actions) of a cluster: "100" while something is in progress,
/// "200" when every member serves, "303" otherwise.
pub fn status(v: &ClusterView) -> (Status, Vec<Action>) {
    let served = match v.health {
        Health::Normal => Status::Available,
        Health::Degraded | Health::Unavailable | Health::Stopped => Status::Unavailable,
    };
    match (v.cluster.lifecycle, v.active_job.as_ref()) {
        (Lifecycle::Creating, _) => (Status::InProgress, vec![]),
        (Lifecycle::CreateFailed | Lifecycle::Deleting | Lifecycle::Deleted | Lifecycle::Stopped, _) => (Status::Unavailable, vec![]),
        (Lifecycle::Running, Some(j)) if j.kind == JobKind::RestartCluster => (Status::InProgress, vec![Action::Rebooting]),
        (Lifecycle::Running, Some(j)) if j.kind == JobKind::ModifyCluster => (Status::InProgress, vec![Action::Growing]),
        // A scale task: the cluster keeps serving (`200`) while `actions` says what runs, as the
        // providers' ready checks and the OTC SDK's extend wait (GROWING, RESIZING_VOLUME) read it.
        (Lifecycle::Running, Some(j)) if j.kind == JobKind::ChangeCluster => (served, vec![change_action(&j.payload)]),
        (Lifecycle::Running, _) => (served, vec![]),
    }
}

fn change_action(p: &JobPayload) -> Action {
    match () {
        _ if p.shrinks() => Action::Shrinking,
        // Each member restarts as its new flavor; the reference documents no action of its own for that.
        _ if p.flavor.is_some() || p.rewrite_members => Action::Rebooting,
        _ if p.grows() => Action::Growing,
        _ => Action::ResizingVolume,
    }
}

fn action_progress(v: &ClusterView) -> ActionProgress {
    let Some(job) = &v.active_job else { return ActionProgress::default() };
    let percent = Some(format!("{}%", job.progress_percent()));
    match job.kind {
        JobKind::CreateCluster => ActionProgress { creating: percent, ..ActionProgress::default() },
        JobKind::RestartCluster => ActionProgress { rebooting: percent, ..ActionProgress::default() },
        JobKind::ModifyCluster => ActionProgress { growing: percent, ..ActionProgress::default() },
        JobKind::ChangeCluster => match change_action(&job.payload) {
            Action::Shrinking => ActionProgress { shrinking: percent, ..ActionProgress::default() },
            Action::Growing => ActionProgress { growing: percent, ..ActionProgress::default() },
            Action::Rebooting => ActionProgress { rebooting: percent, ..ActionProgress::default() },
            _ => ActionProgress { resizing_volume: percent, ..ActionProgress::default() },
        },
        _ => ActionProgress::default(),
    }
}

fn instance_status(h: NodeHealth, lifecycle: Lifecycle) -> Status {
    match (h, lifecycle) {
        (NodeHealth::Ready, _) => Status::Available,
        (NodeHealth::Starting | NodeHealth::Unknown, _) | (NodeHealth::Down, Lifecycle::Creating) => Status::InProgress,
        (NodeHealth::Down, _) => Status::Unavailable,
    }
}

/// A cluster; only search clusters reach this dialect (lookups are scoped by product).
pub fn cluster(v: &ClusterView) -> Result<ClusterDetail, CoreError> {
    let c = &v.cluster;
    let s = c.spec.search().ok_or_else(|| CoreError::Internal(format!("cluster {} is not a search cluster", c.id)))?;
    let (status, actions) = status(v);
    let instances = v
        .nodes
        .iter()
        .map(|(n, h)| {
            let role = s.role_of(n.ordinal);
            let (flavor, disk_gb, disk_type) = s.role_resources(role);
            let kind = MemberType::of(role, s.datastore);
            Member {
                az_code: s.availability_zone.clone(),
                id: n.id,
                ip: n.address.to_string(),
                name: format!("{}-{}-esn-{}-1", s.name, role.css(s.datastore), n.ordinal + 1),
                spec_code: flavor.to_string(),
                status: instance_status(*h, c.lifecycle),
                r#type: kind,
                volume: MemberVolume { size: disk_gb, r#type: disk_type.to_string() },
            }
        })
        .collect();
    let endpoint = v.nodes.iter().map(|(n, _)| format!("{}:{}", n.address, n.port)).collect::<Vec<_>>().join(",");
    let public = s.access.public.then(|| v.nodes.first()).flatten();
    let public_ip = public.and_then(|(n, _)| n.port.checked_add(PUBLIC_PORT_OFFSET).map(|p| format!("{}:{p}", n.address)));
    let elb_white_list = public.map(|_| ElbWhiteList {
        enable_white_list: !s.access.public_open_to_all,
        white_list: s.access.list(WhiteIpKind::PublicEs).join(","),
    });
    Ok(ClusterDetail {
        action_progress: action_progress(v),
        actions,
        authority_enable: s.authority,
        backup_available: s.index_snapshots.available,
        bandwidth_size: s.access.bandwidth_mbit.unwrap_or(0),
        created: iso(c.created_at),
        datastore: ClusterDatastore { r#type: s.datastore.as_str().into(), version: s.version.clone() },
        desc: s.description.clone(),
        disk_encrypted: false,
        elb_white_list,
        endpoint,
        enterprise_project_id: "0".into(),
        failed_reason: c.failure.as_ref().map(|f| FailedReason { error_code: f.code.clone(), error_msg: f.message.clone() }),
        https_enable: s.https,
        id: c.id,
        instances,
        name: s.name.clone(),
        period: false,
        public_ip,
        public_kibana_resp: None,
        security_group_id: s.security_group_id.clone(),
        status,
        subnet_id: s.subnet_id.clone(),
        tags: s.tags.iter().map(|t| wire::ClusterTag { key: t.key.clone(), value: t.value.clone() }).collect(),
        updated: iso(c.updated_at),
        vpc_id: s.vpc_id.clone(),
    })
}

/// `GET /v1.0/{project_id}/es-flavors`.
pub fn flavors(region: &str, zones: &[String]) -> FlavorList {
    let versions = Datastore::ALL
        .into_iter()
        .flat_map(|d| d.versions().iter().map(move |v| (d, *v)))
        .flat_map(|(d, v)| {
            // One entry per role a member of that datastore may have (the providers look a role's flavors up by type).
            let roles: &[MemberRole] = if d == Datastore::Logstash { &[MemberRole::Data] } else { &[MemberRole::Data, MemberRole::Master, MemberRole::Client, MemberRole::Cold] };
            roles.iter().map(move |role| (d, v, *role))
        })
        .map(|(d, v, role)| {
            let flavors = CSS_FLAVORS
                .iter()
                .map(|(name, cpu, ram)| Flavor {
                    available_az: zones.join(","),
                    cpu: *cpu,
                    diskrange: format!("{},{}", CSS_DISK_GB.0, CSS_DISK_GB.1),
                    flavor_id: search::css_flavor_id(name),
                    name: name.to_string(),
                    ram: *ram,
                    region: region.to_string(),
                })
                .collect();
            FlavorVersion { datastore: d.as_str().into(), flavors, r#type: MemberType::of(role, d), version: v.into() }
        })
        .collect();
    wire::FlavorList { versions }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use uuid::Uuid;

    /// The text a `json!` map gives (keys sorted) is the text the struct gives.
    fn same_text_as_a_sorted_map(v: &impl serde::Serialize) {
        let text = serde_json::to_string(v).unwrap();
        assert_eq!(text, serde_json::to_value(v).unwrap().to_string());
    }

    #[test]
    fn bodies_keep_their_text_names_and_nulls() {
        let member = Member {
            az_code: "z1".into(),
            id: Uuid::nil(),
            ip: "127.0.0.2".into(),
            name: "n-ess-esn-1-1".into(),
            spec_code: "ess.spec-4u8g".into(),
            status: Status::InProgress,
            r#type: MemberType::Ess,
            volume: MemberVolume { size: 40, r#type: "COMMON".into() },
        };
        let detail = ClusterDetail {
            action_progress: ActionProgress { rebooting: Some("50%".into()), ..ActionProgress::default() },
            actions: vec![Action::Rebooting],
            authority_enable: false,
            backup_available: false,
            bandwidth_size: 0,
            created: "2024-05-01T12:00:00".into(),
            datastore: ClusterDatastore { r#type: "elasticsearch".into(), version: "7.10.2".into() },
            desc: String::new(),
            disk_encrypted: false,
            elb_white_list: Some(ElbWhiteList { enable_white_list: true, white_list: "127.0.0.1".into() }),
            endpoint: "127.0.0.2:9200".into(),
            enterprise_project_id: "0".into(),
            failed_reason: Some(FailedReason { error_code: "E".into(), error_msg: "m".into() }),
            https_enable: true,
            id: Uuid::nil(),
            instances: vec![member],
            name: "n".into(),
            period: false,
            public_ip: None,
            public_kibana_resp: None,
            security_group_id: "g".into(),
            status: Status::Available,
            subnet_id: "s".into(),
            tags: vec![],
            updated: "2024-05-01T12:00:00".into(),
            vpc_id: "v".into(),
        };
        same_text_as_a_sorted_map(&detail);
        let v = serde_json::to_value(&detail).unwrap();
        assert_eq!((&v["publicIp"], &v["status"], &v["actions"], &v["actionProgress"]), (&Value::Null, &json!("200"), &json!(["REBOOTING"]), &json!({"REBOOTING": "50%"})));
        assert_eq!(v["instances"][0]["status"], "100");
        assert_eq!(v["instances"][0]["type"], "ess");
        assert_eq!(v["failedReason"], json!({"errorCode": "E", "errorMsg": "m"}));
        let flavors = flavors("r", &["z1".into(), "z2".into()]);
        same_text_as_a_sorted_map(&flavors);
        let f = serde_json::to_value(&flavors).unwrap();
        assert_eq!(f["versions"][0]["flavors"][0]["availableAZ"], "z1,z2");
        assert_eq!(f["versions"][0]["type"], "ess");
        same_text_as_a_sorted_map(&wire::RestartAccepted { job_id: vec!["ab".into()] });
        same_text_as_a_sorted_map(&wire::CreatedCluster { cluster: wire::CreatedClusterRef { id: Uuid::nil(), name: "n".into() } });
        same_text_as_a_sorted_map(&wire::ErrorBody::new("CSS.0001", "m"));
        assert_eq!(serde_json::to_string(&wire::Empty {}).unwrap(), "{}");
        same_text_as_a_sorted_map(&wire::ClusterList { clusters: vec![], total_size: 0 });
    }
}
