//! `strato bench`: measurements that print figures next to a baseline run in
//! the same invocation (these machines are noisy; ratios travel).
//! - `engines` (the default): create, restart, snapshot, restore and resume
//!   through the API next to hand-written scripts doing the same engine steps;
//! - `reads` (`--reads`): the read paths and idle cost with thousands of
//!   clusters in the store, next to moto_server's DescribeClusters.

mod engines;
mod load;
pub(crate) mod reads;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::bail;
use serde_json::Value;

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Repetitions of each measurement (the median is reported).
    #[arg(long, default_value_t = 5)]
    pub iterations: usize,
    #[arg(long, env = "STRATO_PG_BIN_DIR")]
    pub pg_bin_dir: Option<PathBuf>,
    #[arg(long, env = "STRATO_ENGINE_USER", default_value = "postgres")]
    pub engine_user: String,
    /// Data to load before timing snapshot and restore, in MB (0 skips them).
    #[arg(long, default_value_t = 500)]
    pub snapshot_mb: u64,
    /// Skip the vector-cluster resume figure (it needs scripts/install-milvus).
    #[arg(long)]
    pub no_milvus: bool,
    /// Measure the read paths instead: GET and pages with thousands of clusters, idle cost.
    #[arg(long)]
    pub reads: bool,
    /// Seconds each read measurement runs.
    #[arg(long, default_value_t = 5)]
    pub read_secs: u64,
    /// Real 1-node clusters running while strato's idle cost is measured (0 skips it).
    #[arg(long, default_value_t = 30)]
    pub running: u32,
    /// The moto_server program (`pip install 'moto[server]'`) the GET figure is compared with
    /// (default: `moto_server` on PATH or in ./.venv/bin).
    #[arg(long)]
    pub moto_server: Option<PathBuf>,
    /// Seed this directory and leave it (and its server's files) behind, for profiling.
    #[arg(long, hide = true)]
    pub keep_dir: Option<PathBuf>,
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    if args.reads {
        reads::run(&args).await
    } else {
        engines::run(args).await
    }
}

/// Starts `strato server` on `dir` (ports picked by the system, 1-node
/// clusters allowed, `extra` arguments last) and waits for its endpoints.json.
fn spawn_server(dir: &Path, extra: &[&str]) -> anyhow::Result<(Child, Value)> {
    let path = dir.join("endpoints.json");
    let _ = std::fs::remove_file(&path);
    let child = Command::new(std::env::current_exe()?)
        .args(["server", "--iam-listen", "127.0.0.1:0", "--dws-listen", "127.0.0.1:0", "--zilliz-listen", "127.0.0.1:0"])
        .args(["--css-listen", "127.0.0.1:0", "--aliyun-listen", "127.0.0.1:0"])
        .args(["--min-nodes", "1", "--health-interval-ms", "1000"])
        .arg("--data-dir")
        .arg(dir)
        .args(extra)
        .env("STRATO_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    for _ in 0..6000 {
        if let Ok(t) = std::fs::read_to_string(&path) {
            return Ok((child, serde_json::from_str(&t)?));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    bail!("the benchmark server did not start")
}
