//! `strato admin ...`: identity administration straight on the store (the
//! SQLite file may be shared with a running server; WAL allows it).

use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context};
use clap::Subcommand;

use crate::auth::identity::load_master_key;
use crate::auth::Identity;
use crate::store::sqlite::SqliteStore;
use crate::store::Store;

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a domain.
    DomainCreate { name: String },
    /// Create a project in a domain.
    ProjectCreate {
        name: String,
        #[arg(long)]
        domain: String,
    },
    /// Create a user in a domain (password from --password or STRATO_NEW_PASSWORD).
    UserCreate {
        name: String,
        #[arg(long)]
        domain: String,
        #[arg(long, env = "STRATO_NEW_PASSWORD", hide_env_values = true)]
        password: String,
        /// Projects (names in the same domain) to assign the user to.
        #[arg(long = "project")]
        projects: Vec<String>,
        /// The user may use strato's admin surface (`/_strato/`: health, reset).
        #[arg(long)]
        admin: bool,
    },
    /// Assign a user to a project.
    Assign {
        #[arg(long)]
        domain: String,
        #[arg(long)]
        user: String,
        #[arg(long)]
        project: String,
    },
    /// Create an access key (AK/SK) for a user; the secret is shown once.
    KeyCreate {
        #[arg(long)]
        domain: String,
        #[arg(long)]
        user: String,
        #[arg(long, default_value = "")]
        description: String,
    },
    KeyDelete { access_key: String },
    /// Create a bearer API key acting for a user in one project; the key is shown once.
    ApikeyCreate {
        #[arg(long)]
        domain: String,
        #[arg(long)]
        user: String,
        #[arg(long)]
        project: String,
        #[arg(long, default_value = "")]
        name: String,
    },
    ApikeyDelete { id: String },
    /// List domains, projects, users and access keys.
    List,
}

pub async fn run(data_dir: &Path, cmd: AdminCommand) -> anyhow::Result<()> {
    let db = data_dir.join("strato.db");
    if !db.exists() {
        bail!("no store at {}: start `strato server --data-dir {}` once first", db.display(), data_dir.display());
    }
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&db).await?);
    let key = load_master_key(&data_dir.join("master.key"))?;
    let id = Identity::new(store.clone(), std::sync::Arc::new(crate::auth::secrets::Secrets::new(key)), 0);
    let domain_id = |name: String| {
        let store = store.clone();
        async move { store.find_domain(&name).await?.map(|d| d.id).with_context(|| format!("no domain `{name}`")) }
    };
    let user_in = |d: String, name: String| {
        let store = store.clone();
        async move { store.find_user(&d, &name).await?.with_context(|| format!("no user `{name}`")) }
    };
    let project_in = |d: String, name: String| {
        let store = store.clone();
        async move { store.find_project(&d, &name).await?.with_context(|| format!("no project `{name}`")) }
    };
    match cmd {
        AdminCommand::DomainCreate { name } => println!("{}", id.create_domain(&name).await?.id),
        AdminCommand::ProjectCreate { name, domain } => {
            println!("{}", id.create_project(&domain_id(domain).await?, &name).await?.id)
        }
        AdminCommand::UserCreate { name, domain, password, projects, admin } => {
            let d = domain_id(domain).await?;
            let u = id.create_user(&d, &name, &password).await?;
            if admin {
                store.grant_admin(&u.id).await?;
            }
            for p in projects {
                let p = project_in(d.clone(), p).await?;
                store.assign(&u.id, &p.id).await?;
            }
            println!("{}", u.id);
        }
        AdminCommand::Assign { domain, user, project } => {
            let d = domain_id(domain).await?;
            let u = user_in(d.clone(), user).await?;
            let p = project_in(d.clone(), project).await?;
            store.assign(&u.id, &p.id).await?;
        }
        AdminCommand::KeyCreate { domain, user, description } => {
            let d = domain_id(domain).await?;
            let u = user_in(d.clone(), user).await?;
            let (k, secret) = id.create_access_key(&u.id, &description).await?;
            println!("access_key {}\nsecret_key {secret}", k.access_key);
        }
        AdminCommand::ApikeyCreate { domain, user, project, name } => {
            let d = domain_id(domain).await?;
            let u = user_in(d.clone(), user).await?;
            let p = project_in(d.clone(), project).await?;
            let (k, secret) = id.create_api_key(&u.id, &p.id, &name).await?;
            println!("id {}\napi_key {secret}", k.id);
        }
        AdminCommand::ApikeyDelete { id: key_id } => {
            if !store.delete_api_key(&key_id).await? {
                bail!("no API key `{key_id}`");
            }
        }
        AdminCommand::KeyDelete { access_key } => {
            if !store.delete_access_key(&access_key).await? {
                bail!("no access key `{access_key}`");
            }
        }
        AdminCommand::List => {
            for d in store.list_domains().await? {
                println!("domain  {}  {}", d.id, d.name);
            }
            for p in store.list_projects().await? {
                println!("project {}  {}  (domain {})", p.id, p.name, p.domain_id);
            }
            for u in store.list_users().await? {
                let projects: Vec<String> = store.user_projects(&u.id).await?.into_iter().map(|p| p.name).collect();
                println!("user    {}  {}  projects: {}", u.id, u.name, projects.join(","));
            }
            for k in store.list_access_keys().await? {
                println!("key     {}  user {}  {}", k.access_key, k.user_id, k.description);
            }
            for k in store.list_api_keys().await? {
                println!("apikey  {}  user {}  project {}  {}", k.id, k.user_id, k.project_id, k.name);
            }
        }
    }
    Ok(())
}
