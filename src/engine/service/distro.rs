//! What the three JVM distributions (OpenSearch, Elasticsearch, Logstash)
//! have in common: a tar.gz home that is only read (the engine user needs
//! read access; nothing is written there), a per-member copy of its `config`
//! directory, version detection from the files the distribution ships, and
//! the opensearch.yml / elasticsearch.yml of a search member.
//!
//! NOT EXERCISED ON THIS MACHINE: no package registry reachable here carries
//! these distributions, so this code was written from their documentation and
//! launch scripts and is covered by unit tests of the files it renders only.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

use super::{Member, Peers};
use crate::core::roles::MemberRole;
use crate::engine::probe;

/// A modest heap for every JVM member (the machine runs many of them).
pub const HEAP: &str = "-Xms512m -Xmx512m";
/// A search member's transport (node-to-node) port is its HTTP port + 100:
/// 9300 next to the default 9200, as in a stock distribution.
pub const TRANSPORT_OFFSET: u16 = 100;

/// `major.minor.patch` of a distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = text.trim().split(['.', '-']).map(|p| p.parse::<u32>());
        Some(Version(parts.next()?.ok()?, parts.next()?.ok()?, parts.next().and_then(|p| p.ok()).unwrap_or(0)))
    }
}

/// The version in the name of the distribution's main jar, `lib/<prefix>-X.Y.Z.jar`.
pub fn jar_version(home: &Path, prefix: &str) -> Option<Version> {
    std::fs::read_dir(home.join("lib")).ok()?.flatten().find_map(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        let v = name.strip_prefix(prefix)?.strip_prefix('-')?.strip_suffix(".jar")?;
        // Not `opensearch-core-2.11.0.jar` and the like.
        v.starts_with(|c: char| c.is_ascii_digit()).then(|| Version::parse(v)).flatten()
    })
}

/// Copies `from` recursively into `to` (files and directories; symlinks are followed).
pub fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let target = to.join(e.file_name());
        if std::fs::metadata(e.path())?.is_dir() {
            copy_dir(&e.path(), &target)?;
        } else {
            std::fs::copy(e.path(), &target)?;
        }
    }
    Ok(())
}

/// The launch scripts `cd` into the distribution's home before they start
/// the JVM, so the relative paths of a stock jvm.options (`logs/gc.log`,
/// `-XX:HeapDumpPath=data`, `-XX:ErrorFile=logs/...`) would point into the
/// home, which the engine user cannot write. They are made absolute paths
/// into the member's directory.
pub fn rewrite_jvm_options(text: &str, dir: &Path) -> String {
    let d = dir.display().to_string();
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut l = line.replace("=logs/", &format!("={d}/logs/")).replace(":logs/", &format!(":{d}/logs/"));
        if let Some(head) = l.strip_suffix("HeapDumpPath=data") {
            l = format!("{head}HeapDumpPath={d}/data");
        }
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// Copies HOME/config to `into/config`, with jvm.options rewritten for the member,
/// and makes the member's data, logs and tmp directories.
pub fn member_config(home: &Path, into: &Path, member: &Member) -> io::Result<()> {
    let config = into.join("config");
    copy_dir(&home.join("config"), &config)?;
    let jvm = config.join("jvm.options");
    if let Ok(text) = std::fs::read_to_string(&jvm) {
        std::fs::write(&jvm, rewrite_jvm_options(&text, &member.dir))?;
    }
    for sub in ["data", "logs", "tmp"] {
        std::fs::create_dir_all(into.join(sub))?;
    }
    Ok(())
}

/// A YAML double-quoted scalar.
pub fn quote(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

pub fn list<S: AsRef<str>>(items: &[S]) -> String {
    format!("[{}]", items.iter().map(|s| quote(s.as_ref())).collect::<Vec<_>>().join(", "))
}

/// How a search distribution forms a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discovery {
    /// Elasticsearch 6: unicast hosts and a minimum of master nodes.
    Zen1,
    /// Elasticsearch 7+, OpenSearch: seed hosts, and the setting that
    /// names the nodes that bootstrap a new cluster.
    Zen2 { bootstrap: &'static str },
}

/// How a distribution's settings give a node its roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeRoles {
    /// `node.master` / `node.data` / `node.ingest` (Elasticsearch before 7.9).
    Flags,
    /// `node.roles: [...]`, the master role named so (`master`, OpenSearch 2's `cluster_manager`).
    List { master: &'static str },
}

/// The settings that differ between search distributions and their versions.
#[derive(Debug, Clone)]
pub struct SearchSettings {
    /// `transport.port`, or `transport.tcp.port` before Elasticsearch 6.7.
    pub transport_key: &'static str,
    pub discovery: Discovery,
    pub node_roles: NodeRoles,
    /// Distribution specific lines (security off, ...), in order.
    pub extra: Vec<(&'static str, String)>,
}

/// The lines that make a member what its role is: none for a data member
/// (every role: the first member bootstraps the cluster), master-only,
/// coordinating-only (client), or a data member marked `cold`.
fn role_lines(role: MemberRole, style: NodeRoles) -> Vec<String> {
    let flags = |master: bool, data: bool| vec![format!("node.master: {master}"), format!("node.data: {data}"), "node.ingest: false".to_string()];
    let mut lines = match (role, style) {
        (MemberRole::Data, _) => vec![],
        (MemberRole::Master, NodeRoles::Flags) => flags(true, false),
        (MemberRole::Master, NodeRoles::List { master }) => vec![format!("node.roles: [{master}]")],
        (MemberRole::Client, NodeRoles::Flags) => flags(false, false),
        (MemberRole::Client, NodeRoles::List { .. }) => vec!["node.roles: []".to_string()],
        (MemberRole::Cold, NodeRoles::Flags) => flags(false, true),
        (MemberRole::Cold, NodeRoles::List { .. }) => vec!["node.roles: [data]".to_string()],
    };
    if role == MemberRole::Cold {
        lines.push("node.attr.box_type: cold".to_string());
    }
    lines
}

/// The member's opensearch.yml / elasticsearch.yml.
///
/// Formation follows the order the job runner starts members in: member 0
/// starts (and must answer) before member 1 exists. So member 0 alone
/// bootstraps the cluster (`cluster.initial_*_nodes` names only it, as the
/// bootstrap documentation allows), and every later member is given the
/// transport addresses of all members laid out before it plus its own as
/// seed hosts and joins; the voting configuration then grows by itself. A
/// one-member cluster is `discovery.type: single-node`.
pub fn search_yml(member: &Member, peers: &Peers, s: &SearchSettings) -> io::Result<String> {
    let transport = member
        .port_plus(TRANSPORT_OFFSET)
        .ok_or_else(|| io::Error::other(format!("port {} leaves no room for the transport port", member.port)))?;
    let d = member.dir.display();
    let mut y = String::new();
    let _ = writeln!(y, "# Managed by strato: member {} of cluster {}.", member.ordinal, member.cluster);
    let _ = writeln!(y, "cluster.name: {}", quote(&member.cluster));
    let _ = writeln!(y, "node.name: {}", quote(&member.name));
    let _ = writeln!(y, "network.host: {}", quote(&member.address.to_string()));
    let _ = writeln!(y, "http.port: {}", member.port);
    let _ = writeln!(y, "{}: {transport}", s.transport_key);
    let _ = writeln!(y, "path.data: {}", quote(&format!("{d}/data")));
    let _ = writeln!(y, "path.logs: {}", quote(&format!("{d}/logs")));
    if peers.count <= 1 {
        let _ = writeln!(y, "discovery.type: single-node");
    } else {
        let mut seeds: Vec<String> = peers
            .known
            .iter()
            .filter(|m| m.ordinal != member.ordinal)
            .filter_map(|m| Some(format!("{}:{}", m.address, m.port_plus(TRANSPORT_OFFSET)?)))
            .collect();
        seeds.push(format!("{}:{transport}", member.address));
        match s.discovery {
            Discovery::Zen1 => {
                let _ = writeln!(y, "discovery.zen.ping.unicast.hosts: {}", list(&seeds));
                // Members start one after another and each must answer alone.
                let _ = writeln!(y, "discovery.zen.minimum_master_nodes: 1");
            }
            Discovery::Zen2 { bootstrap } => {
                let _ = writeln!(y, "discovery.seed_hosts: {}", list(&seeds));
                if member.ordinal == 0 {
                    let _ = writeln!(y, "{bootstrap}: {}", list(&[&member.name]));
                }
            }
        }
    }
    for (k, v) in &s.extra {
        let _ = writeln!(y, "{k}: {v}");
    }
    for line in role_lines(peers.settings.role(member.ordinal), s.node_roles) {
        let _ = writeln!(y, "{line}");
    }
    let flavor = peers.settings.flavor_of(member.ordinal);
    if !flavor.is_empty() {
        let _ = writeln!(y, "node.attr.flavor: {}", quote(flavor));
    }
    // The API's settings last (their keys are an allow-list that the lines above never use).
    for (k, v) in &peers.settings.engine {
        let _ = writeln!(y, "{k}: {}", quote(v));
    }
    Ok(y)
}

/// Any HTTP answer from the member (a node without an elected cluster
/// manager answers `GET /`, while its `_cluster/health` waits).
pub fn http_answers(member: &Member) -> bool {
    probe::get(member.address, member.port, "/").is_some()
}

/// `GET /_cluster/health` answers 200 (a cluster manager is elected).
pub fn health_ok(member: &Member) -> bool {
    probe::get(member.address, member.port, "/_cluster/health").is_some_and(|r| r.status == 200)
}

/// The primary's cluster health counts every member.
pub fn all_joined(members: &[Member]) -> bool {
    let Some(primary) = members.first() else { return false };
    let Some(r) = probe::get(primary.address, primary.port, "/_cluster/health").filter(|r| r.status == 200) else {
        return false;
    };
    let nodes = serde_json::from_str::<serde_json::Value>(&r.body).ok().and_then(|v| v["number_of_nodes"].as_u64());
    nodes.is_some_and(|n| n as usize >= members.len())
}


/// What tells OpenSearch and Elasticsearch distributions apart for a launcher.
pub struct Flavor {
    /// The driver name, and the name of `bin/<driver>` and `config/<driver>.yml`.
    pub driver: &'static str,
    /// Prefix of the launch script's variables: `<P>_PATH_CONF`, `<P>_JAVA_OPTS`, `<P>_TMPDIR`.
    pub env_prefix: &'static str,
    pub process_names: &'static [&'static str],
    pub install_hint: fn(&Path) -> String,
    /// The settings the distribution in HOME needs (version, shipped plugins).
    pub settings: fn(&Path) -> SearchSettings,
}

/// Members of a real search distribution (the tar.gz layout: HOME/bin, HOME/config, ...).
pub struct SearchDistribution {
    home: std::path::PathBuf,
    flavor: &'static Flavor,
}

impl SearchDistribution {
    pub fn new(home: std::path::PathBuf, flavor: &'static Flavor) -> SearchDistribution {
        SearchDistribution { home, flavor }
    }
}

impl super::Launcher for SearchDistribution {
    fn driver(&self) -> &'static str {
        self.flavor.driver
    }
    fn path(&self) -> &Path {
        &self.home
    }
    fn program(&self) -> std::path::PathBuf {
        self.home.join("bin").join(self.flavor.driver)
    }
    fn install_hint(&self) -> String {
        (self.flavor.install_hint)(&self.home)
    }
    fn process_names(&self) -> &'static [&'static str] {
        self.flavor.process_names
    }
    fn start_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(180)
    }
    fn extra_ports(&self, member: &Member) -> Vec<u16> {
        member.port_plus(TRANSPORT_OFFSET).into_iter().collect()
    }
    fn write_files(&self, into: &Path, member: &Member, peers: &Peers) -> io::Result<()> {
        member_config(&self.home, into, member)?;
        let yml = search_yml(member, peers, &(self.flavor.settings)(&self.home))?;
        std::fs::write(into.join("config").join(format!("{}.yml", self.flavor.driver)), yml)
    }
    fn command(&self, member: &Member) -> super::Launch {
        let (d, p) = (member.dir.display(), self.flavor.env_prefix);
        super::Launch {
            program: self.program(),
            args: Vec::new(),
            env: vec![
                (format!("{p}_PATH_CONF"), format!("{d}/config")),
                (format!("{p}_JAVA_OPTS"), HEAP.into()),
                (format!("{p}_TMPDIR"), format!("{d}/tmp")),
            ],
        }
    }
    fn serving(&self, member: &Member) -> bool {
        http_answers(member)
    }
    fn ready(&self, member: &Member) -> bool {
        health_ok(member)
    }
    fn formed(&self, members: &[Member]) -> bool {
        all_joined(members)
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use std::net::Ipv4Addr;
    use std::path::PathBuf;

    pub fn member(ordinal: u32) -> Member {
        Member {
            ordinal,
            cluster: "strato-0123456789ab".into(),
            name: format!("strato-0123456789ab-{ordinal}"),
            address: Ipv4Addr::new(127, 77, 0, ordinal as u8 + 1),
            port: 9200,
            dir: PathBuf::from(format!("/var/lib/strato/clusters/c/node-{ordinal}")),
        }
    }

    /// A fake distribution home: config files and a versioned jar.
    pub fn fake_home(jar: &str, jvm_options: &str) -> tempfile::TempDir {
        let home = tempfile::tempdir().unwrap();
        for d in ["config/jvm.options.d", "lib", "bin"] {
            std::fs::create_dir_all(home.path().join(d)).unwrap();
        }
        std::fs::write(home.path().join("config/jvm.options"), jvm_options).unwrap();
        std::fs::write(home.path().join("config/log4j2.properties"), "status = error\n").unwrap();
        std::fs::write(home.path().join("lib").join(jar), "").unwrap();
        home
    }

    #[test]
    fn versions_come_from_the_main_jar() {
        let home = fake_home("opensearch-2.11.0.jar", "");
        std::fs::write(home.path().join("lib/opensearch-core-9.9.9.jar"), "").unwrap();
        assert_eq!(jar_version(home.path(), "opensearch"), Some(Version(2, 11, 0)));
        assert_eq!(jar_version(home.path(), "elasticsearch"), None);
        assert_eq!(Version::parse("8.5.0-SNAPSHOT"), Some(Version(8, 5, 0)));
        assert_eq!(Version::parse("7.10"), Some(Version(7, 10, 0)));
        assert!(Version(6, 5, 4) < Version(6, 7, 0));
    }

    #[test]
    fn jvm_options_write_into_the_member_directory() {
        let stock = "-Xms1g\n-Xmx1g\n-XX:HeapDumpPath=data\n-XX:ErrorFile=logs/hs_err_pid%p.log\n\
                     9-:-Xlog:gc*,gc+age=trace,safepoint:file=logs/gc.log:utctime,pid,tags:filecount=32,filesize=64m\n\
                     8:-Xloggc:logs/gc.log\n-Djava.io.tmpdir=${ES_TMPDIR}\n";
        let out = rewrite_jvm_options(stock, Path::new("/m/node-0"));
        assert!(out.contains("-XX:HeapDumpPath=/m/node-0/data\n"), "{out}");
        assert!(out.contains("-XX:ErrorFile=/m/node-0/logs/hs_err_pid%p.log\n"), "{out}");
        assert!(out.contains("safepoint:file=/m/node-0/logs/gc.log:utctime"), "{out}");
        assert!(out.contains("8:-Xloggc:/m/node-0/logs/gc.log\n"), "{out}");
        assert!(out.contains("-Xms1g\n-Xmx1g\n") && out.contains("-Djava.io.tmpdir=${ES_TMPDIR}\n"), "{out}");
    }

    #[test]
    fn the_primary_bootstraps_and_later_members_seed_from_those_before_them() {
        let s = SearchSettings {
            transport_key: "transport.port",
            discovery: Discovery::Zen2 { bootstrap: "cluster.initial_cluster_manager_nodes" },
            node_roles: NodeRoles::List { master: "cluster_manager" },
            extra: vec![("plugins.security.disabled", "true".into())],
        };
        let first = search_yml(&member(0), &Peers { count: 3, known: vec![], ..Default::default() }, &s).unwrap();
        let want_first = "# Managed by strato: member 0 of cluster strato-0123456789ab.\n\
            cluster.name: \"strato-0123456789ab\"\n\
            node.name: \"strato-0123456789ab-0\"\n\
            network.host: \"127.77.0.1\"\n\
            http.port: 9200\n\
            transport.port: 9300\n\
            path.data: \"/var/lib/strato/clusters/c/node-0/data\"\n\
            path.logs: \"/var/lib/strato/clusters/c/node-0/logs\"\n\
            discovery.seed_hosts: [\"127.77.0.1:9300\"]\n\
            cluster.initial_cluster_manager_nodes: [\"strato-0123456789ab-0\"]\n\
            plugins.security.disabled: true\n";
        assert_eq!(first, want_first);
        let third = search_yml(&member(2), &Peers { count: 3, known: vec![member(0), member(1)], ..Default::default() }, &s).unwrap();
        assert!(third.contains("discovery.seed_hosts: [\"127.77.0.1:9300\", \"127.77.0.2:9300\", \"127.77.0.3:9300\"]\n"), "{third}");
        assert!(!third.contains("initial_cluster_manager_nodes"), "{third}");
        let single = search_yml(&member(0), &Peers { count: 1, known: vec![], ..Default::default() }, &s).unwrap();
        assert!(single.contains("discovery.type: single-node\n") && !single.contains("seed_hosts"), "{single}");
        let zen1 = SearchSettings { transport_key: "transport.tcp.port", discovery: Discovery::Zen1, node_roles: NodeRoles::Flags, extra: vec![] };
        let old = search_yml(&member(1), &Peers { count: 2, known: vec![member(0)], ..Default::default() }, &zen1).unwrap();
        assert!(old.contains("transport.tcp.port: 9300\n"), "{old}");
        assert!(old.contains("discovery.zen.ping.unicast.hosts: [\"127.77.0.1:9300\", \"127.77.0.2:9300\"]\n"), "{old}");
        assert!(old.contains("discovery.zen.minimum_master_nodes: 1\n"), "{old}");
        let mut settings = crate::engine::service::MemberSettings { flavor: "ess.spec-4u8g".into(), ..Default::default() };
        settings.engine.insert("action.auto_create_index".into(), "+.*,-*".into());
        let configured = search_yml(&member(0), &Peers { count: 1, known: vec![], settings }, &s).unwrap();
        assert!(configured.ends_with("plugins.security.disabled: true\nnode.attr.flavor: \"ess.spec-4u8g\"\naction.auto_create_index: \"+.*,-*\"\n"), "{configured}");
        // Dedicated members: master-only, coordinating-only, cold data, each with its role's flavor.
        use crate::core::roles::{DedicatedRole, MemberRole};
        let role = |role, members: Vec<u32>| DedicatedRole { role, members, flavor: format!("{role:?}-flavor"), disk_gb: 40, disk_type: "HIGH".into() };
        let settings = crate::engine::service::MemberSettings {
            flavor: "data-flavor".into(),
            dedicated: vec![role(MemberRole::Master, vec![3, 4, 5]), role(MemberRole::Client, vec![6]), role(MemberRole::Cold, vec![7])],
            ..Default::default()
        };
        let peers = |n| Peers { count: 8, known: (0..n).map(member).collect(), settings: settings.clone() };
        let master = search_yml(&member(3), &peers(3), &s).unwrap();
        assert!(master.contains("node.roles: [cluster_manager]\nnode.attr.flavor: \"Master-flavor\"\n"), "{master}");
        assert!(search_yml(&member(6), &peers(6), &s).unwrap().contains("node.roles: []\n"));
        let cold = search_yml(&member(7), &peers(7), &zen1).unwrap();
        assert!(cold.contains("node.master: false\nnode.data: true\nnode.ingest: false\nnode.attr.box_type: cold\n"), "{cold}");
        let data = search_yml(&member(0), &peers(0), &s).unwrap();
        assert!(!data.contains("node.roles") && data.contains("node.attr.flavor: \"data-flavor\""), "data members keep every role: {data}");
        let high = Member { port: 65500, ..member(0) };
        assert!(search_yml(&high, &Peers { count: 1, known: vec![], ..Default::default() }, &s).is_err());
    }
}
