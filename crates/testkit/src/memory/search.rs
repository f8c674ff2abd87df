//! [`MessageSearch`] on the store: case-blind substring matching in any script, ranked by the
//! SQL adapters' rule (every term found as a whole word first, then how often the terms occur).
//!
//! What the user typed is only ever compared as text, so no input can fail.

use super::snippet::{excerpt, fold, occurrences};
use super::{MemoryStore, MessageRow, State};
use async_trait::async_trait;
use std::collections::HashSet;
use tandem_app::ports::{MessageSearch, PortError, SearchHit, SearchQuery};
use tandem_domain::{ChannelId, ChannelKind, MessageType};

/// Longer input is cut here (in characters): a search box, not a document.
const MAX_QUERY_CHARS: usize = 256;

/// Terms beyond this many are ignored, as the SQL adapters ignore them.
const MAX_TERMS: usize = 16;

/// How many of the newest matches are ranked; older ones are reached by narrowing the query.
const CANDIDATES: usize = 5_000;

/// What each term found as a whole word adds: more than the occurrences can (at most one per
/// term), so whole-word hits always come first.
const WHOLE_WORD: f64 = 100.0;

/// The distinct whitespace-separated terms, folded to lower case, in the order typed. Control
/// characters (NUL included) separate terms like spaces.
fn terms(text: &str) -> Vec<Vec<char>> {
    let cleaned: String = text
        .chars()
        .take(MAX_QUERY_CHARS)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut terms: Vec<Vec<char>> = Vec::new();
    for term in cleaned.split_whitespace().map(fold) {
        if !terms.contains(&term) {
            terms.push(term);
        }
        if terms.len() == MAX_TERMS {
            break;
        }
    }
    terms
}

/// Whether the match `[start, end)` stands alone: no letter, digit or `_` right before or after.
fn whole_word(text: &[char], (start, end): (usize, usize)) -> bool {
    let word = |c: &char| c.is_alphanumeric() || *c == '_';
    let before = start.checked_sub(1).and_then(|i| text.get(i));
    !before.is_some_and(word) && !text.get(end).is_some_and(word)
}

/// `None` unless every term occurs in `content`. Otherwise [`WHOLE_WORD`] per term found as a
/// whole word, plus `n / (n + 1)` per term occurring `n` times: more occurrences score higher,
/// never as much as one more whole word.
fn score(content: &str, terms: &[Vec<char>]) -> Option<f64> {
    let text = fold(content);
    let mut score = 0.0;
    for term in terms {
        let (mut count, mut whole) = (0_u32, false);
        for found in occurrences(&text, term) {
            count += 1;
            whole |= whole_word(&text, found);
        }
        if count == 0 {
            return None;
        }
        let count = f64::from(count);
        score += count / (count + 1.0);
        if whole {
            score += WHOLE_WORD;
        }
    }
    Some(score)
}

impl State {
    /// The channels of the query's organization the viewer may read: public ones and their
    /// own, narrowed to the asked channel if any (naming a channel does not open it).
    fn readable_channels(&self, query: &SearchQuery) -> HashSet<ChannelId> {
        self.channels
            .values()
            .filter(|row| row.channel.organization_id == query.organization_id)
            .filter(|row| {
                row.channel.kind == ChannelKind::Public || row.members.contains_key(&query.viewer)
            })
            .map(|row| row.channel.id)
            .filter(|id| query.channel_id.is_none_or(|wanted| wanted == *id))
            .collect()
    }

    /// `before` and `after` are exclusive.
    fn wanted(query: &SearchQuery, row: &MessageRow) -> bool {
        !row.is_deleted
            && query.author_id.is_none_or(|author| row.user_id == author)
            && query.before.is_none_or(|before| row.created_at < before)
            && query.after.is_none_or(|after| row.created_at > after)
            && (!query.has_file
                || matches!(row.message_type, MessageType::File | MessageType::Image))
    }

    fn search(&self, query: &SearchQuery, terms: &[Vec<char>]) -> Vec<SearchHit> {
        let channels = self.readable_channels(query);
        let mut ranked: Vec<(f64, &MessageRow)> = self
            .messages
            .values()
            .rev()
            .filter(|row| channels.contains(&row.channel_id) && Self::wanted(query, row))
            .filter_map(|row| score(&row.content, terms).map(|score| (score, row)))
            .take(CANDIDATES)
            .collect();
        // Best first; equal scores newest first.
        ranked.sort_by(|(a_score, a), (b_score, b)| {
            b_score
                .total_cmp(a_score)
                .then(b.seq.cmp(&a.seq))
                .then(b.id.cmp(&a.id))
        });
        let offset = usize::try_from(query.offset).unwrap_or(usize::MAX);
        let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
        ranked
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|(rank, row)| {
                let (snippet, highlights) = excerpt(&row.content, terms);
                SearchHit {
                    message: self.view(row, query.viewer),
                    snippet,
                    highlights,
                    rank,
                }
            })
            .collect()
    }
}

#[async_trait]
impl MessageSearch for MemoryStore {
    async fn search(&self, query: &SearchQuery) -> Result<Vec<SearchHit>, PortError> {
        let terms = terms(&query.text);
        if terms.is_empty() || query.limit == 0 {
            return Ok(Vec::new());
        }
        Ok(self.lock().search(query, &terms))
    }
}
