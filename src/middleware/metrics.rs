//! Request counts and latencies per route, exposed at `/metrics` with the server's own metrics
//! ([`ServerMetrics`]: postbacks, the writer, deliveries, queues). The registry is owned by the
//! application (no global recorder), so several servers in one test process stay separate.
//!
//! Every label comes from a fixed set — the standard methods or `OTHER`, a route template or
//! `unmatched`, a status the server chose — so callers cannot grow the label space.

use std::sync::Arc;
use std::time::Instant;

use app::domain::signature::ct_eq;
use app::server::metrics::ServerMetrics;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    /// `TAPRAIN_METRICS_TOKEN`: when set, only a request bearing it may read the metrics.
    token: Option<String>,
}

impl Metrics {
    pub fn new(server: &ServerMetrics, token: Option<String>) -> Self {
        let mut registry = Registry::with_prefix("taprain");
        server.register(&mut registry);
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| Histogram::new(exponential_buckets(0.0005, 2.0, 16)));
        registry.register("http_requests", "HTTP requests by route and status", requests.clone());
        registry.register("http_request_duration_seconds", "HTTP request latency by route", latency.clone());
        Self { registry, requests, latency, token }
    }

    /// True when the request may read the metrics: no token is configured, or its
    /// `Authorization: Bearer` header carries it (compared in constant time).
    pub fn allows(&self, authorization: Option<&str>) -> bool {
        let Some(token) = &self.token else { return true };
        authorization.and_then(|value| value.strip_prefix("Bearer ")).is_some_and(|presented| ct_eq(presented.trim(), token))
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        if encode(&mut out, &self.registry).is_err() {
            out.clear();
        }
        out
    }
}

/// The method's label: one of the standard methods, else `OTHER` (a caller may send any token).
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    const KNOWN: [(Method, &str); 9] = [
        (Method::GET, "GET"),
        (Method::HEAD, "HEAD"),
        (Method::POST, "POST"),
        (Method::PUT, "PUT"),
        (Method::PATCH, "PATCH"),
        (Method::DELETE, "DELETE"),
        (Method::OPTIONS, "OPTIONS"),
        (Method::CONNECT, "CONNECT"),
        (Method::TRACE, "TRACE"),
    ];
    KNOWN.iter().find(|(known, _)| known == method).map_or("OTHER", |(_, label)| label)
}

pub async fn track(State(metrics): State<Arc<Metrics>>, request: Request, next: Next) -> Response {
    let route = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "unmatched".into());
    let method = method_label(request.method()).to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    let elapsed = started.elapsed().as_secs_f64();
    metrics.latency.get_or_create(&RouteLabels { method: method.clone(), route: route.clone() }).observe(elapsed);
    metrics.requests.get_or_create(&RequestLabels { method, route, status: response.status().as_u16() }).inc();
    response
}

#[cfg(test)]
mod tests {
    use app::server::metrics::ServerMetrics;
    use axum::http::Method;

    use super::{method_label, Metrics};

    #[test]
    fn a_token_guards_the_metrics_once_set() {
        let server = ServerMetrics::default();
        assert!(Metrics::new(&server, None).allows(None));
        let guarded = Metrics::new(&server, Some("s3cret-token".into()));
        assert!(guarded.allows(Some("Bearer s3cret-token")));
        assert!(!guarded.allows(None));
        assert!(!guarded.allows(Some("Bearer wrong")));
        assert!(!guarded.allows(Some("s3cret-token")));
    }

    #[test]
    fn methods_come_from_a_fixed_set() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::DELETE), "DELETE");
        assert_eq!(method_label(&Method::from_bytes(b"R12345").expect("token")), "OTHER");
        assert_eq!(method_label(&Method::from_bytes(b"get").expect("token")), "OTHER");
    }
}
