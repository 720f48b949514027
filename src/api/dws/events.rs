//! `ListEvents`: what strato recorded of the project's DWS clusters (tasks
//! accepted, finished and failed, attribute changes, node health), in DWS's
//! event vocabulary where it has a name for the event.

use axum::extract::{Path, Query, State};
use axum::{Extension, Json};
use uuid::Uuid;

use super::openapi::{PROJECT_ID, TAG_EVENTS};
use super::snapshots::number;
use super::wire::{ErrorBody, EventList, EventQuery, EventView};
use super::{project, Caller, DwsError, Pid};
use crate::api::Ctx;
use crate::core::cluster::Product;
use crate::store::ListedEvent;

/// How DWS shows one of strato's event kinds: (name, display name,
/// description with `%s` for the cluster, category, severity, source type).
struct Shown {
    name: String,
    display_name: String,
    description: String,
    category: &'static str,
    severity: &'static str,
    source_type: &'static str,
}

/// DWS's event names (its event specs) for the kinds strato records; a kind
/// DWS has no event for keeps strato's own name, in DWS's camelCase.
const NAMED: &[(&str, &str, &str, &str, &str)] = &[
    // (strato kind, DWS name, display name, description, category)
    ("cluster_create", "createCluster", "Cluster being created", "Cluster %s is being created", "management"),
    ("create_cluster_succeeded", "createClusterSuccess", "Cluster created", "Cluster %s created", "management"),
    ("create_cluster_failed", "createClusterFail", "Cluster creation failed", "Cluster %s failed to be created", "management"),
    ("change_cluster", "extendCluster", "Cluster being scaled", "Cluster %s is being scaled", "management"),
    ("change_cluster_succeeded", "extendClusterSuccess", "Cluster scaled", "Cluster %s scaled", "management"),
    ("change_cluster_failed", "extendClusterFail", "Cluster scaling failed", "Cluster %s failed to be scaled", "management"),
    ("delete_cluster", "deleteCluster", "Cluster being deleted", "Cluster %s is being deleted", "management"),
    ("delete_cluster_succeeded", "deleteClusterSuccess", "Cluster deleted", "Cluster %s deleted", "management"),
    ("delete_cluster_failed", "deleteClusterFail", "Cluster deletion failed", "Cluster %s failed to be deleted", "management"),
    ("restore_cluster", "restoreCluster", "Cluster being restored", "Cluster %s is being restored", "management"),
    ("restore_cluster_succeeded", "restoreClusterSuccess", "Cluster restored", "Cluster %s restored", "management"),
    ("restore_cluster_failed", "restoreClusterFail", "Cluster restoration failed", "Cluster %s failed to be restored", "management"),
    ("restart_cluster", "restartCluster", "Cluster being restarted", "Cluster %s is being restarted", "management"),
    ("restart_cluster_succeeded", "restartClusterSuccess", "Cluster restarted", "Cluster %s restarted", "management"),
    ("restart_cluster_failed", "restartClusterFail", "Cluster restart failed", "Cluster %s failed to be restarted", "management"),
    ("create_snapshot", "createBackup", "Snapshot being created", "A snapshot of cluster %s is being created", "management"),
    ("create_snapshot_succeeded", "createBackupSuccess", "Snapshot created", "A snapshot of cluster %s was created", "management"),
    ("create_snapshot_failed", "createBackupFail", "Snapshot creation failed", "A snapshot of cluster %s failed", "management"),
    ("delete_snapshot", "deleteBackup", "Snapshot being deleted", "A snapshot of cluster %s is being deleted", "management"),
    ("delete_snapshot_failed", "deleteBackupFail", "Snapshot deletion failed", "A snapshot of cluster %s failed to be deleted", "management"),
    ("reset_password_succeeded", "resetPasswordSuccess", "Password reset", "The administrator password of cluster %s was reset", "security"),
    ("reset_password_failed", "resetPasswordFail", "Password reset failed", "The administrator password of cluster %s failed to be reset", "security"),
    ("apply_settings", "updateConfiguration", "Parameters being updated", "The parameters of cluster %s are being updated", "security"),
    ("apply_settings_succeeded", "updateConfigurationSuccess", "Parameters updated", "The parameters of cluster %s were updated", "security"),
    ("apply_settings_failed", "updateConfigurationFail", "Parameter update failed", "The parameters of cluster %s failed to be updated", "security"),
    ("bind_eip", "bindEipToCluster", "EIP bound", "An EIP is bound to cluster %s", "management"),
    ("unbind_eip", "unbindEipToCluster", "EIP unbound", "The EIP of cluster %s is unbound", "management"),
    ("repair_cluster", "repairCluster", "Cluster being repaired", "Cluster %s is being repaired", "monitor"),
    ("repair_cluster_succeeded", "repairClusterSuccess", "Cluster repaired", "Cluster %s repaired", "monitor"),
    ("repair_cluster_failed", "repairClusterFail", "Cluster repair failed", "Cluster %s failed to be repaired", "monitor"),
];

/// `node_down` → `nodeDown`.
fn camel(kind: &str) -> String {
    let upper = crate::api::sdk_catalog::camel(kind);
    let mut chars = upper.chars();
    chars.next().map(|f| f.to_ascii_lowercase().to_string() + chars.as_str()).unwrap_or_default()
}

fn shown(kind: &str) -> Shown {
    let warning = kind.ends_with("_failed") || kind == "node_down" || kind == "fault_injected";
    let severity = if warning { "warning" } else { "normal" };
    let source_type = if kind.contains("snapshot") { "backup" } else { "cluster" };
    match NAMED.iter().find(|n| n.0 == kind) {
        Some(&(_, name, display, description, category)) => Shown {
            name: name.into(),
            display_name: display.into(),
            description: description.into(),
            category,
            severity,
            source_type,
        },
        None => Shown {
            name: camel(kind),
            display_name: kind.replace('_', " "),
            description: format!("{} (cluster %s)", kind.replace('_', " ")),
            category: if kind.starts_with("node_") || kind == "fault_injected" { "monitor" } else { "management" },
            severity,
            source_type,
        },
    }
}

/// A stable id for the store's event number.
fn event_id(seq: i64) -> Uuid {
    const NAMESPACE: Uuid = Uuid::from_u128(0x9b0c_61d2_7e4f_4a8b_b3c5_0d1e_2f3a_4b5c);
    Uuid::new_v5(&NAMESPACE, &seq.to_be_bytes())
}

fn render(e: &ListedEvent, project_id: &str) -> EventView {
    let s = shown(&e.event.kind);
    EventView {
        context: format!("{}: {}", s.description.replace("%s", &e.cluster_name), e.event.message),
        category: s.category.into(),
        description: s.description,
        event_id: event_id(e.seq).to_string(),
        name: s.name,
        display_name: s.display_name,
        name_space: "dws".into(),
        severity: s.severity.into(),
        source_type: s.source_type.into(),
        occur_time: e.event.at,
        project_id: project_id.into(),
        source_id: e.event.cluster_id.to_string(),
        source_name: e.cluster_name.clone(),
        status: 2,
        subject: "DWS event notification".into(),
    }
}

#[utoipa::path(
    get, path = "/v2/{project_id}/events", operation_id = "ListEvents", tag = TAG_EVENTS,
    summary = "List events",
    description = "What strato recorded of the project's clusters, newest first: each task accepted, finished and \
        failed, attribute changes, and node health as the health loop saw it (`node_down`, `node_recovered`). DWS's \
        event name is used where DWS has one (`createClusterSuccess`, `restartClusterFail`, `updateConfiguration`, \
        ...); other events keep strato's name in camelCase (`nodeDown`, `tagsAdded`). `offset` is a page number \
        from 0, as in DWS.",
    params(("project_id" = String, Path, description = PROJECT_ID), EventQuery),
    responses(
        (status = 200, description = "The page, and how many events there are.", body = EventList),
        (status = 400, description = "`offset` or `limit` out of range (DWS.0004).", body = ErrorBody),
    ),
)]
pub async fn list(State(ctx): State<Ctx>, Extension(caller): Caller, Path(pid): Pid, Query(q): Query<EventQuery>) -> Result<Json<EventList>, DwsError> {
    let pid = project(&ctx, &caller, &pid).await?;
    let limit = number(&q.limit, "limit", 1000, 1000)?.max(1) as u64;
    let page = number(&q.offset, "offset", 0, 1_000_000)? as u64;
    let (events, count) = ctx.app.events(&pid, Product::Dws, page * limit, limit).await?;
    Ok(Json(EventList { events: events.iter().map(|e| render(e, &pid)).collect(), count }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_take_dws_names_where_dws_has_them() {
        let s = shown("restart_cluster_failed");
        assert_eq!((s.name.as_str(), s.severity, s.category), ("restartClusterFail", "warning", "management"));
        let s = shown("node_down");
        assert_eq!((s.name.as_str(), s.severity, s.category), ("nodeDown", "warning", "monitor"));
        assert_eq!(shown("create_snapshot_succeeded").source_type, "backup");
        assert_eq!(shown("apply_settings").category, "security");
        assert_ne!(event_id(1), event_id(2));
    }
}
