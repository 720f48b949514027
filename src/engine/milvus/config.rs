//! The files one Milvus 2.3.5 standalone instance reads, rendered from its
//! directory, address, port block and resources. Verified settings and the
//! reasons for each are in docs/engines/milvus.md.

use std::net::Ipv4Addr;
use std::path::Path;

use crate::core::vector::Resources;

/// Ports of a block, from its base. The nine Milvus ports bind the wildcard
/// address; the embedded etcd listens on ephemeral ports.
pub const PROXY: u16 = 0;
pub const PROXY_INTERNAL: u16 = 1;
pub const METRICS: u16 = 2;
const ROOT_COORD: u16 = 3;
const DATA_COORD: u16 = 4;
const QUERY_COORD: u16 = 5;
const DATA_NODE: u16 = 6;
const QUERY_NODE: u16 = 7;
const INDEX_NODE: u16 = 8;
/// Written because Milvus wants them, never bound (rocksmq, no index coord).
const UNBOUND: u16 = 9;
/// Ports a node holds: B..B+9.
pub const BLOCK: u16 = 10;
/// The ports Milvus binds, relative to the base.
pub const BOUND: [u16; 9] = [PROXY, PROXY_INTERNAL, METRICS, ROOT_COORD, DATA_COORD, QUERY_COORD, DATA_NODE, QUERY_NODE, INDEX_NODE];

/// One instance's settings.
pub struct Instance<'a> {
    pub dir: &'a Path,
    pub ip: Ipv4Addr,
    pub base: u16,
    pub alias: &'a str,
    pub resources: Resources,
}

/// (file name under `configs/`, contents)
pub fn render(i: &Instance) -> Vec<(&'static str, String)> {
    vec![("milvus.yaml", milvus_yaml(i)), ("etcd.yaml", etcd_yaml(i)), ("glog.conf", glog_conf(i))]
}

fn etcd_yaml(i: &Instance) -> String {
    let (d, ip, a) = (i.dir.display(), i.ip, i.alias);
    format!(
        "name: {a}\n\
         data-dir: {d}/data/etcd.data\n\
         listen-client-urls: http://{ip}:0\n\
         advertise-client-urls: http://{ip}:0\n\
         listen-peer-urls: http://{ip}:0\n\
         initial-advertise-peer-urls: http://{ip}:0\n\
         initial-cluster: {a}=http://{ip}:0\n\
         initial-cluster-token: milvus-{a}\n\
         initial-cluster-state: new\n\
         log-outputs: [{d}/logs/etcd.log]\n\
         log-level: warn\n\
         # a restarted single member becomes leader in ~0.3 s instead of ~1.8 s\n\
         heartbeat-interval: 50\n\
         election-timeout: 300\n"
    )
}

fn milvus_yaml(i: &Instance) -> String {
    let (d, ip, b) = (i.dir.display(), i.ip, i.base);
    let r = &i.resources;
    format!(
        "# Written by strato; rewritten on every resize.\n\
etcd:\n  endpoints: {ip}:{unbound}\n  rootPath: by-dev\n  use:\n    embed: true\n  config:\n    path: {d}/configs/etcd.yaml\n  data:\n    dir: {d}/data/etcd.data\n\
metastore:\n  type: etcd\n\
localStorage:\n  path: {d}/data\n\
mq:\n  type: rocksmq\n\
rocksmq:\n  path: {d}/data/rocksmq\n\
natsmq:\n  server:\n    port: {unbound}\n    storeDir: {d}/data/natsmq\n\
rootCoord:\n  ip: {ip}\n  port: {root}\n\
proxy:\n  ip: {ip}\n  port: {proxy}\n  internalPort: {proxy_internal}\n  http:\n    enabled: true\n\
queryCoord:\n  ip: {ip}\n  port: {query_coord}\n\
queryNode:\n  ip: {ip}\n  port: {query_node}\n  gracefulStopTimeout: 1\n  scheduler:\n    maxReadConcurrentRatio: 1\n\
indexCoord:\n  bindIndexNodeMode:\n    address: {ip}:{unbound}\n\
indexNode:\n  ip: {ip}\n  port: {index_node}\n\
dataCoord:\n  ip: {ip}\n  port: {data_coord}\n\
dataNode:\n  ip: {ip}\n  port: {data_node}\n\
log:\n  level: info\n  file:\n    rootPath: {d}/logs\n    maxSize: 100\n    maxAge: 3\n    maxBackups: 3\n  format: text\n  stdout: false\n\
common:\n  storageType: local\n  # the default (1800 s) makes SIGTERM hang with a loaded collection\n  gracefulStopTimeout: 1\n  session:\n    ttl: 5\n  security:\n    authorizationEnabled: true\n\
grpc:\n  client:\n    # after a restart stale sessions make calls fail until they expire: retry fast\n    initialBackoff: 0.05\n    maxBackoff: 0.3\n\
quotaAndLimits:\n  # must stay true in 2.3.5: false makes SIGTERM hang forever\n  enabled: true\n  limits:\n    maxCollectionNum: {max_collections}\n  limitWriting:\n    diskProtection:\n      enabled: true\n      diskQuota: {disk_quota}\n",
        unbound = b + UNBOUND,
        root = b + ROOT_COORD,
        proxy = b + PROXY,
        proxy_internal = b + PROXY_INTERNAL,
        query_coord = b + QUERY_COORD,
        query_node = b + QUERY_NODE,
        index_node = b + INDEX_NODE,
        data_coord = b + DATA_COORD,
        data_node = b + DATA_NODE,
        max_collections = r.max_collections,
        disk_quota = r.disk_quota_mb,
    )
}

fn glog_conf(i: &Instance) -> String {
    format!(
        "--logtostdout=false\n--logtostderr=false\n--alsologtostderr=false\n--minloglevel=1\n--log_dir={}/logs/\n\
         --max_log_size=200\n--stop_logging_if_full_disk=true\n",
        i.dir.display()
    )
}

/// The environment the process starts with, and nothing else: Milvus turns
/// every environment variable into a setting that beats milvus.yaml.
pub fn environment(i: &Instance, bin_dir: &Path) -> Vec<(&'static str, String)> {
    vec![
        ("PATH", "/usr/bin:/bin".into()),
        ("HOME", i.dir.display().to_string()),
        ("LD_LIBRARY_PATH", bin_dir.display().to_string()),
        ("MILVUSCONF", i.dir.join("configs").display().to_string()),
        ("METRICS_PORT", (i.base + METRICS).to_string()),
        ("GOMAXPROCS", i.resources.cpus.to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance(dir: &Path) -> Instance<'_> {
        Instance {
            dir,
            ip: Ipv4Addr::new(127, 10, 0, 7),
            base: 19530,
            alias: "c1",
            resources: Resources { cpus: 2, max_collections: 128, disk_quota_mb: 10240 },
        }
    }

    #[test]
    fn every_bound_port_is_inside_the_block_and_distinct() {
        let mut seen = std::collections::HashSet::new();
        for p in BOUND {
            assert!(p < BLOCK);
            assert!(seen.insert(p));
        }
        assert!(!BOUND.contains(&UNBOUND));
    }

    #[test]
    fn the_yaml_carries_ports_address_and_resources() {
        let dir = Path::new("/srv/c1/node-0");
        let files = render(&instance(dir));
        let yaml = &files.iter().find(|(n, _)| *n == "milvus.yaml").unwrap().1;
        assert!(yaml.contains("proxy:\n  ip: 127.10.0.7\n  port: 19530\n"));
        assert!(yaml.contains("maxCollectionNum: 128"));
        assert!(yaml.contains("diskQuota: 10240"));
        assert!(yaml.contains("authorizationEnabled: true"));
        assert!(yaml.contains("path: /srv/c1/node-0/configs/etcd.yaml"));
        let env = environment(&instance(dir), Path::new("/opt/milvus/bin"));
        assert!(env.contains(&("METRICS_PORT", "19532".into())));
        assert!(env.contains(&("GOMAXPROCS", "2".into())));
    }
}
