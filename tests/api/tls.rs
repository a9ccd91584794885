//! Direct HTTPS with a certificate the test makes itself (rcgen): a postback door, sign-in with a
//! `Secure` cookie, HSTS, HTTP/2 by ALPN, and a renewed certificate picked up without a restart.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::server::settings::TlsFiles;
use reqwest::Client;
use rustls::pki_types::pem::PemObject;
use serde_json::{json, Value};

use crate::helpers::*;

/// A self-signed certificate for `localhost`: (certificate PEM, key PEM).
fn certificate() -> (String, String) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).expect("certificate");
    (made.cert.pem(), made.signing_key.serialize_pem())
}

fn write_pair(dir: &Path, (cert, key): &(String, String)) -> TlsFiles {
    let files = TlsFiles { cert: dir.join("cert.pem"), key: dir.join("key.pem") };
    // Key first, then the certificate: a reload caught in between fails and is retried.
    std::fs::write(&files.key, key).expect("write key");
    std::fs::write(&files.cert, cert).expect("write cert");
    files
}

/// A client that trusts only `cert_pem` and reaches `localhost` at the test server.
fn client_trusting(cert_pem: &str, app: &TestApp) -> Client {
    Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(cert_pem.as_bytes()).expect("pem"))
        .resolve("localhost", app.address)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

fn https(app: &TestApp, path: &str) -> String {
    format!("https://localhost:{}{}", app.address.port(), path)
}

/// The ALPN protocol the server picks when offered h2 and http/1.1.
async fn negotiated_alpn(cert_pem: &str, app: &TestApp) -> Option<Vec<u8>> {
    let mut roots = rustls::RootCertStore::empty();
    let der = rustls::pki_types::CertificateDer::from_pem_slice(cert_pem.as_bytes()).expect("cert der");
    roots.add(der).expect("root");
    let mut config = rustls::ClientConfig::builder().with_root_certificates(roots).with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(app.address).await.expect("tcp");
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let tls = connector.connect(name, tcp).await.expect("handshake");
    tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn https_serves_the_doors_secure_sign_in_and_renewed_certificates() {
    let dir = std::env::temp_dir().join(format!("taprain-tls-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let first = certificate();
    let files = write_pair(&dir, &first);
    let app = try_spawn(Backend::Sqlite, |s| s.tls = Some(files.clone())).await.expect("app");
    let client = client_trusting(&first.0, &app);

    // Plain HTTP gets nowhere: the port speaks TLS only.
    assert!(app.client.get(app.url("/healthz")).send().await.is_err(), "plain HTTP must not be served");

    // HTTP/2 is offered by ALPN.
    assert_eq!(negotiated_alpn(&first.0, &app).await.as_deref(), Some(&b"h2"[..]));

    // The CPA postback door over HTTPS, set up through the admin API over HTTPS.
    let admin = |method: reqwest::Method, path: &str| client.request(method, https(&app, path)).bearer_auth(&app.token);
    let network: Value = admin(reqwest::Method::POST, "/api/admin/networks")
        .json(&json!({ "name": "TLS" }))
        .send()
        .await
        .expect("network")
        .json()
        .await
        .expect("json");
    let (network_id, key) = (network["id"].as_str().expect("id"), network["key"].as_str().expect("key"));
    let ip = admin(reqwest::Method::POST, &format!("/api/admin/networks/{network_id}/ips"))
        .json(&json!({ "ip": "127.0.0.1" }))
        .send()
        .await
        .expect("ip");
    assert_eq!(ip.status(), 201);
    let publisher = admin(reqwest::Method::POST, "/api/admin/publishers")
        .json(&json!({ "name": "Seed", "id": SEED_PUBLISHER }))
        .send()
        .await
        .expect("pub");
    assert_eq!(publisher.status(), 201);
    let postback = client.get(https(&app, &format!("/api/postback/cpa?key={key}&{SEED_QUERY}"))).send().await.expect("postback");
    assert_eq!(postback.status(), 200);
    let hsts = postback.headers().get("strict-transport-security").map(|v| v.to_str().unwrap_or_default().to_owned());
    assert_eq!(hsts.as_deref(), Some("max-age=31536000; includeSubDomains"));
    assert_eq!(postback.json::<Value>().await.expect("json"), json!({ "message": "ok" }));

    // Sign-in sets a Secure cookie, which then authenticates over HTTPS.
    let login = client
        .post(https(&app, "/api/login"))
        .header("accept", "application/json")
        .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .expect("login");
    assert!(login.headers().contains_key("strict-transport-security"));
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("taprain_session="))
        .expect("session cookie")
        .to_owned();
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
    let pair = cookie.split(';').next().expect("pair");
    let conversions = client.get(https(&app, "/api/admin/conversions")).header("cookie", pair).send().await.expect("conversions");
    assert_eq!(conversions.status(), 200);
    assert_eq!(conversions.json::<Value>().await.expect("json")["items"].as_array().expect("items").len(), 1);

    // A renewed certificate is served to new connections without a restart.
    let second = certificate();
    write_pair(&dir, &second);
    let renewed = client_trusting(&second.0, &app);
    let started = Instant::now();
    loop {
        if renewed.get(https(&app, "/healthz")).send().await.is_ok_and(|r| r.status() == 200) {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the renewed certificate was not picked up within 10 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("renewed certificate served after {} ms", started.elapsed().as_millis());
    let stale = client_trusting(&first.0, &app);
    assert!(stale.get(https(&app, "/healthz")).send().await.is_err(), "new connections no longer get the old certificate");
    let _ = std::fs::remove_dir_all(&dir);
}
