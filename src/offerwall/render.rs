//! The offerwall's HTML, rendered straight into a string (no framework on this hot path), in the
//! page's language with numbers written its way, light or dark. Every piece of text that came
//! from admins or end users goes through `escape`.

use std::fmt::Write;

use app::domain::offerwall::DeviceTarget;
use app::domain::wall_language::{WallTexts, WallTheme};
use app::server::offerwall::page::{Sort, WallPage};

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 8);
    escape_into(&mut out, raw);
    out
}

/// `escape`, appending to `out` (the page is built in one buffer).
pub fn escape_into(out: &mut String, raw: &str) {
    let mut rest = raw;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        out.push_str(&rest[..at]);
        out.push_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
}

fn badge(device: DeviceTarget, texts: &WallTexts) -> &'static str {
    match device {
        DeviceTarget::Desktop => texts.desktop,
        DeviceTarget::Mobile => texts.mobile,
        DeviceTarget::All => texts.all_devices,
    }
}

/// The colours of each theme; the accent colour comes from the wall.
fn theme_colours(theme: WallTheme) -> &'static str {
    match theme {
        WallTheme::Light => "--bg:#f4f5f8;--text:#1c1e26;--surface:#fff;--line:#cfd3dd;--soft:#555b6b;--chip:#eef0f5;--chip-text:#4a5060;color-scheme:light",
        WallTheme::Dark => "--bg:#10131a;--text:#e8eaf0;--surface:#1b202b;--line:#3a4150;--soft:#b4bac8;--chip:#2a3140;--chip-text:#d0d5e0;color-scheme:dark",
    }
}

const STYLE: &str = "*{box-sizing:border-box}[hidden]{display:none!important}body{margin:0;font:15px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;\
background:var(--bg);color:var(--text)}header{display:flex;align-items:center;gap:10px;padding:12px 14px;background:var(--accent);color:#fff}\
header img{height:32px;width:auto;border-radius:6px;background:#fff}header h1{font-size:18px;margin:0;overflow-wrap:anywhere}\
header p{margin:0;font-size:12px;opacity:.9}form{display:flex;flex-wrap:wrap;gap:8px;padding:10px 14px;background:var(--surface);\
border-bottom:1px solid var(--line);position:sticky;top:0}input[type=search]{flex:1 1 160px;min-width:0;padding:8px 10px;border:1px solid var(--line);\
border-radius:8px;font:inherit;background:var(--surface);color:var(--text)}select,button{padding:8px;border:1px solid var(--line);border-radius:8px;\
background:var(--surface);color:var(--text);font:inherit}\
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(250px,1fr));gap:12px;padding:14px}\
.card{display:flex;flex-direction:column;gap:6px;padding:14px;background:var(--surface);border-radius:12px;box-shadow:0 1px 3px rgba(0,0,0,.08)}\
.card h2{font-size:16px;margin:0;overflow-wrap:anywhere}.card p{margin:0;color:var(--soft);font-size:13px;overflow-wrap:anywhere;flex:1}\
.meta{display:flex;justify-content:space-between;align-items:center;gap:8px}.badge{font-size:11px;padding:2px 8px;border-radius:99px;\
background:var(--chip);color:var(--chip-text)}.reward{font-weight:700;color:var(--accent);white-space:nowrap}a.go{display:block;text-align:center;padding:9px;\
border-radius:8px;background:var(--accent);color:#fff;text-decoration:none;font-weight:600}a.go:focus,a.go:hover{filter:brightness(1.1)}\
.empty{grid-column:1/-1;text-align:center;color:var(--soft);padding:40px 0}@media (max-width:400px){main{padding:10px;gap:10px}}";

/// Live search and sort without a reload; the form still works without JavaScript.
const SCRIPT: &str = "(function(){var f=document.getElementById('tools'),q=f.elements.q,s=f.elements.sort,\
m=document.querySelector('main'),e=document.getElementById('none');\
function nm(x){return x.querySelector('h2').textContent.toLowerCase();}\
function run(){var t=q.value.toLowerCase(),c=[].slice.call(m.querySelectorAll('.card')),n=0;\
c.forEach(function(x){var ok=!t||(nm(x)+' '+x.querySelector('p').textContent.toLowerCase()).indexOf(t)>=0;x.hidden=!ok;if(ok)n++;});\
c.sort(function(a,b){var v=s.value;if(v==='name'){var p=nm(a),r=nm(b);return p<r?-1:p>r?1:0;}\
var d=b.dataset.reward-a.dataset.reward;return v==='lowest'?-d:d;});\
c.forEach(function(x){m.insertBefore(x,e);});e.hidden=n>0;}\
q.addEventListener('input',run);s.addEventListener('change',run);\
f.addEventListener('submit',function(ev){ev.preventDefault();run();});})();";

fn hidden(out: &mut String, name: &str, value: &str) {
    if !value.is_empty() {
        let _ = write!(out, "<input type=\"hidden\" name=\"{name}\" value=\"{}\">", escape(value));
    }
}

/// The whole page; `nonce` authorises the inline style and script under the page's CSP.
pub fn wall_page(page: &WallPage, nonce: &str) -> String {
    let wall = &page.wall;
    let visit = &page.visit;
    let language = page.language();
    let texts = language.texts();
    let title = escape(wall.title.as_deref().unwrap_or(&wall.name));
    let currency = escape(&wall.currency.name);
    let accent = wall.accent_color.as_deref().map(escape).unwrap_or_else(|| "#3b5bdb".into());
    let mut out = String::with_capacity(4096 + page.len() * 700);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title}</title><style nonce=\"{nonce}\">:root{{--accent:{accent};{colours}}}{STYLE}</style></head><body>\
         <header>",
        lang = language.code(),
        colours = theme_colours(visit.theme),
    );
    if let Some(logo) = &wall.logo_url {
        let _ = write!(out, "<img src=\"{}\" alt=\"\">", escape(logo));
    }
    let _ = write!(out, "<div><h1>{title}</h1><p>{}</p></div></header>", texts.subtitle_for(&currency));
    out.push_str("<form id=\"tools\" method=\"get\" role=\"search\">");
    for (name, value) in [("s1", &visit.s1), ("s2", &visit.s2), ("uid", &visit.uid)] {
        hidden(&mut out, name, value);
    }
    hidden(&mut out, "country", visit.country.as_deref().unwrap_or_default());
    hidden(&mut out, "device", visit.device.as_str());
    hidden(&mut out, "lang", visit.language.map(|l| l.code()).unwrap_or_default());
    if visit.theme != WallTheme::default() {
        hidden(&mut out, "theme", visit.theme.as_str());
    }
    let _ = write!(
        out,
        "<input type=\"search\" name=\"q\" value=\"{}\" placeholder=\"{search}\" aria-label=\"{search}\">\
         <select name=\"sort\" aria-label=\"{sort}\">",
        escape(&visit.query),
        search = texts.search,
        sort = texts.sort,
    );
    for (value, label) in [(Sort::Best, texts.highest), (Sort::Lowest, texts.lowest), (Sort::Name, texts.name)] {
        let selected = if value == visit.sort { " selected" } else { "" };
        let _ = write!(out, "<option value=\"{}\"{selected}>{label}</option>", value.as_str());
    }
    let _ = write!(out, "</select><button type=\"submit\">{}</button></form><main>", texts.search_button);
    for card in page.cards() {
        let offer = card.offer;
        let _ = write!(out, "<article class=\"card\" data-reward=\"{}\"><h2>", card.reward);
        escape_into(&mut out, &offer.name);
        out.push_str("</h2><p>");
        escape_into(&mut out, &offer.description);
        out.push_str("</p><div class=\"meta\"><span class=\"reward\">");
        language.number_into(&mut out, card.reward);
        out.push('\u{a0}');
        out.push_str(&currency);
        out.push_str("</span><span class=\"badge\">");
        out.push_str(badge(offer.device, texts));
        out.push_str("</span></div><a class=\"go\" href=\"/c/");
        page.signer.sign_into(&mut out, &offer.id);
        let _ = write!(out, "\" target=\"_blank\" rel=\"noopener\" title=\"{}\">{} ", texts.opens_in_new_tab, texts.earn);
        language.number_into(&mut out, card.reward);
        out.push('\u{a0}');
        out.push_str(&currency);
        out.push_str("</a></article>");
    }
    let hidden_empty = if page.is_empty() { "" } else { " hidden" };
    let _ = write!(
        out,
        "<p id=\"none\" class=\"empty\"{hidden_empty}>{empty}</p></main>\
         <script nonce=\"{nonce}\">{SCRIPT}</script></body></html>",
        empty = texts.empty,
    );
    out
}

/// A small page for "not found" and errors (inline style only, no script).
pub fn message_page(title: &str, message: &str, nonce: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style nonce=\"{nonce}\">body{{font:16px system-ui,sans-serif;color:#333;display:flex;align-items:center;\
         justify-content:center;min-height:90vh;margin:0;text-align:center;padding:20px}}</style></head><body><div><h1>{}</h1><p>{}</p></div></body></html>",
        escape(title),
        escape(title),
        escape(message)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything_that_could_open_markup() {
        assert_eq!(escape("<script>alert('x')</script> & \"q\""), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
        assert_eq!(escape("plain ünïcode"), "plain ünïcode");
        assert_eq!(escape(""), "");
    }
}
