//! What a name people give (a token, a class, a set, a machine) may hold.
//!
//! A name shows on pages, in logs and in a terminal. Control characters rewrite a terminal
//! or a log line; invisible characters (zero-width spaces and joiners, bidi overrides and
//! isolates, the byte order mark, soft hyphens) make two names look the same, or one look
//! like another (`admin` followed by a right-to-left override). Names refuse both.

/// Why a name is refused, if it is.
pub fn name_problem(name: &str) -> Option<String> {
    if let Some(c) = name.chars().find(|c| c.is_control()) {
        return Some(format!("a control character ({:?}) cannot be in a name", c));
    }
    if let Some(c) = name.chars().find(|c| invisible(*c)) {
        return Some(format!(
            "an invisible character (U+{:04X}) cannot be in a name",
            c as u32
        ));
    }
    None
}

fn invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                  // soft hyphen
        | '\u{034F}'                // combining grapheme joiner
        | '\u{061C}'                // Arabic letter mark
        | '\u{115F}' | '\u{1160}'   // Hangul fillers
        | '\u{180E}'                // Mongolian vowel separator
        | '\u{200B}'..='\u{200F}'   // zero-width space, joiners, LRM, RLM
        | '\u{202A}'..='\u{202E}'   // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}'   // word joiner, invisible operators
        | '\u{2066}'..='\u{206F}'   // bidi isolates, deprecated format characters
        | '\u{3164}'                // Hangul filler
        | '\u{FE00}'..='\u{FE0F}'   // variation selectors
        | '\u{FEFF}'                // byte order mark
        | '\u{FFA0}'                // halfwidth Hangul filler
        | '\u{E0000}'..='\u{E007F}' // tags
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_invisible_characters_are_refused() {
        assert_eq!(name_problem("web-1"), None);
        assert_eq!(name_problem("équipe réseau"), None);
        for bad in [
            "a\u{1b}[2Jb",
            "a\nb",
            "admin\u{202e}nimda",
            "a\u{200b}b",
            "\u{feff}x",
            "a\u{2066}b",
        ] {
            assert!(name_problem(bad).is_some(), "{bad:?}");
        }
    }
}
