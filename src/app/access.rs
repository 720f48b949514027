//! Access to search clusters (Alibaba network settings, white lists, HTTPS,
//! the administrator's password): recorded in one store transaction, refused
//! while a task holds the cluster; the forwarder serves what is recorded.

use uuid::Uuid;

use super::App;
use crate::core::access::{ModifyMode, WhiteIpKind};
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
        self.endpoints_changed.notify_one();
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
