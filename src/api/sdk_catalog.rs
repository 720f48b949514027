//! Every operation of the vendors' Python SDKs (huaweicloudsdkdws,
//! huaweicloudsdkcss, the Alibaba Elasticsearch SDK): name, method and path
//! template, from `sdk_operations.json`. A request no route takes is looked
//! up here, so a call strato does not emulate is answered with its operation's
//! name ("strato does not emulate ListQuotas") instead of "no such API", and
//! the emulated/not-emulated table (docs/operations.md) is derived from it.

use std::sync::OnceLock;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;

/// An SDK's catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sdk {
    Dws,
    Css,
    Aliyun,
}

impl Sdk {
    fn key(self) -> &'static str {
        match self {
            Sdk::Dws => "dws",
            Sdk::Css => "css",
            Sdk::Aliyun => "aliyun",
        }
    }
}

/// One SDK operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkOperation {
    /// The operation's API name (the SDK's method in CamelCase: `ListQuotas`).
    pub name: String,
    pub method: String,
    /// The path template, `{...}` for each parameter segment.
    pub path: String,
}

impl SdkOperation {
    /// Whether `path` (no query) is an instance of the template.
    fn matches(&self, path: &str) -> Option<usize> {
        let (mut template, mut actual) = (self.path.split('/'), path.split('/'));
        let mut literal = 0;
        loop {
            match (template.next(), actual.next()) {
                (None, None) => return Some(literal),
                (Some(t), Some(a)) if t.starts_with('{') && t.ends_with('}') && !a.is_empty() => {}
                (Some(t), Some(a)) if t == a => literal += 1,
                _ => return None,
            }
        }
    }
}

#[derive(serde::Deserialize)]
struct Entry {
    name: String,
    method: String,
    path: String,
}

/// The catalog of `sdk`, in the file's order.
pub fn operations(sdk: Sdk) -> &'static [SdkOperation] {
    static ALL: OnceLock<[Vec<SdkOperation>; 3]> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        let mut file: std::collections::HashMap<String, Vec<Entry>> =
            serde_json::from_str(include_str!("sdk_operations.json")).expect("sdk_operations.json parses");
        [Sdk::Dws, Sdk::Css, Sdk::Aliyun].map(|sdk| {
            file.remove(sdk.key())
                .unwrap_or_default()
                .into_iter()
                .map(|e| SdkOperation { name: camel(&e.name), method: e.method, path: e.path })
                .collect()
        })
    });
    &all[sdk as usize]
}

/// The SDK operation a request is, if any: the template with the most literal
/// segments wins (`/clusters/summary` over `/clusters/{id}`).
pub fn find(sdk: Sdk, method: &str, path: &str) -> Option<&'static SdkOperation> {
    let path = path.split('?').next().unwrap_or(path).trim_end_matches('/');
    operations(sdk)
        .iter()
        .filter(|op| op.method.eq_ignore_ascii_case(method))
        .filter_map(|op| op.matches(path).map(|literal| (literal, op)))
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, op)| op)
}

/// A dialect whose listener answers its SDK's catalog.
pub trait Catalogued {
    const SDK: Sdk;
    /// The answer to an SDK operation strato does not emulate.
    fn not_emulated(op: &'static SdkOperation) -> Response;
    /// The answer to a request that is no operation at all.
    fn no_route(what: String) -> Response;
}

/// The listener's fallback: the SDK operation the request is, not emulated,
/// or no such API.
pub async fn fallback<D: Catalogued>(req: Request) -> Response {
    let (method, path) = (req.method().as_str(), req.uri().path());
    match find(D::SDK, method, path) {
        Some(op) => D::not_emulated(op),
        None => D::no_route(format!("{method} {path}")),
    }
}

/// A route strato serves with another method than the request's (axum's
/// 405) may still be an SDK operation: that one, not emulated.
pub async fn unemulated_methods<D: Catalogued>(req: Request, next: Next) -> Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let resp = next.run(req).await;
    if resp.status() != StatusCode::METHOD_NOT_ALLOWED {
        return resp;
    }
    match find(D::SDK, method.as_str(), &path) {
        Some(op) => D::not_emulated(op),
        None => resp,
    }
}

/// What a not-emulated answer says.
pub fn not_emulated_message(op: &SdkOperation) -> String {
    format!(
        "strato does not emulate {} ({} {}); docs/operations.md lists the operations it emulates",
        op.name, op.method, op.path
    )
}

/// `list_cluster_details` → `ListClusterDetails`.
pub(crate) fn camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    #[test]
    fn the_catalogs_hold_every_sdk_operation() {
        assert_eq!(operations(Sdk::Dws).len(), 217);
        assert_eq!(operations(Sdk::Css).len(), 120);
        assert_eq!(operations(Sdk::Aliyun).len(), 209);
    }

    #[test]
    fn a_request_is_found_by_method_and_template_and_literals_win() {
        let quotas = find(Sdk::Dws, "GET", "/v1.0/0123/quotas").expect("ListQuotas");
        assert_eq!(quotas.name, "ListQuotas");
        assert!(find(Sdk::Dws, "DELETE", "/v1.0/0123/quotas").is_none(), "the method matters");
        assert!(find(Sdk::Dws, "GET", "/v1.0/0123/quotas/extra").is_none(), "so does every segment");
        // `/clusters/{cluster_id}` and `/clusters/{cluster_id}/...` do not take each other's requests.
        let resize = find(Sdk::Dws, "POST", "/v1.0/p/clusters/c/resize?x=1").expect("ResizeCluster");
        assert_eq!(resize.name, "ResizeCluster");
        assert_eq!(find(Sdk::Aliyun, "POST", "/openapi/instances/es-1/actions/recover-zones").unwrap().name, "ActivateZones");
    }

    struct Fake;

    impl Catalogued for Fake {
        const SDK: Sdk = Sdk::Dws;
        fn not_emulated(op: &'static SdkOperation) -> Response {
            (StatusCode::NOT_IMPLEMENTED, op.name.clone()).into_response()
        }
        fn no_route(what: String) -> Response {
            (StatusCode::NOT_FOUND, what).into_response()
        }
    }

    async fn answer(router: &axum::Router, method: &str, path: &str) -> (StatusCode, String) {
        use tower::ServiceExt;
        let req = axum::http::Request::builder().method(method).uri(path).body(axum::body::Body::empty()).unwrap();
        let resp = router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let body = axum::body::to_bytes(resp.into_body(), 1024).await.unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn unserved_sdk_operations_are_named_by_the_fallback_and_over_a_405() {
        // A route that serves the quotas path with POST only: GET there is ListQuotas, not emulated.
        let router = axum::Router::new()
            .route("/v1.0/{pid}/quotas", axum::routing::post(|| async { "served" }))
            .fallback(fallback::<Fake>)
            .layer(axum::middleware::from_fn(unemulated_methods::<Fake>));
        assert_eq!(answer(&router, "GET", "/v1.0/p/quotas").await, (StatusCode::NOT_IMPLEMENTED, "ListQuotas".into()));
        assert_eq!(answer(&router, "POST", "/v1.0/p/quotas").await, (StatusCode::OK, "served".into()));
        assert_eq!(answer(&router, "DELETE", "/v1.0/p/quotas").await.0, StatusCode::METHOD_NOT_ALLOWED, "no such SDK operation");
        assert_eq!(answer(&router, "POST", "/v1.0/p/clusters/c/resize").await, (StatusCode::NOT_IMPLEMENTED, "ResizeCluster".into()));
        assert_eq!(answer(&router, "GET", "/nowhere").await, (StatusCode::NOT_FOUND, "GET /nowhere".into()));
    }

    #[test]
    fn names_are_camel_case() {
        assert_eq!(camel("list_cluster_details"), "ListClusterDetails");
        assert_eq!(camel("add_queue_user_list"), "AddQueueUserList");
    }
}
