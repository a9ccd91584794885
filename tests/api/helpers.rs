//! `spawn_app`: a real TapRain server on port 0 with its own database, an admin, and a token.

use std::net::SocketAddr;

use app::domain::{Email, Role};
use app::server::audit::Actor;
use app::server::auth::tokens;
use app::server::db::Db;
use app::server::settings::Settings;
use app::server::users;
use reqwest::{Client, Response};
use serde_json::Value;
use taprain::startup::Application;

pub const ADMIN_EMAIL: &str = "admin@test.example";
pub const ADMIN_PASSWORD: &str = "correct horse battery staple";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub address: SocketAddr,
    pub client: Client,
    pub token: String,
    pub db: Db,
    pub database_url: String,
    _dir: tempdir::TempDir,
}

/// A throwaway directory removed on drop.
mod tempdir {
    pub struct TempDir(pub std::path::PathBuf);
    impl TempDir {
        pub fn new() -> Self {
            let path = std::env::temp_dir().join(format!("taprain-test-{}", uuid::Uuid::new_v4().simple()));
            std::fs::create_dir_all(&path).expect("temp dir");
            Self(path)
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// The PostgreSQL server URL for tests, if configured.
pub fn postgres_url() -> Option<String> {
    std::env::var("TAPRAIN_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())
}

/// Creates an empty database on the test PostgreSQL server and returns its URL.
pub async fn fresh_postgres_database(server_url: &str) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!("taprain_t_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::AnyConnection::connect(server_url).await.expect("connect to the test PostgreSQL server");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut conn).await.expect("create test database");
    let base = server_url.rsplit_once('/').map(|(b, _)| b).expect("postgres url has a database part");
    format!("{base}/{name}")
}

pub fn test_settings(database_url: String, dir: &std::path::Path) -> Settings {
    let mut settings = Settings::development("127.0.0.1:0".parse().expect("addr"), database_url);
    settings.site_root = Some(dir.display().to_string());
    settings
}

/// Starts a server on `backend`; `None` when that backend is not configured here.
pub async fn try_spawn(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> Option<TestApp> {
    let dir = tempdir::TempDir::new();
    let database_url = match backend {
        Backend::Sqlite => format!("sqlite://{}/taprain.db", dir.0.display()),
        Backend::Postgres => fresh_postgres_database(&postgres_url()?).await,
    };
    let mut settings = test_settings(database_url.clone(), &dir.0);
    tweak(&mut settings);
    let application = Application::build(settings).await.expect("build app");
    let address = application.address();
    tokio::spawn(application.run_until_stopped());

    let db = Db::connect(&database_url).await.expect("test db handle");
    let email = Email::parse(ADMIN_EMAIL).expect("email");
    let admin = users::create(&db, &Actor::cli(), &email, ADMIN_PASSWORD, Role::Admin, None).await.expect("admin");
    let token = tokens::create(&mut db.pool().acquire().await.expect("conn"), &admin.id).await.expect("token");
    let client = Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    Some(TestApp { address, client, token, db, database_url, _dir: dir })
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).bearer_auth(&self.token).send().await.expect("GET")
    }

    pub async fn post_json(&self, path: &str, body: Value) -> Response {
        self.client.post(self.url(path)).bearer_auth(&self.token).json(&body).send().await.expect("POST")
    }

    pub async fn patch_json(&self, path: &str, body: Value) -> Response {
        self.client.patch(self.url(path)).bearer_auth(&self.token).json(&body).send().await.expect("PATCH")
    }

    pub async fn delete(&self, path: &str) -> Response {
        self.client.delete(self.url(path)).bearer_auth(&self.token).send().await.expect("DELETE")
    }

    /// Creates a network and returns (id, key).
    pub async fn create_network(&self, name: &str) -> (String, String) {
        let body: Value = self.post_json("/api/admin/networks", serde_json::json!({ "name": name })).await.json().await.expect("json");
        (body["id"].as_str().expect("id").to_owned(), body["key"].as_str().expect("key").to_owned())
    }

    /// Creates a publisher and returns its id.
    pub async fn create_publisher(&self, name: &str) -> String {
        let body: Value = self.post_json("/api/admin/publishers", serde_json::json!({ "name": name })).await.json().await.expect("json");
        body["id"].as_str().expect("id").to_owned()
    }
}

/// Asserts the status and that the body is `{"message": <non-empty>}`; returns the message.
pub async fn expect_error(response: Response, status: u16) -> String {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let body: Value = response.json().await.expect("error body is JSON");
    let message = body["message"].as_str().expect("error body has a message").to_owned();
    assert!(!message.is_empty());
    message
}

/// Runs a test body against SQLite, and against PostgreSQL when it is configured.
#[macro_export]
macro_rules! on_both_backends {
    ($name:ident, |$app:ident| $body:block) => {
        $crate::on_both_backends!($name, settings(|_s| {}), |$app| $body);
    };
    ($name:ident, settings($tweak:expr), |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let $app = $crate::helpers::try_spawn($crate::helpers::Backend::Sqlite, $tweak).await.expect("sqlite app");
                $body
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let Some($app) = $crate::helpers::try_spawn($crate::helpers::Backend::Postgres, $tweak).await else {
                    eprintln!("TAPRAIN_TEST_POSTGRES_URL not set: PostgreSQL variant skipped");
                    return;
                };
                $body
            }
        }
    };
}

/// Settings that let outbound postbacks reach the tests' receivers on 127.0.0.1.
pub fn allow_private(settings: &mut Settings) {
    settings.deliveries.allow_private_targets = true;
}

/// The seed's publisher id and example postback (without the key).
pub const SEED_PUBLISHER: &str = "6422f1b3e8a0000012345678";
pub const SEED_QUERY: &str = "external_identifier=6422f1b3e8a0000012345678&amount=350&offer_name=Shein+Shopping+App&country_code=US&ip=203.0.113.45&status=1&lead_id=abc123";

/// A network whose key is returned and which may post from 127.0.0.1, and the seed's publisher.
pub struct CpaSetup {
    pub network_id: String,
    pub key: String,
}

impl TestApp {
    pub async fn setup_cpa(&self) -> CpaSetup {
        let (network_id, key) = self.create_network("Seed Network").await;
        let approved = self.post_json(&format!("/api/admin/networks/{network_id}/ips"), serde_json::json!({ "ip": "127.0.0.1" })).await;
        assert_eq!(approved.status(), 201);
        let publisher =
            self.post_json("/api/admin/publishers", serde_json::json!({ "name": "Seed Publisher", "id": SEED_PUBLISHER })).await;
        assert_eq!(publisher.status(), 201);
        CpaSetup { network_id, key }
    }

    /// `GET /api/postback/cpa?key=<key>&<query>` from 127.0.0.1.
    pub async fn cpa(&self, key: &str, query: &str) -> Response {
        self.client.get(self.url(&format!("/api/postback/cpa?key={key}&{query}"))).send().await.expect("postback")
    }

    /// Sets a publisher's postback (`PUT /api/admin/publishers/{id}/postback`) and returns the
    /// signing secret.
    pub async fn set_postback(&self, publisher: &str, settings: Value) -> String {
        let response = self
            .client
            .put(self.url(&format!("/api/admin/publishers/{publisher}/postback")))
            .bearer_auth(&self.token)
            .json(&settings)
            .send()
            .await
            .expect("PUT");
        assert_eq!(response.status(), 200);
        let saved: Value = response.json().await.expect("json");
        saved["secret"].as_str().expect("secret").to_owned()
    }

    pub async fn balance(&self, publisher: &str) -> i64 {
        let body: Value = self.get(&format!("/api/admin/publishers/{publisher}")).await.json().await.expect("json");
        body["balance_cents"].as_i64().expect("balance")
    }

    pub async fn conversions(&self, query: &str) -> Vec<Value> {
        let body: Value = self.get(&format!("/api/admin/conversions?{query}")).await.json().await.expect("json");
        body["items"].as_array().expect("items").clone()
    }
}

/// Asserts a CPA answer: status and `{"message": message}`.
pub async fn expect_cpa(response: Response, status: u16, message: &str) {
    assert_eq!(response.status().as_u16(), status);
    let body: Value = response.json().await.expect("json body");
    assert_eq!(body, serde_json::json!({ "message": message }));
}

/// The seed's reward identifiers (seed 003).
pub const SEED_PID: &str = "cashgiraffe";
pub const SEED_GID: &str = "my_game";
pub const SEED_UID: &str = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";

/// The seed's level postback body for `level`.
pub fn seed_level(level: i64) -> Value {
    serde_json::json!({ "pid": SEED_PID, "uid": SEED_UID, "gid": SEED_GID, "level_number": level })
}

/// A reward secret, and the seed's store app, game and user (with the seed's uid).
pub struct RewardSetup {
    pub secret: String,
    pub secret_id: String,
}

impl TestApp {
    /// Issues a reward API secret and returns (id, secret).
    pub async fn create_reward_secret(&self) -> (String, String) {
        let response = self.post_json("/api/admin/reward-secrets", serde_json::json!({})).await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.expect("json");
        (body["id"].as_str().expect("id").to_owned(), body["secret"].as_str().expect("secret").to_owned())
    }

    pub async fn setup_reward(&self) -> RewardSetup {
        let app = self.post_json("/api/admin/store-apps", serde_json::json!({ "pid": SEED_PID, "name": "Cash Giraffe" })).await;
        assert_eq!(app.status(), 201);
        let game = self.post_json("/api/admin/reward-games", serde_json::json!({ "id": SEED_GID, "name": "My Game" })).await;
        assert_eq!(game.status(), 201);
        let (secret_id, secret) = self.create_reward_secret().await;
        let user = self
            .reward_post(&secret, "/api/reward/users", serde_json::json!({ "id": SEED_UID, "appId": "app-1", "deviceId": "device-1" }))
            .await;
        assert_eq!(user.status(), 201);
        RewardSetup { secret, secret_id }
    }

    /// A POST to a reward endpoint with `Authorization: Bearer <secret>`.
    pub async fn reward_post(&self, secret: &str, path: &str, body: Value) -> Response {
        self.client.post(self.url(path)).bearer_auth(secret).json(&body).send().await.expect("POST")
    }

    /// `POST /api/postback` with `Authorization: Bearer <secret>`.
    pub async fn reward_postback(&self, secret: &str, body: Value) -> Response {
        self.reward_post(secret, "/api/postback", body).await
    }

    /// A GET on the reward app API with `Authorization: Bearer <secret>`.
    pub async fn reward_get(&self, secret: &str, path: &str) -> Response {
        self.client.get(self.url(path)).bearer_auth(secret).send().await.expect("GET")
    }

    /// The reward user's coins as the reward app reads them.
    pub async fn reward_coins(&self, secret: &str, user: &str) -> i64 {
        let body: Value = self.reward_get(secret, &format!("/api/reward/users/{user}")).await.json().await.expect("json");
        body["coins"].as_i64().expect("coins")
    }
}

impl TestApp {
    /// Starts a second server on the same database (another instance behind a load balancer).
    pub async fn second_instance(&self) -> TestApp {
        self.another_instance(|_| {}).await
    }

    /// Starts one more server on the same database, with settings tweaked like `try_spawn`'s.
    pub async fn another_instance(&self, tweak: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempdir::TempDir::new();
        let mut settings = test_settings(self.database_url.clone(), &dir.0);
        tweak(&mut settings);
        let application = Application::build(settings).await.expect("build another app");
        let address = application.address();
        tokio::spawn(application.run_until_stopped());
        let db = Db::connect(&self.database_url).await.expect("test db handle");
        TestApp { address, client: self.client.clone(), token: self.token.clone(), db, database_url: self.database_url.clone(), _dir: dir }
    }
}

/// The seed's conversion call (seed 001), its referral code and its publisher.
pub const SEED_REFERRAL_CODE: &str = "nwjinmy";
pub fn seed_conversion() -> Value {
    serde_json::json!({ "referral_code": SEED_REFERRAL_CODE, "amount": "100", "external_id": "ORD005" })
}

/// A program (10 % of the amount, USD) with its API key, and a publisher owning the seed's
/// referral code.
pub struct ProgramSetup {
    pub id: String,
    pub key: String,
    pub publisher: String,
}

impl TestApp {
    /// Creates a program from `body` and returns (id, api_key).
    pub async fn create_program(&self, body: Value) -> (String, String) {
        let response = self.post_json("/api/admin/programs", body).await;
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.expect("json");
        (body["id"].as_str().expect("id").to_owned(), body["api_key"].as_str().expect("api_key").to_owned())
    }

    /// `POST /api/admin/programs/{program}/{collection}` with `{publisher_id, code}`.
    pub async fn add_handle(&self, program: &str, collection: &str, publisher: &str, code: &str) -> Response {
        self.post_json(
            &format!("/api/admin/programs/{program}/{collection}"),
            serde_json::json!({ "publisher_id": publisher, "code": code }),
        )
        .await
    }

    pub async fn setup_program(&self) -> ProgramSetup {
        let (id, key) = self.create_program(serde_json::json!({ "name": "Shop", "currency": "USD", "commission_percent": 10 })).await;
        let publisher = self.create_publisher("Affiliate").await;
        assert_eq!(self.add_handle(&id, "referral-codes", &publisher, SEED_REFERRAL_CODE).await.status(), 201);
        ProgramSetup { id, key, publisher }
    }

    /// A POST with `X-Api-Key` to a conversions API endpoint.
    pub async fn v1_post(&self, key: &str, path: &str, body: Value) -> Response {
        self.client.post(self.url(path)).header("x-api-key", key).json(&body).send().await.expect("POST")
    }

    /// A GET with `X-Api-Key` (the query string is part of `path_and_query`).
    pub async fn v1_get(&self, key: &str, path_and_query: &str) -> Response {
        self.client.get(self.url(path_and_query)).header("x-api-key", key).send().await.expect("GET")
    }
}

/// Asserts a 422 whose message starts with `field` and names it in `field`; returns the message.
pub async fn expect_field_error(response: Response, field: &str) -> String {
    assert_eq!(response.status().as_u16(), 422, "expected a 422 for {field}");
    let body: Value = response.json().await.expect("json");
    let message = body["message"].as_str().expect("message").to_owned();
    assert_eq!(body["field"], field, "{message}");
    assert!(message.starts_with(&format!("{field}:")), "{message}");
    message
}

/// Asserts a 201 and returns its JSON body.
pub async fn expect_created(response: Response) -> Value {
    assert_eq!(response.status(), 201);
    response.json().await.expect("json")
}

/// Asserts that every cached balance equals the sum of its ledger entries.
pub async fn assert_ledger_consistent(app: &TestApp) {
    let (_, mismatches) = app::server::ledger::verify(&mut app.db.pool().acquire().await.expect("conn")).await.expect("verify");
    assert!(mismatches.is_empty(), "{mismatches:?}");
}

/// Every ledger entry as (source_ref, delta), oldest first.
pub async fn ledger_postings(app: &TestApp) -> Vec<(String, i64)> {
    sqlx::query_as("SELECT source_ref, delta FROM ledger_entries ORDER BY id").fetch_all(app.db.pool()).await.expect("entries")
}
