//! `opensearch:HOME` — members of a real OpenSearch distribution (the
//! tar.gz layout: HOME/bin/opensearch, HOME/config/..., HOME/lib/opensearch-X.Y.Z.jar,
//! the bundled JDK in HOME/jdk).
//!
//! NOT EXERCISED ON THIS MACHINE (no registry reachable here carries the
//! distribution): written from the OpenSearch documentation and its launch
//! scripts; the unit tests check the files it renders.
//!
//! Each member gets its own copy of HOME/config with an opensearch.yml of
//! its own (`distro::search_yml`: transport on port + 100, security plugin
//! disabled if the distribution has it) and runs `HOME/bin/opensearch` with
//! OPENSEARCH_PATH_CONF, OPENSEARCH_JAVA_OPTS (512 MiB heap) and
//! OPENSEARCH_TMPDIR pointing into its directory. The script `cd`s into
//! HOME, so strato recognises the JVM by `-Dopensearch.path.conf=<member>/config`.

use std::path::{Path, PathBuf};

use super::distro::{self, Discovery, Flavor, NodeRoles, SearchDistribution, SearchSettings, Version};

/// A launcher for the distribution in `home`.
pub fn distribution(home: PathBuf) -> SearchDistribution {
    SearchDistribution::new(home, &FLAVOR)
}

/// What the distribution in HOME needs: OpenSearch 1.x still calls the
/// bootstrap setting `cluster.initial_master_nodes`; `plugins.security.*`
/// settings exist only where the security plugin is installed (else
/// they are unknown settings and the node refuses to start).
pub fn settings(version: Option<Version>, has_security_plugin: bool) -> SearchSettings {
    let bootstrap = match version {
        Some(v) if v < Version(2, 0, 0) => "cluster.initial_master_nodes",
        _ => "cluster.initial_cluster_manager_nodes",
    };
    let mut extra = Vec::new();
    if has_security_plugin {
        extra.push(("plugins.security.disabled", "true".to_string()));
    }
    let master = if bootstrap == "cluster.initial_master_nodes" { "master" } else { "cluster_manager" };
    SearchSettings { transport_key: "transport.port", discovery: Discovery::Zen2 { bootstrap }, node_roles: NodeRoles::List { master }, extra }
}

static FLAVOR: Flavor = Flavor {
    driver: "opensearch",
    env_prefix: "OPENSEARCH",
    process_names: &["java", "opensearch"],
    install_hint,
    settings: home_settings,
};

fn home_settings(home: &Path) -> SearchSettings {
    settings(
        distro::jar_version(home, "opensearch"),
        home.join("plugins/opensearch-security").is_dir(),
    )
}

fn install_hint(home: &Path) -> String {
    format!(
        "download the OpenSearch tar.gz distribution (opensearch-<version>-linux-x64.tar.gz) and unpack it so \
         that {}/bin/opensearch exists (readable by the engine user), or bind the datastore to another home",
        home.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::service::distro::tests::{fake_home, member};
    use crate::engine::service::{Launcher, Peers};

    #[test]
    fn a_member_gets_its_own_config_dir_and_environment() {
        let home = fake_home("opensearch-2.11.0.jar", "-Xms1g\n-XX:HeapDumpPath=data\n");
        std::fs::create_dir_all(home.path().join("plugins/opensearch-security")).unwrap();
        std::fs::write(home.path().join("bin/opensearch"), "#!/bin/sh\n").unwrap();
        let os = distribution(home.path().to_path_buf());
        let stage = tempfile::tempdir().unwrap();
        let m = member(1);
        os.write_files(stage.path(), &m, &Peers { count: 2, known: vec![member(0)], ..Default::default() }).unwrap();
        let yml = std::fs::read_to_string(stage.path().join("config/opensearch.yml")).unwrap();
        assert!(yml.contains("cluster.name: \"strato-0123456789ab\"\nnode.name: \"strato-0123456789ab-1\"\n"), "{yml}");
        assert!(yml.contains("network.host: \"127.77.0.2\"\nhttp.port: 9200\ntransport.port: 9300\n"), "{yml}");
        assert!(yml.contains("discovery.seed_hosts: [\"127.77.0.1:9300\", \"127.77.0.2:9300\"]\n"), "{yml}");
        assert!(yml.contains("plugins.security.disabled: true\n"), "{yml}");
        assert!(yml.contains("path.data: \"/var/lib/strato/clusters/c/node-1/data\"\n"), "{yml}");
        let jvm = std::fs::read_to_string(stage.path().join("config/jvm.options")).unwrap();
        assert!(jvm.contains("-XX:HeapDumpPath=/var/lib/strato/clusters/c/node-1/data"), "{jvm}");
        assert!(stage.path().join("config/log4j2.properties").exists());
        assert!(stage.path().join("config/jvm.options.d").is_dir());
        for d in ["data", "logs", "tmp"] {
            assert!(stage.path().join(d).is_dir(), "{d}");
        }
        let launch = os.command(&m);
        assert_eq!(launch.program, home.path().join("bin/opensearch"));
        assert!(launch.args.is_empty());
        assert_eq!(
            launch.env,
            vec![
                ("OPENSEARCH_PATH_CONF".to_string(), "/var/lib/strato/clusters/c/node-1/config".to_string()),
                ("OPENSEARCH_JAVA_OPTS".to_string(), "-Xms512m -Xmx512m".to_string()),
                ("OPENSEARCH_TMPDIR".to_string(), "/var/lib/strato/clusters/c/node-1/tmp".to_string()),
            ]
        );
        assert_eq!(os.extra_ports(&m), vec![9300]);
    }

    #[test]
    fn version_one_bootstraps_with_master_nodes_and_minimal_distributions_have_no_security_setting() {
        let first = |s: SearchSettings| distro::search_yml(&member(0), &Peers { count: 2, known: vec![], ..Default::default() }, &s).unwrap();
        let v1 = first(settings(Some(Version(1, 3, 6)), false));
        assert!(v1.contains("cluster.initial_master_nodes: [\"strato-0123456789ab-0\"]\n"), "{v1}");
        assert!(!v1.contains("plugins.security"), "{v1}");
        let v2 = first(settings(Some(Version(2, 11, 0)), true));
        assert!(v2.contains("cluster.initial_cluster_manager_nodes: [\"strato-0123456789ab-0\"]\n"), "{v2}");
        let unknown = first(settings(None, false));
        assert!(unknown.contains("cluster.initial_cluster_manager_nodes"), "{unknown}");
    }
}
