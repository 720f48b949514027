//! Live tests of the service engine on the two stand-ins that install here:
//! 2-member clusters of real `osmem-server` and `syslog-ng` processes on
//! random loopback addresses (127.88.R.1, .2) and a random port.
//!
//! A missing binary skips its test with a note, unless
//! `STRATO_REQUIRE_SEARCH_ENGINES=1` (then it fails). osmem-server is found
//! by `STRATO_OSMEM_BIN`, then `osmem-server` on PATH, then where
//! scripts/install-search-engines puts it; syslog-ng at /usr/sbin/syslog-ng.

use std::io::Write;
use std::net::{Ipv4Addr, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use uuid::Uuid;

use super::{syslog_ng, MEMBER_FILE, PID_FILE};
use crate::core::cluster::{ClusterSpec, EngineKind, Node, Product};
use crate::core::search::{Datastore, SearchSpec};
use crate::core::status::NodeHealth;
use crate::engine::process::RunAs;
use crate::engine::{ClusterLayout, Engine, EngineError};

pub fn spec(datastore: Datastore, nodes: u32) -> SearchSpec {
    SearchSpec {
        product: Product::Css,
        name: "css-live".into(),
        description: String::new(),
        datastore,
        version: datastore.versions()[0].into(),
        node_count: nodes,
        flavor: "ess.spec-4u8g".into(),
        disk_type: "HIGH".into(),
        disk_gb: 40,
        vpc_id: "vpc".into(),
        subnet_id: "subnet".into(),
        security_group_id: "sg".into(),
        availability_zone: "az1".into(),
        https: false,
        authority: false,
        tags: vec![],
        engine_settings: Default::default(),
        access: Default::default(), pipelines: Vec::new(), routes: Vec::new(), index_snapshots: Default::default(), dedicated: Vec::new(),
    }
}

/// Where scripts/install-search-engines installs osmem-server.
const INSTALLED_OSMEM: &str = "/usr/local/lib/strato/osmem-server/osmem_server/bin/osmem-server";

fn find_osmem() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("STRATO_OSMEM_BIN") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("osmem-server")).collect::<Vec<_>>())
        .unwrap_or_default();
    on_path.into_iter().chain([PathBuf::from(INSTALLED_OSMEM)]).find(|p| p.is_file())
}

fn find_syslog_ng() -> Option<PathBuf> {
    Some(PathBuf::from("/usr/sbin/syslog-ng")).filter(|p| p.is_file())
}

/// Skips (or, when required, fails) a test whose binary is missing.
fn missing(what: &str) {
    let hint = "install both with scripts/install-search-engines";
    if std::env::var("STRATO_REQUIRE_SEARCH_ENGINES").as_deref() == Ok("1") {
        panic!("{what} is not installed and STRATO_REQUIRE_SEARCH_ENGINES=1: {hint}");
    }
    eprintln!("SKIPPED: {what} is not installed ({hint})");
}

/// A cluster of `count` members on 127.88.R.1.. and one random port; kills
/// whatever still runs when dropped (a failing test leaves no process).
struct Fixture {
    _dir: tempfile::TempDir,
    engine: Arc<dyn Engine>,
    layout: ClusterLayout,
    nodes: Vec<Node>,
    spec: ClusterSpec,
}

impl Fixture {
    fn new(kind: EngineKind, binding: &str, datastore: Datastore, count: u32) -> Fixture {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        // The engine user must traverse into its files below (as the server's data dir).
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
        let run_as = RunAs::resolve("postgres").expect("the engine user");
        let engine = super::from_binding(kind, binding, dir.path().to_path_buf(), run_as).unwrap();
        let cluster_id = Uuid::new_v4();
        let layout = engine.layout(cluster_id);
        let mut r = rand::thread_rng();
        let octet: u8 = r.gen_range(0..=255);
        let port: u16 = r.gen_range(20_000..30_000);
        let nodes = (0..count)
            .map(|ordinal| Node {
                id: Uuid::new_v4(),
                cluster_id,
                ordinal,
                address: Ipv4Addr::new(127, 88, octet, ordinal as u8 + 1),
                port,
            })
            .collect();
        Fixture { _dir: dir, engine, layout, nodes, spec: ClusterSpec::Search(spec(datastore, count)) }
    }

    fn node_dir(&self, n: usize) -> PathBuf {
        self.layout.cluster_dir.join(format!("node-{n}"))
    }

    async fn create(&self) {
        let (e, l, nodes) = (&self.engine, &self.layout, &self.nodes);
        e.check_installed().unwrap();
        e.init_primary(l, &nodes[0], &self.spec).await.unwrap();
        assert_eq!(e.observe(l, &nodes[0]), NodeHealth::Ready);
        for n in &nodes[1..] {
            e.replicas().unwrap().init_standby(l, &nodes[0], n, &self.spec).await.unwrap();
        }
        e.wait_replication(l, &nodes[0], nodes.len() - 1).await.unwrap();
        for n in nodes {
            assert_eq!(e.observe(l, n), NodeHealth::Ready, "node {}", n.ordinal);
            assert!(self.node_dir(n.ordinal as usize).join(MEMBER_FILE).is_file());
        }
    }

    /// Every member runs as the engine user, leads its own process group,
    /// and a re-run of its init step adopts it.
    async fn check_processes(&self) {
        let (e, l) = (&self.engine, &self.layout);
        let run_as = RunAs::resolve("postgres").unwrap();
        for n in &self.nodes {
            let pid = e.pid(l, n).expect("running");
            let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
            let uid = status.lines().find_map(|l| l.strip_prefix("Uid:")).unwrap().split_whitespace().next().unwrap();
            assert_eq!(uid, run_as.uid.to_string(), "node {} runs as the engine user", n.ordinal);
            assert_eq!(nix::unistd::getpgid(Some(nix::unistd::Pid::from_raw(pid))).unwrap().as_raw(), pid);
        }
        let pid0 = e.pid(l, &self.nodes[0]);
        e.init_primary(l, &self.nodes[0], &self.spec).await.unwrap();
        assert_eq!(e.pid(l, &self.nodes[0]), pid0, "a re-run init adopts the running member");
    }

    /// stop + start of member `n` gives a new process that serves again.
    async fn restart(&self, n: usize) {
        let (e, l, node) = (&self.engine, &self.layout, &self.nodes[n]);
        let before = e.pid(l, node).expect("running");
        e.stop_node(l, node).await.unwrap();
        assert_eq!(e.observe(l, node), NodeHealth::Down);
        assert_eq!(e.pid(l, node), None);
        assert!(!self.node_dir(n).join(PID_FILE).exists());
        e.start_node(l, node).await.unwrap();
        let after = e.pid(l, node).expect("running again");
        assert_ne!(before, after);
        assert_eq!(e.observe(l, node), NodeHealth::Ready);
        e.wait_replication(l, &self.nodes[0], self.nodes.len() - 1).await.unwrap();
    }

    /// After a kill -9 of strato between spawning and writing the pid file,
    /// the member is found again by a /proc scan and adopted.
    async fn adopt_without_pid_file(&self, n: usize) {
        let (e, l, node) = (&self.engine, &self.layout, &self.nodes[n]);
        let pid = e.pid(l, node).unwrap();
        std::fs::remove_file(self.node_dir(n).join(PID_FILE)).unwrap();
        assert_eq!(e.pid(l, node), Some(pid));
        e.start_node(l, node).await.unwrap();
        assert_eq!(e.pid(l, node), Some(pid));
    }

    async fn stop_and_remove(&self) {
        let (e, l) = (&self.engine, &self.layout);
        for n in self.nodes.iter().rev() {
            e.stop_node(l, n).await.unwrap();
            assert_eq!(e.observe(l, n), NodeHealth::Down);
        }
        e.remove_files(l).await.unwrap();
        assert!(!l.cluster_dir.exists());
        e.remove_files(l).await.unwrap();
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        for n in &self.nodes {
            if let Some(pid) = self.engine.pid(&self.layout, n) {
                let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
            }
        }
    }
}

async fn http(method: reqwest::Method, url: String, body: Option<serde_json::Value>) -> (u16, serde_json::Value) {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap();
    let mut req = client.request(method, &url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap_or_else(|e| panic!("{url}: {e}"));
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn osmem_members_index_search_and_restart() {
    let Some(bin) = find_osmem() else { return missing("osmem-server") };
    let f = Fixture::new(EngineKind::Opensearch, &format!("osmem:{}", bin.display()), Datastore::Opensearch, 2);
    f.create().await;
    f.check_processes().await;

    let base = |n: usize| format!("http://{}:{}", f.nodes[n].address, f.nodes[n].port);
    let doc = serde_json::json!({"title": "strato runs search clusters", "n": 1});
    let (status, body) = http(reqwest::Method::PUT, format!("{}/idx/_doc/1?refresh=true", base(0)), Some(doc)).await;
    assert!(status == 200 || status == 201, "{status} {body}");
    let query = serde_json::json!({"query": {"match": {"title": "search"}}});
    let (status, body) = http(reqwest::Method::GET, format!("{}/idx/_search", base(0)), Some(query)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["hits"]["total"]["value"], 1, "{body}");
    assert_eq!(body["hits"]["hits"][0]["_id"], "1", "{body}");
    let (status, body) = http(reqwest::Method::GET, format!("{}/_cluster/health", base(1)), None).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("green")), "{body}");

    f.adopt_without_pid_file(1).await;
    f.restart(1).await;
    f.restart(0).await;
    // osmem keeps nothing across a restart: member 0 starts empty.
    let (status, _) = http(reqwest::Method::GET, format!("{}/idx/_search", base(0)), None).await;
    assert_eq!(status, 404);
    f.stop_and_remove().await;
}

/// Sends one line to a syslog-ng member and waits until its file has it.
fn send_and_find(f: &Fixture, n: usize, text: &str) {
    let node = &f.nodes[n];
    let mut s = TcpStream::connect((node.address, node.port)).unwrap();
    s.write_all(format!("<13>Nov 23 10:00:00 strato-test app: {text}\n").as_bytes()).unwrap();
    drop(s);
    let file = f.node_dir(n).join(syslog_ng::MESSAGES_FILE);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if std::fs::read_to_string(&file).is_ok_and(|t| t.contains(text)) {
            return;
        }
        assert!(Instant::now() < deadline, "`{text}` never reached {}", file.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test]
async fn syslog_ng_members_write_received_lines_and_restart() {
    let Some(bin) = find_syslog_ng() else { return missing("syslog-ng (syslog-ng-core)") };
    let mut f = Fixture::new(EngineKind::Logstash, &format!("syslog-ng:{}", bin.display()), Datastore::Logstash, 2);
    f.create().await;
    f.check_processes().await;
    let marker = |what: &str| format!("{what}-{}", Uuid::new_v4().simple());

    let first = marker("first");
    send_and_find(&f, 0, &first);
    send_and_find(&f, 1, &marker("other"));

    f.adopt_without_pid_file(0).await;
    f.restart(0).await;
    let second = marker("second");
    send_and_find(&f, 0, &second);
    let text = std::fs::read_to_string(f.node_dir(0).join(syslog_ng::MESSAGES_FILE)).unwrap();
    assert!(text.contains(&first) && text.contains(&second), "{text}");

    // A member killed behind strato's back is down, and start brings it back.
    let pid = f.engine.pid(&f.layout, &f.nodes[1]).unwrap();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while f.engine.observe(&f.layout, &f.nodes[1]) != NodeHealth::Down {
        assert!(Instant::now() < deadline, "the killed member still looks alive");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    f.engine.start_node(&f.layout, &f.nodes[1]).await.unwrap();
    send_and_find(&f, 1, &marker("revived"));

    // A member that cannot start says why: syslog-ng's own error, from its stderr log.
    f.engine.stop_node(&f.layout, &f.nodes[1]).await.unwrap();
    let conf = f.node_dir(1).join("syslog-ng.conf");
    let good = std::fs::read_to_string(&conf).unwrap();
    std::fs::write(&conf, format!("{good}this is not syslog-ng syntax;\n")).unwrap();
    let err = f.engine.start_node(&f.layout, &f.nodes[1]).await.unwrap_err().to_string();
    assert!(err.contains("syslog-ng of node 1 exited while starting") && err.contains("syntax error"), "{err}");
    assert_eq!(f.engine.observe(&f.layout, &f.nodes[1]), NodeHealth::Down);
    std::fs::write(&conf, good).unwrap();
    f.engine.start_node(&f.layout, &f.nodes[1]).await.unwrap();

    // A third member whose address a foreign process holds is refused.
    let third = Node { ordinal: 2, address: Ipv4Addr::new(127, 88, f.nodes[0].address.octets()[2], 3), ..f.nodes[0].clone() };
    let holder = std::net::TcpListener::bind((third.address, third.port)).unwrap();
    let err = f.engine.replicas().unwrap().init_standby(&f.layout, &f.nodes[0], &third, &f.spec).await.unwrap_err();
    assert!(matches!(err, EngineError::AddressInUse(a, p) if a == third.address && p == third.port), "{err}");
    drop(holder);
    f.nodes.push(third);
    f.stop_and_remove().await;
}

/// A stand-in OpenSearch home that behaves like the real one where strato
/// depends on it: `bin/opensearch` cds into HOME and execs `jdk/bin/java`
/// (here python3) with `-Dopensearch.path.conf=<member>/config`; the
/// "node" reads its opensearch.yml, answers `GET /` and
/// `GET /_cluster/health`, and counts the members that joined.
fn fake_opensearch_home(python: &std::path::Path) -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    for d in ["bin", "jdk/bin", "config", "lib"] {
        std::fs::create_dir_all(h.join(d)).unwrap();
    }
    std::fs::write(h.join("config/jvm.options"), "-Xms1g\n-Xmx1g\n-XX:HeapDumpPath=data\n").unwrap();
    std::fs::write(h.join("lib/opensearch-2.11.0.jar"), "").unwrap();
    std::os::unix::fs::symlink(python, h.join("jdk/bin/java")).unwrap();
    let script = "#!/bin/bash\nset -e\nHOME_DIR=$(cd \"$(dirname \"$0\")/..\"; pwd)\ncd \"$HOME_DIR\"\n\
                  exec \"$HOME_DIR/jdk/bin/java\" \"$HOME_DIR/node.py\" -Dopensearch.path.conf=\"$OPENSEARCH_PATH_CONF\" \"$@\"\n";
    std::fs::write(h.join("bin/opensearch"), script).unwrap();
    let node = r##"
import glob, http.server, json, os, sys
conf = os.environ["OPENSEARCH_PATH_CONF"]
if os.environ.get("OPENSEARCH_JAVA_OPTS") != "-Xms512m -Xmx512m" or not os.path.isdir(os.environ["OPENSEARCH_TMPDIR"]):
    sys.exit("bad environment: %r" % dict(os.environ))
s = {}
for line in open(conf + "/opensearch.yml"):
    if ": " in line and not line.startswith("#"):
        k, v = line.rstrip("\n").split(": ", 1)
        s[k] = json.loads(v)
cluster_dir = os.path.dirname(os.path.dirname(s["path.data"]))
open(os.path.join(cluster_dir, "joined-" + s["node.name"]), "w").close()
class Node(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/_cluster/health":
            body = {"cluster_name": s["cluster.name"], "status": "green",
                    "number_of_nodes": len(glob.glob(os.path.join(cluster_dir, "joined-*")))}
        elif self.path == "/":
            body = {"name": s["node.name"], "cluster_name": s["cluster.name"]}
        else:
            self.send_error(404)
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *args):
        pass
http.server.HTTPServer((s["network.host"], s["http.port"]), Node).serve_forever()
"##;
    std::fs::write(h.join("node.py"), node).unwrap();
    for (p, mode) in [("", 0o755), ("bin/opensearch", 0o755), ("node.py", 0o644)] {
        std::fs::set_permissions(h.join(p), std::fs::Permissions::from_mode(mode)).unwrap();
    }
    home
}

#[tokio::test]
async fn a_distribution_member_runs_through_its_launch_script_from_its_home() {
    let python = ["/usr/bin/python3", "/usr/local/bin/python3"].into_iter().map(PathBuf::from).find(|p| p.is_file());
    let Some(python) = python else { return missing("python3 (for the fake OpenSearch home)") };
    let home = fake_opensearch_home(&python);
    let f = Fixture::new(EngineKind::Opensearch, &format!("opensearch:{}", home.path().display()), Datastore::Opensearch, 2);
    f.create().await;
    // The JVM's cwd is the home, not the member directory: found by its arguments.
    let pid = f.engine.pid(&f.layout, &f.nodes[1]).unwrap();
    assert_eq!(std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap(), home.path().canonicalize().unwrap());
    assert!(std::fs::read_to_string(f.node_dir(1).join("config/opensearch.yml")).unwrap().contains("discovery.seed_hosts"));
    f.check_processes().await;
    f.adopt_without_pid_file(1).await;
    f.restart(1).await;
    f.stop_and_remove().await;
}
