//! The `strato` command line: the server, cluster operations over the
//! vendor APIs (DWS, CSS, Alibaba, Zilliz: the same HTTP a user's scripts
//! use), and local administration of identity through the store.

mod admin;
mod aliyun;
mod client;
mod cluster;
pub mod openapi;
mod http;
mod search;
mod snapshot;
mod vector;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::server::ServerArgs;

#[derive(Parser)]
#[command(name = "strato", version, about = "Self-hosted control plane for managed data clusters")]
struct Cli {
    /// Log lines as `text` or as `json` objects (one per line, with their fields: cluster.id, job.id, duration_ms, ...).
    #[arg(long, global = true, env = "STRATO_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the control plane (identity and DWS listeners, job runner, health loop).
    Server(Box<ServerArgs>),
    /// Create, inspect and operate DWS clusters through a running server.
    Cluster {
        #[command(flatten)]
        conn: client::ConnArgs,
        #[command(subcommand)]
        command: cluster::ClusterCommand,
    },
    /// Snapshot clusters and restore snapshots into new clusters.
    Snapshot {
        #[command(flatten)]
        conn: client::ConnArgs,
        #[command(subcommand)]
        command: snapshot::SnapshotCommand,
    },
    /// Create, suspend, resume, resize and drop vector (Zilliz) clusters through a running server.
    Vector {
        #[command(flatten)]
        conn: vector::VectorConn,
        #[command(subcommand)]
        command: vector::VectorCommand,
    },
    /// Print a dialect's OpenAPI 3.1 document (what its listener serves at /openapi.json).
    Openapi {
        #[arg(value_enum)]
        dialect: openapi::Dialect,
    },
    /// Create, inspect, restart and delete search and log (CSS) clusters through a running server.
    Search {
        #[command(flatten)]
        conn: search::SearchConn,
        #[command(subcommand)]
        command: search::SearchCommand,
    },
    /// Alibaba Cloud Elasticsearch and Logstash instances (ACS3-signed requests) through a running server.
    Aliyun {
        #[command(flatten)]
        conn: aliyun::AliyunConn,
        #[command(subcommand)]
        command: aliyun::AliyunCommand,
    },
    /// Time cluster operations next to a hand-written script doing the same PostgreSQL steps.
    Bench(crate::bench::BenchArgs),
    /// Manage domains, users, projects and access keys (works on the data directory).
    Admin {
        #[arg(long, env = "STRATO_DATA_DIR", default_value = "strato-data")]
        data_dir: PathBuf,
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
}

/// A percentage bar on stderr, hidden when stderr is not a terminal.
pub(crate) fn progress_bar(label: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    let bar = indicatif::ProgressBar::new(100);
    if !std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos:>3}% {elapsed}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(label.to_string());
    bar
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("STRATO_LOG").unwrap_or_else(|_| {
        let default = match cli.command {
            Command::Server(_) => "info,tower_http=warn,sqlx=warn",
            _ => "warn",
        };
        tracing_subscriber::EnvFilter::new(default)
    });
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if cli.log_format == "json" {
        logs.json().init();
    } else {
        logs.init();
    }
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let result = rt.block_on(async move {
        match cli.command {
            Command::Server(args) => crate::server::run(*args).await,
            Command::Cluster { conn, command } => cluster::run(conn, command).await,
            Command::Snapshot { conn, command } => snapshot::run(conn, command).await,
            Command::Vector { conn, command } => vector::run(conn, command).await,
            Command::Openapi { dialect } => openapi::run(dialect),
            Command::Search { conn, command } => search::run(conn, command).await,
            Command::Aliyun { conn, command } => aliyun::run(conn, command).await,
            Command::Bench(args) => crate::bench::run(args).await,
            Command::Admin { data_dir, command } => admin::run(&data_dir, command).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
