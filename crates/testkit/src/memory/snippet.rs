//! The excerpt shown with a search hit and where the terms are in it, by the rules of the
//! SQL adapters' excerpts: one line, at most [`MAX_CHARS`] characters, `…` where text was cut,
//! every match highlighted.

/// The longest excerpt, in characters, ellipses included.
const MAX_CHARS: usize = 200;

/// How much text comes before the first match when the excerpt has to start later.
const LEAD: usize = 60;

/// How far a cut may move to fall between words rather than inside one.
const WORD_SLACK: usize = 20;

const ELLIPSIS: char = '…';

/// Lower case, one character for one, so offsets in folded text are offsets in the original.
/// A character whose lower case is longer (`İ`) stays as it is.
pub(super) fn fold_char(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

pub(super) fn fold(text: &str) -> Vec<char> {
    text.chars().map(fold_char).collect()
}

/// Every occurrence of `term` in `text` (both folded), as `[start, end)`, overlaps included.
pub(super) fn occurrences<'a>(
    text: &'a [char],
    term: &'a [char],
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let last = text
        .len()
        .checked_sub(term.len())
        .filter(|_| !term.is_empty());
    let starts = last.map_or(0..0, |last| 0..last + 1);
    starts
        .filter(move |&at| text.get(at..).is_some_and(|rest| rest.starts_with(term)))
        .map(move |at| (at, at + term.len()))
}

/// The excerpt of `content` around the first match of any of `terms` (already folded) and
/// the character ranges of the matches in it. Without a match it is the start of the content.
pub(super) fn excerpt(content: &str, terms: &[Vec<char>]) -> (String, Vec<(usize, usize)>) {
    let chars: Vec<char> = content
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .collect();
    let folded: Vec<char> = chars.iter().copied().map(fold_char).collect();
    let matches = merged(terms.iter().flat_map(|term| occurrences(&folded, term)));
    let anchor = matches.first().map_or(0, |&(start, _)| start);
    let (start, end) = window(&chars, anchor);

    let lead = usize::from(start > 0);
    let mut snippet = String::with_capacity(MAX_CHARS * 4);
    if start > 0 {
        snippet.push(ELLIPSIS);
    }
    snippet.extend(chars.get(start..end).unwrap_or_default());
    if end < chars.len() {
        snippet.push(ELLIPSIS);
    }
    let highlights = matches
        .into_iter()
        .filter(|&(s, e)| s < end && e > start)
        .map(|(s, e)| (s.max(start) - start + lead, e.min(end) - start + lead))
        .collect();
    (snippet, highlights)
}

/// Sorted, with ranges that overlap or touch joined.
fn merged(found: impl Iterator<Item = (usize, usize)>) -> Vec<(usize, usize)> {
    let mut found: Vec<(usize, usize)> = found.collect();
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

/// The range of `chars` to show with `anchor` in it, leaving room for the ellipses and
/// cutting between words where one is near.
fn window(chars: &[char], anchor: usize) -> (usize, usize) {
    let len = chars.len();
    if len <= MAX_CHARS {
        return (0, len);
    }
    let is_space = |i: usize| chars.get(i) == Some(&' ');
    let mut start = anchor.saturating_sub(LEAD);
    if start > 0 {
        let mut slack = start..(start + WORD_SLACK).min(anchor);
        start = slack.find(|&i| is_space(i)).map_or(start, |i| i + 1);
    }
    // One ellipsis when the window touches an end, two otherwise.
    let mut end = if start == 0 {
        MAX_CHARS - 1
    } else {
        start + MAX_CHARS - 2
    };
    if end >= len {
        // The end is reached: the room goes to more text before the match instead.
        return (len - (MAX_CHARS - 1), len);
    }
    let floor = end.saturating_sub(WORD_SLACK).max(anchor + 1);
    end = (floor..end).rev().find(|&i| is_space(i)).unwrap_or(end);
    (start, end)
}
