//! `elasticsearch:HOME` — members of a real Elasticsearch distribution
//! (tar.gz layout: HOME/bin/elasticsearch, HOME/config/...,
//! HOME/lib/elasticsearch-X.Y.Z.jar, HOME/modules/...).
//!
//! NOT EXERCISED ON THIS MACHINE (no registry reachable here carries the
//! distribution): written from the Elasticsearch reference documentation;
//! the unit tests check the files it renders.
//!
//! Like `opensearch`, each member runs `HOME/bin/elasticsearch` with its own
//! config directory (ES_PATH_CONF), heap (ES_JAVA_OPTS) and temp directory
//! (ES_TMPDIR). Version differences handled, from the jar's name:
//! - 6.x forms clusters with zen1 (`discovery.zen.ping.unicast.hosts`,
//!   `discovery.zen.minimum_master_nodes`), 7+ with seed hosts and
//!   `cluster.initial_master_nodes`;
//! - before 6.7 the transport port is `transport.tcp.port`;
//! - `xpack.security.enabled: false` only where x-pack security ships (the
//!   default distribution, not OSS, where the setting is unknown); 8.x
//!   would otherwise switch security and TLS on at first start;
//! - `ingest.geoip.downloader.enabled: false` (7.14+, where the ingest-geoip
//!   module ships): nothing may be downloaded here.
//!
//! Elasticsearch 8 starts the server JVM as a child of a launcher JVM; both
//! sit in the member's process group, which `stop_node` signals as a whole.

use std::path::{Path, PathBuf};

use super::distro::{self, Discovery, Flavor, NodeRoles, SearchDistribution, SearchSettings, Version};

/// A launcher for the distribution in `home`.
pub fn distribution(home: PathBuf) -> SearchDistribution {
    SearchDistribution::new(home, &FLAVOR)
}

pub fn settings(version: Option<Version>, has_security: bool, has_geoip: bool) -> SearchSettings {
    let v = version.unwrap_or(Version(7, 17, 0));
    let transport_key = if v < Version(6, 7, 0) { "transport.tcp.port" } else { "transport.port" };
    let discovery =
        if v < Version(7, 0, 0) { Discovery::Zen1 } else { Discovery::Zen2 { bootstrap: "cluster.initial_master_nodes" } };
    let mut extra = Vec::new();
    if has_security {
        extra.push(("xpack.security.enabled", "false".to_string()));
    }
    if has_geoip && v >= Version(7, 14, 0) {
        extra.push(("ingest.geoip.downloader.enabled", "false".to_string()));
    }
    let node_roles = if v < Version(7, 9, 0) { NodeRoles::Flags } else { NodeRoles::List { master: "master" } };
    SearchSettings { transport_key, discovery, node_roles, extra }
}

static FLAVOR: Flavor = Flavor {
    driver: "elasticsearch",
    env_prefix: "ES",
    process_names: &["java", "elasticsearch"],
    install_hint,
    settings: home_settings,
};

fn home_settings(home: &Path) -> SearchSettings {
    settings(
        distro::jar_version(home, "elasticsearch"),
        home.join("modules/x-pack-security").is_dir(),
        home.join("modules/ingest-geoip").is_dir(),
    )
}

fn install_hint(home: &Path) -> String {
    format!(
        "download the Elasticsearch tar.gz distribution (elasticsearch-<version>-linux-x86_64.tar.gz) and unpack \
         it so that {}/bin/elasticsearch exists (readable by the engine user), or bind the datastore to another home",
        home.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::service::distro::tests::{fake_home, member};
    use crate::engine::service::{Launcher, Peers};

    fn yml(s: SearchSettings, ordinal: u32) -> String {
        let known = (0..ordinal).map(member).collect();
        distro::search_yml(&member(ordinal), &Peers { count: 3, known, ..Default::default() }, &s).unwrap()
    }

    #[test]
    fn seven_and_later_bootstrap_from_the_primary_with_security_off() {
        let home = fake_home("elasticsearch-7.10.2.jar", "8-13:-XX:+UseConcMarkSweepGC\n-XX:ErrorFile=logs/hs_err_pid%p.log\n");
        for m in ["modules/x-pack-security", "modules/ingest-geoip"] {
            std::fs::create_dir_all(home.path().join(m)).unwrap();
        }
        let es = distribution(home.path().to_path_buf());
        let stage = tempfile::tempdir().unwrap();
        es.write_files(stage.path(), &member(0), &Peers { count: 3, known: vec![], ..Default::default() }).unwrap();
        let y = std::fs::read_to_string(stage.path().join("config/elasticsearch.yml")).unwrap();
        assert!(y.contains("transport.port: 9300\n"), "{y}");
        assert!(y.contains("discovery.seed_hosts: [\"127.77.0.1:9300\"]\n"), "{y}");
        assert!(y.contains("cluster.initial_master_nodes: [\"strato-0123456789ab-0\"]\n"), "{y}");
        assert!(y.contains("xpack.security.enabled: false\n"), "{y}");
        // 7.10 has no GeoIP downloader setting.
        assert!(!y.contains("geoip"), "{y}");
        let jvm = std::fs::read_to_string(stage.path().join("config/jvm.options")).unwrap();
        assert!(jvm.contains("-XX:ErrorFile=/var/lib/strato/clusters/c/node-0/logs/hs_err_pid%p.log"), "{jvm}");
        let env = es.command(&member(0)).env;
        assert_eq!(env[0], ("ES_PATH_CONF".into(), "/var/lib/strato/clusters/c/node-0/config".into()));
        assert_eq!(env[1], ("ES_JAVA_OPTS".into(), "-Xms512m -Xmx512m".into()));
        assert_eq!(env[2], ("ES_TMPDIR".into(), "/var/lib/strato/clusters/c/node-0/tmp".into()));

        let v8 = yml(settings(Some(Version(8, 5, 0)), true, true), 1);
        assert!(v8.contains("xpack.security.enabled: false\ningest.geoip.downloader.enabled: false\n"), "{v8}");
        assert!(!v8.contains("initial_master_nodes"), "{v8}");
        // OSS 7.10.2: no x-pack, so no xpack setting at all.
        let oss = yml(settings(Some(Version(7, 10, 2)), false, true), 0);
        assert!(!oss.contains("xpack"), "{oss}");
    }

    #[test]
    fn six_uses_zen1_and_before_six_seven_the_old_transport_port() {
        let v654 = yml(settings(Some(Version(6, 5, 4)), true, false), 1);
        assert!(v654.contains("transport.tcp.port: 9300\n"), "{v654}");
        assert!(v654.contains("discovery.zen.ping.unicast.hosts: [\"127.77.0.1:9300\", \"127.77.0.2:9300\"]\n"), "{v654}");
        assert!(v654.contains("discovery.zen.minimum_master_nodes: 1\n"), "{v654}");
        assert!(!v654.contains("seed_hosts") && !v654.contains("initial_master_nodes"), "{v654}");
        let v670 = yml(settings(Some(Version(6, 7, 0)), true, false), 0);
        assert!(v670.contains("transport.port: 9300\n") && v670.contains("discovery.zen."), "{v670}");
        assert!(!v670.contains("initial_master_nodes"), "{v670}");
    }
}
