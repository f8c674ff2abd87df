//! Bodies of incoming webhooks: managing them, and what other systems post to them.

use super::auth::field;
use super::checks;
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_api_types::UserResponse;
use tandem_app::integrations::{CreateHook, HookPost};
use tandem_domain::{
    ChannelId, HookAttachment, HookField, HookName, IncomingWebhook, User, Username,
};
use utoipa::ToSchema;
use validator::Validate;

/// A hook to make.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateHookRequest {
    /// What posts through it ("Deploy alerts"); also its bot's display name. 1–80 characters,
    /// no control characters.
    #[schema(
        example = "Deploy alerts",
        max_length = 80,
        pattern = r"^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$"
    )]
    pub name: String,
    /// Its bot's username (how people mention it); made from the name when left out.
    #[validate(custom(function = "checks::username"))]
    #[schema(
        example = "deploy-alerts",
        pattern = r"^\s*[A-Za-z0-9][A-Za-z0-9._-]{1,31}\s*$"
    )]
    pub username: Option<String>,
}

impl CreateHookRequest {
    /// # Errors
    /// `validation_failed` for a name or username that does not parse.
    pub fn into_command(self, channel_id: ChannelId) -> Result<CreateHook, ApiError> {
        Ok(CreateHook {
            channel_id,
            name: field("name", HookName::parse(&self.name))?,
            username: self
                .username
                .as_deref()
                .map(|name| field("username", Username::parse(name)))
                .transpose()?,
        })
    }
}

/// A hook as its channel's managers see it: never its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct HookResponse {
    pub id: i64,
    pub channel_id: i64,
    pub name: String,
    /// The bot it posts as.
    #[schema(required = true)]
    pub bot: Option<UserResponse>,
    /// Who made it.
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    /// To the minute; `null`: never used.
    #[schema(required = true)]
    pub last_used_at: Option<DateTime<Utc>>,
}

impl HookResponse {
    pub fn new(hook: IncomingWebhook, bot: Option<User>) -> Self {
        Self {
            id: hook.id.get(),
            channel_id: hook.channel_id.get(),
            name: hook.name.as_str().to_owned(),
            bot: bot.map(Into::into),
            created_by: hook.created_by.get(),
            created_at: hook.created_at,
            last_used_at: hook.last_used_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HookList {
    /// Oldest first.
    pub hooks: Vec<HookResponse>,
}

/// A new hook, with its address: shown this once, never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedHookResponse {
    pub hook: HookResponse,
    /// Where the other system posts (`POST`, JSON). Keep it secret: anyone with it can post
    /// into the channel. Only a digest of it is stored.
    #[schema(
        example = "https://chat.example.com/api/v1/hooks/tdm_hook_8Jt6vJ0aV8lX3Q2nB5cK1mZ7wR4yE9uH0oP6sD2fG3h"
    )]
    pub url: String,
    /// The secret part of the address.
    #[schema(example = "tdm_hook_8Jt6vJ0aV8lX3Q2nB5cK1mZ7wR4yE9uH0oP6sD2fG3h")]
    pub token: String,
}

/// What another system posts, in the shape Slack's and Mattermost's incoming webhooks take.
/// Its words may hold line breaks and tabs but no other control characters.
/// Fields Tandem does not use (`username`, `icon_url`, `channel`, `blocks`…) are accepted and
/// ignored, so existing senders work unchanged; the message's author is always the hook's bot.
#[derive(Debug, Deserialize, ToSchema)]
pub struct HookPayload {
    /// The message, in Markdown; `@username` mentions notify as usual.
    #[schema(
        example = "Deploy of **api** finished :rocket: cc @ana",
        pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$"
    )]
    pub text: Option<String>,
    /// Shown as Markdown under the text. At most 20.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub attachments: Vec<HookAttachmentPayload>,
}

/// What to post, as Slack's hooks also take it: a form (`application/x-www-form-urlencoded`)
/// whose one field, `payload`, is a `HookPayload` as JSON text; other fields are ignored.
// Only documents the form: `crate::extract::JsonOrPayloadForm` reads it.
#[derive(Debug, ToSchema)]
pub struct HookForm {
    #[schema(schema_with = payload_text)]
    pub payload: String,
}

/// A string whose content is the JSON of a [`HookPayload`].
fn payload_text() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::Ref;
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(
            "The JSON of a `HookPayload` (URL-encoded, as any form field)",
        ))
        .content_media_type("application/json")
        .content_schema(Some(Ref::from_schema_name("HookPayload")))
        .examples([r#"{"text": "Deploy of **api** finished"}"#])
        .build()
}

/// One attachment: its parts become lines of Markdown (colors, images and icons are not
/// shown).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct HookAttachmentPayload {
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub fallback: Option<String>,
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub pretext: Option<String>,
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub author_name: Option<String>,
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub title: Option<String>,
    /// Makes the title a link (`http` and `https` only).
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub title_link: Option<String>,
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub text: Option<String>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub fields: Vec<HookFieldPayload>,
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub footer: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct HookFieldPayload {
    #[serde(default)]
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub title: String,
    #[serde(default)]
    #[schema(pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    pub value: String,
}

impl HookPayload {
    /// # Errors
    /// `validation_failed` for more than 20 attachments or 50 fields in one.
    pub fn into_post(self) -> Result<HookPost, ApiError> {
        if self.attachments.len() > 20 {
            return Err(too_many("attachments", "at most 20 attachments"));
        }
        if self.attachments.iter().any(|a| a.fields.len() > 50) {
            return Err(too_many(
                "attachments",
                "at most 50 fields in an attachment",
            ));
        }
        Ok(HookPost {
            text: self.text,
            attachments: self
                .attachments
                .into_iter()
                .map(|a| HookAttachment {
                    pretext: a.pretext,
                    author_name: a.author_name,
                    title: a.title,
                    title_link: a.title_link,
                    text: a.text,
                    fields: a
                        .fields
                        .into_iter()
                        .map(|f| HookField {
                            title: f.title,
                            value: f.value,
                        })
                        .collect(),
                    footer: a.footer,
                    fallback: a.fallback,
                })
                .collect(),
        })
    }
}

fn too_many(name: &str, message: &str) -> ApiError {
    ApiError::field(name, "too_many", message)
}
