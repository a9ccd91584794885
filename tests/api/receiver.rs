//! A publisher's postback receiver for tests: a real HTTP server on 127.0.0.1 that records
//! every request and answers from a script (then a default answer); and one that accepts
//! connections and never answers.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Captured {
    pub method: String,
    /// Path and query, exactly as sent.
    pub target: String,
    pub headers: HeaderMap,
    pub body: String,
    /// When it arrived.
    pub at: Instant,
}

impl Captured {
    /// The decoded value of query parameter `name`.
    pub fn param(&self, name: &str) -> Option<String> {
        let query = self.target.split_once('?').map(|(_, q)| q).unwrap_or("");
        form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }
}

/// An answer: status and body; a body `REDIRECT <url>` answers 302 to that URL, and
/// `RETRY-AFTER <value>` answers the status with that `Retry-After` header and an empty body.
pub type Answer = (u16, String);

#[derive(Default)]
struct Inner {
    requests: Vec<Captured>,
    script: VecDeque<Answer>,
    default: Option<Answer>,
}

#[derive(Clone)]
pub struct Receiver {
    pub address: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

impl Receiver {
    /// Starts a receiver answering `status` with `body` unless scripted otherwise.
    pub async fn start(status: u16, body: &str) -> Self {
        let inner = Arc::new(Mutex::new(Inner { default: Some((status, body.to_owned())), ..Inner::default() }));
        let router = axum::Router::new().fallback(capture).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind receiver");
        let address = listener.local_addr().expect("receiver address");
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { address, inner }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    /// The next answers, in order, before the default one.
    pub fn script(&self, answers: &[(u16, &str)]) {
        let mut inner = self.inner.lock().expect("lock");
        inner.script.extend(answers.iter().map(|(s, b)| (*s, (*b).to_owned())));
    }

    /// Changes the default answer.
    pub fn answer(&self, status: u16, body: &str) {
        self.inner.lock().expect("lock").default = Some((status, body.to_owned()));
    }

    pub fn requests(&self) -> Vec<Captured> {
        self.inner.lock().expect("lock").requests.clone()
    }

    /// Waits until at least `count` requests arrived (10 s at most) and returns them all.
    pub async fn wait_for(&self, count: usize) -> Vec<Captured> {
        for _ in 0..200 {
            let requests = self.requests();
            if requests.len() >= count {
                return requests;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the receiver got {} requests, expected {count}", self.requests().len());
    }
}

async fn capture(State(inner): State<Arc<Mutex<Inner>>>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let (status, body_out) = {
        let mut inner = inner.lock().expect("lock");
        inner.requests.push(Captured {
            method: method.to_string(),
            target: uri.path_and_query().map(|p| p.to_string()).unwrap_or_default(),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            at: Instant::now(),
        });
        let next = inner.script.pop_front();
        next.or_else(|| inner.default.clone()).unwrap_or((200, "OK".into()))
    };
    if let Some(location) = body_out.strip_prefix("REDIRECT ") {
        return (StatusCode::FOUND, [("location", location.to_owned())], "").into_response();
    }
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if let Some(wait) = body_out.strip_prefix("RETRY-AFTER ") {
        return (status, [("retry-after", wait.to_owned())], "").into_response();
    }
    (status, body_out).into_response()
}

/// A publisher's server that hangs: it accepts every connection and never answers.
#[derive(Clone)]
pub struct HangingReceiver {
    pub address: SocketAddr,
    accepted: Arc<AtomicUsize>,
}

impl HangingReceiver {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind hanging receiver");
        let address = listener.local_addr().expect("hanging receiver address");
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = accepted.clone();
        tokio::spawn(async move {
            // Held, never read or written, until the test ends.
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                held.push(stream);
            }
        });
        Self { address, accepted }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    /// Connections accepted so far (each hanging request holds one).
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}
