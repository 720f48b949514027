//! `POST /v2.0/{project_id}/clusters`: the v2 create, members given per role,
//! as the Huawei provider sends it.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::{ClusterTag, Datastore, Eip, Nics, Volume};
use crate::api::lenient;
use crate::core::error::Field;
use crate::core::index_snapshot::PolicyInput;
use crate::core::roles::MemberRole;
use crate::core::search::{self, CssBackup, CssCreateInput};
use crate::core::CoreError;

/// One role's members.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RoleBody {
    /// `ess` (data members; `lgs` for Logstash, required), `ess-master` (3, 5, 7 or 9), `ess-client` (1–32),
    /// `ess-cold` (1–32).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "ess")]
    pub r#type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "ess.spec-4u8g")]
    pub flavor_ref: Option<String>,
    /// 1–32 members (an integer, or a string holding one).
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    #[schema(example = 3)]
    pub instance_num: Option<i64>,
    /// `size` a multiple of 20 (v2's rule).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume: Option<Volume>,
}

/// `backupStrategy`: the snapshot function on from the start, with its policy.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BackupStrategy {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "00:00 GMT+08:00")]
    pub period: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    #[serde(default, deserialize_with = "lenient::int", skip_serializing_if = "Option::is_none")]
    pub keepday: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frequency: Option<String>,
    /// Without it, a bucket of the cluster's own (as CSS creates one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ElbWhiteListReq {
    #[serde(default, deserialize_with = "lenient::bool", skip_serializing_if = "Option::is_none")]
    pub enable_white_list: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub white_list: Option<String>,
}

/// `publicIPReq`: public access from the start (needs HTTPS).
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PublicIpReq {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eip: Option<Eip>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elb_white_list_req: Option<ElbWhiteListReq>,
    /// `auto_assign`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public_bind_type: Option<String>,
}

/// The v2 create's `cluster`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterV2Body {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub desc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub datastore: Option<Datastore>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<RoleBody>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nics: Option<Nics>,
    /// One of the region's zones; the first if absent.
    #[serde(rename = "availability_zone", skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<String>,
    #[serde(rename = "enterprise_project_id", skip_serializing_if = "Option::is_none")]
    pub enterprise_project_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<ClusterTag>>,
    /// Recorded (the members run without security); needs `adminPwd`.
    #[serde(default, deserialize_with = "lenient::bool", skip_serializing_if = "Option::is_none")]
    pub authority_enable: Option<bool>,
    /// Recorded; needs the security mode (CSS.5171).
    #[serde(default, deserialize_with = "lenient::bool", skip_serializing_if = "Option::is_none")]
    pub https_enable: Option<bool>,
    /// Checked, not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_pwd: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backup_strategy: Option<BackupStrategy>,
    #[serde(rename = "publicIPReq", skip_serializing_if = "Option::is_none")]
    pub public_ip_req: Option<PublicIpReq>,
    /// Kibana public access: strato runs no Kibana (CSS.0001).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub public_kibana_req: Option<Map<String, Value>>,
    /// Accepted and ignored (pay-per-use here: no order is placed).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub pay_info: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub load_balance: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub disk_encryption: Option<Map<String, Value>>,
}

/// `{"cluster": {...}}`.
#[derive(Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct CreateClusterV2Request {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterV2Body>,
}

impl CreateClusterV2Request {
    /// The create input: the data role (`ess`, or `lgs` for Logstash) and
    /// any dedicated ones.
    pub fn into_input(self) -> Result<CssCreateInput, CoreError> {
        let c = self.cluster.ok_or_else(|| CoreError::MalformedBody("the body needs a `cluster` object".into()))?;
        if c.public_kibana_req.is_some() {
            return Err(CoreError::NotEmulated("Kibana public access (publicKibanaReq): strato runs no Kibana".into()));
        }
        let roles = c.roles.unwrap_or_default();
        let datastore = c.datastore.unwrap_or_default();
        let kind = datastore.r#type.as_deref().and_then(search::Datastore::parse).unwrap_or(search::Datastore::Elasticsearch);
        let mut data: Option<&RoleBody> = None;
        let mut dedicated = Vec::new();
        for r in &roles {
            match MemberRole::parse_css(r.r#type.as_deref().unwrap_or_default(), kind)? {
                MemberRole::Data if data.is_some() => return Err(CoreError::invalid(Field::NumberOfNode, "roles names the data role twice")),
                MemberRole::Data => data = Some(r),
                role => {
                    let v = r.volume.as_ref();
                    dedicated.push((role, r.instance_num.unwrap_or(0), r.flavor_ref.clone(), v.and_then(|v| v.size), v.and_then(|v| v.volume_type.clone())));
                }
            }
        }
        let data = data.ok_or_else(|| CoreError::invalid(Field::NumberOfNode, "roles must hold the data role (ess, or lgs for Logstash)"))?;
        let volume = data.volume.as_ref();
        if let Some(size) = volume.and_then(|v| v.size).filter(|s| s % 20 != 0) {
            return Err(CoreError::invalid(Field::Flavor, format!("volume.size must be a multiple of 20, got {size}")));
        }
        let nics = c.nics.unwrap_or_default();
        let public_access = c.public_ip_req.map(|p| {
            let size = p.eip.and_then(|e| e.band_width).and_then(|b| b.size).unwrap_or(0);
            let list = p.elb_white_list_req.filter(|w| w.enable_white_list == Some(true)).and_then(|w| w.white_list);
            (size, list)
        });
        let backup = c.backup_strategy.map(|b| CssBackup {
            bucket: b.bucket,
            base_path: b.base_path,
            agency: b.agency,
            policy: PolicyInput { enable: Some(true), prefix: b.prefix, period: b.period, keepday: b.keepday, frequency: b.frequency, ..PolicyInput::default() },
        });
        Ok(CssCreateInput {
            name: c.name,
            description: c.desc,
            instance_num: data.instance_num,
            flavor_ref: data.flavor_ref.clone(),
            volume_type: volume.and_then(|v| v.volume_type.clone()),
            volume_size: volume.and_then(|v| v.size),
            vpc_id: nics.vpc_id,
            net_id: nics.net_id,
            security_group_id: nics.security_group_id,
            availability_zone: c.availability_zone,
            datastore_type: datastore.r#type,
            datastore_version: datastore.version,
            https_enable: c.https_enable.unwrap_or(false),
            authority_enable: c.authority_enable.unwrap_or(false),
            admin_password: c.admin_pwd,
            tags: c.tags.unwrap_or_default().into_iter().map(|t| crate::core::cluster::Tag { key: t.key, value: t.value }).collect(),
            public_access,
            backup,
            dedicated,
        })
    }
}
