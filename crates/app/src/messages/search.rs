//! Searching the messages the caller may read.

use crate::ChatContext;
use crate::channels::ChatError;
use crate::ports::{SearchHit, SearchQuery};
use chrono::{DateTime, Utc};
use tandem_domain::{Actor, ChannelId, UserId};

#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub text: String,
    pub channel_id: Option<ChannelId>,
    pub author_id: Option<UserId>,
    pub before: Option<DateTime<Utc>>,
    pub after: Option<DateTime<Utc>>,
    pub has_file: bool,
    pub offset: Option<u64>,
    pub limit: Option<u64>,
}

/// The longest query looked at; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 256;

/// # Errors
/// `Invalid` for an empty query; `Port` when storage fails.
pub async fn search_messages(
    ctx: &ChatContext,
    actor: &Actor,
    request: SearchRequest,
) -> Result<Vec<SearchHit>, ChatError> {
    let text: String = request.text.trim().chars().take(MAX_QUERY_CHARS).collect();
    if text.is_empty() {
        return Err(ChatError::invalid(
            "q",
            "required",
            "type something to search for",
        ));
    }
    let query = SearchQuery {
        organization_id: actor.organization_id,
        viewer: actor.id,
        text,
        channel_id: request.channel_id,
        author_id: request.author_id,
        before: request.before,
        after: request.after,
        has_file: request.has_file,
        offset: request.offset.unwrap_or(0).min(10_000),
        limit: request.limit.unwrap_or(20).clamp(1, 50),
    };
    Ok(ctx.search.search(&query).await?)
}
