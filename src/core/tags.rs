//! Each search product's tag rules: what a key and a value may be, how many a
//! cluster may have. Adding a key it has already gives that key the new value.

use super::cluster::{Product, Tag};
use super::error::{CoreError, Field};

/// At most this many tags per cluster (CSS and Alibaba alike).
pub const MAX_TAGS: usize = 20;

/// The tags after adding `add`, by `product`'s rules.
pub fn added(product: Product, current: &[Tag], add: &[Tag]) -> Result<Vec<Tag>, CoreError> {
    for t in add {
        match product {
            Product::AliyunElasticsearch | Product::AliyunLogstash => aliyun_tag(t)?,
            _ => css_tag(t)?,
        }
    }
    let mut tags: Vec<Tag> = current.iter().filter(|t| !add.iter().any(|a| a.key == t.key)).cloned().collect();
    for t in add {
        // The same key twice in one request: the last value wins.
        tags.retain(|have| have.key != t.key);
        tags.push(t.clone());
    }
    if tags.len() > MAX_TAGS {
        return Err(CoreError::invalid(Field::Tags, format!("a cluster has at most {MAX_TAGS} tags")));
    }
    Ok(tags)
}

/// CSS: keys 1–128 of letters, digits, spaces and `_ . : = + - @` (no leading
/// or trailing space), values up to 255 of the same.
fn css_tag(t: &Tag) -> Result<(), CoreError> {
    let allowed = |c: char| c.is_alphanumeric() || " _.:=+-@/".contains(c);
    let key_ok = (1..=128).contains(&t.key.chars().count()) && t.key.trim() == t.key && t.key.chars().all(allowed);
    if !key_ok {
        return Err(CoreError::invalid(Field::Tags, format!("tag key `{}` is invalid: 1-128 letters, digits, spaces or _ . : = + - @", t.key)));
    }
    if t.value.chars().count() > 255 || !t.value.chars().all(allowed) {
        return Err(CoreError::invalid(Field::TagValue, format!("the value of tag `{}` is invalid: up to 255 letters, digits, spaces or _ . : = + - @", t.key)));
    }
    Ok(())
}

/// Alibaba: keys 1–128 characters, values up to 128; neither may start with
/// `aliyun` or `acs:` (system tags) nor hold `http://` or `https://`.
fn aliyun_tag(t: &Tag) -> Result<(), CoreError> {
    let reserved = |s: &str| {
        let l = s.to_ascii_lowercase();
        l.starts_with("aliyun") || l.starts_with("acs:") || l.contains("http://") || l.contains("https://")
    };
    if !(1..=128).contains(&t.key.chars().count()) || reserved(&t.key) || t.key.chars().any(char::is_control) {
        return Err(CoreError::invalid(
            Field::Tags,
            format!("tag key `{}` is invalid: 1-128 characters, not starting with aliyun or acs:, without http:// or https://", t.key),
        ));
    }
    if t.value.chars().count() > 128 || reserved(&t.value) || t.value.chars().any(char::is_control) {
        return Err(CoreError::invalid(
            Field::TagValue,
            format!("the value of tag `{}` is invalid: up to 128 characters, not starting with aliyun or acs:, without http:// or https://", t.key),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(k: &str, v: &str) -> Tag {
        Tag { key: k.into(), value: v.into() }
    }

    #[test]
    fn each_product_checks_its_own_rules_and_new_values_replace_old_ones() {
        assert!(added(Product::Css, &[], &[t(" lead", "")]).is_err());
        assert_eq!(added(Product::Css, &[t("a", "1")], &[t("a", "2"), t("b", "")]).unwrap(), vec![t("a", "2"), t("b", "")]);
        let ali = Product::AliyunElasticsearch;
        assert_eq!(added(ali, &[], &[t("env", "dev"), t("env", "prod")]).unwrap(), vec![t("env", "prod")]);
        for bad in [t("aliyun-x", "v"), t("acs:rm:rgId", "v"), t("", "v"), t("k", "https://x"), t(&"k".repeat(129), "")] {
            assert!(added(ali, &[], &[bad.clone()]).is_err(), "{bad:?}");
        }
        assert!(added(ali, &[], &[t("team name", "a/b c")]).is_ok(), "Alibaba allows what CSS does not");
        let many: Vec<Tag> = (0..21).map(|i| t(&format!("k{i}"), "")).collect();
        assert!(added(ali, &[], &many).is_err());
    }
}
