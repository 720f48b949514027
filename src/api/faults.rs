//! Fault injection at the edge of each dialect: after authentication, a
//! request for an operation that an armed rule matches gets the rule's API
//! error (in the dialect's envelope, with `x-strato-fault: <rule id>`), waits
//! the rule's latency, or first has a node of its cluster killed or frozen.
//! Costs nothing while no rule is armed.

use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::Ctx;
use crate::auth::Principal;
use crate::core::cluster::Product;
use crate::core::fault::{parse_cluster_id, FaultAction, Site};

/// One route of a dialect and the vendor's name for its operation.
pub struct Operation {
    pub method: &'static str,
    pub route: &'static str,
    pub name: &'static str,
}

/// What the fault layer needs to know of a dialect.
pub trait Dialect: Send + Sync + 'static {
    /// The operation name of `method route` (the vendor's, as in the
    /// dialect's OpenAPI document or its route table).
    fn operation(method: &str, route: &str) -> Option<&'static str>;
    /// The product a route belongs to.
    fn product(route: &str) -> Product;
    /// An error in the dialect's envelope.
    fn error(status: StatusCode, code: &str, message: &str) -> Response;
}

/// The operation name of `method route` in a route table.
pub fn operation_in(table: &'static [Operation], method: &str, route: &str) -> Option<&'static str> {
    table.iter().find(|o| o.method == method && o.route == route).map(|o| o.name)
}

/// The operation ids of an OpenAPI document by method and path (its paths
/// are axum's routes), built once per dialect.
pub struct OperationIndex(std::collections::HashMap<(String, String), &'static str>);

impl OperationIndex {
    pub fn of(doc: &utoipa::openapi::OpenApi) -> OperationIndex {
        let mut index = std::collections::HashMap::new();
        for (path, item) in &doc.paths.paths {
            let ops = [("GET", &item.get), ("POST", &item.post), ("PUT", &item.put), ("DELETE", &item.delete), ("PATCH", &item.patch)];
            for (method, op) in ops {
                if let Some(id) = op.as_ref().and_then(|o| o.operation_id.clone()) {
                    // Built once per process: the names live as long as it.
                    index.insert((method.to_string(), path.clone()), &*Box::leak(id.into_boxed_str()));
                }
            }
        }
        OperationIndex(index)
    }

    pub fn get(&self, method: &str, route: &str) -> Option<&'static str> {
        self.0.get(&(method.to_string(), route.to_string())).copied()
    }
}

/// The value of path parameter `name` in `path`, matched by `route`.
fn path_param<'a>(route: &str, path: &'a str, names: &[&str]) -> Option<&'a str> {
    route.split('/').zip(path.split('/')).find_map(|(r, p)| {
        let name = r.strip_prefix('{')?.strip_suffix('}')?;
        names.contains(&name).then_some(p)
    })
}

/// The project a request acts in: the path's, the token's or API key's scope,
/// or (a signed Alibaba request) the caller's first project.
async fn project_of(ctx: &Ctx, path: &str, caller: Option<Principal>, route: &str) -> Option<String> {
    if let Some(pid) = path_param(route, path, &["pid", "project_id"]) {
        return Some(pid.to_string());
    }
    let caller = caller?;
    if let Some(p) = &caller.scoped_project {
        return Some(p.clone());
    }
    ctx.identity.projects_of(&caller).await.ok()?.first().map(|p| p.id.clone())
}

/// The middleware (mount it inside the dialect's authentication layer).
pub async fn inject<D: Dialect>(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    if ctx.app.faults.is_empty() {
        return next.run(req).await;
    }
    let Some(route) = req.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()) else {
        return next.run(req).await;
    };
    let Some(name) = D::operation(req.method().as_str(), &route) else { return next.run(req).await };
    let path = req.uri().path().to_string();
    let project = project_of(&ctx, &path, req.extensions().get::<Principal>().cloned(), &route).await;
    let cluster = path_param(&route, &path, &["cid", "cluster_id", "id", "clusterId"]).and_then(parse_cluster_id);
    let site = Site { product: D::product(&route), operation: name, project_id: project.as_deref(), cluster, step: None };
    let Some(fired) = ctx.app.faults.fire(&site) else { return next.run(req).await };
    match &fired.action {
        FaultAction::ApiError { status, code, message } => {
            let status = StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let message = message.clone().unwrap_or_else(|| format!("injected fault: {name} refused"));
            let mut resp = D::error(status, code, &message);
            if let Ok(v) = HeaderValue::from_str(&fired.rule.to_string()) {
                resp.headers_mut().insert("x-strato-fault", v);
            }
            resp
        }
        FaultAction::Latency { ms } => {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
            next.run(req).await
        }
        FaultAction::KillNode { .. } | FaultAction::FreezeNode { .. } => {
            if let Some(c) = cluster {
                if let Err(why) = ctx.app.inject_engine_fault(c, site.product, &fired.action).await {
                    tracing::warn!(fault.id = %fired.rule, error = %why, "the engine fault could not be injected");
                }
            }
            next.run(req).await
        }
        FaultAction::StepFailure { .. } => next.run(req).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_are_read_by_the_route_s_names() {
        let route = "/v1.0/{pid}/clusters/{cid}/restart";
        let path = "/v1.0/p1/clusters/abc/restart";
        assert_eq!(path_param(route, path, &["pid", "project_id"]), Some("p1"));
        assert_eq!(path_param(route, path, &["cid", "id"]), Some("abc"));
        assert_eq!(path_param("/v2/clusters", "/v2/clusters", &["cid"]), None);
        let route = "/v1.0/{project_id}/clusters/{cluster_id}/snapshot-policies/{id}";
        let path = "/v1.0/p1/clusters/abc/snapshot-policies/def";
        assert_eq!(path_param(route, path, &["cid", "cluster_id", "id", "clusterId"]), Some("abc"), "the cluster, not the policy");
    }
}
