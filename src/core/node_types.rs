//! The node types (flavors) strato offers. A node type only sizes the engine
//! process modestly (shared_buffers, max_connections); the figures shown are
//! the vendor's, so SDK code that reads them keeps working.

use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct NodeType {
    pub spec_name: &'static str,
    pub id: &'static str,
    pub vcpus: u32,
    pub ram_gb: u32,
    pub disk_type: &'static str,
    pub disk_gb: u32,
    /// `shared_buffers` of each engine process of this type.
    pub shared_buffers: &'static str,
    /// `max_connections` of each engine process of this type.
    pub max_connections: u32,
}

/// The catalogue, fixed at build time.
pub fn catalog() -> Vec<NodeType> {
    vec![
        NodeType {
            spec_name: "dws.d1.xlarge",
            id: "ebe532d6-665f-40e6-a4d4-3c51545b6a67",
            vcpus: 4,
            ram_gb: 32,
            disk_type: "LOCAL_DISK",
            disk_gb: 1675,
            shared_buffers: "32MB",
            max_connections: 50,
        },
        NodeType {
            spec_name: "dws.m1.xlarge.ultrahigh",
            id: "ebe532d6-665f-40e6-a4d4-3c51545b4f71",
            vcpus: 4,
            ram_gb: 32,
            disk_type: "SSD",
            disk_gb: 512,
            shared_buffers: "32MB",
            max_connections: 50,
        },
        NodeType {
            spec_name: "dws.m3.xlarge",
            id: "ebe532d6-665f-40e6-a4d4-3c51545b6b67",
            vcpus: 4,
            ram_gb: 32,
            disk_type: "SSD",
            disk_gb: 320,
            shared_buffers: "64MB",
            max_connections: 100,
        },
    ]
}

pub fn find(spec_name: &str) -> Option<NodeType> {
    catalog().into_iter().find(|t| t.spec_name == spec_name)
}
