//! The engine of a kind nothing is bound to: every call says how to bind one.

use async_trait::async_trait;

use super::{ClusterLayout, Engine, EngineError, EngineResult, PortNeeds};
use crate::core::cluster::{Cluster, ClusterSpec, EngineKind, Node};
use crate::core::job::JobPayload;
use crate::core::status::NodeHealth;

pub struct Unbound(pub EngineKind);

impl Unbound {
    fn error(&self) -> EngineError {
        let kind = self.0.as_str();
        EngineError::NotInstalled(match self.0 {
            EngineKind::Postgres | EngineKind::Milvus => format!("the {kind} engine is not configured"),
            EngineKind::Elasticsearch | EngineKind::Opensearch => format!(
                "no engine is bound to the {kind} datastore: start strato with \
                 `--datastore-engine {kind}=opensearch:/path/to/opensearch-home` (or `elasticsearch:` for an \
                 Elasticsearch distribution), or `{kind}=osmem:/path/to/osmem-server` for the in-memory test stand-in"
            ),
            EngineKind::Logstash => "no engine is bound to the logstash datastore: start strato with \
                 `--datastore-engine logstash=logstash:/path/to/logstash-home`, or \
                 `logstash=syslog-ng:/usr/sbin/syslog-ng` for the log-daemon test stand-in"
                .to_string(),
        })
    }
}

#[async_trait]
impl Engine for Unbound {
    fn kind(&self) -> EngineKind {
        self.0
    }
    fn check_installed(&self) -> EngineResult<()> {
        Err(self.error())
    }
    fn binding(&self) -> String {
        "none".into()
    }
    fn layout(&self, cluster_id: uuid::Uuid) -> ClusterLayout {
        ClusterLayout { cluster_dir: Default::default(), run_dir: Default::default(), cluster_key: cluster_id.simple().to_string() }
    }
    fn port_needs(&self, _spec: &ClusterSpec) -> PortNeeds {
        PortNeeds::PerAddress(0)
    }
    async fn init_primary(&self, _: &ClusterLayout, _: &Node, _: &ClusterSpec) -> EngineResult<()> {
        Err(self.error())
    }
    async fn create_admin(&self, _: &ClusterLayout, _: &Node, _: &Cluster, _: &JobPayload) -> EngineResult<()> {
        Err(self.error())
    }
    async fn start_node(&self, _: &ClusterLayout, _: &Node) -> EngineResult<()> {
        Err(self.error())
    }
    async fn stop_node(&self, _: &ClusterLayout, _: &Node) -> EngineResult<()> {
        Ok(())
    }
    async fn wait_replication(&self, _: &ClusterLayout, _: &Node, _: usize) -> EngineResult<()> {
        Err(self.error())
    }
    async fn remove_files(&self, _: &ClusterLayout) -> EngineResult<()> {
        Ok(())
    }
    fn observe(&self, _: &ClusterLayout, _: &Node) -> NodeHealth {
        NodeHealth::Down
    }
    fn pid(&self, _: &ClusterLayout, _: &Node) -> Option<i32> {
        None
    }
}
