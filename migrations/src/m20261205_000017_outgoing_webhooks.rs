//! Outgoing webhooks (subscriptions of another system's endpoint to channel events) and the
//! log of their deliveries. The signing secret is kept sealed, as the providers' client
//! secrets are; lists (events, channels, trigger words) are space-separated words.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum OutgoingWebhooks {
    Table,
    Id,
    OrganizationId,
    Name,
    Url,
    SecretSealed,
    Events,
    ChannelIds,
    TriggerWords,
    IsActive,
    ConsecutiveFailures,
    DisabledReason,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookDeliveries {
    Table,
    Id,
    HookId,
    Event,
    Body,
    Status,
    Attempts,
    ResponseCode,
    LatencyMs,
    Error,
    CreatedAt,
    LastAttemptAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OutgoingWebhooks::Table)
                    .if_not_exists()
                    .col(big_pk_auto(OutgoingWebhooks::Id))
                    .col(big_integer(OutgoingWebhooks::OrganizationId))
                    .col(text(OutgoingWebhooks::Name))
                    .col(text(OutgoingWebhooks::Url))
                    .col(text(OutgoingWebhooks::SecretSealed))
                    .col(text(OutgoingWebhooks::Events))
                    .col(text(OutgoingWebhooks::ChannelIds))
                    .col(text(OutgoingWebhooks::TriggerWords))
                    .col(boolean(OutgoingWebhooks::IsActive).default(true))
                    .col(integer(OutgoingWebhooks::ConsecutiveFailures).default(0))
                    .col(text_null(OutgoingWebhooks::DisabledReason))
                    .col(big_integer(OutgoingWebhooks::CreatedBy))
                    .col(timestamp_with_time_zone(OutgoingWebhooks::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_outgoing_webhooks_organization")
                            .from(OutgoingWebhooks::Table, OutgoingWebhooks::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_outgoing_webhooks_created_by")
                            .from(OutgoingWebhooks::Table, OutgoingWebhooks::CreatedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_outgoing_webhooks_organization")
                    .table(OutgoingWebhooks::Table)
                    .col(OutgoingWebhooks::OrganizationId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDeliveries::Table)
                    .if_not_exists()
                    .col(big_pk_auto(WebhookDeliveries::Id))
                    .col(big_integer(WebhookDeliveries::HookId))
                    .col(text(WebhookDeliveries::Event))
                    .col(text(WebhookDeliveries::Body))
                    .col(text(WebhookDeliveries::Status))
                    .col(integer(WebhookDeliveries::Attempts).default(0))
                    .col(integer_null(WebhookDeliveries::ResponseCode))
                    .col(big_integer_null(WebhookDeliveries::LatencyMs))
                    .col(text_null(WebhookDeliveries::Error))
                    .col(timestamp_with_time_zone(WebhookDeliveries::CreatedAt))
                    .col(timestamp_with_time_zone_null(
                        WebhookDeliveries::LastAttemptAt,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_deliveries_hook")
                            .from(WebhookDeliveries::Table, WebhookDeliveries::HookId)
                            .to(OutgoingWebhooks::Table, OutgoingWebhooks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_webhook_deliveries_hook")
                    .table(WebhookDeliveries::Table)
                    .col(WebhookDeliveries::HookId)
                    .col(WebhookDeliveries::Id)
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            WebhookDeliveries::Table.into_iden(),
            OutgoingWebhooks::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
