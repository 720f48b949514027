//! Search and log clusters (Huawei CSS, Alibaba Elasticsearch and Logstash):
//! datastores, versions, and what a create request must say.

use serde::{Deserialize, Serialize};

use super::cluster::{EngineKind, Product};
use super::error::{CoreError, Field};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Datastore {
    Elasticsearch,
    Opensearch,
    Logstash,
}

impl Datastore {
    pub const ALL: [Datastore; 3] = [Datastore::Elasticsearch, Datastore::Opensearch, Datastore::Logstash];

    pub fn as_str(self) -> &'static str {
        match self {
            Datastore::Elasticsearch => "elasticsearch",
            Datastore::Opensearch => "opensearch",
            Datastore::Logstash => "logstash",
        }
    }

    pub fn parse(s: &str) -> Option<Datastore> {
        Datastore::ALL.into_iter().find(|d| d.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// The engine slot the server binds this datastore to.
    pub fn engine(self) -> EngineKind {
        match self {
            Datastore::Elasticsearch => EngineKind::Elasticsearch,
            Datastore::Opensearch => EngineKind::Opensearch,
            Datastore::Logstash => EngineKind::Logstash,
        }
    }

    /// Versions offered (CSS's list; Alibaba's `esVersion` names map onto these).
    pub fn versions(self) -> &'static [&'static str] {
        match self {
            Datastore::Elasticsearch => &["7.10.2", "7.9.3", "7.6.2", "6.7.0", "6.5.4"],
            Datastore::Opensearch => &["2.11.0", "1.3.6"],
            Datastore::Logstash => &["7.10.0", "8.5.0"],
        }
    }
}

/// A validated search or log cluster request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchSpec {
    pub product: Product,
    pub name: String,
    pub description: String,
    pub datastore: Datastore,
    pub version: String,
    pub node_count: u32,
    /// Flavor / node spec code (recorded; every member is one process here).
    pub flavor: String,
    pub disk_type: String,
    pub disk_gb: u32,
    pub vpc_id: String,
    pub subnet_id: String,
    pub security_group_id: String,
    pub availability_zone: String,
    pub https: bool,
    pub authority: bool,
}

impl SearchSpec {
    /// The same cluster with `nodes` members (a scale change).
    pub fn with_nodes(&self, nodes: u32) -> SearchSpec {
        SearchSpec { node_count: nodes, ..self.clone() }
    }
}

/// Node-count bounds per product.
pub fn node_bounds(product: Product, datastore: Datastore) -> (u32, u32) {
    match (product, datastore) {
        (Product::AliyunElasticsearch, _) => (2, 50),
        (Product::AliyunLogstash, _) | (_, Datastore::Logstash) => (1, 20),
        _ => (1, 32),
    }
}

pub fn node_count(product: Product, datastore: Datastore, n: i64) -> Result<u32, CoreError> {
    let (lo, hi) = node_bounds(product, datastore);
    if (lo as i64..=hi as i64).contains(&n) {
        Ok(n as u32)
    } else {
        Err(CoreError::invalid(Field::NumberOfNode, format!("the number of nodes must be between {lo} and {hi}, got {n}")))
    }
}

/// CSS cluster names: 4–32 characters, a letter first, then letters, digits, `-`, `_`.
pub fn css_name(name: &str) -> Result<(), CoreError> {
    let ok = (4..=32).contains(&name.chars().count())
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(CoreError::invalid(
            Field::Name,
            format!("invalid cluster name `{name}`: 4 to 32 characters, starting with a letter, letters, digits, - and _ only"),
        ))
    }
}

pub fn version(datastore: Datastore, v: &str) -> Result<String, CoreError> {
    let v = v.trim();
    if datastore.versions().contains(&v) {
        Ok(v.to_string())
    } else {
        Err(CoreError::invalid(
            Field::Version,
            format!("{} version `{v}` is not offered; choose one of {}", datastore.as_str(), datastore.versions().join(", ")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_versions_and_sizes() {
        assert!(css_name("css-demo").is_ok());
        for bad in ["abc", "1abc", "a".repeat(33).as_str(), "bad name"] {
            assert!(css_name(bad).is_err(), "{bad}");
        }
        assert_eq!(version(Datastore::Elasticsearch, "7.10.2").unwrap(), "7.10.2");
        assert!(version(Datastore::Opensearch, "7.10.2").is_err());
        assert!(node_count(Product::Css, Datastore::Elasticsearch, 32).is_ok());
        assert!(node_count(Product::Css, Datastore::Elasticsearch, 0).is_err());
        assert!(node_count(Product::AliyunElasticsearch, Datastore::Elasticsearch, 1).is_err());
        assert_eq!(Datastore::parse("OpenSearch"), Some(Datastore::Opensearch));
    }
}
