//! What a cluster's processes are doing, summarised. Engines report one
//! `NodeHealth` per node; this module folds them into a `Health` that each
//! dialect renders in its own vocabulary.

use serde::Serialize;

/// One node as last observed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum NodeHealth {
    /// The process accepts connections (primary: read-write; standby: read-only).
    Ready,
    /// The process exists but is not accepting connections yet (or is shutting down).
    Starting,
    /// No process.
    Down,
    /// strato could not look (its own IO failed: out of file descriptors, say).
    /// Never evidence that a node died: the last known state stands.
    Unknown,
}

/// The cluster as a whole, from its nodes (index 0 is the primary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Health {
    /// Every node ready.
    Normal,
    /// The primary is ready, at least one standby is not.
    Degraded,
    /// The primary is not ready, some process still exists.
    Unavailable,
    /// No process at all.
    Stopped,
}

pub fn fold(nodes: &[NodeHealth]) -> Health {
    let all_down = nodes.iter().all(|n| *n == NodeHealth::Down);
    match nodes.first() {
        _ if all_down => Health::Stopped,
        Some(NodeHealth::Ready) if nodes.iter().all(|n| *n == NodeHealth::Ready) => Health::Normal,
        Some(NodeHealth::Ready) => Health::Degraded,
        // A node never seen yet may well run: not "stopped", not "normal" either.
        Some(NodeHealth::Starting | NodeHealth::Down | NodeHealth::Unknown) | None => Health::Unavailable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use NodeHealth::*;

    #[test]
    fn folds_node_health_into_cluster_health() {
        let cases = [
            (vec![Ready, Ready, Ready], Health::Normal),
            (vec![Ready, Down, Ready], Health::Degraded),
            (vec![Ready, Starting, Ready], Health::Degraded),
            (vec![Down, Ready, Ready], Health::Unavailable),
            (vec![Starting, Ready, Ready], Health::Unavailable),
            (vec![Down, Down, Down], Health::Stopped),
            (vec![Unknown, Down, Down], Health::Unavailable),
            (vec![Ready, Unknown, Ready], Health::Degraded),
            (vec![], Health::Stopped),
        ];
        for (nodes, want) in cases {
            assert_eq!(fold(&nodes), want, "{nodes:?}");
        }
    }
}
