//! Bodies of bot accounts.

use super::auth::field;
use super::checks;
use crate::error::ApiError;
use serde::{Deserialize, Serialize};
use tandem_api_types::UserResponse;
use tandem_app::auth::{CreateBot, IssuedBot};
use tandem_domain::{DisplayName, User, UserId, Username};
use utoipa::ToSchema;
use validator::Validate;

/// A bot to make.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBotRequest {
    /// How people mention it (`@deploy-bot`): 2–32 letters, digits, `.`, `_` or `-`, starting
    /// with a letter or digit; unique across Tandem.
    #[validate(custom(function = "checks::username"))]
    #[schema(
        example = "deploy-bot",
        pattern = r"^\s*[A-Za-z0-9][A-Za-z0-9._-]{1,31}\s*$"
    )]
    pub username: String,
    /// Shown beside its username: at most 64 characters, without control or invisible
    /// characters.
    #[validate(custom(function = "checks::display_name"))]
    #[schema(example = "Deploy bot", min_length = 1, max_length = 64)]
    pub display_name: Option<String>,
    /// The person answerable for it (an active member of your organization); you, when left
    /// out.
    pub owner_id: Option<i64>,
}

impl CreateBotRequest {
    /// # Errors
    /// `validation_failed` for a username or display name that does not parse.
    pub fn into_command(self) -> Result<CreateBot, ApiError> {
        Ok(CreateBot {
            username: field("username", Username::parse(&self.username))?,
            display_name: self
                .display_name
                .as_deref()
                .map(|name| field("display_name", DisplayName::parse(name)))
                .transpose()?,
            owner_id: self.owner_id.map(UserId::new),
        })
    }
}

/// A bot with a new token: shown this once, never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct BotWithToken {
    pub bot: UserResponse,
    /// Send as `Authorization: Bearer <token>`: scopes `read`, `write` and `channels`, no
    /// expiry. Only its digest is stored.
    #[schema(example = "tdm_pat_8Jt6vJ0aV8lX3Q2nB5cK1mZ7wR4yE9uH0oP6sD2fG3h")]
    pub token: String,
}

impl From<IssuedBot> for BotWithToken {
    fn from(issued: IssuedBot) -> Self {
        Self {
            bot: issued.bot.into(),
            token: issued.token,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BotList {
    /// Oldest first, deactivated ones included.
    pub bots: Vec<UserResponse>,
}

impl From<Vec<User>> for BotList {
    fn from(bots: Vec<User>) -> Self {
        Self {
            bots: bots.into_iter().map(Into::into).collect(),
        }
    }
}
