//! The public-endpoint forwarder: serves what the store says is bound. A
//! warehouse with an EIP is reachable at its primary's loopback address and
//! the cluster's port + 1, one with an ELB at port + 2; each connection is
//! relayed to the primary's PostgreSQL. A search cluster with public access
//! is reachable at its first member's address, port + 1, relayed to its
//! members in turn, for clients its public white-IP list admits (others are
//! closed at once). The store holds the intent (the API records a change in
//! one transaction and wakes this loop); this loop owns the listeners,
//! reconciling them with the intent on every wake and every few seconds, so
//! a restart of strato serves again what was bound before. Listeners live in
//! strato's process: while strato is down, so are they.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddrV4};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::core::access::{self, PUBLIC_PORT_OFFSET};
use crate::core::cluster::{Cluster, ClusterSpec, Node};

/// How often the listeners are reconciled without a wake.
const RESYNC: Duration = Duration::from_secs(5);
/// How long a relayed connection waits for a target to accept.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Where one listener relays, and whom it admits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// Tried in turn, from a rotating start (the first that accepts serves).
    pub targets: Vec<SocketAddrV4>,
    /// The white-IP list clients must match; None admits every client.
    pub admit: Option<Vec<String>>,
}

impl Route {
    fn to(target: SocketAddrV4) -> Route {
        Route { targets: vec![target], admit: None }
    }
}

/// Listen address → its route.
pub type Routes = HashMap<SocketAddrV4, Route>;

/// The listeners the bound endpoints need (pure: the reconciler's decision).
/// `bound` holds each cluster with its nodes, by ordinal.
pub fn routes(bound: &[(Cluster, Vec<Node>)]) -> Routes {
    let mut routes = Routes::new();
    for (cluster, nodes) in bound {
        let Some(first) = nodes.iter().find(|n| n.ordinal == 0) else { continue };
        match &cluster.spec {
            ClusterSpec::Warehouse(w) => {
                let target = SocketAddrV4::new(first.address, first.port);
                for port in w.forwarded_ports() {
                    routes.insert(SocketAddrV4::new(first.address, port), Route::to(target));
                }
            }
            ClusterSpec::Search(s) if s.access.public => {
                let Some(port) = first.port.checked_add(PUBLIC_PORT_OFFSET) else { continue };
                let targets = nodes.iter().map(|n| SocketAddrV4::new(n.address, n.port)).collect();
                let admit = (!s.access.public_open_to_all).then(|| s.access.list(access::WhiteIpKind::PublicEs));
                routes.insert(SocketAddrV4::new(first.address, port), Route { targets, admit });
            }
            _ => {}
        }
    }
    routes
}

/// A route as a running listener reads it: changed in place (members added
/// or retired, a new white list), so the listener and the connections it
/// relays carry on.
struct Live {
    route: RwLock<Route>,
    next: AtomicUsize,
}

impl Live {
    fn route(&self) -> Route {
        self.route.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    fn set(&self, route: &Route) {
        *self.route.write().unwrap_or_else(std::sync::PoisonError::into_inner) = route.clone();
    }

    /// Whether `peer` may connect, and if so the targets in the order this connection tries them.
    fn admit(&self, peer: IpAddr) -> Option<Vec<SocketAddrV4>> {
        let route = self.route();
        if route.admit.as_ref().is_some_and(|list| !access::admits(list, peer)) {
            return None;
        }
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let n = route.targets.len().max(1);
        Some((0..route.targets.len()).map(|i| route.targets[(start + i) % n]).collect())
    }
}

struct Listening {
    live: Arc<Live>,
    /// Stops the listener and every connection it relays.
    stop: CancellationToken,
    /// The accept loop: the listening socket is closed once it has ended.
    task: tokio::task::JoinHandle<()>,
}

pub struct Forwarder {
    listening: HashMap<SocketAddrV4, Listening>,
    /// Addresses that could not be bound, warned about once.
    failed: HashMap<SocketAddrV4, String>,
}

impl Forwarder {
    pub fn new() -> Forwarder {
        Forwarder { listening: HashMap::new(), failed: HashMap::new() }
    }

    pub async fn run(mut self, app: Arc<App>, cancel: CancellationToken) {
        loop {
            // Every change asked for before this read is in what it reads.
            let generation = app.endpoints_requested.load(std::sync::atomic::Ordering::SeqCst);
            match app.store.forwarded().await {
                Ok(bound) => {
                    self.reconcile(&routes(&bound), &cancel).await;
                    app.endpoints_applied.send_if_modified(|g| std::mem::replace(g, (*g).max(generation)) < generation);
                }
                Err(e) => tracing::warn!(error = %e, "reading the bound public endpoints failed"),
            }
            tokio::select! {
                _ = cancel.cancelled() => break,
                _ = app.endpoints_changed.notified() => {}
                _ = tokio::time::sleep(RESYNC) => {}
            }
        }
        for l in self.listening.values() {
            l.stop.cancel();
        }
    }

    /// Stops the listeners no longer wanted, updates the routes of the others
    /// in place, starts the missing ones.
    async fn reconcile(&mut self, wanted: &Routes, cancel: &CancellationToken) {
        let gone: Vec<SocketAddrV4> = self.listening.keys().filter(|at| !wanted.contains_key(at)).copied().collect();
        for at in gone {
            let l = self.listening.remove(&at).expect("listed");
            l.stop.cancel();
            // Its socket closes with the loop: the address can be listened on again at once.
            let _ = l.task.await;
            tracing::info!(listen = %at, "public endpoint stopped");
        }
        for (at, l) in &self.listening {
            if l.live.route() != wanted[at] {
                l.live.set(&wanted[at]);
                tracing::info!(listen = %at, to = ?wanted[at].targets, "public endpoint changed");
            }
        }
        self.failed.retain(|at, _| wanted.contains_key(at));
        for (&at, route) in wanted {
            if self.listening.contains_key(&at) {
                continue;
            }
            match TcpListener::bind(at).await {
                Ok(listener) => {
                    let stop = cancel.child_token();
                    let live = Arc::new(Live { route: RwLock::new(route.clone()), next: AtomicUsize::new(0) });
                    let task = tokio::spawn(accept(listener, live.clone(), stop.clone()));
                    self.listening.insert(at, Listening { live, stop, task });
                    self.failed.remove(&at);
                    tracing::info!(listen = %at, to = ?route.targets, "public endpoint serving");
                }
                Err(e) => {
                    if self.failed.insert(at, e.to_string()).is_none() {
                        tracing::warn!(listen = %at, error = %e, "a public endpoint cannot listen; retrying");
                    }
                }
            }
        }
    }
}

impl Default for Forwarder {
    fn default() -> Self {
        Forwarder::new()
    }
}

async fn accept(listener: TcpListener, live: Arc<Live>, stop: CancellationToken) {
    loop {
        let (client, peer) = tokio::select! {
            _ = stop.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of descriptors, most likely: back off rather than spin.
                    tracing::warn!(error = %e, "accepting a public connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let Some(targets) = live.admit(peer.ip()) else {
            tracing::debug!(%peer, "a client outside the public white list was refused");
            continue; // Dropping the stream closes it.
        };
        tokio::spawn(relay(client, targets, stop.clone()));
    }
}

async fn relay(mut client: TcpStream, targets: Vec<SocketAddrV4>, stop: CancellationToken) {
    for target in targets {
        let Ok(Ok(mut server)) = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(target)).await else {
            continue; // That target is down: try the next.
        };
        tokio::select! {
            _ = stop.cancelled() => {}
            _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
        }
        return;
    }
    // No target accepted: the client sees the connection close.
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::cluster::{ClusterSpec, ElbBinding, PublicIp};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn warehouse(public: &str, elb: bool) -> (Cluster, Vec<Node>) {
        let ClusterSpec::Warehouse(mut spec) = crate::bench::reads::warehouse(0) else { unreachable!() };
        spec.public_ip = PublicIp { public_bind_type: public.into(), eip_id: String::new() };
        spec.elb = elb.then(|| ElbBinding { id: "elb-1".into() });
        spec.port = 8000;
        let cluster = Cluster::new("p", ClusterSpec::Warehouse(spec));
        let node = Node { id: uuid::Uuid::new_v4(), cluster_id: cluster.id, ordinal: 0, address: std::net::Ipv4Addr::LOCALHOST, port: 8000 };
        (cluster, vec![node])
    }

    #[test]
    fn each_bound_endpoint_is_a_port_next_to_the_primary() {
        let r = routes(&[warehouse("not_use", false), warehouse("auto_assign", false)]);
        let primary: SocketAddrV4 = "127.0.0.1:8000".parse().unwrap();
        assert_eq!(r, Routes::from([("127.0.0.1:8001".parse().unwrap(), Route::to(primary))]));
        let r = routes(&[warehouse("bind_existing", true)]);
        assert_eq!(r.len(), 2);
        assert_eq!(r[&"127.0.0.1:8002".parse::<SocketAddrV4>().unwrap()], Route::to(primary));
        assert!(routes(&[warehouse("not_use", false)]).is_empty());
    }

    #[test]
    fn a_public_search_cluster_is_its_members_behind_its_white_list() {
        let ClusterSpec::Search(mut spec) = crate::bench::reads::search(0) else { unreachable!() };
        let mut cluster = Cluster::new("p", ClusterSpec::Search(spec.clone()));
        let node = |ordinal: u32| Node {
            id: uuid::Uuid::new_v4(),
            cluster_id: cluster.id,
            ordinal,
            address: std::net::Ipv4Addr::new(127, 0, 0, 10 + ordinal as u8),
            port: 9200,
        };
        let nodes = vec![node(0), node(1)];
        assert!(routes(&[(cluster.clone(), nodes.clone())]).is_empty(), "no public access: no listener");
        spec.access = spec.access.triggered(access::WhiteIpKind::PublicEs, true).unwrap();
        cluster.spec = ClusterSpec::Search(spec);
        let r = routes(&[(cluster, nodes)]);
        let route = &r[&"127.0.0.10:9201".parse::<SocketAddrV4>().unwrap()];
        assert_eq!(route.targets, vec!["127.0.0.10:9200".parse().unwrap(), "127.0.0.11:9200".parse::<SocketAddrV4>().unwrap()]);
        assert_eq!(route.admit, Some(vec![]), "a new public endpoint admits nobody until its white list says");
    }

    #[tokio::test]
    async fn a_listener_relays_both_ways_and_stops_when_unbound() {
        let upstream = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let target = match upstream.local_addr().unwrap() {
            std::net::SocketAddr::V4(a) => a,
            other => panic!("{other}"),
        };
        tokio::spawn(async move {
            let (mut s, _) = upstream.accept().await.unwrap();
            let mut buf = [0u8; 4];
            s.read_exact(&mut buf).await.unwrap();
            s.write_all(&buf.map(|b| b.to_ascii_uppercase())).await.unwrap();
        });
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let at = match free.local_addr().unwrap() {
            std::net::SocketAddr::V4(a) => a,
            other => panic!("{other}"),
        };
        drop(free);
        let cancel = CancellationToken::new();
        let mut f = Forwarder::new();
        // A white list without this client: the connection is closed unrelayed.
        let only_others = Route { targets: vec![target], admit: Some(vec!["198.51.100.0/24".into()]) };
        f.reconcile(&Routes::from([(at, only_others)]), &cancel).await;
        let mut c = TcpStream::connect(at).await.unwrap();
        let _ = c.write_all(b"ping").await;
        let mut back = [0u8; 4];
        assert!(c.read_exact(&mut back).await.is_err(), "a client outside the white list was relayed");
        // Admitted now (the listener is kept, its list changed in place).
        f.reconcile(&Routes::from([(at, Route { targets: vec![target], admit: Some(vec!["127.0.0.1".into()]) })]), &cancel).await;
        let mut c = TcpStream::connect(at).await.unwrap();
        c.write_all(b"ping").await.unwrap();
        c.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"PING");
        f.reconcile(&Routes::new(), &cancel).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(TcpStream::connect(at).await.is_err(), "still listening after the unbind");
    }
}
