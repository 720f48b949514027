//! Zilliz v2 request bodies. Unknown fields are ignored; a known field of the
//! wrong JSON type is refused with the code of that field.

use serde::Deserialize;

use super::ZillizError;
use crate::api::BodyError;
use crate::core::error::Field;
use crate::core::CoreError;

/// `createDedicated`, `createServerless`, `createFree`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateClusterRequest {
    pub cluster_name: Option<String>,
    pub project_id: Option<String>,
    pub region_id: Option<String>,
    pub plan: Option<String>,
    pub cu_type: Option<String>,
    pub cu_size: Option<i64>,
    pub description: Option<String>,
}

/// `modify`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModifyClusterRequest {
    pub cu_size: Option<i64>,
}

/// Decodes a body, reporting a wrong type as the invalid value of its field.
pub fn decode<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ZillizError> {
    crate::api::decode_body(body).map_err(refusal)
}

fn refusal(e: BodyError) -> ZillizError {
    let field = match e.field() {
        "clusterName" => Field::Name,
        "regionId" => Field::Region,
        "cuSize" => Field::CuSize,
        "cuType" => Field::CuType,
        "plan" => Field::Plan,
        "description" => Field::Description,
        "projectId" => return ZillizError::MissingProject,
        _ => return ZillizError::BadBody(e.to_string()),
    };
    ZillizError::Core(CoreError::invalid(field, format!("Invalid parameter {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_types_are_the_field_s_own_error() {
        let field = |body: &str| match decode::<CreateClusterRequest>(body.as_bytes()) {
            Err(ZillizError::Core(CoreError::Invalid { field, .. })) => Some(field),
            _ => None,
        };
        assert_eq!(field(r#"{"clusterName":738}"#), Some(Field::Name));
        assert_eq!(field(r#"{"cuSize":"2"}"#), Some(Field::CuSize));
        assert_eq!(field(r#"{"description":[]}"#), Some(Field::Description));
        assert!(matches!(decode::<CreateClusterRequest>(br#"{"projectId":1}"#), Err(ZillizError::MissingProject)));
        assert!(matches!(decode::<CreateClusterRequest>(b"[]"), Err(ZillizError::BadBody(_))));
        let ok: CreateClusterRequest = decode(br#"{"clusterName":"a","cuSize":2,"replica":1}"#).unwrap();
        assert_eq!((ok.cluster_name.as_deref(), ok.cu_size), (Some("a"), Some(2)));
    }
}
