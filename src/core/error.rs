//! The core's error type. Each API dialect maps every variant to its own
//! envelope and code in one exhaustive table (see `api::dws::error`).

use thiserror::Error;

/// Which create/restore field a validation error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    UserName,
    UserPwd,
    NodeType,
    NumberOfNode,
    Port,
    VpcId,
    SubnetId,
    SecurityGroupId,
    AvailabilityZone,
    PublicIp,
    NumberOfCn,
    Tags,
    SnapshotName,
    SnapshotDescription,
    SnapshotPolicy,
    Timezone,
    MaintainWindow,
    Volume,
    /// A parameter name that does not exist.
    Parameter,
    /// A parameter's value (or role) that is refused.
    ParameterValue,
    /// The same parameter and role twice in one update.
    ParameterDuplicate,
    /// A configuration (parameter group) id the cluster does not have.
    ParameterGroup,
    /// An EIP id that is malformed, or not the one bound.
    EipId,
    /// An ELB id that is malformed, or not the one bound.
    ElbId,
    /// A tag's value (where the dialect tells it from a bad key).
    TagValue,
    // Vector (Zilliz) clusters
    Region,
    Plan,
    CuType,
    CuSize,
    Description,
    // Search clusters
    Version,
    Datastore,
    Flavor,
    /// Engine settings (Alibaba `esConfig`): a key not offered, or its value.
    EngineSetting,
    /// A change request that changes nothing (Alibaba's `MustChangeOneResource`).
    Unchanged,
    /// An endpoint kind or action (Alibaba `nodeType` / `networkType` / `actionType`).
    Network,
    /// A white-IP list, group or address.
    WhiteIp,
    /// A Logstash pipeline: its id, configuration or settings.
    Pipeline,
    /// A restart's kind, members or batch.
    Restart,
    /// A public bandwidth (CSS).
    Bandwidth,
    /// A security-mode combination (CSS: HTTPS needs the security mode).
    Security,
    /// A static route (CSS Logstash `route`).
    Route,
}

#[derive(Debug, Error)]
pub enum CoreError {
    #[error("{message}")]
    Invalid { field: Field, message: String },
    #[error("the request body is malformed: {0}")]
    MalformedBody(String),
    #[error("the id `{0}` is not a valid UUID")]
    BadId(String),
    #[error("cluster {0} does not exist")]
    ClusterNotFound(String),
    #[error("a snapshot named `{0}` already exists in this project")]
    SnapshotNameTaken(String),
    #[error("snapshot {0} does not exist")]
    SnapshotNotFound(String),
    #[error("snapshot {id} is {state}; {what}")]
    SnapshotState { id: String, state: String, what: String },
    #[error("job {0} does not exist")]
    JobNotFound(String),
    /// A tag key the resource does not have (a delete of one tag).
    #[error("the cluster has no tag `{0}`")]
    TagNotFound(String),
    #[error("a cluster named `{0}` already exists in this project")]
    NameTaken(String),
    #[error("cluster {cluster} is busy with another operation ({running}); retry when it has finished")]
    Busy { cluster: String, running: String },
    #[error("the operation is not allowed while the cluster is {state}")]
    WrongState { state: String },
    /// The cluster changed between the request's decision and its commit
    /// (another request won the race): nothing was done; retry.
    #[error("cluster {0} changed while the request was processed; nothing was done, retry")]
    Conflict(String),
    /// The engine or cluster lacks the capability the operation needs.
    #[error("{0}")]
    NotSupported(String),
    /// Something strato does not run or emulate (a Kibana, a cloud feature):
    /// the message says what.
    #[error("not emulated by strato: {0}")]
    NotEmulated(String),
    /// Only dedicated vector clusters can be suspended, resumed or resized.
    #[error("{} clusters do not support {what}; only dedicated clusters do", offering.as_str())]
    NotDedicated { offering: super::vector::Offering, what: String },
    /// A project's plan can only go up (Zilliz's 63104).
    #[error("Project plan can only be upgraded, not downgraded.")]
    PlanDowngrade,
    /// No such project in the caller's account.
    #[error("project {0} does not exist")]
    ProjectNotFound(String),
    #[error("no free loopback address is left in the node address range")]
    AddressesExhausted,
    #[error("no free block of ports is left in the engine port range")]
    PortsExhausted,
    #[error("engine unavailable: {0}")]
    EngineUnavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl CoreError {
    pub fn invalid(field: Field, message: impl Into<String>) -> Self {
        CoreError::Invalid { field, message: message.into() }
    }
}

#[cfg(test)]
impl CoreError {
    /// One of every variant (`Invalid` once per field given), for the tests
    /// that map every error to a dialect's envelope.
    pub fn samples(fields: &[Field]) -> Vec<CoreError> {
        use super::vector::Offering;
        let s = || String::from("x");
        let mut all: Vec<CoreError> = fields.iter().map(|f| CoreError::invalid(*f, "x")).collect();
        all.extend([
            CoreError::MalformedBody(s()),
            CoreError::BadId(s()),
            CoreError::ClusterNotFound(s()),
            CoreError::SnapshotNameTaken(s()),
            CoreError::SnapshotNotFound(s()),
            CoreError::SnapshotState { id: s(), state: s(), what: s() },
            CoreError::JobNotFound(s()),
            CoreError::TagNotFound(s()),
            CoreError::NameTaken(s()),
            CoreError::Busy { cluster: s(), running: s() },
            CoreError::WrongState { state: s() },
            CoreError::Conflict(s()),
            CoreError::NotSupported(s()),
            CoreError::NotEmulated(s()),
            CoreError::PlanDowngrade,
            CoreError::ProjectNotFound(s()),
            CoreError::AddressesExhausted,
            CoreError::PortsExhausted,
            CoreError::EngineUnavailable(s()),
            CoreError::Internal(s()),
        ]);
        all.extend([Offering::Free, Offering::Serverless, Offering::Dedicated].map(|offering| CoreError::NotDedicated { offering, what: s() }));
        // A new variant must join the list above: this match stops compiling until it does.
        for e in &all {
            match e {
                CoreError::Invalid { .. }
                | CoreError::MalformedBody(_)
                | CoreError::BadId(_)
                | CoreError::ClusterNotFound(_)
                | CoreError::SnapshotNameTaken(_)
                | CoreError::SnapshotNotFound(_)
                | CoreError::SnapshotState { .. }
                | CoreError::JobNotFound(_)
                | CoreError::TagNotFound(_)
                | CoreError::NameTaken(_)
                | CoreError::Busy { .. }
                | CoreError::WrongState { .. }
                | CoreError::Conflict(_)
                | CoreError::NotSupported(_)
                | CoreError::NotEmulated(_)
                | CoreError::PlanDowngrade
                | CoreError::ProjectNotFound(_)
                | CoreError::NotDedicated { .. }
                | CoreError::AddressesExhausted
                | CoreError::PortsExhausted
                | CoreError::EngineUnavailable(_)
                | CoreError::Internal(_) => {}
            }
        }
        all
    }
}

impl From<sqlx::Error> for CoreError {
    fn from(e: sqlx::Error) -> Self {
        CoreError::Internal(format!("store: {e}"))
    }
}
