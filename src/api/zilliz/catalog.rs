//! The documented Zilliz Cloud v2 routes strato does not emulate (yet):
//! each answers `{"code": 96903, "message": "strato does not emulate ..."}`
//! naming the operation, never a bare "no such API". README keeps the table
//! of what is emulated.

/// (method, path with `{param}` segments, operation name).
const NOT_EMULATED: &[(&str, &str, &str)] = &[
    // Literal paths before the patterns they would also match.
    ("GET", "/v2/clusters/{clusterId}/backups/policy", "GetBackupPolicy"),
    ("POST", "/v2/clusters/{clusterId}/backups/policy", "SetBackupPolicy"),
    ("POST", "/v2/clusters/{clusterId}/backups/create", "CreateBackup"),
    ("GET", "/v2/backups", "ListBackups"),
    ("GET", "/v2/clusters/{clusterId}/backups/{backupId}", "DescribeBackup"),
    ("DELETE", "/v2/clusters/{clusterId}/backups/{backupId}", "DeleteBackup"),
    ("POST", "/v2/clusters/{clusterId}/backups/{backupId}/restoreCluster", "RestoreClusterBackup"),
    ("POST", "/v2/clusters/{clusterId}/backups/{backupId}/restoreCollection", "RestoreCollectionBackup"),
    ("POST", "/v2/clusters/{clusterId}/backups/{backupId}/export", "ExportBackupFiles"),
    ("POST", "/v2/clusters/{clusterId}/metrics/query", "QueryClusterMetrics"),
    ("POST", "/v2/vectordb/jobs/import/create", "CreateImportJob"),
    ("POST", "/v2/vectordb/jobs/import/list", "ListImportJobs"),
    ("POST", "/v2/vectordb/jobs/import/getProgress", "GetImportProgress"),
    ("POST", "/v2/migrations/toExisting", "MigrateToExistingCluster"),
    ("POST", "/v2/migrations/toNewDedicated", "MigrateToNewDedicatedCluster"),
    ("GET", "/v2/volumes", "ListVolumes"),
    ("POST", "/v2/volumes/create", "CreateVolume"),
    ("GET", "/v2/volumes/{volumeName}", "DescribeVolume"),
    ("DELETE", "/v2/volumes/{volumeName}", "DeleteVolume"),
    ("GET", "/v2/apiKeys", "ListApiKeys"),
    ("POST", "/v2/apiKeys", "CreateApiKey"),
    ("GET", "/v2/apiKeys/{apiKeyId}", "DescribeApiKey"),
    ("DELETE", "/v2/apiKeys/{apiKeyId}", "DeleteApiKey"),
    ("GET", "/v2/privateEndpointServices", "ListPrivateEndpointServices"),
    ("GET", "/v2/projects/{projectId}/privateEndpoints", "ListPrivateEndpoints"),
    ("POST", "/v2/projects/{projectId}/privateEndpoints", "CreatePrivateEndpoint"),
    ("DELETE", "/v2/projects/{projectId}/privateEndpoints/{endpointId}", "DeletePrivateEndpoint"),
    ("DELETE", "/v2/projects/{projectId}/regions", "RemoveProjectRegion"),
    ("PATCH", "/v2/projects/{projectId}", "UpdateProject"),
    ("GET", "/v2/globalClusters", "ListGlobalClusters"),
    ("POST", "/v2/globalClusters/create", "CreateGlobalCluster"),
    ("GET", "/v2/globalClusters/{globalClusterId}", "DescribeGlobalCluster"),
    ("POST", "/v2/globalClusters/{globalClusterId}/modifyCU", "ModifyGlobalClusterCU"),
    ("POST", "/v2/globalClusters/{globalClusterId}/secondaryClusters", "AddSecondaryClusters"),
    ("DELETE", "/v2/globalClusters/{globalClusterId}/secondaryClusters/{clusterId}", "RemoveSecondaryCluster"),
];

/// The operation a request names, if it is a documented route strato does not emulate.
pub fn not_emulated(method: &str, path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    NOT_EMULATED.iter().find_map(|(m, pattern, name)| {
        let want: Vec<&str> = pattern.split('/').collect();
        let same = *m == method
            && want.len() == segments.len()
            && want.iter().zip(&segments).all(|(w, s)| (w.starts_with('{') && !s.is_empty()) || w == s);
        same.then_some(*name)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documented_routes_are_named_and_others_are_not() {
        assert_eq!(not_emulated("POST", "/v2/clusters/in01-x/backups/create"), Some("CreateBackup"));
        assert_eq!(not_emulated("GET", "/v2/clusters/in01-x/backups/policy"), Some("GetBackupPolicy"));
        assert_eq!(not_emulated("GET", "/v2/clusters/in01-x/backups/b-1"), Some("DescribeBackup"));
        assert_eq!(not_emulated("PUT", "/v2/clusters/in01-x/backups/create"), None);
        assert_eq!(not_emulated("GET", "/v2/nowhere"), None);
        assert_eq!(not_emulated("GET", "/v2/volumes/"), Some("ListVolumes"));
    }
}
