//! Decides whether the built site (cargo-leptos output: `pkg/`, CSS, `public/` assets) is
//! compiled into the binary.
//!
//! - Release builds embed it when the site folder holds `pkg/`. Build with
//!   `cargo leptos build --release --precompress`: only then does cargo-leptos 0.3 finish the
//!   site before it compiles the server (without it both run at once).
//! - The `embed-site` feature embeds it in any build and fails when it is missing.
//! - Otherwise (debug builds, tests) the binary reads the site from disk as before.
//!
//! The site folder is `LEPTOS_SITE_ROOT` (cargo-leptos passes it to the server build), else
//! `target/site`, relative to this package.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(embedded_site)");
    println!("cargo::rerun-if-changed=build.rs");
    let forced = std::env::var_os("CARGO_FEATURE_EMBED_SITE").is_some();
    let release = std::env::var("PROFILE").is_ok_and(|p| p == "release");
    if !forced && !release {
        // Debug builds depend on nothing else, so switching LEPTOS_SITE_ROOT (cargo-leptos sets
        // it, cargo test does not) never recompiles this crate.
        return;
    }
    println!("cargo::rerun-if-env-changed=LEPTOS_SITE_ROOT");
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let site = std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into());
    let site = manifest.join(site);
    // A new or rebuilt file anywhere in the site re-runs this script and recompiles the crate.
    println!("cargo::rerun-if-changed={}", site.display());
    if !site.join("pkg").is_dir() {
        if forced {
            panic!("the embed-site feature needs a built site: {} has no pkg/ (run cargo leptos build first)", site.display());
        }
        println!(
            "cargo::warning=site not embedded: {} has no pkg/; this binary serves the site from disk (build with cargo leptos build --release --precompress to embed it)",
            site.display()
        );
        return;
    }
    let site = site.canonicalize().expect("the site folder exists");
    println!("cargo::rustc-cfg=embedded_site");
    println!("cargo::rustc-env=TAPRAIN_EMBEDDED_SITE_DIR={}", site.display());
}
