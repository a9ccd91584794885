//! What admins and publishers do with deliveries: resend one, resend every failed one, and send
//! a test postback that shows the exact request and answer.

use super::queue;
use super::sender::Sender;
use super::settings as postback_settings;
use super::wake::DeliveryWake;
use crate::domain::delivery::{sample_values, sign, AttemptOutcome};
pub use crate::domain::delivery_log::TestPostback;
use crate::domain::postback_template::PostbackTemplate;
use crate::domain::signature::SignatureScheme;
use crate::server::audit::{self, Actor};
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::error::ServiceError;

/// Sends delivery `id` again now. A delivery still queued cannot be resent (409).
pub async fn resend(db: &Db, wake: &DeliveryWake, actor: &Actor, id: &str) -> Result<(), ServiceError> {
    let mut tx = db.pool().begin().await?;
    if !queue::resend(&mut tx, id).await? {
        let exists: Option<(String,)> =
            sqlx::query_as("SELECT state FROM deliveries WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        return Err(match exists {
            None => ServiceError::NotFound("delivery"),
            Some((state,)) => ServiceError::Conflict(format!("the delivery is {state}; it is sent without a resend")),
        });
    }
    audit::record(&mut tx, actor, "delivery.resend", id, serde_json::json!({})).await?;
    tx.commit().await?;
    wake.wake();
    Ok(())
}

/// Sends every failed delivery (of one publisher, or all) again; returns how many.
pub async fn resend_failed(db: &Db, wake: &DeliveryWake, actor: &Actor, publisher_id: Option<&str>) -> Result<u64, ServiceError> {
    let mut tx = db.pool().begin().await?;
    let count = queue::resend_failed(&mut tx, publisher_id).await?;
    audit::record(&mut tx, actor, "delivery.resend_failed", publisher_id.unwrap_or("*"), serde_json::json!({ "count": count })).await?;
    tx.commit().await?;
    wake.wake();
    Ok(count)
}

/// Sends a postback with sample values to the publisher's URL, signed with their secret.
pub async fn test_postback(db: &Db, sender: &Sender, publisher_id: &str) -> Result<TestPostback, ServiceError> {
    let settings = postback_settings::get(db, publisher_id).await?.ok_or(ServiceError::NotFound("postback settings"))?;
    let template = PostbackTemplate::parse(&settings.url_template).map_err(|e| ServiceError::invalid("url_template", e.to_string()))?;
    let scheme = SignatureScheme::parse(&settings.signature).unwrap_or(SignatureScheme::HmacSha256);
    let now = now_ms() / 1000;
    let mut values = sample_values();
    values.timestamp = now.to_string();
    let request = sign(&template, scheme, &settings.secret, &values, &format!("test_{now}"), now);
    let answer = sender.send(&request).await;
    Ok(TestPostback {
        method: request.method.to_owned(),
        url: request.url,
        headers: request.headers,
        request_body: request.body,
        status_code: answer.status_code,
        body: answer.body,
        latency_ms: answer.latency_ms,
        error: answer.error,
        outcome: answer.outcome.as_str().to_owned(),
        delivered: answer.outcome != AttemptOutcome::Failed,
    })
}
