//! The parties TapRain deals with, as admins see them: ad networks (with their keys and the
//! addresses refused for them) and publishers. The UI and the admin API share these records.

use serde::{Deserialize, Serialize};

/// A security key as listed: never the key itself, only a hint and its validity window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NetworkKeyInfo {
    pub id: String,
    pub hint: String,
    pub created_at: i64,
    /// Unix ms after which the key stops working; `null` while it is the current key.
    pub valid_until: Option<i64>,
    pub revoked_at: Option<i64>,
    /// A sandbox key: its calls are checked and answered but never credited or relayed.
    #[serde(default)]
    pub sandbox: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Network {
    pub id: String,
    pub name: String,
    pub active: bool,
    pub created_at: i64,
    /// Approved source addresses (single IPs and CIDR blocks).
    pub ips: Vec<String>,
    pub keys: Vec<NetworkKeyInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Publisher {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub active: bool,
    pub created_at: i64,
    /// Ledger balance in integer cents.
    pub balance_cents: i64,
}

/// A source address refused for a network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RefusedIp {
    pub network_id: String,
    pub ip: String,
    pub count: i64,
    pub first_seen: i64,
    pub last_seen: i64,
}
