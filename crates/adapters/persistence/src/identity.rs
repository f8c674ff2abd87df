//! Identity and access over the `account_tokens`, `invitations`, `sessions`, `users`,
//! `organizations` and `refresh_tokens` tables, in plain SQL written once for both backends.

use crate::entities::{organization, user};
use crate::error::port_error;
use crate::guarded::Guarded;
use crate::mapping::{organization_from_row, user_from_row};
use crate::sql::{placeholders, statement};
use crate::transaction::begin_write;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, EntityTrait, FromQueryResult, Value};
use tandem_app::ports::{
    AccountLink, IdentityRepository, Invitation, LinkPurpose, NewAccountLink, NewInvitation,
    NewSession, PortError, SessionInfo, TwoFactorState,
};
use tandem_domain::{
    ChannelId, Email, EmailDomain, Organization, OrganizationId, Role, TwoFactorPolicy, User,
    UserId,
};

pub(crate) struct SeaIdentityRepository {
    pub(crate) db: Guarded,
}

#[derive(Debug, FromQueryResult)]
struct IdRow {
    id: i64,
}

#[derive(Debug, FromQueryResult)]
struct LinkRow {
    user_id: i64,
    email: String,
}

impl LinkRow {
    fn into_link(self, purpose: LinkPurpose) -> Result<AccountLink, PortError> {
        Ok(AccountLink {
            purpose,
            user_id: UserId::new(self.user_id),
            email: Email::parse(&self.email)
                .map_err(|_| PortError::unexpected("stored link email is not valid"))?,
        })
    }
}

#[derive(Debug, FromQueryResult)]
struct InvitationRow {
    id: i64,
    organization_id: i64,
    email: String,
    role: String,
    channel_ids: String,
    invited_by: Option<i64>,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    accepted_at: Option<DateTime<Utc>>,
    accepted_by: Option<i64>,
    revoked_at: Option<DateTime<Utc>>,
}

const INVITATION_COLUMNS: &str = "id, organization_id, email, role, channel_ids, invited_by, \
     created_at, expires_at, accepted_at, accepted_by, revoked_at";

impl InvitationRow {
    fn into_invitation(self) -> Result<Invitation, PortError> {
        let corrupt =
            |what: &str| PortError::unexpected(format!("stored invitation {what} is not valid"));
        let channel_ids: Vec<i64> =
            serde_json::from_str(&self.channel_ids).map_err(|_| corrupt("channel_ids"))?;
        Ok(Invitation {
            id: self.id,
            organization_id: OrganizationId::new(self.organization_id),
            email: Email::parse(&self.email).map_err(|_| corrupt("email"))?,
            role: self.role.parse::<Role>().map_err(|_| corrupt("role"))?,
            channel_ids: channel_ids.into_iter().map(ChannelId::new).collect(),
            invited_by: self.invited_by.map(UserId::new),
            created_at: self.created_at,
            expires_at: self.expires_at,
            accepted_at: self.accepted_at,
            accepted_by: self.accepted_by.map(UserId::new),
            revoked_at: self.revoked_at,
        })
    }
}

#[derive(Debug, FromQueryResult)]
struct SessionRow {
    id: i64,
    user_id: i64,
    user_agent: Option<String>,
    address: Option<String>,
    created_at: DateTime<Utc>,
    last_used_at: DateTime<Utc>,
}

#[derive(Debug, FromQueryResult)]
struct FamilyRow {
    id: i64,
    family: String,
}

/// A live session's family holds a refresh token neither spent, revoked nor expired.
const LIVE: &str = "EXISTS (SELECT 1 FROM refresh_tokens r WHERE r.family = s.family \
     AND r.used_at IS NULL AND r.revoked_at IS NULL AND r.expires_at > ?)";

impl SeaIdentityRepository {
    /// The organization as stored now (after a change).
    async fn organization(
        &self,
        organization_id: OrganizationId,
    ) -> Result<Organization, PortError> {
        organization::Entity::find_by_id(organization_id.get())
            .one(&self.db)
            .await
            .map_err(port_error)?
            .map_or(Err(PortError::NotFound), organization_from_row)
    }

    async fn execute(&self, sql: &str, values: Vec<Value>) -> Result<u64, PortError> {
        Ok(self
            .db
            .execute_raw(statement(&self.db, sql, values))
            .await
            .map_err(port_error)?
            .rows_affected())
    }

    async fn invitation_where(
        &self,
        condition: &str,
        values: Vec<Value>,
    ) -> Result<Vec<Invitation>, PortError> {
        let sql = format!("SELECT {INVITATION_COLUMNS} FROM invitations WHERE {condition}");
        InvitationRow::find_by_statement(statement(&self.db, &sql, values))
            .all(&self.db)
            .await
            .map_err(port_error)?
            .into_iter()
            .map(InvitationRow::into_invitation)
            .collect()
    }
}

#[async_trait]
impl IdentityRepository for SeaIdentityRepository {
    async fn store_link(&self, link: NewAccountLink) -> Result<(), PortError> {
        let txn = begin_write(&self.db).await?;
        txn.execute_raw(statement(
            &txn,
            "UPDATE account_tokens SET used_at = ? \
             WHERE user_id = ? AND purpose = ? AND used_at IS NULL",
            [
                link.created_at.into(),
                link.user_id.get().into(),
                link.purpose.as_str().into(),
            ],
        ))
        .await
        .map_err(port_error)?;
        txn.execute_raw(statement(
            &txn,
            "INSERT INTO account_tokens (purpose, user_id, email, token_hash, created_at, \
             expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            [
                link.purpose.as_str().into(),
                link.user_id.get().into(),
                link.email.as_str().into(),
                link.token_hash.into(),
                link.created_at.into(),
                link.expires_at.into(),
            ],
        ))
        .await
        .map_err(port_error)?;
        txn.commit().await.map_err(port_error)
    }

    async fn find_link(
        &self,
        purpose: LinkPurpose,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountLink>, PortError> {
        let sql = "SELECT user_id, email FROM account_tokens \
                   WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?";
        let values = [token_hash.into(), purpose.as_str().into(), now.into()];
        let row = LinkRow::find_by_statement(statement(&self.db, sql, values))
            .one(&self.db)
            .await
            .map_err(port_error)?;
        row.map(|row| row.into_link(purpose)).transpose()
    }

    async fn use_link(
        &self,
        purpose: LinkPurpose,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<AccountLink>, PortError> {
        // One conditional UPDATE decides between concurrent uses.
        let sql = "UPDATE account_tokens SET used_at = ? \
                   WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ? \
                   RETURNING user_id, email";
        let values = [
            now.into(),
            token_hash.into(),
            purpose.as_str().into(),
            now.into(),
        ];
        let row = LinkRow::find_by_statement(statement(&self.db, sql, values))
            .one(&self.db)
            .await
            .map_err(port_error)?;
        row.map(|row| row.into_link(purpose)).transpose()
    }

    async fn verify_email(
        &self,
        user_id: UserId,
        email: &Email,
        now: DateTime<Utc>,
    ) -> Result<User, PortError> {
        let changed = self
            .execute(
                "UPDATE users SET email = ?, email_verified_at = ? WHERE id = ?",
                vec![email.as_str().into(), now.into(), user_id.get().into()],
            )
            .await?;
        if changed == 0 {
            return Err(PortError::NotFound);
        }
        user::Entity::find_by_id(user_id.get())
            .one(&self.db)
            .await
            .map_err(port_error)?
            .map_or(Err(PortError::NotFound), user_from_row)
    }

    async fn claim_domain(
        &self,
        organization_id: OrganizationId,
        domain: &EmailDomain,
    ) -> Result<bool, PortError> {
        let claimed = self
            .execute(
                "UPDATE organizations SET domain = ? WHERE id = ? AND domain IS NULL \
                 AND NOT EXISTS (SELECT 1 FROM organizations o WHERE o.domain = ?)",
                vec![
                    domain.as_str().into(),
                    organization_id.get().into(),
                    domain.as_str().into(),
                ],
            )
            .await;
        match claimed {
            Ok(rows) => Ok(rows > 0),
            // Another organization claimed it at the same moment: the unique index decided.
            Err(PortError::Conflict(_)) => Ok(false),
            Err(other) => Err(other),
        }
    }

    async fn set_self_signup(
        &self,
        organization_id: OrganizationId,
        self_signup: bool,
    ) -> Result<Organization, PortError> {
        self.execute(
            "UPDATE organizations SET self_signup = ? WHERE id = ?",
            vec![self_signup.into(), organization_id.get().into()],
        )
        .await?;
        self.organization(organization_id).await
    }

    async fn set_two_factor_policy(
        &self,
        organization_id: OrganizationId,
        policy: TwoFactorPolicy,
    ) -> Result<Organization, PortError> {
        self.execute(
            "UPDATE organizations SET two_factor_policy = ? WHERE id = ?",
            vec![policy.as_str().into(), organization_id.get().into()],
        )
        .await?;
        self.organization(organization_id).await
    }

    async fn set_sso_only(
        &self,
        organization_id: OrganizationId,
        sso_only: bool,
    ) -> Result<Organization, PortError> {
        self.execute(
            "UPDATE organizations SET sso_only = ? WHERE id = ?",
            vec![sso_only.into(), organization_id.get().into()],
        )
        .await?;
        self.organization(organization_id).await
    }

    async fn set_access_tokens_enabled(
        &self,
        organization_id: OrganizationId,
        enabled: bool,
    ) -> Result<Organization, PortError> {
        self.execute(
            "UPDATE organizations SET access_tokens_enabled = ? WHERE id = ?",
            vec![enabled.into(), organization_id.get().into()],
        )
        .await?;
        self.organization(organization_id).await
    }

    async fn create_invitation(
        &self,
        invitation: NewInvitation,
        now: DateTime<Utc>,
    ) -> Result<Invitation, PortError> {
        let txn = begin_write(&self.db).await?;
        txn.execute_raw(statement(
            &txn,
            "UPDATE invitations SET revoked_at = ? WHERE organization_id = ? AND email = ? \
             AND accepted_at IS NULL AND revoked_at IS NULL",
            [
                now.into(),
                invitation.organization_id.get().into(),
                invitation.email.as_str().into(),
            ],
        ))
        .await
        .map_err(port_error)?;
        let channels: Vec<i64> = invitation.channel_ids.iter().map(|c| c.get()).collect();
        let sql = format!(
            "INSERT INTO invitations (organization_id, email, role, channel_ids, token_hash, \
             invited_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) \
             RETURNING {INVITATION_COLUMNS}"
        );
        let values = [
            invitation.organization_id.get().into(),
            invitation.email.as_str().into(),
            invitation.role.as_str().into(),
            serde_json::to_string(&channels)
                .map_err(PortError::unexpected)?
                .into(),
            invitation.token_hash.into(),
            invitation.invited_by.get().into(),
            invitation.created_at.into(),
            invitation.expires_at.into(),
        ];
        let row = InvitationRow::find_by_statement(statement(&txn, &sql, values))
            .one(&txn)
            .await
            .map_err(port_error)?
            .ok_or_else(|| PortError::unexpected("storing an invitation returned no row"))?;
        txn.commit().await.map_err(port_error)?;
        row.into_invitation()
    }

    async fn invitations(
        &self,
        organization_id: OrganizationId,
        pending_at: Option<DateTime<Utc>>,
        limit: u64,
    ) -> Result<Vec<Invitation>, PortError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        match pending_at {
            Some(now) => {
                self.invitation_where(
                    "organization_id = ? AND accepted_at IS NULL AND revoked_at IS NULL \
                     AND expires_at > ? ORDER BY id DESC LIMIT ?",
                    vec![organization_id.get().into(), now.into(), limit.into()],
                )
                .await
            }
            None => {
                self.invitation_where(
                    "organization_id = ? ORDER BY id DESC LIMIT ?",
                    vec![organization_id.get().into(), limit.into()],
                )
                .await
            }
        }
    }

    async fn revoke_invitation(
        &self,
        organization_id: OrganizationId,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        Ok(self
            .execute(
                "UPDATE invitations SET revoked_at = ? WHERE id = ? AND organization_id = ? \
                 AND accepted_at IS NULL AND revoked_at IS NULL",
                vec![now.into(), id.into(), organization_id.get().into()],
            )
            .await?
            > 0)
    }

    async fn find_invitation(&self, token_hash: &str) -> Result<Option<Invitation>, PortError> {
        Ok(self
            .invitation_where("token_hash = ?", vec![token_hash.into()])
            .await?
            .into_iter()
            .next())
    }

    async fn accept_invitation(
        &self,
        id: i64,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        Ok(self
            .execute(
                "UPDATE invitations SET accepted_at = ?, accepted_by = ? WHERE id = ? \
                 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
                vec![now.into(), user_id.get().into(), id.into(), now.into()],
            )
            .await?
            > 0)
    }

    async fn open_session(&self, session: NewSession) -> Result<i64, PortError> {
        let sql = "INSERT INTO sessions (user_id, family, user_agent, address, created_at, \
                   last_used_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
        let values = [
            session.user_id.get().into(),
            session.family.into(),
            session.user_agent.into(),
            session.address.into(),
            session.created_at.into(),
            session.created_at.into(),
        ];
        IdRow::find_by_statement(statement(&self.db, sql, values))
            .one(&self.db)
            .await
            .map_err(port_error)?
            .map(|row| row.id)
            .ok_or_else(|| PortError::unexpected("storing a session returned no id"))
    }

    async fn session_used(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>, PortError> {
        // A family from before sessions were recorded gets its record here.
        let sql = "INSERT INTO sessions (user_id, family, created_at, last_used_at) \
                   SELECT user_id, family, created_at, ? FROM refresh_tokens WHERE token_hash = ? \
                   ON CONFLICT (family) DO UPDATE SET last_used_at = excluded.last_used_at \
                   RETURNING id";
        Ok(
            IdRow::find_by_statement(statement(&self.db, sql, [now.into(), token_hash.into()]))
                .one(&self.db)
                .await
                .map_err(port_error)?
                .map(|row| row.id),
        )
    }

    async fn live_sessions(
        &self,
        user_id: UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<SessionInfo>, PortError> {
        let sql = format!(
            "SELECT s.id, s.user_id, s.user_agent, s.address, s.created_at, s.last_used_at \
             FROM sessions s WHERE s.user_id = ? AND {LIVE} \
             ORDER BY s.last_used_at DESC, s.id DESC"
        );
        Ok(SessionRow::find_by_statement(statement(
            &self.db,
            &sql,
            [user_id.get().into(), now.into()],
        ))
        .all(&self.db)
        .await
        .map_err(port_error)?
        .into_iter()
        .map(|row| SessionInfo {
            id: row.id,
            user_id: UserId::new(row.user_id),
            user_agent: row.user_agent,
            address: row.address,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
        })
        .collect())
    }

    async fn end_sessions(
        &self,
        user_id: UserId,
        ids: Option<&[i64]>,
        keep: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>, PortError> {
        let mut sql = format!(
            "SELECT s.id, s.family FROM sessions s WHERE s.user_id = ? AND s.id <> ? AND {LIVE}"
        );
        let mut values: Vec<Value> =
            vec![user_id.get().into(), keep.unwrap_or(0).into(), now.into()];
        if let Some(ids) = ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            sql.push_str(&format!(" AND s.id IN ({})", placeholders(ids.len())));
            values.extend(ids.iter().map(|id| Value::from(*id)));
        }
        let txn = begin_write(&self.db).await?;
        let ended = FamilyRow::find_by_statement(statement(&txn, &sql, values))
            .all(&txn)
            .await
            .map_err(port_error)?;
        for row in &ended {
            txn.execute_raw(statement(
                &txn,
                "UPDATE refresh_tokens SET revoked_at = ? WHERE family = ? AND revoked_at IS NULL",
                [now.into(), row.family.clone().into()],
            ))
            .await
            .map_err(port_error)?;
        }
        txn.commit().await.map_err(port_error)?;
        Ok(ended.into_iter().map(|row| row.id).collect())
    }

    async fn two_factor(&self, user_id: UserId) -> Result<Option<TwoFactorState>, PortError> {
        let row = TwoFactorRow::find_by_statement(statement(
            &self.db,
            "SELECT t.secret, t.enabled_at, \
             (SELECT COUNT(*) FROM recovery_codes c WHERE c.user_id = t.user_id AND c.used_at IS NULL) AS codes_left \
             FROM two_factor t WHERE t.user_id = ?",
            [user_id.get().into()],
        ))
        .one(&self.db)
        .await
        .map_err(port_error)?;
        Ok(row.map(|row| TwoFactorState {
            secret: row.secret,
            enabled_at: row.enabled_at,
            recovery_codes_left: u32::try_from(row.codes_left).unwrap_or(0),
        }))
    }

    async fn begin_two_factor(
        &self,
        user_id: UserId,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        // Insert, or replace a pending enrolment's secret; an enabled one stays as it is.
        let changed = self
            .execute(
                "INSERT INTO two_factor (user_id, secret, created_at, enabled_at, last_step) \
                 VALUES (?, ?, ?, NULL, 0) \
                 ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, \
                 created_at = excluded.created_at WHERE two_factor.enabled_at IS NULL",
                vec![user_id.get().into(), secret.into(), now.into()],
            )
            .await?;
        Ok(changed == 1)
    }

    async fn enable_two_factor(
        &self,
        user_id: UserId,
        step: i64,
        recovery_code_hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        let txn = begin_write(&self.db).await?;
        let enabled = txn
            .execute_raw(statement(
                &txn,
                "UPDATE two_factor SET enabled_at = ?, last_step = ? \
                 WHERE user_id = ? AND enabled_at IS NULL",
                [now.into(), step.into(), user_id.get().into()],
            ))
            .await
            .map_err(port_error)?
            .rows_affected();
        if enabled != 1 {
            return Ok(false);
        }
        replace_codes(&txn, user_id, recovery_code_hashes, now).await?;
        txn.commit().await.map_err(port_error)?;
        Ok(true)
    }

    async fn use_two_factor_step(&self, user_id: UserId, step: i64) -> Result<bool, PortError> {
        let changed = self
            .execute(
                "UPDATE two_factor SET last_step = ? \
                 WHERE user_id = ? AND enabled_at IS NOT NULL AND last_step < ?",
                vec![step.into(), user_id.get().into(), step.into()],
            )
            .await?;
        Ok(changed == 1)
    }

    async fn use_recovery_code(
        &self,
        user_id: UserId,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, PortError> {
        let changed = self
            .execute(
                "UPDATE recovery_codes SET used_at = ? \
                 WHERE id = (SELECT id FROM recovery_codes \
                   WHERE user_id = ? AND code_hash = ? AND used_at IS NULL LIMIT 1) \
                 AND used_at IS NULL",
                vec![now.into(), user_id.get().into(), code_hash.into()],
            )
            .await?;
        Ok(changed == 1)
    }

    async fn replace_recovery_codes(
        &self,
        user_id: UserId,
        recovery_code_hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), PortError> {
        let txn = begin_write(&self.db).await?;
        replace_codes(&txn, user_id, recovery_code_hashes, now).await?;
        txn.commit().await.map_err(port_error)
    }

    async fn disable_two_factor(&self, user_id: UserId) -> Result<(), PortError> {
        let txn = begin_write(&self.db).await?;
        for sql in [
            "DELETE FROM recovery_codes WHERE user_id = ?",
            "DELETE FROM two_factor WHERE user_id = ?",
        ] {
            txn.execute_raw(statement(&txn, sql, [user_id.get().into()]))
                .await
                .map_err(port_error)?;
        }
        txn.commit().await.map_err(port_error)
    }
}

#[derive(Debug, FromQueryResult)]
struct TwoFactorRow {
    secret: String,
    enabled_at: Option<DateTime<Utc>>,
    codes_left: i64,
}

/// Drops every recovery code of `user_id` and stores these digests instead.
async fn replace_codes<C: ConnectionTrait>(
    txn: &C,
    user_id: UserId,
    hashes: &[String],
    now: DateTime<Utc>,
) -> Result<(), PortError> {
    txn.execute_raw(statement(
        txn,
        "DELETE FROM recovery_codes WHERE user_id = ?",
        [user_id.get().into()],
    ))
    .await
    .map_err(port_error)?;
    if hashes.is_empty() {
        return Ok(());
    }
    let rows = vec!["(?, ?, ?)"; hashes.len()].join(", ");
    let values = hashes.iter().flat_map(|hash| {
        [
            Value::from(user_id.get()),
            Value::from(hash.as_str()),
            Value::from(now),
        ]
    });
    txn.execute_raw(statement(
        txn,
        &format!("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES {rows}"),
        values,
    ))
    .await
    .map_err(port_error)?;
    Ok(())
}
