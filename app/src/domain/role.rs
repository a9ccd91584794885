//! Who a signed-in user is: an admin runs the hub, a publisher sees only their own data.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Publisher,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Publisher => "publisher",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "admin" => Some(Role::Admin),
            "publisher" => Some(Role::Publisher),
            _ => None,
        }
    }

    /// Where this role lands after signing in.
    pub fn home(self) -> &'static str {
        match self {
            Role::Admin => "/admin",
            Role::Publisher => "/portal",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_homes() {
        for role in [Role::Admin, Role::Publisher] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::Admin.home(), "/admin");
        assert_eq!(Role::Publisher.home(), "/portal");
        assert_eq!(Role::parse("root"), None);
    }
}
