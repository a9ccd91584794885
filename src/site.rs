//! Where the built site (`/pkg/*`, CSS, `public/` assets) is served from: a folder on disk
//! (`TAPRAIN_SITE_ROOT`, development and tests) or the copy compiled into the binary (release
//! builds, see `build.rs`), so a release binary copied alone to another folder serves every
//! page and hydrates.

use app::server::AppState;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use leptos::prelude::provide_context;

/// The default folder when nothing is embedded and no folder is configured.
pub const DEFAULT_SITE_ROOT: &str = "target/site";

/// Where the site's files come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteFiles {
    /// A folder on disk.
    Disk(String),
    /// The copy compiled into this binary.
    Embedded,
}

impl SiteFiles {
    /// A configured folder wins; else the embedded copy when this binary has one; else
    /// `target/site`.
    pub fn choose(configured: Option<&str>) -> Self {
        match configured {
            Some(root) => Self::Disk(root.to_owned()),
            None if embedded::AVAILABLE => Self::Embedded,
            None => Self::Disk(DEFAULT_SITE_ROOT.to_owned()),
        }
    }

    /// The folder Leptos is told about. For the embedded site it is never read: [`fallback`]
    /// answers files itself and renders the app for everything else.
    pub fn leptos_root(&self) -> &str {
        match self {
            Self::Disk(root) => root,
            Self::Embedded => DEFAULT_SITE_ROOT,
        }
    }
}

/// Answers every request no route took: a site file when there is one, else the app (its
/// not-found page).
pub async fn fallback(State(state): State<AppState>, request: Request) -> Response {
    let files = SiteFiles::choose(state.settings.site_root.as_deref());
    if files == SiteFiles::Embedded {
        if let Some(response) = embedded::serve(&request) {
            return response;
        }
        return render_app(state, request).await;
    }
    let handler = leptos_axum::file_and_error_handler_with_context::<AppState, _>(leptos::nonce::provide_nonce, app::shell);
    handler(request.uri().clone(), State(state), request).await
}

/// Renders the app for a path no file matched (with the pages' context: state and nonce),
/// whole before answering so the not-found page's status is the response's.
async fn render_app(state: AppState, request: Request) -> Response {
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(state.clone());
            leptos::nonce::provide_nonce();
        },
        move || app::shell(options.clone()),
    );
    handler(request).await.into_response()
}

/// One embedded file as a response, with its type and an ETag; `304` when the browser has it.
fn file_response(data: std::borrow::Cow<'static, [u8]>, mime: &str, etag: String, request: &Request) -> Response {
    let etag = HeaderValue::from_str(&etag).unwrap_or_else(|_| HeaderValue::from_static("\"site\""));
    let fresh = request.headers().get(header::IF_NONE_MATCH).is_some_and(|seen| seen.as_bytes() == etag.as_bytes());
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else if request.method() == Method::HEAD {
        Response::new(Body::empty())
    } else {
        Response::new(Body::from(data))
    };
    let headers = response.headers_mut();
    headers.insert(header::ETAG, etag);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(mime) = HeaderValue::from_str(mime) {
        headers.insert(header::CONTENT_TYPE, mime);
    }
    response
}

/// The relative file path a request asks for, if it may name a site file.
fn requested_file(request: &Request) -> Option<&str> {
    if request.method() != Method::GET && request.method() != Method::HEAD {
        return None;
    }
    let path = request.uri().path().trim_start_matches('/');
    (!path.is_empty() && !path.ends_with('/') && !path.split('/').any(|part| part == ".." || part == ".")).then_some(path)
}

#[cfg(embedded_site)]
mod embedded {
    use axum::extract::Request;
    use axum::response::Response;
    use rust_embed::RustEmbed;

    pub const AVAILABLE: bool = true;

    #[derive(RustEmbed)]
    #[folder = "$TAPRAIN_EMBEDDED_SITE_DIR"]
    struct Site;

    pub fn serve(request: &Request) -> Option<Response> {
        let path = super::requested_file(request)?;
        let file = Site::get(path)?;
        let etag = format!("\"{}\"", hex_prefix(&file.metadata.sha256_hash()));
        let mime = file.metadata.mimetype().to_owned();
        Some(super::file_response(file.data, &mime, etag, request))
    }

    fn hex_prefix(hash: &[u8; 32]) -> String {
        hash.iter().take(12).map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(not(embedded_site))]
mod embedded {
    use axum::extract::Request;
    use axum::response::Response;

    pub const AVAILABLE: bool = false;

    pub fn serve(_request: &Request) -> Option<Response> {
        // Keeps the shared helpers used in builds without an embedded site.
        let _ = (super::requested_file, super::file_response);
        None
    }
}

/// Where the site comes from, for the start-up log line.
pub fn describe(configured: Option<&str>) -> String {
    match SiteFiles::choose(configured) {
        SiteFiles::Disk(root) => format!("folder {root}"),
        SiteFiles::Embedded => "embedded in the binary".to_owned(),
    }
}

/// Whether this binary carries the site.
pub fn embedded() -> bool {
    embedded::AVAILABLE
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(path: &str) -> Request {
        Request::builder().uri(path).body(Body::empty()).expect("request")
    }

    #[test]
    fn a_configured_folder_wins() {
        assert_eq!(SiteFiles::choose(Some("/srv/site")), SiteFiles::Disk("/srv/site".into()));
        let default = SiteFiles::choose(None);
        if embedded() {
            assert_eq!(default, SiteFiles::Embedded);
        } else {
            assert_eq!(default, SiteFiles::Disk(DEFAULT_SITE_ROOT.into()));
        }
    }

    #[test]
    fn only_plain_file_paths_are_looked_up() {
        assert_eq!(requested_file(&get("/pkg/taprain.js")), Some("pkg/taprain.js"));
        assert_eq!(requested_file(&get("/favicon.svg")), Some("favicon.svg"));
        assert_eq!(requested_file(&get("/")), None);
        assert_eq!(requested_file(&get("/pkg/")), None);
        assert_eq!(requested_file(&get("/pkg/../Cargo.toml")), None);
        let post = Request::builder().method(Method::POST).uri("/favicon.svg").body(Body::empty()).expect("request");
        assert_eq!(requested_file(&post), None);
    }

    #[test]
    fn a_known_etag_gets_not_modified() {
        let mut request = get("/pkg/taprain.css");
        request.headers_mut().insert(header::IF_NONE_MATCH, HeaderValue::from_static("\"abc\""));
        let response = file_response(std::borrow::Cow::Borrowed(b"body"), "text/css", "\"abc\"".into(), &request);
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        let response = file_response(std::borrow::Cow::Borrowed(b"body"), "text/css", "\"new\"".into(), &request);
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "text/css");
    }
}
