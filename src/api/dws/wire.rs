//! Decoding DWS request bodies into core inputs. Unknown fields are ignored
//! (the SDKs send more than strato uses); wrong types are a 400.

use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

use crate::core::cluster::{PublicIp, Tag};
use crate::core::validate::{CreateInput, RestoreInput};
use crate::core::CoreError;

#[derive(Debug, Deserialize)]
struct PublicIpBody {
    public_bind_type: Option<String>,
    eip_id: Option<String>,
}

/// Tags arrive as a list of `{key,value}` or (huaweicloudsdkdws v1) a single object.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum TagsBody {
    List(Vec<Tag>),
    One(Tag),
}

#[derive(Debug, Deserialize)]
struct CreateBody {
    name: Option<String>,
    node_type: Option<String>,
    number_of_node: Option<i64>,
    number_of_cn: Option<i64>,
    port: Option<i64>,
    user_name: Option<String>,
    user_pwd: Option<String>,
    vpc_id: Option<String>,
    subnet_id: Option<String>,
    security_group_id: Option<String>,
    availability_zone: Option<String>,
    public_ip: Option<PublicIpBody>,
    enterprise_project_id: Option<String>,
    tags: Option<TagsBody>,
}

fn parse_json(body: &[u8]) -> Result<Value, CoreError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(CoreError::MalformedBody("a JSON body is required".into()));
    }
    serde_json::from_slice(body).map_err(|e| CoreError::MalformedBody(format!("invalid JSON: {e}")))
}

/// `{"cluster": {...}}` as the SDKs send it, or the flat object seed 004's curl sends.
pub fn create_input(body: &[u8]) -> Result<CreateInput, CoreError> {
    let value = parse_json(body)?;
    let inner = match value.get("cluster") {
        Some(c @ Value::Object(_)) => c.clone(),
        _ if value.is_object() => value,
        _ => return Err(CoreError::MalformedBody("expected a JSON object".into())),
    };
    let b: CreateBody =
        serde_json::from_value(inner).map_err(|e| CoreError::MalformedBody(format!("invalid cluster: {e}")))?;
    Ok(CreateInput {
        name: b.name,
        node_type: b.node_type,
        number_of_node: b.number_of_node,
        number_of_cn: b.number_of_cn,
        port: b.port,
        user_name: b.user_name,
        user_pwd: b.user_pwd,
        vpc_id: b.vpc_id,
        subnet_id: b.subnet_id,
        security_group_id: b.security_group_id,
        availability_zone: b.availability_zone,
        public_ip: b.public_ip.map(|p| PublicIp {
            public_bind_type: p.public_bind_type.unwrap_or_default(),
            eip_id: p.eip_id.unwrap_or_default(),
        }),
        enterprise_project_id: b.enterprise_project_id,
        tags: match b.tags {
            None => vec![],
            Some(TagsBody::List(l)) => l,
            Some(TagsBody::One(t)) => vec![t],
        },
    })
}

#[derive(Debug, Deserialize)]
struct SnapshotBody {
    name: Option<String>,
    cluster_id: Option<String>,
    description: Option<String>,
}

/// `{"snapshot": {"name", "cluster_id", "description"?}}` → (name, cluster id, description).
pub fn snapshot_input(body: &[u8]) -> Result<(String, Uuid, String), CoreError> {
    let v = parse_json(body)?;
    let inner = v.get("snapshot").cloned().ok_or_else(|| CoreError::MalformedBody("expected {\"snapshot\": {...}}".into()))?;
    let b: SnapshotBody =
        serde_json::from_value(inner).map_err(|e| CoreError::MalformedBody(format!("invalid snapshot: {e}")))?;
    let name = b.name.ok_or_else(|| CoreError::invalid(crate::core::error::Field::SnapshotName, "snapshot.name is required"))?;
    let cluster = b.cluster_id.ok_or_else(|| CoreError::MalformedBody("snapshot.cluster_id is required".into()))?;
    Ok((name, uuid(&cluster)?, b.description.unwrap_or_default()))
}

#[derive(Debug, Deserialize)]
struct RestoreBody {
    name: Option<String>,
    subnet_id: Option<String>,
    security_group_id: Option<String>,
    vpc_id: Option<String>,
    availability_zone: Option<String>,
    port: Option<i64>,
    public_ip: Option<PublicIpBody>,
    enterprise_project_id: Option<String>,
    number_of_cn: Option<i64>,
}

/// `{"restore": {"name", ...}}`.
pub fn restore_input(body: &[u8]) -> Result<RestoreInput, CoreError> {
    let v = parse_json(body)?;
    let inner = v.get("restore").cloned().ok_or_else(|| CoreError::MalformedBody("expected {\"restore\": {...}}".into()))?;
    let b: RestoreBody =
        serde_json::from_value(inner).map_err(|e| CoreError::MalformedBody(format!("invalid restore: {e}")))?;
    Ok(RestoreInput {
        name: b.name,
        vpc_id: b.vpc_id,
        subnet_id: b.subnet_id,
        security_group_id: b.security_group_id,
        availability_zone: b.availability_zone,
        port: b.port,
        public_ip: b.public_ip.map(|p| PublicIp {
            public_bind_type: p.public_bind_type.unwrap_or_default(),
            eip_id: p.eip_id.unwrap_or_default(),
        }),
        enterprise_project_id: b.enterprise_project_id,
        number_of_cn: b.number_of_cn,
    })
}

/// `{"restart": {}}`: the object must be there, as the API documents.
pub fn restart_body(body: &[u8]) -> Result<(), CoreError> {
    let v = parse_json(body)?;
    match v.get("restart") {
        Some(Value::Object(_)) => Ok(()),
        _ => Err(CoreError::MalformedBody("expected {\"restart\": {}}".into())),
    }
}

/// Optional `{"keep_last_manual_snapshot": n}` on delete; a body that is
/// JSON but not an object (`null`, `[]`, `1`, ...) is malformed, not "no options".
pub fn delete_body(body: &[u8]) -> Result<Option<u32>, CoreError> {
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(None);
    }
    let v = parse_json(body)?;
    if !v.is_object() {
        return Err(CoreError::MalformedBody(format!("expected a JSON object, got {v}")));
    }
    match v.get("keep_last_manual_snapshot") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) if n.as_u64().is_some() => Ok(n.as_u64().map(|n| n as u32)),
        Some(other) => Err(CoreError::MalformedBody(format!(
            "keep_last_manual_snapshot must be a non-negative integer, got {other}"
        ))),
    }
}

/// Cluster and job ids are UUIDs; anything else is DWS.0001.
pub fn uuid(s: &str) -> Result<Uuid, CoreError> {
    if s.len() != 36 {
        return Err(CoreError::BadId(s.to_string()));
    }
    Uuid::parse_str(s).map_err(|_| CoreError::BadId(s.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_wrapped_and_flat_bodies() {
        let wrapped = create_input(br#"{"cluster":{"name":"a","number_of_node":3,"tags":{"key":"k","value":"v"}}}"#).unwrap();
        let flat = create_input(br#"{"name":"a","number_of_node":3}"#).unwrap();
        assert_eq!(wrapped.name, flat.name);
        assert_eq!(wrapped.tags.len(), 1);
    }

    #[test]
    fn rejects_malformed_bodies() {
        for body in [&b""[..], b"{", b"[1]", br#"{"cluster":{"number_of_node":"3"}}"#] {
            assert!(matches!(create_input(body), Err(CoreError::MalformedBody(_))), "{body:?}");
        }
        assert!(restart_body(b"{}").is_err());
        assert!(restart_body(br#"{"restart":{}}"#).is_ok());
        assert_eq!(delete_body(br#"{"keep_last_manual_snapshot":2}"#).unwrap(), Some(2));
        assert!(delete_body(br#"{"keep_last_manual_snapshot":-1}"#).is_err());
        for not_an_object in [&b"null"[..], b"[]", b"true", b"1", br#""s""#] {
            assert!(matches!(delete_body(not_an_object), Err(CoreError::MalformedBody(_))), "{not_an_object:?}");
        }
        assert!(uuid("7ba031f6-81f4-4670-ad20-c490b91877e5").is_ok());
        assert!(uuid("7ba031f681f44670ad20c490b91877e5").is_err());
    }
}
