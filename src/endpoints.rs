//! The public-endpoint forwarder: serves what the store says is bound. A
//! warehouse with an EIP is reachable at its primary's loopback address and
//! the cluster's port + 1, one with an ELB at port + 2; each connection is
//! relayed to the primary's PostgreSQL. The store holds the intent (the API
//! records a bind in one transaction and wakes this loop); this loop owns the
//! listeners, reconciling them with the intent on every wake and every few
//! seconds, so a restart of strato serves again what was bound before.
//! Listeners live in strato's process: while strato is down, so are they.

use std::collections::HashMap;
use std::net::SocketAddrV4;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use crate::app::App;
use crate::core::cluster::{Cluster, Node};

/// How often the listeners are reconciled without a wake.
const RESYNC: Duration = Duration::from_secs(5);
/// How long a relayed connection waits for the primary to accept.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Listen address → the primary it relays to.
pub type Routes = HashMap<SocketAddrV4, SocketAddrV4>;

/// The listeners the bound endpoints need (pure: the reconciler's decision).
pub fn routes(bound: &[(Cluster, Node)]) -> Routes {
    let mut routes = Routes::new();
    for (cluster, primary) in bound {
        let Some(w) = cluster.spec.warehouse() else { continue };
        let target = SocketAddrV4::new(primary.address, primary.port);
        for port in w.forwarded_ports() {
            routes.insert(SocketAddrV4::new(primary.address, port), target);
        }
    }
    routes
}

struct Listening {
    target: SocketAddrV4,
    /// Stops the listener and every connection it relays.
    stop: CancellationToken,
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
            match app.store.forwarded().await {
                Ok(bound) => self.reconcile(&routes(&bound), &cancel).await,
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

    /// Stops the listeners no longer wanted (or relaying elsewhere), starts the missing ones.
    async fn reconcile(&mut self, wanted: &Routes, cancel: &CancellationToken) {
        self.listening.retain(|at, l| {
            let keep = wanted.get(at) == Some(&l.target);
            if !keep {
                l.stop.cancel();
                tracing::info!(listen = %at, "public endpoint stopped");
            }
            keep
        });
        self.failed.retain(|at, _| wanted.contains_key(at));
        for (&at, &target) in wanted {
            if self.listening.contains_key(&at) {
                continue;
            }
            match TcpListener::bind(at).await {
                Ok(listener) => {
                    let stop = cancel.child_token();
                    tokio::spawn(accept(listener, target, stop.clone()));
                    self.listening.insert(at, Listening { target, stop });
                    self.failed.remove(&at);
                    tracing::info!(listen = %at, to = %target, "public endpoint serving");
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

async fn accept(listener: TcpListener, target: SocketAddrV4, stop: CancellationToken) {
    loop {
        let (client, _) = tokio::select! {
            _ = stop.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of descriptors, most likely: back off rather than spin.
                    tracing::warn!(to = %target, error = %e, "accepting a public connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        tokio::spawn(relay(client, target, stop.clone()));
    }
}

async fn relay(mut client: TcpStream, target: SocketAddrV4, stop: CancellationToken) {
    let Ok(Ok(mut server)) = tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(target)).await else {
        return; // The primary is down: the client sees the connection close.
    };
    tokio::select! {
        _ = stop.cancelled() => {}
        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::cluster::{ClusterSpec, ElbBinding, PublicIp};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn warehouse(public: &str, elb: bool) -> (Cluster, Node) {
        let ClusterSpec::Warehouse(mut spec) = crate::bench::reads::warehouse(0) else { unreachable!() };
        spec.public_ip = PublicIp { public_bind_type: public.into(), eip_id: String::new() };
        spec.elb = elb.then(|| ElbBinding { id: "elb-1".into() });
        spec.port = 8000;
        let cluster = Cluster::new("p", ClusterSpec::Warehouse(spec));
        let node = Node { id: uuid::Uuid::new_v4(), cluster_id: cluster.id, ordinal: 0, address: std::net::Ipv4Addr::LOCALHOST, port: 8000 };
        (cluster, node)
    }

    #[test]
    fn each_bound_endpoint_is_a_port_next_to_the_primary() {
        let r = routes(&[warehouse("not_use", false), warehouse("auto_assign", false)]);
        let primary: SocketAddrV4 = "127.0.0.1:8000".parse().unwrap();
        assert_eq!(r, Routes::from([("127.0.0.1:8001".parse().unwrap(), primary)]));
        let r = routes(&[warehouse("bind_existing", true)]);
        assert_eq!(r.len(), 2);
        assert_eq!(r[&"127.0.0.1:8002".parse::<SocketAddrV4>().unwrap()], primary);
        assert!(routes(&[warehouse("not_use", false)]).is_empty());
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
        f.reconcile(&Routes::from([(at, target)]), &cancel).await;
        let mut c = TcpStream::connect(at).await.unwrap();
        c.write_all(b"ping").await.unwrap();
        let mut back = [0u8; 4];
        c.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"PING");
        f.reconcile(&Routes::new(), &cancel).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(TcpStream::connect(at).await.is_err(), "still listening after the unbind");
    }
}
