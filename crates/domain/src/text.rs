//! Rules against names that look like someone else's: invisible characters that reorder or
//! hide text, and names that mix look-alike alphabets.

use crate::InvalidInput;
use unicode_script::{Script, UnicodeScript};

/// Whether `text` holds a character that changes how text around it shows without showing
/// itself: bidirectional embeddings, overrides, isolates and marks (which can make "evil.exe"
/// read "exe.live"), zero-width spaces and joiners between letters, word joiners, the BOM, soft
/// hyphens. The zero-width joiner stays allowed between emoji (👩‍💻).
pub fn has_hidden_characters(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| match c {
        '\u{200D}' => {
            let letter = |at: Option<&char>| at.is_some_and(|c| c.is_alphanumeric());
            letter(i.checked_sub(1).and_then(|p| chars.get(p))) || letter(chars.get(i + 1))
        }
        '\u{00AD}'
        | '\u{061C}'
        | '\u{180E}'
        | '\u{200B}'
        | '\u{200C}'
        | '\u{200E}'
        | '\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}' => true,
        _ => false,
    })
}

/// Whether `text`'s letters come from alphabets that do not go together: any two scripts,
/// except that Chinese, Japanese and Korean scripts mix with each other and with Latin, as they
/// are written. "pаypal" with a Cyrillic "а" mixes; "東京tokyo" does not.
pub fn mixes_scripts(text: &str) -> bool {
    let mut seen: Option<Script> = None;
    let mut east_asian = false;
    for script in text.chars().map(|c| c.script()) {
        if matches!(script, Script::Common | Script::Inherited | Script::Unknown) {
            continue;
        }
        if is_east_asian(script) {
            east_asian = true;
            if seen.is_some_and(|s| s != Script::Latin && !is_east_asian(s)) {
                return true;
            }
            continue;
        }
        match seen {
            Some(first) if first != script => return true,
            _ => {}
        }
        if east_asian && script != Script::Latin {
            return true;
        }
        seen = Some(script);
    }
    false
}

fn is_east_asian(script: Script) -> bool {
    matches!(
        script,
        Script::Han | Script::Hiragana | Script::Katakana | Script::Hangul | Script::Bopomofo
    )
}

/// A short name people give something (a token, a sign-in button): trimmed, 1 to `max`
/// characters, no control characters.
///
/// # Errors
/// `code`, saying the rule.
pub fn short_name(raw: &str, max: usize, code: &'static str) -> Result<String, InvalidInput> {
    let value = raw.trim();
    let len = value.chars().count();
    if len == 0 || len > max || value.chars().any(char::is_control) {
        return Err(InvalidInput::new(
            code,
            format!("must be 1 to {max} characters without control characters"),
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_reordering_and_spacing_characters_are_found() {
        for hidden in [
            "ana\u{202E}gnp.exe",
            "a\u{2066}b",
            "bo\u{200B}b",
            "bo\u{200D}b",
            "\u{FEFF}ana",
            "ana\u{200F}",
            "an\u{00AD}a",
        ] {
            assert!(has_hidden_characters(hidden), "{hidden:?}");
        }
        for shown in [
            "Ana García",
            "محمد",
            "👩\u{200D}💻 Ana",
            "李小龙",
            "O'Brien-Smith",
        ] {
            assert!(!has_hidden_characters(shown), "{shown:?}");
        }
    }

    #[test]
    fn look_alike_alphabets_do_not_mix() {
        for mixed in [
            "p\u{0430}ypal",
            "gen\u{0435}ral",
            "\u{03BF}ps",
            "привет-hello",
        ] {
            assert!(mixes_scripts(mixed), "{mixed:?}");
        }
        for single in [
            "general",
            "привет",
            "καλημέρα",
            "東京-tokyo",
            "ひらがなとカタカナと漢字",
            "서울-2024",
            "dev-ops_2.0",
        ] {
            assert!(!mixes_scripts(single), "{single:?}");
        }
    }
}
