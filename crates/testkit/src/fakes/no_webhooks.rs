//! Incoming webhooks that nobody has made, for use-case tests of other areas: no hook is
//! ever found, and making one is a test failure with a clear message. Hooks are tested
//! black-box on both databases (`tests/api/webhooks.rs`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_app::ports::{IncomingWebhookRepository, NewIncomingWebhook, PortError};
use tandem_domain::{ChannelId, IncomingWebhook, IncomingWebhookId};

pub struct NoWebhooks;

#[async_trait]
impl IncomingWebhookRepository for NoWebhooks {
    async fn create(&self, _: NewIncomingWebhook) -> Result<IncomingWebhook, PortError> {
        Err(PortError::unexpected(
            "incoming webhooks are not faked in these tests",
        ))
    }

    async fn find_by_hash(&self, _: &str) -> Result<Option<IncomingWebhook>, PortError> {
        Ok(None)
    }

    async fn list_for_channel(&self, _: ChannelId) -> Result<Vec<IncomingWebhook>, PortError> {
        Ok(Vec::new())
    }

    async fn delete(
        &self,
        _: ChannelId,
        _: IncomingWebhookId,
    ) -> Result<Option<IncomingWebhook>, PortError> {
        Ok(None)
    }

    async fn touch(&self, _: IncomingWebhookId, _: DateTime<Utc>) -> Result<(), PortError> {
        Ok(())
    }
}
