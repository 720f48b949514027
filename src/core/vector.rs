//! Vector database clusters (Zilliz Cloud's model): offerings, plans,
//! compute units and what a compute unit buys on a Milvus standalone process.

use serde::{Deserialize, Serialize};

use super::error::{CoreError, Field};

/// How the cluster was ordered; only dedicated clusters can be suspended,
/// resumed or resized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Offering {
    Dedicated,
    Serverless,
    Free,
}

impl Offering {
    pub fn as_str(self) -> &'static str {
        match self {
            Offering::Dedicated => "Dedicated",
            Offering::Serverless => "Serverless",
            Offering::Free => "Free",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Plan {
    Free,
    Serverless,
    Standard,
    Enterprise,
}

impl Plan {
    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "Free",
            Plan::Serverless => "Serverless",
            Plan::Standard => "Standard",
            Plan::Enterprise => "Enterprise",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CuType {
    PerformanceOptimized,
    CapacityOptimized,
}

impl CuType {
    pub fn as_str(self) -> &'static str {
        match self {
            CuType::PerformanceOptimized => "Performance-optimized",
            CuType::CapacityOptimized => "Capacity-optimized",
        }
    }
}

pub const MAX_CU_SIZE: i64 = 256;
pub const MAX_DESCRIPTION: usize = 256;

/// A validated vector cluster request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VectorSpec {
    pub name: String,
    pub description: String,
    pub region_id: String,
    pub offering: Offering,
    pub plan: Plan,
    pub cu_type: CuType,
    /// Compute units; free and serverless clusters have none of their own.
    pub cu_size: u32,
    /// Recorded labels (`GET|PUT .../labels`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, String>,
    /// Recorded security group ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_groups: Vec<String>,
    /// Recorded autoscaling settings.
    #[serde(default, skip_serializing_if = "super::vector_properties::Autoscaling::is_empty")]
    pub autoscaling: super::vector_properties::Autoscaling,
    /// The Zilliz project it belongs to; None: the API key's own (default) project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<String>,
}

impl VectorSpec {
    pub fn is_dedicated(&self) -> bool {
        self.offering == Offering::Dedicated
    }
}

/// A create request as a dialect decodes it (all optional, so that a missing
/// field is a validation error in the dialect's own format).
#[derive(Debug, Default, Clone)]
pub struct VectorCreateInput {
    pub cluster_name: Option<String>,
    pub region_id: Option<String>,
    pub plan: Option<String>,
    pub cu_type: Option<String>,
    pub cu_size: Option<i64>,
    pub description: Option<String>,
}

/// Zilliz cluster names: 1–64 characters, letters, digits and hyphens.
pub fn cluster_name(name: &str) -> Result<(), CoreError> {
    let ok = (1..=64).contains(&name.chars().count()) && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(CoreError::invalid(
            Field::Name,
            format!("Invalid clusterName `{name}`. Cluster names can only contain alphanumeric letters and hyphens (1 to 64 characters)."),
        ))
    }
}

/// A cluster description: plain text, at most 256 characters.
pub fn description(d: &str) -> Result<(), CoreError> {
    super::validate::plain_text(d, Field::Description, "description")?;
    if d.chars().count() > MAX_DESCRIPTION {
        return Err(CoreError::invalid(Field::Description, format!("The length of description has exceeded the limit of {MAX_DESCRIPTION} characters.")));
    }
    Ok(())
}

pub fn cu_size(n: i64) -> Result<u32, CoreError> {
    if (1..=MAX_CU_SIZE).contains(&n) {
        Ok(n as u32)
    } else {
        Err(CoreError::invalid(Field::CuSize, format!("Invalid cuSize {n}. The parameter value should be between 1 and {MAX_CU_SIZE}.")))
    }
}

fn parse_cu_type(s: &str) -> Result<CuType, CoreError> {
    [CuType::PerformanceOptimized, CuType::CapacityOptimized]
        .into_iter()
        .find(|t| t.as_str().eq_ignore_ascii_case(s))
        .ok_or_else(|| {
            CoreError::invalid(Field::CuType, format!("Invalid cuType `{s}`: Performance-optimized or Capacity-optimized."))
        })
}

fn parse_dedicated_plan(s: &str) -> Result<Plan, CoreError> {
    [Plan::Standard, Plan::Enterprise]
        .into_iter()
        .find(|p| p.as_str().eq_ignore_ascii_case(s))
        .ok_or_else(|| CoreError::invalid(Field::Plan, format!("Invalid dedicated plan `{s}`: Standard or Enterprise.")))
}

/// Validates a create request for `offering` in one of `regions`.
pub fn validate_create(offering: Offering, input: &VectorCreateInput, regions: &[String]) -> Result<VectorSpec, CoreError> {
    let name = input.cluster_name.as_deref().map(str::trim).unwrap_or_default();
    cluster_name(name)?;
    let region_id = input.region_id.as_deref().map(str::trim).unwrap_or_default();
    if !regions.iter().any(|r| r == region_id) {
        return Err(CoreError::invalid(
            Field::Region,
            format!("Invalid RegionId `{region_id}`. Supported regions: {}.", regions.join(", ")),
        ));
    }
    let description = input.description.clone().unwrap_or_default();
    self::description(&description)?;
    let (plan, cu_type, size) = match offering {
        Offering::Dedicated => {
            let plan = parse_dedicated_plan(input.plan.as_deref().unwrap_or("Standard"))?;
            let cu_type = parse_cu_type(input.cu_type.as_deref().unwrap_or("Performance-optimized"))?;
            let size = cu_size(input.cu_size.ok_or_else(|| CoreError::invalid(Field::CuSize, "cuSize is required"))?)?;
            (plan, cu_type, size)
        }
        Offering::Serverless => (Plan::Serverless, CuType::PerformanceOptimized, 0),
        Offering::Free => (Plan::Free, CuType::PerformanceOptimized, 0),
    };
    Ok(VectorSpec {
        name: name.to_string(),
        description,
        region_id: region_id.to_string(),
        offering,
        plan,
        cu_type,
        cu_size: size,
        labels: Default::default(),
        security_groups: Vec::new(),
        autoscaling: Default::default(),
        project: None,
    })
}

/// What a cluster's compute units buy on its Milvus process. Standalone
/// Milvus runs one query node, so size cannot add nodes; it sets the CPU
/// threads the process may use, how many collections it accepts and how
/// much data it accepts before refusing writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resources {
    /// GOMAXPROCS (also sizes knowhere's search/build pools).
    pub cpus: u32,
    /// quotaAndLimits.limits.maxCollectionNum
    pub max_collections: u32,
    /// quotaAndLimits.limitWriting.diskProtection.diskQuota, in MB.
    pub disk_quota_mb: u64,
}

/// Collections per compute unit, and the cap (Zilliz's dedicated limits).
const COLLECTIONS_PER_CU: u32 = 64;
const MAX_COLLECTIONS: u32 = 4096;

pub fn resources(spec: &VectorSpec, machine_cpus: u32) -> Resources {
    let machine_cpus = machine_cpus.max(1);
    match spec.offering {
        Offering::Free => Resources { cpus: 1, max_collections: 5, disk_quota_mb: 5 * 1024 },
        Offering::Serverless => Resources { cpus: 1, max_collections: 100, disk_quota_mb: 50 * 1024 },
        Offering::Dedicated => {
            // A performance-optimized CU holds ~1.5M 768-d vectors in memory;
            // a capacity-optimized one ~5M on disk-backed indexes.
            let per_cu_gb = match spec.cu_type {
                CuType::PerformanceOptimized => 5,
                CuType::CapacityOptimized => 20,
            };
            Resources {
                cpus: spec.cu_size.clamp(1, machine_cpus),
                max_collections: (spec.cu_size * COLLECTIONS_PER_CU).min(MAX_COLLECTIONS),
                disk_quota_mb: spec.cu_size as u64 * per_cu_gb * 1024,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> VectorCreateInput {
        VectorCreateInput {
            cluster_name: Some("vec-1".into()),
            region_id: Some("local".into()),
            plan: Some("Enterprise".into()),
            cu_type: Some("Capacity-optimized".into()),
            cu_size: Some(2),
            description: None,
        }
    }

    fn regions() -> Vec<String> {
        vec!["local".into()]
    }

    fn field_of(r: Result<VectorSpec, CoreError>) -> Field {
        match r {
            Err(CoreError::Invalid { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_dedicated_request_is_accepted_and_free_ones_get_no_compute_units() {
        let s = validate_create(Offering::Dedicated, &input(), &regions()).unwrap();
        assert_eq!((s.plan, s.cu_type, s.cu_size), (Plan::Enterprise, CuType::CapacityOptimized, 2));
        let f = validate_create(Offering::Free, &VectorCreateInput { cu_size: None, ..input() }, &regions()).unwrap();
        assert_eq!((f.plan, f.cu_size, f.is_dedicated()), (Plan::Free, 0, false));
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases: Vec<(VectorCreateInput, Field)> = vec![
            (VectorCreateInput { cluster_name: Some("bad name!".into()), ..input() }, Field::Name),
            (VectorCreateInput { cluster_name: None, ..input() }, Field::Name),
            (VectorCreateInput { region_id: Some("mars-1".into()), ..input() }, Field::Region),
            (VectorCreateInput { plan: Some("Gold".into()), ..input() }, Field::Plan),
            (VectorCreateInput { cu_type: Some("Fast".into()), ..input() }, Field::CuType),
            (VectorCreateInput { cu_size: Some(0), ..input() }, Field::CuSize),
            (VectorCreateInput { cu_size: Some(257), ..input() }, Field::CuSize),
            (VectorCreateInput { cu_size: None, ..input() }, Field::CuSize),
            (VectorCreateInput { description: Some("x".repeat(257)), ..input() }, Field::Description),
        ];
        for (i, want) in cases {
            assert_eq!(field_of(validate_create(Offering::Dedicated, &i, &regions())), want, "{i:?}");
        }
    }

    #[test]
    fn compute_units_scale_cpus_collections_and_quota() {
        let mut s = validate_create(Offering::Dedicated, &input(), &regions()).unwrap();
        s.cu_size = 1;
        let one = resources(&s, 8);
        s.cu_size = 4;
        let four = resources(&s, 8);
        assert_eq!((one.cpus, four.cpus), (1, 4));
        assert_eq!((one.max_collections, four.max_collections), (64, 256));
        assert_eq!(four.disk_quota_mb, 4 * one.disk_quota_mb);
        assert_eq!(resources(&s, 2).cpus, 2, "never more threads than the machine has");
        s.cu_size = 256;
        assert_eq!(resources(&s, 2).max_collections, 4096);
    }
}
