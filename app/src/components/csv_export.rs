//! An "Export CSV" link that shows its progress. Rendered on the server as a plain download link
//! (it works without script); once hydrated, a click fetches the same URL, reads the streamed
//! body chunk by chunk while counting rows and bytes, and hands the finished file to the browser
//! as a Blob download.

use leptos::prelude::*;

/// Where a download stands (only the browser moves it past `Idle`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum Progress {
    Idle,
    Running { rows: u64, bytes: u64 },
    Done { rows: u64, bytes: u64 },
    Failed(String),
}

/// Counts the data rows of a CSV stream: line ends outside quoted cells, minus the header.
/// Quotes inside a cell come doubled (`""`), so toggling on every quote stays right.
#[derive(Debug, Default, Clone, Copy)]
pub struct RowCounter {
    lines: u64,
    quoted: bool,
}

impl RowCounter {
    pub fn feed(&mut self, chunk: &[u8]) {
        for byte in chunk {
            match byte {
                b'"' => self.quoted = !self.quoted,
                b'\n' if !self.quoted => self.lines += 1,
                _ => {}
            }
        }
    }

    /// Rows after the header line.
    pub fn rows(&self) -> u64 {
        self.lines.saturating_sub(1)
    }
}

/// The file name of a `Content-Disposition: attachment; filename="…"` header, if it has a
/// plain one (no path separators or quotes).
pub fn attachment_filename(header: &str) -> Option<String> {
    let (_, rest) = header.split_once("filename=")?;
    let name = rest.trim_start().trim_start_matches('"');
    let name = name.split(['"', ';']).next()?.trim();
    (!name.is_empty() && !name.contains(['/', '\\'])).then(|| name.to_owned())
}

/// `1234567` bytes → `1.2 MB`.
pub fn human_bytes(bytes: u64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

fn rows_text(rows: u64) -> String {
    if rows == 1 {
        "1 row".into()
    } else {
        format!("{rows} rows")
    }
}

/// A download link for the CSV at `href`, saved as `filename`, with a live progress line.
#[component]
pub fn CsvExport(
    #[prop(into)] href: Signal<String>,
    #[prop(into)] filename: Signal<String>,
    #[prop(into, default = "Export CSV".into())] label: String,
    #[prop(into)] test_id: String,
) -> impl IntoView {
    let progress = RwSignal::new(Progress::Idle);
    let running = move || matches!(progress.get(), Progress::Running { .. });
    let start = move |ev: leptos::ev::MouseEvent| {
        #[cfg(feature = "hydrate")]
        {
            ev.prevent_default();
            if running() {
                return;
            }
            progress.set(Progress::Running { rows: 0, bytes: 0 });
            let (url, name) = (href.get_untracked(), filename.get_untracked());
            leptos::task::spawn_local(async move {
                let outcome = browser::download(&url, &name, |rows, bytes| progress.set(Progress::Running { rows, bytes })).await;
                progress.set(match outcome {
                    Ok((rows, bytes)) => Progress::Done { rows, bytes },
                    Err(message) => Progress::Failed(message),
                });
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let status_id = format!("{test_id}-status");
    view! {
        <span class="export">
            <a class="btn" href=move || href.get() download=move || filename.get() data-testid=test_id.clone() on:click=start
                aria-disabled=move || running().to_string() aria-describedby=status_id.clone()>
                {move || if running() { "Exporting…".to_string() } else { label.clone() }}
            </a>
            <span class="export-status muted small" id=status_id role="status" aria-live="polite" data-testid=format!("{test_id}-status")>
                {move || match progress.get() {
                    Progress::Idle => String::new(),
                    Progress::Running { rows, bytes } => format!("Downloading… {} · {}", rows_text(rows), human_bytes(bytes)),
                    Progress::Done { rows, bytes } => format!("Saved {} ({})", rows_text(rows), human_bytes(bytes)),
                    Progress::Failed(message) => format!("Export failed: {message}"),
                }}
            </span>
        </span>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use js_sys::{Array, Reflect, Uint8Array};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, ReadableStreamDefaultReader, RequestCredentials, RequestInit, Response, Url};

    use super::{attachment_filename, RowCounter};

    fn text(err: JsValue) -> String {
        err.as_string()
            .or_else(|| err.dyn_ref::<js_sys::Error>().map(|e| String::from(e.message())))
            .unwrap_or_else(|| "network error".into())
    }

    /// Fetches `url` (with the session cookie), reporting `(rows, bytes)` after every chunk, then
    /// saves the body as `filename`. Returns the final counts.
    pub async fn download(url: &str, filename: &str, progress: impl Fn(u64, u64)) -> Result<(u64, u64), String> {
        let window = web_sys::window().ok_or("no window")?;
        let init = RequestInit::new();
        init.set_credentials(RequestCredentials::SameOrigin);
        let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await.map_err(text)?.unchecked_into();
        if !response.ok() {
            let body = match response.text() {
                Ok(promise) => JsFuture::from(promise).await.ok().and_then(|v| v.as_string()).unwrap_or_default(),
                Err(_) => String::new(),
            };
            let message = serde_json::from_str::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["message"].as_str().map(str::to_owned))
                .unwrap_or_else(|| format!("the server answered {}", response.status()));
            return Err(message);
        }
        // The server's name carries the date range; the link's name is the fallback.
        let filename = response
            .headers()
            .get("content-disposition")
            .ok()
            .flatten()
            .and_then(|h| attachment_filename(&h))
            .unwrap_or_else(|| filename.to_owned());
        let stream = response.body().ok_or("empty answer")?;
        let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
        let parts = Array::new();
        let (mut counter, mut bytes) = (RowCounter::default(), 0u64);
        loop {
            let step = JsFuture::from(reader.read()).await.map_err(text)?;
            if Reflect::get(&step, &"done".into()).ok().and_then(|d| d.as_bool()).unwrap_or(true) {
                break;
            }
            let chunk: Uint8Array = Reflect::get(&step, &"value".into()).map_err(text)?.unchecked_into();
            counter.feed(&chunk.to_vec());
            bytes += u64::from(chunk.length());
            parts.push(&chunk);
            progress(counter.rows(), bytes);
        }
        let options = BlobPropertyBag::new();
        options.set_type("text/csv;charset=utf-8");
        let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(text)?;
        let object_url = Url::create_object_url_with_blob(&blob).map_err(text)?;
        let document = window.document().ok_or("no document")?;
        let link: HtmlAnchorElement = document.create_element("a").map_err(text)?.unchecked_into();
        link.set_href(&object_url);
        link.set_download(&filename);
        link.click();
        // The click has handed the Blob to the download; the URL is no longer needed.
        let _ = Url::revoke_object_url(&object_url);
        Ok((counter.rows(), bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_rows_across_chunks_and_ignores_quoted_line_ends() {
        let mut c = RowCounter::default();
        c.feed(b"id,name\n1,\"two\nlines\"\n2,\"a \"\"q\"\"");
        c.feed(b" b\"\n3,x\n");
        assert_eq!(c.rows(), 3);
        assert_eq!(RowCounter::default().rows(), 0);
    }

    #[test]
    fn attachment_names_are_read_from_the_header() {
        assert_eq!(
            attachment_filename("attachment; filename=\"taprain-conversions-2025-03-01-to-2025-03-31.csv\"").as_deref(),
            Some("taprain-conversions-2025-03-01-to-2025-03-31.csv")
        );
        assert_eq!(attachment_filename("attachment; filename=plain.csv; size=3").as_deref(), Some("plain.csv"));
        assert_eq!(attachment_filename("attachment"), None);
        assert_eq!(attachment_filename("attachment; filename=\"../etc/passwd\""), None);
    }

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(2048), "2.0 KB");
        assert_eq!(human_bytes(3 * 1024 * 1024 + 100_000), "3.1 MB");
    }
}
