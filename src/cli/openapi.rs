//! `strato openapi <dialect>`: prints a dialect's OpenAPI document, as its
//! listener serves it at `GET /openapi.json`.

/// The dialects that have a document.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Dialect {
    /// Identity (Keystone v3), strato's admin surface and metrics.
    Iam,
    /// Zilliz Cloud control plane (v2).
    Zilliz,
    /// GaussDB(DWS) control plane (OTC / Huawei Cloud).
    Dws,
    /// Huawei Cloud Search Service (CSS) v1.0.
    Css,
    /// Alibaba Cloud Elasticsearch and Logstash (2017-06-13).
    Aliyun,
}

impl Dialect {
    /// Its name on the command line and in `docs/openapi/<name>.json`.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Iam => "iam",
            Dialect::Zilliz => "zilliz",
            Dialect::Dws => "dws",
            Dialect::Css => "css",
            Dialect::Aliyun => "aliyun",
        }
    }

    pub fn document(self) -> utoipa::openapi::OpenApi {
        match self {
            Dialect::Iam => crate::api::keystone::openapi(),
            Dialect::Zilliz => crate::api::zilliz::openapi(),
            Dialect::Dws => crate::api::dws::openapi(),
            Dialect::Css => crate::api::css::openapi(),
            Dialect::Aliyun => crate::api::aliyun::openapi(),
        }
    }
}

/// Pretty JSON with a final newline, as `docs/openapi/<dialect>.json` is committed.
pub fn run(dialect: Dialect) -> anyhow::Result<()> {
    println!("{}", dialect.document().to_pretty_json()?);
    Ok(())
}
