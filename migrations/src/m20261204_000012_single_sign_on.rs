//! Single sign-on through OpenID Connect: each organization's identity providers (the client
//! secret kept for the token endpoint), the people they vouched for (`subject` → user), and the
//! sign-ins under way (only the digest of their `state`, with the nonce and PKCE verifier to
//! check the provider's answer against; each is used once).

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
enum SsoProviders {
    Table,
    Id,
    OrganizationId,
    /// What the sign-in button says.
    Label,
    Issuer,
    ClientId,
    ClientSecret,
    /// Space-separated email domains it may sign people in for; empty for any.
    AllowedDomains,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SsoIdentities {
    Table,
    ProviderId,
    /// The provider's stable id for the person (`sub`).
    Subject,
    UserId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum SsoAttempts {
    Table,
    StateHash,
    ProviderId,
    Nonce,
    CodeVerifier,
    CreatedAt,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SsoProviders::Table)
                    .if_not_exists()
                    .col(big_pk_auto(SsoProviders::Id))
                    .col(big_integer(SsoProviders::OrganizationId))
                    .col(text(SsoProviders::Label))
                    .col(text(SsoProviders::Issuer))
                    .col(text(SsoProviders::ClientId))
                    .col(text(SsoProviders::ClientSecret))
                    .col(text(SsoProviders::AllowedDomains).default(""))
                    .col(timestamp_with_time_zone(SsoProviders::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sso_providers_organization")
                            .from(SsoProviders::Table, SsoProviders::OrganizationId)
                            .to(Organizations::Table, Organizations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_sso_providers_organization")
                    .table(SsoProviders::Table)
                    .col(SsoProviders::OrganizationId)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SsoIdentities::Table)
                    .if_not_exists()
                    .col(big_integer(SsoIdentities::ProviderId))
                    .col(text(SsoIdentities::Subject))
                    .col(big_integer(SsoIdentities::UserId))
                    .col(timestamp_with_time_zone(SsoIdentities::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(SsoIdentities::ProviderId)
                            .col(SsoIdentities::Subject),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sso_identities_provider")
                            .from(SsoIdentities::Table, SsoIdentities::ProviderId)
                            .to(SsoProviders::Table, SsoProviders::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sso_identities_user")
                            .from(SsoIdentities::Table, SsoIdentities::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SsoAttempts::Table)
                    .if_not_exists()
                    .col(text(SsoAttempts::StateHash).primary_key())
                    .col(big_integer(SsoAttempts::ProviderId))
                    .col(text(SsoAttempts::Nonce))
                    .col(text(SsoAttempts::CodeVerifier))
                    .col(timestamp_with_time_zone(SsoAttempts::CreatedAt))
                    .col(timestamp_with_time_zone(SsoAttempts::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_sso_attempts_provider")
                            .from(SsoAttempts::Table, SsoAttempts::ProviderId)
                            .to(SsoProviders::Table, SsoProviders::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SsoAttempts::Table.into_iden(),
            SsoIdentities::Table.into_iden(),
            SsoProviders::Table.into_iden(),
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
