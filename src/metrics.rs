//! Prometheus metrics, served as text at `GET /metrics` on the IAM listener.
//! Counters and histograms are kept as events happen (requests, jobs,
//! repairs, store reads); gauges of clusters and nodes are read when scraped
//! (one grouped query, and the observed state in memory).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub listener: &'static str,
    /// The vendor's operation name (`ListClusterDetails`), else the route
    /// (`POST /v3/auth/tokens`), or `unmatched`.
    pub operation: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OperationLabels {
    pub listener: &'static str,
    pub operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct JobLabels {
    pub kind: String,
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KindLabels {
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ClusterLabels {
    pub product: String,
    pub lifecycle: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct NodeLabels {
    pub health: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FaultLabels {
    pub product: &'static str,
    pub operation: String,
    pub fault: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StoreLabels {
    pub query: &'static str,
}

fn latency() -> Histogram {
    // 0.1 ms to ~6.5 s.
    Histogram::new(exponential_buckets(0.0001, 3.0, 11))
}

fn job_time() -> Histogram {
    // 10 ms to ~11 min.
    Histogram::new(exponential_buckets(0.01, 3.0, 11))
}

pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub request_seconds: Family<OperationLabels, Histogram, fn() -> Histogram>,
    pub jobs: Family<JobLabels, Counter>,
    pub job_seconds: Family<KindLabels, Histogram, fn() -> Histogram>,
    pub repairs: Counter,
    pub faults: Family<FaultLabels, Counter>,
    pub store_seconds: Family<StoreLabels, Histogram, fn() -> Histogram>,
    pub clusters: Family<ClusterLabels, Gauge>,
    pub nodes: Family<NodeLabels, Gauge>,
}

impl Metrics {
    fn new() -> Metrics {
        let mut registry = Registry::with_prefix("strato");
        let m = Metrics {
            requests: Family::default(),
            request_seconds: Family::new_with_constructor(latency),
            jobs: Family::default(),
            job_seconds: Family::new_with_constructor(job_time),
            repairs: Counter::default(),
            faults: Family::default(),
            store_seconds: Family::new_with_constructor(latency),
            clusters: Family::default(),
            nodes: Family::default(),
            registry: Registry::default(),
        };
        registry.register("http_requests", "Requests answered, by listener, operation and status", m.requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer a request", m.request_seconds.clone());
        registry.register("jobs", "Jobs ended, by kind and outcome", m.jobs.clone());
        registry.register("job_duration_seconds", "Time a job took from its claim to its end", m.job_seconds.clone());
        registry.register("repairs", "Repair jobs the health loop enqueued for nodes that died", m.repairs.clone());
        registry.register("injected_faults", "Faults injected by /_strato/faults rules, by product, operation and kind", m.faults.clone());
        registry.register("store_query_duration_seconds", "Time the store took to answer a read-model query", m.store_seconds.clone());
        registry.register("clusters", "Live clusters, by product and lifecycle", m.clusters.clone());
        registry.register("nodes", "Nodes of live clusters, by last observed health", m.nodes.clone());
        Metrics { registry, ..m }
    }

    /// The text exposition (OpenMetrics).
    pub fn encode(&self) -> String {
        let mut out = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    pub fn observe_request(&self, listener: &'static str, operation: String, status: u16, took: Duration) {
        self.request_seconds.get_or_create(&OperationLabels { listener, operation: operation.clone() }).observe(took.as_secs_f64());
        self.requests.get_or_create(&RequestLabels { listener, operation, status }).inc();
    }

    pub fn observe_job(&self, kind: &str, outcome: &'static str, took: Duration) {
        self.jobs.get_or_create(&JobLabels { kind: kind.to_string(), outcome }).inc();
        self.job_seconds.get_or_create(&KindLabels { kind: kind.to_string() }).observe(took.as_secs_f64());
    }

    pub fn observe_fault(&self, product: &'static str, operation: &str, fault: &'static str) {
        self.faults.get_or_create(&FaultLabels { product, operation: operation.to_string(), fault }).inc();
    }

    pub fn observe_store(&self, query: &'static str, took: Duration) {
        self.store_seconds.get_or_create(&StoreLabels { query }).observe(took.as_secs_f64());
    }
}

/// The process's metrics (one registry for every listener and loop).
pub fn metrics() -> &'static Arc<Metrics> {
    static METRICS: OnceLock<Arc<Metrics>> = OnceLock::new();
    METRICS.get_or_init(|| Arc::new(Metrics::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_appear_in_the_text_exposition() {
        let m = Metrics::new();
        m.observe_request("dws", "GET /v1.0/{pid}/clusters".into(), 200, Duration::from_millis(3));
        m.observe_job("create_cluster", "succeeded", Duration::from_secs(2));
        m.repairs.inc();
        m.observe_fault("dws", "RestartCluster", "api_error");
        let text = m.encode();
        assert!(text.contains(r#"strato_http_requests_total{listener="dws",operation="GET /v1.0/{pid}/clusters",status="200"} 1"#), "{text}");
        assert!(text.contains(r#"strato_jobs_total{kind="create_cluster",outcome="succeeded"} 1"#), "{text}");
        assert!(text.contains("strato_repairs_total 1"), "{text}");
        assert!(text.contains(r#"strato_injected_faults_total{product="dws",operation="RestartCluster",fault="api_error"} 1"#), "{text}");
        assert!(text.contains("strato_http_request_duration_seconds_bucket"), "{text}");
    }
}
