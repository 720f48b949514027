//! CSS index snapshots: the snapshot function and its policy are recorded
//! edits; a snapshot itself needs an engine that can take one.

use uuid::Uuid;

use super::App;
use crate::core::cluster::Product;
use crate::core::index_snapshot::{self, IndexSnapshots, PolicyInput};
use crate::core::search::SearchSpec;
use crate::core::CoreError;

/// A change of a cluster's snapshot function.
#[derive(Debug, Clone)]
pub enum SnapshotSetting {
    /// `index_snapshot/setting`: on, snapshots going here.
    Set { bucket: String, base_path: String, agency: String },
    /// `index_snapshot/auto_setting`: on, with a bucket of the cluster's own.
    Automatic,
    /// `DELETE index_snapshots`: off.
    Off,
    Policy(PolicyInput),
}

impl App {
    pub async fn css_snapshot_setting(&self, project_id: &str, id: Uuid, change: SnapshotSetting) -> Result<(), CoreError> {
        let what = format!("snapshot setting: {}", match &change {
            SnapshotSetting::Set { .. } => "set",
            SnapshotSetting::Automatic => "automatic",
            SnapshotSetting::Off => "off",
            SnapshotSetting::Policy(_) => "policy",
        });
        let key = id.simple().to_string()[..12].to_string();
        self.edit_search(project_id, id, Product::Css, move |s| {
            let now = &s.index_snapshots;
            let next: IndexSnapshots = match &change {
                SnapshotSetting::Set { bucket, base_path, agency } => now.set(bucket, base_path, agency)?,
                SnapshotSetting::Automatic => now.automatic(&s.name, &key),
                SnapshotSetting::Off => now.off()?,
                SnapshotSetting::Policy(p) => now.with_policy(p)?,
            };
            Ok(SearchSpec { index_snapshots: next, ..s.clone() })
        })
        .await?;
        self.event(id, "snapshot_setting", what).await;
        Ok(())
    }

    /// Why a manual index snapshot is refused: its name, the function off,
    /// or, past those, the members' engine, which takes none (no driver strato
    /// runs does yet; the osmem stand-in has no `_snapshot` API).
    pub async fn css_snapshot_refusal(&self, project_id: &str, id: Uuid, name: &str, description: &str) -> CoreError {
        match self.snapshot_refusal(project_id, id, name, description).await {
            Ok(why) | Err(why) => why,
        }
    }

    async fn snapshot_refusal(&self, project_id: &str, id: Uuid, name: &str, description: &str) -> Result<CoreError, CoreError> {
        index_snapshot::snapshot_name(name)?;
        crate::core::validate::plain_text(description, crate::core::error::Field::SnapshotDescription, "description")?;
        let cluster = self.cluster(project_id, id, Product::Css).await?;
        let spec = cluster.spec.search().ok_or_else(|| CoreError::NotSupported("index snapshots".into()))?;
        if !spec.index_snapshots.available {
            return Err(CoreError::WrongState { state: "without the snapshot function (index_snapshot/setting or auto_setting first)".into() });
        }
        let binding = self.engines.of(spec.datastore.engine()).binding();
        let why = if crate::engine::service::is_stand_in(&binding) {
            format!("the members run on a stand-in ({binding}) that keeps its indices in memory and has no _snapshot API, so they cannot be snapshotted")
        } else {
            format!("taking index snapshots through _snapshot is not implemented for the members' driver ({binding}) yet")
        };
        Ok(CoreError::NotSupported(why))
    }
}
