//! What the user typed, made safe to search for: a few distinct terms of plain text.
//!
//! The text is data, never syntax. Both backends receive it only as bound parameters; the
//! FTS5 query string is built here from quoted phrases, so its operators (`OR`, `NEAR(`, `-`,
//! `*`, `"`) stay literal characters.

/// Longer input is cut here (in characters): a search box, not a document.
pub(super) const MAX_QUERY_CHARS: usize = 256;

/// Terms beyond this many are ignored: each one adds a condition to the statement.
pub(super) const MAX_TERMS: usize = 16;

/// Terms shorter than this (in characters) have no trigram, so no index can find them.
pub(super) const TRIGRAM: usize = 3;

/// The distinct whitespace-separated terms of a query, in the order typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Terms(Vec<String>);

impl Terms {
    /// Cuts the text to [`MAX_QUERY_CHARS`], treats control characters (NUL included, which
    /// PostgreSQL refuses in text) as spaces, splits on whitespace and keeps the first
    /// [`MAX_TERMS`] terms that differ other than in case.
    pub(super) fn parse(text: &str) -> Self {
        let cleaned: String = text
            .chars()
            .take(MAX_QUERY_CHARS)
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let mut terms: Vec<String> = Vec::new();
        let mut seen: Vec<Vec<char>> = Vec::new();
        for term in cleaned.split_whitespace() {
            let key = fold(term);
            if !seen.contains(&key) {
                seen.push(key);
                terms.push(term.to_owned());
            }
            if terms.len() == MAX_TERMS {
                break;
            }
        }
        Self(terms)
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(super) fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// The terms an index of trigrams can look up.
    pub(super) fn long(&self) -> impl Iterator<Item = &str> {
        self.iter().filter(|term| term.chars().count() >= TRIGRAM)
    }

    /// The terms only a scan can find.
    pub(super) fn short(&self) -> impl Iterator<Item = &str> {
        self.iter().filter(|term| term.chars().count() < TRIGRAM)
    }

    /// The terms again, separated by single spaces.
    pub(super) fn joined(&self) -> String {
        self.0.join(" ")
    }

    /// Every term is ASCII letters and digits only, which PostgreSQL's text parser reads as
    /// exactly one word, the term in lower case. A word match then implies a substring match,
    /// so word search finds nothing the substring search would not. (Other scripts can be cut
    /// differently, `10時` in `10時です` for one, so they are left to the substring search.)
    pub(super) fn all_words(&self) -> bool {
        self.iter()
            .all(|term| term.chars().all(|c| c.is_ascii_alphanumeric()))
    }

    /// Each term folded to lower case character by character, for highlighting.
    pub(super) fn folded(&self) -> Vec<Vec<char>> {
        self.iter().map(fold).collect()
    }
}

/// An FTS5 query matching rows that contain every given term as a substring: each term is a
/// string literal (`"` doubled inside), and juxtaposed phrases are ANDed.
pub(super) fn fts5_query<'a>(terms: impl Iterator<Item = &'a str>) -> String {
    terms
        .map(|term| format!("\"{}\"", term.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A `LIKE ... ESCAPE '\'` pattern matching `term` anywhere: `\`, `%` and `_` are escaped.
pub(super) fn contains_pattern(term: &str) -> String {
    format!("%{}%", escape_like(term))
}

/// A `LIKE ... ESCAPE '\'` pattern matching `term` as a whole word of [`word_separated`] text.
pub(super) fn word_pattern(term: &str) -> String {
    format!("% {} %", escape_like(&word_separated(term)))
}

/// A PostgreSQL regular expression matching `term` as a whole word (`\m` and `\M` are word
/// boundaries). Only ASCII punctuation can be an operator; each is escaped, and a backslash
/// before punctuation always means the character itself. Every other character stands for
/// itself. So no text makes an invalid pattern.
pub(super) fn word_regex(term: &str) -> String {
    let mut regex = String::with_capacity(term.len() * 2 + 4);
    regex.push_str("\\m");
    for c in term.chars() {
        if c.is_ascii_punctuation() {
            regex.push('\\');
        }
        regex.push(c);
    }
    regex.push_str("\\M");
    regex
}

/// Whether `term` has letters with an upper and a lower case. Without them a case-blind
/// comparison equals a plain one, which PostgreSQL does several times faster (`LIKE` rather
/// than `ILIKE`): Chinese, Japanese, digits, punctuation, emoji.
pub(super) fn has_case(term: &str) -> bool {
    term.chars().any(|c| c.is_lowercase() || c.is_uppercase())
}

fn escape_like(term: &str) -> String {
    let mut escaped = String::with_capacity(term.len() + 4);
    for c in term.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Characters that end a word, besides whitespace. SQLite has no regular expressions, so the
/// statement replaces each of these with a space and looks for `' term '`.
pub(super) const WORD_SEPARATORS: &[char] = &[
    '\n', '\r', '\t', '.', ',', '!', '?', ';', ':', '(', ')', '[', ']', '"', '*', '`', '/', '-',
];

/// `term` with [`WORD_SEPARATORS`] turned into spaces, as the statement treats the content.
fn word_separated(term: &str) -> String {
    term.chars()
        .map(|c| if WORD_SEPARATORS.contains(&c) { ' ' } else { c })
        .collect()
}

/// Lower case, one character for one, so offsets in the folded text are offsets in the
/// original. A character whose lower case is longer (`İ`) stays as it is.
pub(super) fn fold_char(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

fn fold(text: &str) -> Vec<char> {
    text.chars().map(fold_char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_split_on_whitespace_deduplicated_and_capped() {
        let terms = Terms::parse("  Deploy\tdeploy\nFRIDAY deploy ");
        assert_eq!(terms.iter().collect::<Vec<_>>(), ["Deploy", "FRIDAY"]);
        let many = (0..40)
            .map(|i| format!("t{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(Terms::parse(&many).iter().count(), MAX_TERMS);
        assert_eq!(
            Terms::parse(&"x".repeat(1000)).joined().chars().count(),
            MAX_QUERY_CHARS
        );
    }

    #[test]
    fn blank_and_control_only_text_has_no_terms() {
        for text in ["", "   ", "\t\n", "\0", "\0\u{7}\u{1b}"] {
            assert!(Terms::parse(text).is_empty(), "{text:?}");
        }
        assert_eq!(Terms::parse("a\0b").joined(), "a b");
    }

    #[test]
    fn short_and_long_terms_are_told_apart_by_characters_not_bytes() {
        let terms = Terms::parse("会議 打ち合わせ go deploy 🎉");
        assert_eq!(terms.long().collect::<Vec<_>>(), ["打ち合わせ", "deploy"]);
        assert_eq!(terms.short().collect::<Vec<_>>(), ["会議", "go", "🎉"]);
    }

    #[test]
    fn fts5_queries_quote_every_term_as_a_string() {
        assert_eq!(
            fts5_query(["a", "OR", "NEAR(", "\"x\"", "-y*"].into_iter()),
            r#""a" "OR" "NEAR(" """x""" "-y*""#
        );
    }

    #[test]
    fn like_patterns_escape_their_wildcards() {
        assert_eq!(contains_pattern("%_\\"), r"%\%\_\\%");
        assert_eq!(word_pattern("v1.2"), "% v1 2 %");
        assert_eq!(word_pattern("100%"), r"% 100\% %");
    }

    #[test]
    fn word_regexes_escape_ascii_punctuation() {
        assert_eq!(word_regex("deploy"), r"\mdeploy\M");
        assert_eq!(word_regex("a.b*(c)"), r"\ma\.b\*\(c\)\M");
        assert_eq!(word_regex("\\1"), r"\m\\1\M");
        assert_eq!(word_regex("会議🎉"), r"\m会議🎉\M");
        assert_eq!(word_regex("[a-z]{2}$|^"), r"\m\[a\-z\]\{2\}\$\|\^\M");
    }

    #[test]
    fn scripts_without_case_are_told_apart() {
        assert!(has_case("Deploy") && has_case("été") && has_case("Δ"));
        assert!(!has_case("会議") && !has_case("10:30") && !has_case("🎉"));
    }

    #[test]
    fn only_ascii_letters_and_digits_count_as_words() {
        assert!(Terms::parse("deploy v2 2024").all_words());
        assert!(!Terms::parse("deploy 会議").all_words());
        assert!(!Terms::parse("café").all_words());
        assert!(!Terms::parse("deploy \"now").all_words());
        assert!(!Terms::parse("a-b").all_words());
    }

    #[test]
    fn folding_keeps_one_character_for_one() {
        assert_eq!(fold("ÄbC İ"), vec!['ä', 'b', 'c', ' ', 'İ']);
    }
}
