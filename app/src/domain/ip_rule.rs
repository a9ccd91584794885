//! An approved source address: one IP (v4 or v6) or a CIDR block, normalised to its network.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IpRule(IpNet);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ip must be an IPv4 or IPv6 address or a CIDR block such as 203.0.113.0/24")]
pub struct InvalidIpRule;

impl IpRule {
    /// Parses `203.0.113.7`, `203.0.113.0/24`, `2001:db8::1` or `2001:db8::/32`.
    /// Host bits in a CIDR are cleared (`10.1.2.3/8` becomes `10.0.0.0/8`).
    pub fn parse(raw: &str) -> Result<Self, InvalidIpRule> {
        let raw = raw.trim();
        if raw.len() > 64 {
            return Err(InvalidIpRule);
        }
        if raw.contains('/') {
            let net: IpNet = raw.parse().map_err(|_| InvalidIpRule)?;
            return Ok(Self(net.trunc()));
        }
        let addr: IpAddr = raw.parse().map_err(|_| InvalidIpRule)?;
        Ok(Self(IpNet::from(canonical(addr))))
    }

    pub fn contains(&self, addr: IpAddr) -> bool {
        self.0.contains(&canonical(addr))
    }

    pub fn net(&self) -> IpNet {
        self.0
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) are treated as the IPv4 address they carry.
pub fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(addr),
        v4 => v4,
    }
}

impl std::fmt::Display for IpRule {
    /// Single addresses print without a prefix length; blocks print as CIDR.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.prefix_len() == self.0.max_prefix_len() {
            write!(f, "{}", self.0.addr())
        } else {
            write!(f, "{}", self.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ip(raw: &str) -> IpAddr {
        raw.parse().expect("test ip")
    }

    #[test]
    fn single_addresses_and_blocks() {
        let single = IpRule::parse("203.0.113.7").expect("v4");
        assert!(single.contains(ip("203.0.113.7")));
        assert!(!single.contains(ip("203.0.113.8")));
        assert_eq!(single.to_string(), "203.0.113.7");

        let block = IpRule::parse("10.1.2.3/8").expect("cidr");
        assert_eq!(block.to_string(), "10.0.0.0/8");
        assert!(block.contains(ip("10.200.0.1")));

        let v6 = IpRule::parse("2001:db8::/32").expect("v6 cidr");
        assert!(v6.contains(ip("2001:db8:1::5")));
        assert!(!v6.contains(ip("2001:db9::1")));
    }

    #[test]
    fn mapped_v4_matches_v4_rules() {
        let rule = IpRule::parse("127.0.0.1").expect("v4");
        assert!(rule.contains(ip("::ffff:127.0.0.1")));
        assert_eq!(IpRule::parse("::ffff:127.0.0.1"), Ok(rule));
    }

    #[test]
    fn refuses_garbage() {
        for raw in ["", "1.2.3", "1.2.3.4/33", "example.com", "::g", "1.2.3.4/", "256.1.1.1"] {
            assert_eq!(IpRule::parse(raw), Err(InvalidIpRule), "{raw:?}");
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(raw in ".{0,80}") {
            let _ = IpRule::parse(&raw);
        }
    }
}
