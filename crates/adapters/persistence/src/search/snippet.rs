//! The excerpt shown with a hit and where the terms are in it, computed here rather than by
//! the database so both backends give the same plain-text answer.

use super::terms::fold_char;

/// The longest excerpt, in characters, ellipses included.
pub(super) const MAX_CHARS: usize = 200;

/// How much text comes before the first match when the excerpt has to start later.
const LEAD: usize = 60;

/// How far a cut may move to fall between words rather than inside one.
const WORD_SLACK: usize = 20;

const ELLIPSIS: char = '…';

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Excerpt {
    pub(super) snippet: String,
    /// Character offsets `[start, end)` in `snippet`, sorted, not overlapping.
    pub(super) highlights: Vec<(usize, usize)>,
}

/// Up to [`MAX_CHARS`] characters of `content` around the first match of any of `terms`
/// (already folded), on one line, with `…` where text was cut. Every match of every term
/// inside the excerpt is highlighted, case-insensitively. Without a match (the backend
/// matched in a way this cannot see) the excerpt is the start of the content.
pub(super) fn excerpt(content: &str, terms: &[Vec<char>]) -> Excerpt {
    let chars: Vec<char> = content
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let folded: Vec<char> = chars.iter().copied().map(fold_char).collect();
    let matches = find_all(&folded, terms);
    let anchor = matches.first().map_or(0, |&(start, _)| start);
    let (start, end) = window(&chars, anchor);

    let mut snippet = String::with_capacity(MAX_CHARS * 3);
    let lead = usize::from(start > 0);
    if start > 0 {
        snippet.push(ELLIPSIS);
    }
    snippet.extend(&chars[start..end]);
    if end < chars.len() {
        snippet.push(ELLIPSIS);
    }
    let highlights = matches
        .into_iter()
        .filter(|&(s, e)| s < end && e > start)
        .map(|(s, e)| (s.max(start) - start + lead, e.min(end) - start + lead))
        .collect();
    Excerpt {
        snippet,
        highlights,
    }
}

/// Every occurrence of every term, merged where they overlap or touch.
fn find_all(text: &[char], terms: &[Vec<char>]) -> Vec<(usize, usize)> {
    let mut found: Vec<(usize, usize)> = Vec::new();
    for term in terms.iter().filter(|term| !term.is_empty()) {
        let mut at = 0;
        while at + term.len() <= text.len() {
            if text[at..].starts_with(term) {
                found.push((at, at + term.len()));
                at += term.len();
            } else {
                at += 1;
            }
        }
    }
    found.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(found.len());
    for (start, end) in found {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// The range of `chars` to show so that `anchor` is in it, leaving room for the ellipses.
fn window(chars: &[char], anchor: usize) -> (usize, usize) {
    let len = chars.len();
    if len <= MAX_CHARS {
        return (0, len);
    }
    // Both ellipses are needed unless the window touches an end.
    let mut start = anchor.saturating_sub(LEAD);
    if start > 0 {
        start = after_space(chars, start, anchor).unwrap_or(start);
    }
    let mut end = (start + MAX_CHARS - 2).min(len);
    if start == 0 {
        end = MAX_CHARS - 1;
    } else if end == len {
        // The end is reached: use the room for more text before the match instead.
        start = len - (MAX_CHARS - 1);
        return (start, len);
    }
    if end < len {
        end = before_space(chars, start.max(anchor + 1), end).unwrap_or(end);
    }
    (start, end)
}

/// The first position after a space in `[from, from + WORD_SLACK)`, not beyond `limit`.
fn after_space(chars: &[char], from: usize, limit: usize) -> Option<usize> {
    let to = (from + WORD_SLACK).min(limit);
    (from..to).find(|&i| chars[i] == ' ').map(|i| i + 1)
}

/// The last space in `[to - WORD_SLACK, to)`, not before `floor`.
fn before_space(chars: &[char], floor: usize, to: usize) -> Option<usize> {
    let from = to.saturating_sub(WORD_SLACK).max(floor);
    (from..to).rev().find(|&i| chars[i] == ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(words: &[&str]) -> Vec<Vec<char>> {
        words
            .iter()
            .map(|w| w.chars().map(fold_char).collect())
            .collect()
    }

    fn highlighted(excerpt: &Excerpt) -> Vec<String> {
        let chars: Vec<char> = excerpt.snippet.chars().collect();
        excerpt
            .highlights
            .iter()
            .map(|&(s, e)| chars[s..e].iter().collect())
            .collect()
    }

    #[test]
    fn a_short_message_is_its_own_snippet_with_every_match_highlighted() {
        let excerpt = excerpt("Deploy the deployment\non Friday", &terms(&["deploy"]));
        assert_eq!(excerpt.snippet, "Deploy the deployment on Friday");
        assert_eq!(excerpt.highlights, vec![(0, 6), (11, 17)]);
        assert_eq!(highlighted(&excerpt), ["Deploy", "deploy"]);
    }

    #[test]
    fn offsets_count_characters_not_bytes() {
        let excerpt = excerpt("明日の会議は10時です", &terms(&["会議"]));
        assert_eq!(excerpt.highlights, vec![(3, 5)]);
        let excerpt = excerpt_of("🎉🎉 party ÉTÉ", &["été", "🎉"]);
        assert_eq!(highlighted(&excerpt), ["🎉🎉", "ÉTÉ"]);
    }

    fn excerpt_of(content: &str, words: &[&str]) -> Excerpt {
        excerpt(content, &terms(words))
    }

    #[test]
    fn overlapping_matches_of_different_terms_merge() {
        let excerpt = excerpt_of("deployment", &["deploy", "ployment"]);
        assert_eq!(excerpt.highlights, vec![(0, 10)]);
    }

    #[test]
    fn a_long_message_is_cut_around_the_first_match_with_ellipses() {
        let before = "lorem ipsum ".repeat(30);
        let after = " dolor sit amet".repeat(30);
        let content = format!("{before}the NEEDLE here{after}");
        let excerpt = excerpt_of(&content, &["needle"]);
        let chars: Vec<char> = excerpt.snippet.chars().collect();
        assert!(chars.len() <= MAX_CHARS, "{}", chars.len());
        assert_eq!(chars.first(), Some(&ELLIPSIS));
        assert_eq!(chars.last(), Some(&ELLIPSIS));
        assert_eq!(highlighted(&excerpt), ["NEEDLE"]);
        // Cut between words, not inside them.
        assert!(
            excerpt.snippet.starts_with("…ipsum "),
            "{}",
            excerpt.snippet
        );
        let inner = excerpt.snippet.trim_matches(ELLIPSIS);
        assert!(
            content.contains(&format!(" {inner} ")),
            "{}",
            excerpt.snippet
        );
    }

    #[test]
    fn a_match_near_either_end_keeps_that_end_without_an_ellipsis() {
        let tail = " filler".repeat(60);
        let excerpt = excerpt_of(&format!("needle{tail}"), &["needle"]);
        assert!(excerpt.snippet.starts_with("needle"));
        assert!(excerpt.snippet.ends_with(ELLIPSIS));
        assert_eq!(excerpt.highlights, vec![(0, 6)]);
        assert!(excerpt.snippet.chars().count() <= MAX_CHARS);

        let excerpt = excerpt_of(&format!("{tail} needle"), &["needle"]);
        assert!(excerpt.snippet.starts_with(ELLIPSIS));
        assert!(excerpt.snippet.ends_with("needle"));
        assert_eq!(excerpt.snippet.chars().count(), MAX_CHARS);
        assert_eq!(highlighted(&excerpt), ["needle"]);
    }

    #[test]
    fn without_a_match_the_snippet_is_the_start() {
        let excerpt = excerpt_of(&"word ".repeat(100), &["absent"]);
        assert!(excerpt.snippet.starts_with("word word"));
        assert!(excerpt.highlights.is_empty());
        assert!(excerpt.snippet.chars().count() <= MAX_CHARS);
    }

    #[test]
    fn a_match_cut_by_the_window_is_highlighted_only_inside_it() {
        let content = format!("needle {} needleneedle", "x".repeat(300));
        let excerpt = excerpt_of(&content, &["needle"]);
        for (s, e) in &excerpt.highlights {
            assert!(s < e && *e <= excerpt.snippet.chars().count());
        }
        assert_eq!(highlighted(&excerpt), ["needle"]);
    }
}
