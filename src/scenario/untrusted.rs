//! Text from untrusted files shown in messages: control characters (terminal escape
//! sequences, carriage returns that overwrite a line, bidirectional overrides) are rendered
//! visibly, and files that are not scenarios are never echoed.

use std::borrow::Cow;

/// Whether `c` is shown escaped: control characters (C0, DEL, C1) other than tab, and the
/// invisible format characters that reorder or hide text (bidirectional overrides and
/// isolates, zero-width characters, the byte order mark).
pub fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c,
            '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}')
}

/// `s` with every hidden character escaped (see [`is_hidden`]); borrowed when there is none.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_hidden(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Whether a file named `name` holding `text` may be a scenario file, whose lines may be shown
/// in messages: its name ends in `.toml` and it holds no NUL character (binary files, and
/// `/proc/self/environ`, do). The content of any other file is never shown.
pub fn may_be_scenario(name: &str, text: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".toml") && !text.contains('\0')
}

/// The location-free problem of a file `file` that is not a scenario file (see
/// [`may_be_scenario`]); `why` says what it is (not UTF-8, not TOML, binary).
pub fn not_a_scenario(file: &str, why: &str) -> super::Diagnostic {
    super::Diagnostic::new(
        file,
        format!("this is not a scenario file ({why}); its content is not shown"),
    )
    .with_hint(Some(
        "name a scenario file: TOML text whose name ends in .toml".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(visible("a\u{1b}]0;pwned\u{7}b"), "a\\u{1b}]0;pwned\\u{7}b");
        assert_eq!(visible("x\r ok"), "x\\u{d} ok");
        assert_eq!(visible("\u{202e}txt"), "\\u{202e}txt");
        assert_eq!(visible("tab\tand é"), "tab\tand é");
        assert!(matches!(visible("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn only_toml_files_without_nul_are_scenarios() {
        assert!(may_be_scenario("a/b.toml", "x = 1"));
        assert!(may_be_scenario("B.TOML", "x = 1"));
        assert!(!may_be_scenario("/proc/self/environ", "A=1\0B=2"));
        assert!(!may_be_scenario("x.toml", "A=1\0B=2"));
        assert!(!may_be_scenario(".env", "SECRET = \"x\""));
    }
}
