//! Who may reach a search cluster, and how: public access to its members
//! (Alibaba `network-trigger` WORKER/PUBLIC, served by strato's forwarder)
//! and the white-IP groups of Alibaba's `modify-white-ips`. Pure rules: the
//! app records the result in one store transaction.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use super::error::{CoreError, Field};

/// The four white-IP lists of an Alibaba instance (`whiteIpType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WhiteIpKind {
    #[serde(rename = "PRIVATE_ES")]
    PrivateEs,
    #[serde(rename = "PUBLIC_ES")]
    PublicEs,
    #[serde(rename = "PRIVATE_KIBANA")]
    PrivateKibana,
    #[serde(rename = "PUBLIC_KIBANA")]
    PublicKibana,
}

impl WhiteIpKind {
    pub const ALL: [WhiteIpKind; 4] = [WhiteIpKind::PrivateEs, WhiteIpKind::PublicEs, WhiteIpKind::PrivateKibana, WhiteIpKind::PublicKibana];

    pub fn as_str(self) -> &'static str {
        match self {
            WhiteIpKind::PrivateEs => "PRIVATE_ES",
            WhiteIpKind::PublicEs => "PUBLIC_ES",
            WhiteIpKind::PrivateKibana => "PRIVATE_KIBANA",
            WhiteIpKind::PublicKibana => "PUBLIC_KIBANA",
        }
    }

    pub fn parse(s: &str) -> Option<WhiteIpKind> {
        WhiteIpKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }

    /// The kind a (`nodeType`, `networkType`) pair names.
    pub fn of(node_type: &str, network_type: &str) -> Result<WhiteIpKind, CoreError> {
        match (node_type.trim(), network_type.trim()) {
            ("WORKER", "PRIVATE") => Ok(WhiteIpKind::PrivateEs),
            ("WORKER", "PUBLIC") => Ok(WhiteIpKind::PublicEs),
            ("KIBANA", "PRIVATE") => Ok(WhiteIpKind::PrivateKibana),
            ("KIBANA", "PUBLIC") => Ok(WhiteIpKind::PublicKibana),
            (n, w) => Err(CoreError::invalid(
                Field::Network,
                format!("nodeType must be WORKER or KIBANA and networkType PUBLIC or PRIVATE, got `{n}` / `{w}`"),
            )),
        }
    }

    fn public(self) -> bool {
        matches!(self, WhiteIpKind::PublicEs | WhiteIpKind::PublicKibana)
    }

    /// Kibana lists: strato runs no Kibana, so there is nothing to protect.
    pub fn kibana(self) -> bool {
        matches!(self, WhiteIpKind::PrivateKibana | WhiteIpKind::PublicKibana)
    }
}

/// One named white-IP group of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhiteIpGroup {
    pub name: String,
    pub kind: WhiteIpKind,
    pub ips: Vec<String>,
}

/// How a group is changed (`modifyMode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModifyMode {
    Cover,
    Append,
    Delete,
}

impl ModifyMode {
    pub fn parse(s: Option<&str>) -> Result<ModifyMode, CoreError> {
        match s.map(str::trim) {
            None | Some("" | "Cover") => Ok(ModifyMode::Cover),
            Some("Append") => Ok(ModifyMode::Append),
            Some("Delete") => Ok(ModifyMode::Delete),
            Some(other) => Err(CoreError::invalid(Field::WhiteIp, format!("modifyMode must be Cover, Append or Delete, got `{other}`"))),
        }
    }
}

/// A search cluster's access settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchAccess {
    /// Public access to the members: strato's forwarder listens at the first
    /// member's address, port + 1, and relays clients the public white-IP
    /// list admits to the members.
    #[serde(default)]
    pub public: bool,
    /// The white-IP groups; a new instance has the private `default` group
    /// `0.0.0.0/0` (every private client), no public one (no public client).
    #[serde(default = "SearchAccess::initial_groups")]
    pub groups: Vec<WhiteIpGroup>,
    /// CSS: public access without a white list admits every client.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub public_open_to_all: bool,
    /// CSS: the public bandwidth asked for, Mbit/s (recorded: loopback has no meter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth_mbit: Option<u32>,
}

impl Default for SearchAccess {
    fn default() -> Self {
        SearchAccess { public: false, groups: SearchAccess::initial_groups(), public_open_to_all: false, bandwidth_mbit: None }
    }
}

/// CSS public bandwidth, Mbit/s.
pub const CSS_BANDWIDTH: (i64, i64) = (1, 200);

/// A CSS public-access change (`public/open`, `close`, `bandwidth`,
/// `whitelist/update`, `whitelist/close`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CssPublic {
    Open { bandwidth: i64, white_list: Option<String> },
    Close,
    Bandwidth(i64),
    WhiteList(String),
    WhiteListClose,
}

/// The group `whiteIpList` changes.
pub const DEFAULT_GROUP: &str = "default";
/// At most this many addresses per list, groups together (Alibaba allows 300).
pub const MAX_IPS: usize = 300;
/// The port offset of the public endpoint from the members' port.
pub const PUBLIC_PORT_OFFSET: u16 = 1;

impl SearchAccess {
    fn initial_groups() -> Vec<WhiteIpGroup> {
        vec![WhiteIpGroup { name: DEFAULT_GROUP.into(), kind: WhiteIpKind::PrivateEs, ips: vec!["0.0.0.0/0".into()] }]
    }

    /// The flat list of a kind: every group's addresses, in order, once each
    /// (what `publicIpWhitelist` and its siblings show).
    pub fn list(&self, kind: WhiteIpKind) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for ip in self.groups.iter().filter(|g| g.kind == kind).flat_map(|g| &g.ips) {
            if !out.contains(ip) {
                out.push(ip.clone());
            }
        }
        out
    }

    /// Whether the public endpoint admits a client at `peer`.
    pub fn admits_public(&self, peer: IpAddr) -> bool {
        self.public_open_to_all || admits(&self.list(WhiteIpKind::PublicEs), peer)
    }

    /// The settings after a CSS public-access change. Opening what is open
    /// or closing what is closed is `Unchanged`; the others need it open.
    pub fn css_public(&self, change: &CssPublic) -> Result<SearchAccess, CoreError> {
        let closed = || CoreError::WrongState { state: "without public access".into() };
        let mut next = self.clone();
        match change {
            CssPublic::Open { .. } if self.public => return Err(CoreError::invalid(Field::Unchanged, "public access is open already")),
            CssPublic::Open { bandwidth, white_list } => {
                next.public = true;
                next.bandwidth_mbit = Some(css_bandwidth(*bandwidth)?);
                match white_list.as_deref().filter(|w| !w.trim().is_empty()) {
                    Some(list) => next = next.with_public_list(list)?,
                    None => {
                        next.public_open_to_all = true;
                        next.groups.retain(|g| g.kind != WhiteIpKind::PublicEs);
                    }
                }
            }
            CssPublic::Close if !self.public => return Err(CoreError::invalid(Field::Unchanged, "public access is not open")),
            CssPublic::Close => {
                next.public = false;
                next.public_open_to_all = false;
                next.bandwidth_mbit = None;
                next.groups.retain(|g| g.kind != WhiteIpKind::PublicEs);
            }
            _ if !self.public => return Err(closed()),
            CssPublic::Bandwidth(b) => next.bandwidth_mbit = Some(css_bandwidth(*b)?),
            CssPublic::WhiteList(list) => next = next.with_public_list(list)?,
            CssPublic::WhiteListClose if self.public_open_to_all => {
                return Err(CoreError::invalid(Field::Unchanged, "the public white list is not on"))
            }
            CssPublic::WhiteListClose => {
                next.public_open_to_all = true;
                next.groups.retain(|g| g.kind != WhiteIpKind::PublicEs);
            }
        }
        Ok(next)
    }

    /// CSS's white list (`a,b,c`) as the public list, on.
    fn with_public_list(&self, list: &str) -> Result<SearchAccess, CoreError> {
        let ips: Vec<String> = list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect();
        if ips.is_empty() {
            return Err(CoreError::invalid(Field::WhiteIp, "the white list names no address"));
        }
        let next = SearchAccess { public_open_to_all: false, ..self.clone() };
        next.modified(WhiteIpKind::PublicEs, DEFAULT_GROUP, ModifyMode::Cover, &ips)
    }

    /// The settings after a `modifyMode` change of `group` of `kind` to `ips`.
    pub fn modified(&self, kind: WhiteIpKind, group: &str, mode: ModifyMode, ips: &[String]) -> Result<SearchAccess, CoreError> {
        if kind.kibana() {
            return Err(CoreError::NotEmulated(format!("{} white lists: strato runs no Kibana", kind.as_str())));
        }
        group_name(group)?;
        let ips = ips.iter().map(|ip| checked_ip(kind, ip)).collect::<Result<Vec<String>, CoreError>>()?;
        let mut groups = self.groups.clone();
        let at = groups.iter().position(|g| g.kind == kind && g.name == group);
        match (mode, at) {
            // Cover of a list with nothing in it removes the group; the default group stays, empty.
            (ModifyMode::Cover, Some(i)) if ips.is_empty() && group != DEFAULT_GROUP => drop(groups.remove(i)),
            (ModifyMode::Cover, Some(i)) => groups[i].ips = dedup(ips),
            (ModifyMode::Cover, None) if ips.is_empty() && group != DEFAULT_GROUP => {}
            (ModifyMode::Cover, None) => groups.push(WhiteIpGroup { name: group.into(), kind, ips: dedup(ips) }),
            (ModifyMode::Append | ModifyMode::Delete, None) if group != DEFAULT_GROUP => {
                return Err(CoreError::invalid(Field::WhiteIp, format!("there is no {} white-IP group `{group}`", kind.as_str())))
            }
            (ModifyMode::Append, None) => groups.push(WhiteIpGroup { name: group.into(), kind, ips: dedup(ips) }),
            (ModifyMode::Append, Some(i)) => groups[i].ips = dedup(groups[i].ips.iter().cloned().chain(ips).collect()),
            (ModifyMode::Delete, None) => return Err(CoreError::invalid(Field::WhiteIp, "the list has no addresses to delete")),
            (ModifyMode::Delete, Some(i)) => {
                let left: Vec<String> = groups[i].ips.iter().filter(|ip| !ips.contains(ip)).cloned().collect();
                if left.is_empty() {
                    return Err(CoreError::invalid(Field::WhiteIp, "a Delete must leave at least one address in the group (Cover it with [] to empty it)"));
                }
                groups[i].ips = left;
            }
        }
        let next = SearchAccess { groups, ..self.clone() };
        if next.list(kind).len() > MAX_IPS {
            return Err(CoreError::invalid(Field::WhiteIp, format!("a white list holds at most {MAX_IPS} addresses")));
        }
        Ok(next)
    }

    /// The settings after `network-trigger` opens or closes an endpoint.
    /// Only the members' public endpoint can be opened or closed here: the
    /// private one always serves, and strato runs no Kibana.
    pub fn triggered(&self, kind: WhiteIpKind, open: bool) -> Result<SearchAccess, CoreError> {
        match kind {
            WhiteIpKind::PublicEs if self.public == open => Err(CoreError::invalid(
                Field::Unchanged,
                format!("public access is {} already", if open { "open" } else { "closed" }),
            )),
            WhiteIpKind::PublicEs => Ok(SearchAccess { public: open, ..self.clone() }),
            WhiteIpKind::PrivateEs => Err(CoreError::invalid(Field::Network, "the private endpoint of the members always serves; it cannot be opened or closed")),
            WhiteIpKind::PrivateKibana | WhiteIpKind::PublicKibana => {
                Err(CoreError::NotEmulated(format!("{} access: strato runs no Kibana", kind.as_str())))
            }
        }
    }
}

/// A static route of a CSS Logstash cluster (`route`, `add_ip` / `del_ip`):
/// recorded and shown (the members' host routes are the machine's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaticRoute {
    pub ip: String,
    pub netmask: String,
    pub updated_at: super::Millis,
}

/// At most this many static routes per cluster.
pub const MAX_ROUTES: usize = 100;

/// The routes after adding (or, `add` false, deleting) `ip`/`netmask`.
pub fn routes_changed(current: &[StaticRoute], add: bool, ip: &str, netmask: &str, now: super::Millis) -> Result<Vec<StaticRoute>, CoreError> {
    let bad = |m: String| CoreError::invalid(Field::Route, m);
    let addr: std::net::Ipv4Addr = ip.trim().parse().map_err(|_| bad(format!("configkey `{ip}` is not an IPv4 address")))?;
    if addr.octets()[0] == 0 {
        return Err(bad(format!("configkey `{ip}` may not start with 0")));
    }
    let mask: std::net::Ipv4Addr = netmask.trim().parse().map_err(|_| bad(format!("configvalue `{netmask}` is not a netmask")))?;
    let bits = u32::from(mask);
    if bits.leading_ones() + bits.trailing_zeros() != 32 {
        return Err(bad(format!("configvalue `{netmask}` is not a netmask (its ones must be contiguous)")));
    }
    let (ip, netmask) = (addr.to_string(), mask.to_string());
    let mut next: Vec<StaticRoute> = current.iter().filter(|r| r.ip != ip).cloned().collect();
    if add {
        next.push(StaticRoute { ip, netmask, updated_at: now });
        if next.len() > MAX_ROUTES {
            return Err(bad(format!("a cluster has at most {MAX_ROUTES} routes")));
        }
    } else if next.len() == current.len() {
        return Err(bad(format!("there is no route to {ip}")));
    }
    Ok(next)
}

fn css_bandwidth(b: i64) -> Result<u32, CoreError> {
    if (CSS_BANDWIDTH.0..=CSS_BANDWIDTH.1).contains(&b) {
        Ok(b as u32)
    } else {
        Err(CoreError::invalid(Field::Bandwidth, format!("the bandwidth must be {} to {} Mbit/s, got {b}", CSS_BANDWIDTH.0, CSS_BANDWIDTH.1)))
    }
}

fn dedup(ips: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(ips.len());
    for ip in ips {
        if !out.contains(&ip) {
            out.push(ip);
        }
    }
    out
}

/// Group names: 1–30 of lower-case letters, digits and `_`, starting with a letter.
fn group_name(name: &str) -> Result<(), CoreError> {
    let ok = (1..=30).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(CoreError::invalid(Field::WhiteIp, format!("group name `{name}` must be 1-30 lower-case letters, digits and _, starting with a letter")))
    }
}

/// An address or a CIDR block; a public list may not hold private (RFC 1918,
/// unique-local) addresses, as Alibaba refuses them.
fn checked_ip(kind: WhiteIpKind, ip: &str) -> Result<String, CoreError> {
    let ip = ip.trim();
    let net = parse(ip).ok_or_else(|| CoreError::invalid(Field::WhiteIp, format!("`{ip}` is not an IP address or CIDR block")))?;
    let private = match net.addr() {
        IpAddr::V4(a) => a.is_private(),
        IpAddr::V6(a) => (a.segments()[0] & 0xfe00) == 0xfc00,
    };
    if kind.public() && private && net.prefix_len() > 0 {
        return Err(CoreError::invalid(Field::WhiteIp, format!("a public white list cannot hold the private address `{ip}`")));
    }
    Ok(ip.to_string())
}

fn parse(ip: &str) -> Option<IpNet> {
    ip.parse::<IpNet>().ok().or_else(|| ip.parse::<IpAddr>().ok().map(IpNet::from))
}

/// Whether any entry of `list` covers `peer` (an IPv4 client also matches
/// its IPv4-mapped IPv6 form and the reverse).
pub fn admits(list: &[String], peer: IpAddr) -> bool {
    let peer = match peer {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(peer),
        v4 => v4,
    };
    list.iter().filter_map(|s| parse(s)).any(|net| net.contains(&peer))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ips(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_new_instance_admits_every_private_client_and_no_public_one() {
        let a = SearchAccess::default();
        assert_eq!(a.list(WhiteIpKind::PrivateEs), ips(&["0.0.0.0/0"]));
        assert!(a.list(WhiteIpKind::PublicEs).is_empty());
        assert!(!a.admits_public("127.0.0.1".parse().unwrap()));
        // A stored spec from before access settings decodes to the same.
        let old: SearchAccess = serde_json::from_str("{}").unwrap();
        assert_eq!(old, a);
    }

    #[test]
    fn cover_append_and_delete_follow_alibabas_group_rules() {
        let a = SearchAccess::default();
        let a = a.modified(WhiteIpKind::PublicEs, DEFAULT_GROUP, ModifyMode::Cover, &ips(&["127.0.0.1", "203.0.113.0/24"])).unwrap();
        assert!(a.admits_public("127.0.0.1".parse().unwrap()) && a.admits_public("203.0.113.9".parse().unwrap()));
        assert!(a.admits_public("::ffff:127.0.0.1".parse().unwrap()), "IPv4-mapped clients match");
        assert!(!a.admits_public("127.0.0.2".parse().unwrap()));
        let a = a.modified(WhiteIpKind::PublicEs, "ops", ModifyMode::Cover, &ips(&["198.51.100.7"])).unwrap();
        assert_eq!(a.list(WhiteIpKind::PublicEs), ips(&["127.0.0.1", "203.0.113.0/24", "198.51.100.7"]));
        let a = a.modified(WhiteIpKind::PublicEs, "ops", ModifyMode::Append, &ips(&["198.51.100.7", "198.51.100.8"])).unwrap();
        assert_eq!(a.list(WhiteIpKind::PublicEs).len(), 4, "appending an address there already keeps one");
        let a = a.modified(WhiteIpKind::PublicEs, "ops", ModifyMode::Delete, &ips(&["198.51.100.7"])).unwrap();
        assert!(a.modified(WhiteIpKind::PublicEs, "ops", ModifyMode::Delete, &ips(&["198.51.100.8"])).is_err(), "a Delete leaves one");
        let a = a.modified(WhiteIpKind::PublicEs, "ops", ModifyMode::Cover, &[]).unwrap();
        assert!(a.groups.iter().all(|g| g.name != "ops"), "Cover with [] removes a group");
        let a = a.modified(WhiteIpKind::PublicEs, DEFAULT_GROUP, ModifyMode::Cover, &[]).unwrap();
        assert!(a.list(WhiteIpKind::PublicEs).is_empty());
        assert!(a.modified(WhiteIpKind::PublicEs, "nope", ModifyMode::Append, &ips(&["1.2.3.4"])).is_err());
    }

    #[test]
    fn bad_addresses_private_addresses_in_public_lists_and_kibana_are_refused() {
        let a = SearchAccess::default();
        let field = |r: Result<SearchAccess, CoreError>| match r {
            Err(CoreError::Invalid { field, .. }) => Some(field),
            Err(CoreError::NotEmulated(_)) => None,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(a.modified(WhiteIpKind::PrivateEs, DEFAULT_GROUP, ModifyMode::Cover, &ips(&["10.0.0.300"]))), Some(Field::WhiteIp));
        assert_eq!(field(a.modified(WhiteIpKind::PublicEs, DEFAULT_GROUP, ModifyMode::Cover, &ips(&["192.168.1.0/24"]))), Some(Field::WhiteIp));
        assert_eq!(field(a.modified(WhiteIpKind::PublicEs, "Bad-Name", ModifyMode::Cover, &ips(&["1.2.3.4"]))), Some(Field::WhiteIp));
        assert_eq!(field(a.modified(WhiteIpKind::PublicKibana, DEFAULT_GROUP, ModifyMode::Cover, &ips(&["1.2.3.4"]))), None);
        assert!(a.modified(WhiteIpKind::PrivateEs, DEFAULT_GROUP, ModifyMode::Cover, &ips(&["192.168.1.0/24", "::1"])).is_ok());
        assert_eq!(field(a.triggered(WhiteIpKind::PublicEs, false)), Some(Field::Unchanged));
        assert!(a.triggered(WhiteIpKind::PublicEs, true).unwrap().public);
        assert_eq!(field(a.triggered(WhiteIpKind::PrivateEs, true)), Some(Field::Network));
        assert_eq!(field(a.triggered(WhiteIpKind::PublicKibana, true)), None);
        assert!(WhiteIpKind::of("WORKER", "INTERNET").is_err());
    }

    #[test]
    fn static_routes_are_checked_replaced_and_deleted() {
        let r = routes_changed(&[], true, "10.1.0.0", "255.255.0.0", 1).unwrap();
        assert_eq!((r[0].ip.as_str(), r[0].netmask.as_str()), ("10.1.0.0", "255.255.0.0"));
        let r = routes_changed(&r, true, "10.1.0.0", "255.255.255.0", 2).unwrap();
        assert_eq!((r.len(), r[0].netmask.as_str()), (1, "255.255.255.0"), "the same address again replaces it");
        for (ip, mask) in [("0.1.2.3", "255.0.0.0"), ("10.1.0.0", "255.0.255.0"), ("x", "255.0.0.0"), ("10.0.0.1", "300.0.0.0")] {
            assert!(routes_changed(&r, true, ip, mask, 3).is_err(), "{ip} {mask}");
        }
        assert!(routes_changed(&r, false, "10.2.0.0", "255.255.0.0", 3).is_err(), "no such route");
        assert!(routes_changed(&r, false, "10.1.0.0", "255.255.255.0", 3).unwrap().is_empty());
    }

    #[test]
    fn css_public_access_opens_to_all_or_to_its_white_list() {
        let a = SearchAccess::default();
        let peer: IpAddr = "198.51.100.7".parse().unwrap();
        assert!(matches!(a.css_public(&CssPublic::Bandwidth(5)), Err(CoreError::WrongState { .. })), "needs it open");
        let field = |r: Result<SearchAccess, CoreError>| match r {
            Err(CoreError::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(a.css_public(&CssPublic::Open { bandwidth: 0, white_list: None })), Field::Bandwidth);
        let open = a.css_public(&CssPublic::Open { bandwidth: 5, white_list: None }).unwrap();
        assert!(open.public && open.admits_public(peer) && open.bandwidth_mbit == Some(5), "no white list admits all");
        assert_eq!(field(open.css_public(&CssPublic::Open { bandwidth: 5, white_list: None })), Field::Unchanged);
        assert_eq!(field(open.css_public(&CssPublic::WhiteListClose)), Field::Unchanged);
        let listed = open.css_public(&CssPublic::WhiteList("127.0.0.1, 10.0.0.0/8".into()));
        assert_eq!(field(listed), Field::WhiteIp, "a public list takes no private addresses");
        let listed = open.css_public(&CssPublic::WhiteList("127.0.0.1,203.0.113.0/24".into())).unwrap();
        assert!(!listed.admits_public(peer) && listed.admits_public("203.0.113.9".parse().unwrap()));
        assert!(listed.css_public(&CssPublic::WhiteListClose).unwrap().admits_public(peer));
        let closed = listed.css_public(&CssPublic::Close).unwrap();
        assert!(!closed.public && closed.list(WhiteIpKind::PublicEs).is_empty() && closed.bandwidth_mbit.is_none());
        assert_eq!(field(closed.css_public(&CssPublic::Close)), Field::Unchanged);
    }
}
