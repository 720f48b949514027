//! Logstash pipelines (Alibaba CreatePipelines and its siblings): what a
//! pipeline is, the rules its fields follow, and how a set of them changes.
//! A pipeline is saved on the cluster's spec; a deployed one is written into
//! every member's configuration by a change task (members restarted one at a
//! time), so `deployed` says what the members were given.

use serde::{Deserialize, Serialize};

use super::error::{CoreError, Field};
use super::Millis;

/// At most this many pipelines per instance (Alibaba's limit).
pub const MAX_PIPELINES: usize = 20;
/// A pipeline's configuration: at most this many bytes.
pub const MAX_CONFIG_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueueType {
    #[serde(rename = "MEMORY")]
    Memory,
    #[serde(rename = "PERSISTED")]
    Persisted,
}

impl QueueType {
    pub fn as_str(self) -> &'static str {
        match self {
            QueueType::Memory => "MEMORY",
            QueueType::Persisted => "PERSISTED",
        }
    }

    /// Logstash's own name (`queue.type`).
    pub fn logstash(self) -> &'static str {
        match self {
            QueueType::Memory => "memory",
            QueueType::Persisted => "persisted",
        }
    }
}

/// A saved pipeline. Settings left unset are Logstash's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pipeline {
    pub id: String,
    #[serde(default)]
    pub description: String,
    /// The pipeline in Logstash's configuration language.
    pub config: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workers: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_size: Option<u32>,
    /// Milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch_delay: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_type: Option<QueueType>,
    /// MB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_max_bytes: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue_checkpoint_writes: Option<u32>,
    /// Written into the members' configuration (as saved).
    #[serde(default)]
    pub deployed: bool,
    pub created_at: Millis,
    pub updated_at: Millis,
}

/// A pipeline as a create or update asks for it (fields checked by `checked`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PipelineInput {
    pub id: Option<String>,
    pub description: Option<String>,
    pub config: Option<String>,
    pub workers: Option<i64>,
    pub batch_size: Option<i64>,
    pub batch_delay: Option<i64>,
    pub queue_type: Option<String>,
    pub queue_max_bytes: Option<i64>,
    pub queue_checkpoint_writes: Option<i64>,
}

fn invalid(m: impl Into<String>) -> CoreError {
    CoreError::invalid(Field::Pipeline, m)
}

/// Pipeline ids: 1–64 letters, digits, `_` and `-`, starting with a letter
/// or `_` (Logstash's own rule; Alibaba documents none).
pub fn pipeline_id(id: &str) -> Result<(), CoreError> {
    let ok = (1..=64).contains(&id.len())
        && id.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok {
        Ok(())
    } else {
        Err(invalid(format!("pipelineId `{id}` must be 1-64 letters, digits, _ and -, starting with a letter or _")))
    }
}

fn setting(v: Option<i64>, name: &str, min: i64, max: i64) -> Result<Option<u32>, CoreError> {
    match v {
        None => Ok(None),
        Some(n) if (min..=max).contains(&n) => Ok(Some(n as u32)),
        Some(n) => Err(invalid(format!("{name} must be between {min} and {max}, got {n}"))),
    }
}

impl PipelineInput {
    /// The pipeline this input makes, over `base` (an update keeps what it does not say).
    fn checked(&self, base: Option<&Pipeline>, now: Millis) -> Result<Pipeline, CoreError> {
        let id = self.id.as_deref().map(str::trim).unwrap_or_default().to_string();
        pipeline_id(&id)?;
        let config = match (&self.config, base) {
            (Some(c), _) => c.clone(),
            (None, Some(b)) => b.config.clone(),
            (None, None) => return Err(invalid(format!("pipeline `{id}`: config is required"))),
        };
        if config.trim().is_empty() || config.len() > MAX_CONFIG_BYTES || config.contains('\0') {
            return Err(invalid(format!("pipeline `{id}`: config must be non-empty text of at most {MAX_CONFIG_BYTES} bytes")));
        }
        let description = self.description.clone().or_else(|| base.map(|b| b.description.clone())).unwrap_or_default();
        super::validate::plain_text(&description, Field::Pipeline, "description")?;
        if description.chars().count() > 256 {
            return Err(invalid(format!("pipeline `{id}`: description is longer than 256 characters")));
        }
        let queue_type = match self.queue_type.as_deref().map(str::trim) {
            None => base.and_then(|b| b.queue_type),
            Some("MEMORY") => Some(QueueType::Memory),
            Some("PERSISTED") => Some(QueueType::Persisted),
            Some(other) => return Err(invalid(format!("queueType must be MEMORY or PERSISTED, got `{other}`"))),
        };
        let keep = |v: Option<u32>, f: fn(&Pipeline) -> Option<u32>| v.or_else(|| base.and_then(f));
        Ok(Pipeline {
            id,
            description,
            config,
            workers: keep(setting(self.workers, "workers", 1, 64)?, |b| b.workers),
            batch_size: keep(setting(self.batch_size, "batchSize", 1, 100_000)?, |b| b.batch_size),
            batch_delay: keep(setting(self.batch_delay, "batchDelay", 0, 3_600_000)?, |b| b.batch_delay),
            queue_type,
            queue_max_bytes: keep(setting(self.queue_max_bytes, "queueMaxBytes", 1, 1_048_576)?, |b| b.queue_max_bytes),
            queue_checkpoint_writes: keep(setting(self.queue_checkpoint_writes, "queueCheckPointWrites", 0, 1_000_000)?, |b| b.queue_checkpoint_writes),
            deployed: false,
            created_at: base.map(|b| b.created_at).unwrap_or(now),
            updated_at: now,
        })
    }
}

/// How a set of pipelines changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PipelineEdit {
    /// New pipelines (none of their ids may exist).
    Create(Vec<PipelineInput>),
    /// Existing pipelines, changed (each id must exist).
    Update(Vec<PipelineInput>),
    Delete(Vec<String>),
    /// Deploy (`true`) or stop (`false`) these pipelines as they are saved.
    Run(Vec<String>, bool),
}

/// The pipelines after `edit`; with `deploy`, the pipelines it names are
/// deployed. Nothing changes unless every part is valid.
pub fn edited(current: &[Pipeline], edit: &PipelineEdit, deploy: bool, now: Millis) -> Result<Vec<Pipeline>, CoreError> {
    let mut next = current.to_vec();
    let find = |set: &[Pipeline], id: &str| set.iter().position(|p| p.id == id);
    let mut named: Vec<String> = Vec::new();
    match edit {
        PipelineEdit::Create(inputs) | PipelineEdit::Update(inputs) => {
            if inputs.is_empty() {
                return Err(invalid("the request names no pipeline"));
            }
            let creating = matches!(edit, PipelineEdit::Create(_));
            for input in inputs {
                let id = input.id.as_deref().map(str::trim).unwrap_or_default();
                if named.iter().any(|n| n == id) {
                    return Err(invalid(format!("pipeline `{id}` is named twice")));
                }
                let at = find(&next, id);
                let pipeline = match (creating, at) {
                    (true, Some(_)) => return Err(invalid(format!("pipeline `{id}` exists already"))),
                    (false, None) => return Err(invalid(format!("pipeline `{id}` does not exist"))),
                    (_, at) => input.checked(at.map(|i| &next[i]), now)?,
                };
                named.push(pipeline.id.clone());
                match at {
                    Some(i) => next[i] = pipeline,
                    None => next.push(pipeline),
                }
            }
        }
        PipelineEdit::Delete(ids) | PipelineEdit::Run(ids, _) => {
            if ids.is_empty() {
                return Err(invalid("the request names no pipeline"));
            }
            for id in ids {
                if find(&next, id).is_none() {
                    return Err(invalid(format!("pipeline `{id}` does not exist")));
                }
            }
            match edit {
                PipelineEdit::Delete(_) => next.retain(|p| !ids.contains(&p.id)),
                PipelineEdit::Run(_, run) => {
                    for p in next.iter_mut().filter(|p| ids.contains(&p.id)) {
                        p.deployed = *run;
                        p.updated_at = now;
                    }
                }
                _ => unreachable!("matched above"),
            }
        }
    }
    if next.len() > MAX_PIPELINES {
        return Err(invalid(format!("an instance has at most {MAX_PIPELINES} pipelines")));
    }
    if deploy {
        for p in next.iter_mut().filter(|p| named.contains(&p.id)) {
            p.deployed = true;
        }
    }
    Ok(next)
}

/// Whether the members must be given new configuration to move from
/// `current` to `next`: what is deployed differs.
pub fn redeploys(current: &[Pipeline], next: &[Pipeline]) -> bool {
    // What the members run: the deployed pipelines' ids, configurations and settings.
    let deployed = |set: &[Pipeline]| {
        let mut d: Vec<Pipeline> =
            set.iter().filter(|p| p.deployed).map(|p| Pipeline { description: String::new(), created_at: 0, updated_at: 0, ..p.clone() }).collect();
        d.sort_by(|a, b| a.id.cmp(&b.id));
        d
    };
    deployed(current) != deployed(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(id: &str, config: &str) -> PipelineInput {
        PipelineInput { id: Some(id.into()), config: Some(config.into()), ..PipelineInput::default() }
    }

    #[test]
    fn create_update_run_and_delete_keep_the_rules() {
        let created = edited(&[], &PipelineEdit::Create(vec![input("main_in", "input {}"), input("b", "output {}")]), false, 1).unwrap();
        assert_eq!(created.len(), 2);
        assert!(created.iter().all(|p| !p.deployed && p.created_at == 1));
        assert!(edited(&created, &PipelineEdit::Create(vec![input("b", "x")]), false, 2).is_err(), "an id that exists");
        assert!(edited(&created, &PipelineEdit::Update(vec![input("c", "x")]), false, 2).is_err(), "an id that does not");
        assert!(edited(&[], &PipelineEdit::Create(vec![input("1bad", "x")]), false, 2).is_err());
        assert!(edited(&[], &PipelineEdit::Create(vec![input("a", "  ")]), false, 2).is_err());
        assert!(edited(&[], &PipelineEdit::Create(vec![input("a", "x"), input("a", "y")]), false, 2).is_err());
        let bad_queue = PipelineInput { queue_type: Some("DISK".into()), ..input("q", "x") };
        assert!(edited(&[], &PipelineEdit::Create(vec![bad_queue]), false, 2).is_err());
        let bad_workers = PipelineInput { workers: Some(0), ..input("w", "x") };
        assert!(edited(&[], &PipelineEdit::Create(vec![bad_workers]), false, 2).is_err());

        // Save and deploy: only the named pipeline is deployed; an update keeps what it does not say.
        let update = PipelineInput { id: Some("b".into()), batch_size: Some(250), ..PipelineInput::default() };
        let deployed = edited(&created, &PipelineEdit::Update(vec![update]), true, 3).unwrap();
        let b = deployed.iter().find(|p| p.id == "b").unwrap();
        assert_eq!((b.config.as_str(), b.batch_size, b.deployed, b.created_at, b.updated_at), ("output {}", Some(250), true, 1, 3));
        assert!(redeploys(&created, &deployed));
        let stopped = edited(&deployed, &PipelineEdit::Run(vec!["b".into()], false), false, 4).unwrap();
        assert!(stopped.iter().all(|p| !p.deployed) && redeploys(&deployed, &stopped));
        let gone = edited(&created, &PipelineEdit::Delete(vec!["main_in".into()]), false, 5).unwrap();
        assert_eq!(gone.len(), 1);
        assert!(!redeploys(&created, &gone), "deleting an undeployed pipeline touches no member");
        let many: Vec<PipelineInput> = (0..21).map(|i| input(&format!("p{i}"), "x")).collect();
        assert!(edited(&[], &PipelineEdit::Create(many), false, 6).is_err());
    }
}
