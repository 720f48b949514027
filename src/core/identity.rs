//! Identity resources: domains own users and projects; users are assigned
//! to projects; tokens and access keys act for a user.

use super::Millis;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub id: String,
    pub domain_id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub domain_id: String,
    pub name: String,
    /// argon2 PHC string.
    pub password_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub user_id: String,
    pub project_id: String,
    pub issued_at: Millis,
    pub expires_at: Millis,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKey {
    pub access_key: String,
    pub user_id: String,
    /// Input to the secret's derivation from the master key.
    pub salt: String,
    pub description: String,
    pub created_at: Millis,
}

/// A bearer API key: acts for its user in exactly one project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: String,
    pub user_id: String,
    pub project_id: String,
    pub name: String,
    pub created_at: Millis,
}

/// 32 lowercase hex characters, the shape of Huawei/Keystone ids.
pub fn new_hex_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
