//! strato: a self-hosted control plane for managed data clusters whose every
//! cluster is backed by real engine processes.
//!
//! Layers (see ARCHITECTURE.md): `core` (domain, no IO) → `store`
//! (persistence) and `engine` (processes) → `jobs` (durable runner) and
//! `health` (observation) → `app` (service) → `api` (one module per dialect)
//! and `cli`.

pub mod api;
pub mod app;
pub mod auth;
pub mod bench;
pub mod cli;
pub mod core;
pub mod endpoints;
pub mod engine;
pub mod faults;
pub mod health;
pub mod init_scripts;
pub mod jobs;
pub mod metrics;
pub mod observed;
pub mod scheduler;
pub mod server;
pub mod store;
