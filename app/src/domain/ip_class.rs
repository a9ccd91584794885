//! Whether an address belongs to the public internet. Private, loopback, link-local, CGNAT,
//! multicast, unspecified and reserved addresses cannot be a real end user's. IPv6 spellings
//! that carry an IPv4 address (IPv4-compatible `::a.b.c.d`, 6to4 `2002::/16`, Teredo
//! `2001::/32`) are judged by the IPv4 address inside them, so `[::127.0.0.1]` is loopback.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::ip_rule::canonical;

/// True for addresses no end user on the internet can have.
pub fn is_non_public(addr: IpAddr) -> bool {
    match canonical(addr) {
        IpAddr::V4(v4) => non_public_v4(v4),
        IpAddr::V6(v6) => non_public_v6(v6),
    }
}

fn non_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || a == 0
        || (a == 100 && (64..=127).contains(&b)) // CGNAT 100.64.0.0/10
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments 192.0.0.0/24
        || (a == 198 && (18..=19).contains(&b)) // benchmarking 198.18.0.0/15
        || a >= 240 // reserved 240.0.0.0/4
}

/// The IPv4 addresses an IPv6 address carries, for the transition formats that route to them.
fn embedded_v4(ip: Ipv6Addr) -> Vec<Ipv4Addr> {
    let s = ip.segments();
    let v4 = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    match s {
        // IPv4-compatible ::a.b.c.d (deprecated, but still parsed and routed by some stacks).
        [0, 0, 0, 0, 0, 0, hi, lo] if (hi, lo) > (0, 1) => vec![v4(hi, lo)],
        // 6to4: 2002:aabb:ccdd::/48.
        [0x2002, hi, lo, ..] => vec![v4(hi, lo)],
        // Teredo: 2001:0:<server v4>:<flags>:<port>:<client v4, inverted>.
        [0x2001, 0, shi, slo, _, _, chi, clo] => vec![v4(shi, slo), v4(!chi, !clo)],
        _ => Vec::new(),
    }
}

fn non_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    embedded_v4(ip).into_iter().any(non_public_v4)
        || ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
        || (first & 0xffc0) == 0xfec0 // site-local (deprecated) fec0::/10
        || (first == 0x0064 && ip.segments()[1] == 0xff9b) // NAT64 well-known prefix
        || (first == 0x0100 && ip.segments()[1..4] == [0, 0, 0]) // discard-only 100::/64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str) -> bool {
        is_non_public(raw.parse().expect("ip"))
    }

    #[test]
    fn classifies_addresses() {
        for private in [
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "240.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "ff02::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
            "fec0::1",
            "feff::1",
        ] {
            assert!(check(private), "{private} is not public");
        }
        // Documentation ranges stay public: the seed's own example uses 203.0.113.45.
        for public in [
            "203.0.113.45",
            "8.8.8.8",
            "1.1.1.1",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
            "100.128.0.1",
            "::8.8.8.8",
            "2002:808:808::1",
            "2001:0:808:808:0:0:f7f7:f7f7",
        ] {
            assert!(!check(public), "{public} is public");
        }
    }

    #[test]
    fn ipv6_spellings_of_ipv4_are_judged_by_the_ipv4_inside() {
        for hidden in [
            "::127.0.0.1", // IPv4-compatible loopback
            "::10.0.0.1",  // IPv4-compatible private
            "::169.254.169.254",
            "2002:7f00:1::1",               // 6to4 of 127.0.0.1
            "2002:a9fe:a9fe::",             // 6to4 of 169.254.169.254
            "2002:c0a8:101:1::1",           // 6to4 of 192.168.1.1
            "2001:0:7f00:1::1",             // Teredo server 127.0.0.1
            "2001:0:808:808:0:0:80ff:fffe", // Teredo client 127.0.0.1 (inverted)
            "2001:0:808:808:0:0:f5ff:fffe", // Teredo client 10.0.0.1 (inverted)
        ] {
            assert!(check(hidden), "{hidden} hides a non-public IPv4 address");
        }
    }
}
