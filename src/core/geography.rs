//! Regions and availability zones, in each product's own vocabulary: OTC
//! `eu-de` / `eu-de-01`, Huawei `cn-north-4` / `cn-north-4a`, Alibaba
//! `cn-hangzhou` / `cn-hangzhou-i`, Zilliz `aws-us-west-2`. The server's flags
//! choose them; these are the defaults, taken from the vendors' own lists.

/// The zones of an OTC or Huawei Cloud region (DWS, CSS): the vendors' list
/// where the region is known, else `<region>-01..03` as OTC names them.
pub fn huawei_zones(region: &str) -> Vec<String> {
    let letters: &[&str] = match region {
        "cn-north-4" => &["a", "b", "c", "g"],
        "cn-north-1" | "cn-east-3" | "cn-south-1" | "ap-southeast-1" | "ap-southeast-3" => &["a", "b", "c"],
        _ => return (1..=3).map(|n| format!("{region}-0{n}")).collect(),
    };
    letters.iter().map(|l| format!("{region}{l}")).collect()
}

/// The zones of an Alibaba Cloud region (`networkConfig.vsArea`): the
/// vendor's list where the region is known, else `<region>-a..c`.
pub fn aliyun_zones(region: &str) -> Vec<String> {
    let letters: &[&str] = match region {
        "cn-hangzhou" => &["b", "e", "f", "g", "h", "i", "j", "k"],
        "cn-shanghai" => &["b", "e", "f", "g", "l", "m", "n"],
        "cn-beijing" => &["a", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"],
        _ => &["a", "b", "c"],
    };
    letters.iter().map(|l| format!("{region}-{l}")).collect()
}

/// Zilliz Cloud's dedicated-cluster regions (its ListCloudRegions ids).
pub const ZILLIZ_REGIONS: &[&str] = &[
    "aws-us-west-2",
    "aws-us-east-1",
    "aws-us-east-2",
    "aws-ca-central-1",
    "aws-eu-central-1",
    "aws-eu-west-1",
    "aws-ap-northeast-1",
    "aws-ap-southeast-1",
    "aws-ap-southeast-2",
    "gcp-us-west1",
    "gcp-us-east4",
    "gcp-us-central1",
    "gcp-asia-southeast1",
    "az-eastus",
    "az-eastus2",
    "az-centralus",
    "az-germanywestcentral",
    "az-northeurope",
    "az-centralindia",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_vendor_names_its_zones_its_own_way() {
        assert_eq!(huawei_zones("eu-de"), ["eu-de-01", "eu-de-02", "eu-de-03"]);
        assert_eq!(huawei_zones("cn-north-4"), ["cn-north-4a", "cn-north-4b", "cn-north-4c", "cn-north-4g"]);
        assert!(aliyun_zones("cn-hangzhou").contains(&"cn-hangzhou-i".to_string()));
        assert_eq!(aliyun_zones("eu-central-1"), ["eu-central-1-a", "eu-central-1-b", "eu-central-1-c"]);
        assert!(ZILLIZ_REGIONS.contains(&"gcp-us-west1"));
    }
}
