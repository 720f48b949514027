//! Access to search clusters (Alibaba network settings, white lists, HTTPS,
//! the administrator's password): recorded in one store transaction, refused
//! while a task holds the cluster; the forwarder serves what is recorded.

use uuid::Uuid;

use super::App;
use crate::core::access::{self, CssPublic, ModifyMode, WhiteIpKind};
use crate::core::cluster::Product;
use crate::core::error::Field;
use crate::core::search::{self, Datastore, SearchSpec};
use crate::core::CoreError;

impl App {
    /// Records an access change and wakes the forwarder.
    async fn edit_access(
        &self,
        project_id: &str,
        id: Uuid,
        product: Product,
        what: String,
        edit: impl FnOnce(&SearchSpec) -> Result<SearchSpec, CoreError> + Send + 'static,
    ) -> Result<(), CoreError> {
        self.edit_search(project_id, id, product, edit).await?;
        self.endpoints_follow().await;
        self.event(id, "access_changed", what).await;
        Ok(())
    }

    /// Opens or closes an endpoint (`network-trigger`): the members' public
    /// endpoint is served by strato's forwarder while open.
    pub async fn trigger_network(&self, project_id: &str, id: Uuid, product: Product, kind: WhiteIpKind, open: bool) -> Result<(), CoreError> {
        let what = format!("{} access {}", kind.as_str(), if open { "opened" } else { "closed" });
        self.edit_access(project_id, id, product, what, move |s| {
            if s.datastore == Datastore::Logstash {
                return Err(CoreError::NotSupported("a Logstash cluster has no public endpoint".into()));
            }
            Ok(SearchSpec { access: s.access.triggered(kind, open)?, ..s.clone() })
        })
        .await
    }

    /// Changes a white-IP group (`modify-white-ips`).
    pub async fn modify_white_ips(
        &self,
        project_id: &str,
        id: Uuid,
        product: Product,
        kind: WhiteIpKind,
        group: String,
        mode: ModifyMode,
        ips: Vec<String>,
    ) -> Result<(), CoreError> {
        let what = format!("{} white list `{group}` changed ({mode:?}, {} address(es))", kind.as_str(), ips.len());
        self.edit_access(project_id, id, product, what, move |s| Ok(SearchSpec { access: s.access.modified(kind, &group, mode, &ips)?, ..s.clone() }))
            .await
    }

    /// Sets the protocol the instance is shown with (open-https /
    /// close-https). Recorded: the members serve HTTP (README).
    pub async fn set_search_https(&self, project_id: &str, id: Uuid, product: Product, on: bool) -> Result<(), CoreError> {
        let what = format!("HTTPS {}", if on { "opened" } else { "closed" });
        self.edit_access(project_id, id, product, what, move |s| {
            if s.https == on {
                return Err(CoreError::invalid(Field::Unchanged, format!("HTTPS is {} already", if on { "on" } else { "off" })));
            }
            Ok(SearchSpec { https: on, ..s.clone() })
        })
        .await
    }

    /// A new administrator password (`admin-pwd`): checked against the
    /// product's rule and refused while a task runs; the members run without
    /// security, so there is nothing to set in them and nothing is stored.
    pub async fn set_search_admin_password(&self, project_id: &str, id: Uuid, product: Product, password: &str) -> Result<(), CoreError> {
        search::aliyun_password(password)?;
        self.edit_search(project_id, id, product, |s| Ok(s.clone())).await?;
        self.event(id, "admin_password", "administrator password changed (members run without security)".into()).await;
        Ok(())
    }
}

/// CSS's security, public access and network settings, and a Logstash
/// cluster's name and routes: recorded edits like the Alibaba ones.
impl App {
    /// A public-access change; opening needs HTTPS on (CSS.5310).
    pub async fn css_public(&self, project_id: &str, id: Uuid, change: CssPublic) -> Result<(), CoreError> {
        let what = format!("public access: {change:?}");
        self.edit_access(project_id, id, Product::Css, what, move |s| {
            if s.datastore == Datastore::Logstash {
                return Err(CoreError::NotSupported("a Logstash cluster has no public endpoint".into()));
            }
            if matches!(change, CssPublic::Open { .. }) && !s.https {
                return Err(CoreError::invalid(Field::Network, "public access needs HTTPS: turn it on with mode/change first"));
            }
            Ok(SearchSpec { access: s.access.css_public(&change)?, ..s.clone() })
        })
        .await
    }

    /// The security mode (`mode/change`): recorded; the members run without
    /// security either way (README). HTTPS needs the security mode, which
    /// needs an administrator password; public access must be closed first.
    pub async fn css_security_mode(&self, project_id: &str, id: Uuid, authority: bool, https: bool, admin_password: Option<String>) -> Result<(), CoreError> {
        if https && !authority {
            return Err(CoreError::invalid(Field::Security, "HTTPS needs the security mode (authorityEnable)"));
        }
        if authority {
            search::css_password(admin_password.as_deref().unwrap_or_default())?;
        }
        let what = format!("security mode {}, HTTPS {}", on_off(authority), on_off(https));
        self.edit_access(project_id, id, Product::Css, what, move |s| {
            if s.access.public && !https {
                return Err(CoreError::WrongState { state: "open to the public: close public access before turning HTTPS off".into() });
            }
            if s.authority == authority && s.https == https {
                return Err(CoreError::invalid(Field::Unchanged, "the cluster has this security mode already"));
            }
            Ok(SearchSpec { authority, https, ..s.clone() })
        })
        .await
    }

    /// `password/reset`: only in the security mode; checked, not stored
    /// (the members run without security).
    pub async fn css_reset_password(&self, project_id: &str, id: Uuid, password: &str) -> Result<(), CoreError> {
        search::css_password(password)?;
        self.edit_search(project_id, id, Product::Css, |s| {
            if !s.authority {
                return Err(CoreError::WrongState { state: "not in the security mode".into() });
            }
            Ok(s.clone())
        })
        .await?;
        self.event(id, "admin_password", "administrator password reset (members run without security)".into()).await;
        Ok(())
    }

    /// A new security group or subnet (recorded: loopback has neither).
    pub async fn set_search_network(&self, project_id: &str, id: Uuid, product: Product, security_group: Option<String>, subnet: Option<String>) -> Result<(), CoreError> {
        for (v, field) in [(&security_group, Field::SecurityGroupId), (&subnet, Field::SubnetId)] {
            if let Some(v) = v {
                crate::core::validate::network_id(v, field)?;
            }
        }
        let what = format!("network: security group {security_group:?}, subnet {subnet:?}");
        self.edit_access(project_id, id, product, what, move |s| {
            Ok(SearchSpec {
                security_group_id: security_group.unwrap_or_else(|| s.security_group_id.clone()),
                subnet_id: subnet.unwrap_or_else(|| s.subnet_id.clone()),
                ..s.clone()
            })
        })
        .await
    }

    /// Renames a CSS cluster (`changename`): the name must be free in the project.
    pub async fn rename_search(&self, project_id: &str, id: Uuid, product: Product, name: String, description: Option<String>) -> Result<(), CoreError> {
        search::css_name(&name)?;
        if let Some(d) = &description {
            crate::core::validate::plain_text(d, Field::Description, "desc")?;
        }
        let what = format!("renamed to {name}");
        self.edit_search(project_id, id, product, move |s| Ok(SearchSpec { name, description: description.unwrap_or_else(|| s.description.clone()), ..s.clone() }))
            .await?;
        self.event(id, "rename_cluster", what).await;
        Ok(())
    }

    /// Adds or deletes a static route of a Logstash cluster.
    pub async fn css_route(&self, project_id: &str, id: Uuid, add: bool, ip: String, netmask: String) -> Result<(), CoreError> {
        let what = format!("route {} {ip}/{netmask}", if add { "added" } else { "deleted" });
        let now = crate::core::now_ms();
        self.edit_access(project_id, id, Product::Css, what, move |s| {
            if s.datastore != Datastore::Logstash {
                return Err(CoreError::NotSupported("only Logstash clusters have routes".into()));
            }
            Ok(SearchSpec { routes: access::routes_changed(&s.routes, add, &ip, &netmask, now)?, ..s.clone() })
        })
        .await
    }
}

fn on_off(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}
