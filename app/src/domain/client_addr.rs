//! Who is really on the other end: the socket peer, or — only when that peer is a trusted
//! proxy — the address and scheme it reports in `X-Forwarded-For` / `X-Forwarded-Proto`.

use std::net::IpAddr;

use super::ip_rule::{canonical, IpRule};

/// The client's address and whether the original request used HTTPS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr {
    pub ip: IpAddr,
    pub https: bool,
}

/// Resolves the client from the peer and the forwarding headers.
///
/// `X-Forwarded-For` is read right to left, skipping trusted proxies, so a client cannot
/// smuggle an address by sending its own header through the proxy.
pub fn resolve(
    peer: IpAddr,
    direct_tls: bool,
    forwarded_for: Option<&str>,
    forwarded_proto: Option<&str>,
    trusted: &[IpRule],
) -> ClientAddr {
    let peer = canonical(peer);
    let is_trusted = |ip: IpAddr| trusted.iter().any(|rule| rule.contains(ip));
    if !is_trusted(peer) {
        return ClientAddr { ip: peer, https: direct_tls };
    }
    let mut ip = peer;
    if let Some(header) = forwarded_for {
        for hop in header.rsplit(',') {
            match hop.trim().parse::<IpAddr>() {
                Ok(addr) => {
                    ip = canonical(addr);
                    if !is_trusted(ip) {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
    }
    let https = match forwarded_proto {
        Some(proto) => proto.split(',').next().is_some_and(|p| p.trim().eq_ignore_ascii_case("https")),
        None => direct_tls,
    };
    ClientAddr { ip, https }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(raw: &str) -> IpAddr {
        raw.parse().expect("ip")
    }

    #[test]
    fn untrusted_peer_headers_are_ignored() {
        let got = resolve(ip("198.51.100.9"), false, Some("203.0.113.1"), Some("https"), &[]);
        assert_eq!(got, ClientAddr { ip: ip("198.51.100.9"), https: false });
    }

    #[test]
    fn trusted_proxy_headers_are_used() {
        let trusted = [IpRule::parse("127.0.0.1").expect("rule")];
        let got = resolve(ip("127.0.0.1"), false, Some("6.6.6.6, 203.0.113.1"), Some("https"), &trusted);
        assert_eq!(got, ClientAddr { ip: ip("203.0.113.1"), https: true });
    }

    #[test]
    fn chained_trusted_proxies_are_skipped_and_garbage_stops() {
        let trusted = [IpRule::parse("10.0.0.0/8").expect("rule")];
        let got = resolve(ip("10.0.0.2"), false, Some("203.0.113.1, 10.0.0.1"), None, &trusted);
        assert_eq!(got.ip, ip("203.0.113.1"));
        let got = resolve(ip("10.0.0.2"), false, Some("nonsense"), Some("http"), &trusted);
        assert_eq!(got, ClientAddr { ip: ip("10.0.0.2"), https: false });
    }
}
