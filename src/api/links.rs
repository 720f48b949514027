//! OpenAPI links between a dialect's operations: where the id an operation
//! answers (a created cluster's, a job's) is the parameter of others. Clients
//! and generators (schemathesis' stateful phase) follow them to act on what
//! they just made instead of on made-up ids.

use utoipa::openapi::link::LinkBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{OpenApi, RefOr};

/// `from`'s `status` answer carries at `pointer` (a JSON pointer into its
/// body) the value of every `to` operation's `param`.
pub struct Link {
    pub from: &'static str,
    pub status: &'static str,
    pub pointer: &'static str,
    pub param: &'static str,
    pub to: &'static [&'static str],
}

/// Adds `links` to the document. A path parameter the source and the target
/// share besides `param` (the project) is passed through from the request.
/// Panics on an operation id or status the document does not have: the
/// table is wrong, and the document tests say so.
pub fn add(doc: &mut OpenApi, links: &[Link]) {
    for link in links {
        let carried: Vec<String> = path_params(operation(doc, link.from)).into_iter().filter(|p| p != link.param).collect();
        for target in link.to {
            let mut built = LinkBuilder::new()
                .operation_id(*target)
                .parameter(format!("path.{}", link.param), format!("$response.body#{}", link.pointer));
            for name in path_params(operation(doc, target)).iter().filter(|p| carried.contains(p)) {
                built = built.parameter(format!("path.{name}"), format!("$request.path.{name}"));
            }
            let source = operation_mut(doc, link.from);
            let Some(RefOr::T(response)) = source.responses.responses.get_mut(link.status) else {
                panic!("{} has no inline {} response to link from", link.from, link.status);
            };
            response.links.insert(target.to_string(), RefOr::T(built.build()));
        }
    }
}

fn path_params(op: &Operation) -> Vec<String> {
    op.parameters
        .iter()
        .flatten()
        .filter_map(|p| match p {
            RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Path) => Some(p.name.clone()),
            _ => None,
        })
        .collect()
}

fn operations(doc: &OpenApi) -> impl Iterator<Item = &Operation> {
    doc.paths.paths.values().flat_map(|item| [&item.get, &item.post, &item.put, &item.delete, &item.patch]).flatten()
}

fn operation<'a>(doc: &'a OpenApi, id: &str) -> &'a Operation {
    operations(doc)
        .find(|op| op.operation_id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no operation {id} to link"))
}

fn operation_mut<'a>(doc: &'a mut OpenApi, id: &str) -> &'a mut Operation {
    doc.paths
        .paths
        .values_mut()
        .flat_map(|item| [&mut item.get, &mut item.post, &mut item.put, &mut item.delete, &mut item.patch])
        .flatten()
        .find(|op| op.operation_id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("no operation {id} to link"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::path::{OperationBuilder, ParameterBuilder, PathItem, HttpMethod};
    use utoipa::openapi::response::ResponseBuilder;
    use utoipa::openapi::{OpenApiBuilder, PathsBuilder};

    fn op(id: &str, params: &[&str]) -> Operation {
        let mut b = OperationBuilder::new()
            .operation_id(Some(id))
            .response("200", ResponseBuilder::new().description("ok").build());
        for p in params {
            b = b.parameter(ParameterBuilder::new().name(*p).parameter_in(ParameterIn::Path));
        }
        b.build()
    }

    #[test]
    fn a_link_fills_the_param_from_the_body_and_carries_the_shared_path_params() {
        let paths = PathsBuilder::new()
            .path("/{project_id}/clusters", PathItem::new(HttpMethod::Post, op("Create", &["project_id"])))
            .path("/{project_id}/clusters/{cluster_id}", PathItem::new(HttpMethod::Get, op("Show", &["project_id", "cluster_id"])))
            .build();
        let mut doc = OpenApiBuilder::new().paths(paths).build();
        add(&mut doc, &[Link { from: "Create", status: "200", pointer: "/cluster/id", param: "cluster_id", to: &["Show"] }]);
        let json = serde_json::to_value(&doc).unwrap();
        let link = &json["paths"]["/{project_id}/clusters"]["post"]["responses"]["200"]["links"]["Show"];
        assert_eq!(link["operationId"], "Show");
        assert_eq!(link["parameters"]["path.cluster_id"], "$response.body#/cluster/id");
        assert_eq!(link["parameters"]["path.project_id"], "$request.path.project_id");
    }

    #[test]
    #[should_panic(expected = "no operation Missing")]
    fn a_link_to_an_unknown_operation_is_a_bug() {
        let paths = PathsBuilder::new().path("/a", PathItem::new(HttpMethod::Post, op("Create", &[]))).build();
        let mut doc = OpenApiBuilder::new().paths(paths).build();
        add(&mut doc, &[Link { from: "Create", status: "200", pointer: "/id", param: "id", to: &["Missing"] }]);
    }
}
