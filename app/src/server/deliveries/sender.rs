//! Sends outbound postbacks: HTTP with a timeout, no redirects followed, and an SSRF guard that
//! refuses targets on loopback, private, link-local, CGNAT, multicast, reserved or unspecified
//! addresses — checked on every address the host resolves to, at connect time, and on IP
//! literals in any spelling the URL parser accepts (decimal, octal, IPv4-mapped IPv6).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;

use crate::domain::delivery::{body_excerpt, judge_by, AttemptOutcome, OutboundRequest};
use crate::domain::ip_class::is_non_public;
use crate::domain::retry::parse_retry_after;
use crate::server::clock::now_ms;

/// How the sender behaves.
#[derive(Debug, Clone, Copy)]
pub struct SenderConfig {
    pub timeout: Duration,
    /// Lifts the SSRF guard (tests, private deployments).
    pub allow_private_targets: bool,
}

/// What one request did.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status_code: Option<u16>,
    pub body: String,
    pub latency_ms: i64,
    pub error: Option<String>,
    pub outcome: AttemptOutcome,
    /// Seconds the receiver asked us to wait (`Retry-After` on a 429 or 503).
    pub retry_after: Option<i64>,
    /// False when no request went out (a malformed URL, or a target the SSRF guard refused
    /// before connecting): such an attempt says nothing about the host.
    pub sent: bool,
}

impl Answer {
    /// An attempt that failed before any request went out.
    pub fn not_sent(error: String) -> Self {
        Self {
            status_code: None,
            body: String::new(),
            latency_ms: 0,
            error: Some(error),
            outcome: AttemptOutcome::Failed,
            retry_after: None,
            sent: false,
        }
    }

    /// Whether the answer says the host is in trouble: none at all (timeout, refused
    /// connection), a 5xx or a 429. Any other answer, even a refusal, shows it is up.
    pub fn host_in_trouble(&self) -> bool {
        self.sent && self.status_code.is_none_or(|s| s >= 500 || s == 429)
    }
}

#[derive(Clone)]
pub struct Sender {
    client: reqwest::Client,
    allow_private_targets: bool,
}

/// Resolves host names and keeps only public addresses (unless allowed).
struct GuardedResolver {
    allow_private_targets: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow = self.allow_private_targets;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found.into_iter().filter(|a| allow || !is_non_public(a.ip())).collect();
            if allowed.is_empty() {
                return Err(
                    Box::new(Refused(format!("{host} resolves only to non-public addresses"))) as Box<dyn std::error::Error + Send + Sync>
                );
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

#[derive(Debug, thiserror::Error)]
#[error("refused by the SSRF guard: {0}")]
struct Refused(String);

impl Sender {
    pub fn new(config: SenderConfig) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(GuardedResolver { allow_private_targets: config.allow_private_targets }))
            .no_proxy()
            .user_agent(concat!("TapRain-Postback/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(256)
            .build()?;
        Ok(Self { client, allow_private_targets: config.allow_private_targets })
    }

    /// Checks the URL's own host when it is an IP literal (names are checked when resolved).
    pub fn check_target(&self, url: &Url) -> Result<(), String> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err("only http and https targets are allowed".into());
        }
        let ip = match url.host() {
            Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
            Some(url::Host::Domain(_)) => return Ok(()),
            None => return Err("the URL has no host".into()),
        };
        if !self.allow_private_targets && is_non_public(ip) {
            return Err(Refused(format!("{ip} is not a public address")).to_string());
        }
        Ok(())
    }

    /// Sends `request` and judges the answer. Never fails: errors become a failed attempt.
    pub async fn send(&self, request: &OutboundRequest) -> Answer {
        let started = Instant::now();
        let failed = |error: String, started: Instant| Answer {
            latency_ms: started.elapsed().as_millis() as i64,
            sent: true,
            ..Answer::not_sent(error)
        };
        let url = match Url::parse(&request.url) {
            Ok(url) => url,
            Err(err) => return Answer::not_sent(format!("invalid URL: {err}")),
        };
        if let Err(err) = self.check_target(&url) {
            return Answer::not_sent(err);
        }
        let mut builder = if request.method == "POST" { self.client.post(url) } else { self.client.get(url) };
        for (name, value) in &request.headers {
            builder = builder.header(name, value);
        }
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let response = match builder.send().await {
            Ok(response) => response,
            Err(err) => return failed(describe(&err), started),
        };
        let status = response.status().as_u16();
        let retry_after = if matches!(status, 429 | 503) {
            response.headers().get(reqwest::header::RETRY_AFTER).and_then(|v| v.to_str().ok()).and_then(|v| parse_retry_after(v, now_ms()))
        } else {
            None
        };
        let body = match read_prefix(response, 1024).await {
            Ok(body) => body,
            Err(err) => return failed(describe(&err), started),
        };
        Answer {
            status_code: Some(status),
            outcome: judge_by(request.success, Some(status), &body),
            body,
            latency_ms: started.elapsed().as_millis() as i64,
            error: None,
            retry_after,
            sent: true,
        }
    }
}

/// Reads at most `limit` bytes of the body (the rest is not downloaded) as lossy UTF-8.
async fn read_prefix(mut response: reqwest::Response, limit: usize) -> Result<String, reqwest::Error> {
    let mut bytes = Vec::new();
    while bytes.len() < limit {
        match response.chunk().await? {
            Some(chunk) => bytes.extend_from_slice(&chunk),
            None => break,
        }
    }
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(limit + 4)]).into_owned();
    Ok(body_excerpt(&text).to_owned())
}

/// An error's message with its causes (reqwest hides the interesting part in the source).
fn describe(err: &reqwest::Error) -> String {
    let mut message = if err.is_timeout() { "timed out".to_owned() } else { err.to_string() };
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::delivery::SuccessRule;

    fn guarded() -> Sender {
        Sender::new(SenderConfig { timeout: Duration::from_secs(1), allow_private_targets: false }).expect("client")
    }

    #[test]
    fn ip_literals_in_every_spelling_are_checked() {
        let sender = guarded();
        for url in [
            "http://127.0.0.1/",
            "http://10.0.0.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://0.0.0.0/",
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://0x7f.1/",
            "http://100.64.0.1/",
            "http://[fd00::1]/",
            "http://[::127.0.0.1]/",
            "http://[2002:7f00:1::1]/",
            "http://[2001:0:7f00:1::1]/",
            "http://[2001:0:808:808::80ff:fffe]/",
            "http://[fec0::1]/",
        ] {
            let parsed = Url::parse(url).expect("url");
            assert!(sender.check_target(&parsed).is_err(), "{url} must be refused");
        }
        assert!(sender.check_target(&Url::parse("https://203.0.113.45/cb").expect("url")).is_ok());
        assert!(sender.check_target(&Url::parse("https://publisher.example/cb").expect("url")).is_ok());
        assert!(sender.check_target(&Url::parse("ftp://publisher.example/").expect("url")).is_err());
    }

    #[tokio::test]
    async fn names_resolving_to_private_addresses_are_refused_at_connect_time() {
        let answer = guarded()
            .send(&OutboundRequest {
                method: "GET",
                url: "http://localhost:9/".into(),
                headers: vec![],
                body: None,
                success: SuccessRule::SeedAnswer,
            })
            .await;
        assert_eq!(answer.outcome, AttemptOutcome::Failed);
        assert!(answer.error.as_deref().unwrap_or_default().contains("SSRF"), "{answer:?}");
    }
}
