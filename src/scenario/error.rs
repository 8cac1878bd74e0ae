//! Scenario errors with file, line, column, key, expectation and hint.
//!
//! A [`ScenarioError`] holds every problem found in one scenario file. Its `Display` renders
//! each problem like a compiler message:
//!
//! ```text
//! error: unknown key `favourabilty` in [actors.seoul]
//!   --> baseline.toml:7:1
//!    |
//!  7 | favourabilty = 0.3
//!    | ^^^^^^^^^^^^
//!    = key: actors.seoul.favourabilty
//!    = expected: one of `camp`, `approval`, `backlash`, `favourability`, ...
//!    = help: did you mean `favourability`?
//! ```
use std::fmt;
use std::ops::Range;

/// The source line of a problem, with the columns to underline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    /// The whole source line (without its line break).
    pub text: String,
    /// 1-based column (in characters) of the first underlined character.
    pub column: usize,
    /// Number of characters to underline (at least 1).
    pub width: usize,
}

/// One problem found in a scenario file.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based line and column, when the problem has a location in the file.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// Dotted key of the offending value (e.g. `actors.seoul.favourability`), if any.
    pub key: Option<String>,
    /// What is wrong, including what was expected.
    pub message: String,
    /// Suggestion (e.g. "did you mean `favourability`?").
    pub hint: Option<String>,
    /// Further explanations (e.g. the valid keys, or that the value comes from the defaults).
    pub notes: Vec<String>,
    /// The source line with the span to underline.
    pub snippet: Option<Snippet>,
}

impl Diagnostic {
    /// A problem in `file` without location yet.
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            line: None,
            column: None,
            key: None,
            message: message.into(),
            hint: None,
            notes: Vec::new(),
            snippet: None,
        }
    }

    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    pub fn with_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// Sets line, column and snippet from a byte range of `source`.
    pub fn at(mut self, source: &str, span: Range<usize>) -> Self {
        let loc = locate(source, span);
        self.line = Some(loc.line);
        self.column = Some(loc.column);
        self.snippet = Some(loc.snippet);
        self
    }

    /// The first line of the message as `file:line:col: key: message (hint)`, for logs.
    pub fn short(&self) -> String {
        let mut s = self.file.clone();
        if let (Some(l), Some(c)) = (self.line, self.column) {
            s.push_str(&format!(":{l}:{c}"));
        }
        s.push_str(": ");
        if let Some(k) = &self.key {
            s.push_str(&format!("`{k}`: "));
        }
        s.push_str(&self.message);
        if let Some(h) = &self.hint {
            s.push_str(&format!(" ({h})"));
        }
        s
    }
}

struct Location {
    line: usize,
    column: usize,
    snippet: Snippet,
}

/// Longest source line shown whole; longer lines are cut around the span.
const MAX_SNIPPET_CHARS: usize = 100;

/// Line, column (1-based, in characters) and source line of a byte range. Never panics, even for
/// ranges outside the text or not on character boundaries.
fn locate(source: &str, span: Range<usize>) -> Location {
    let mut start = span.start.min(source.len());
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, source.len());
    while !source.is_char_boundary(end) {
        end -= 1;
    }
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[start..]
        .find('\n')
        .map_or(source.len(), |i| start + i);
    let line = source[..start].matches('\n').count() + 1;
    let text = source[line_start..line_end].trim_end_matches('\r');
    let column = source[line_start..start].chars().count() + 1;
    let end_on_line = end.min(line_start + text.len()).max(start);
    let width = source[start..end_on_line].chars().count().max(1);
    let chars: Vec<char> = text.chars().collect();
    // A window of the line around the span (the whole line if short), the cuts marked with
    // `…`; hidden characters (escape sequences) are shown escaped, so the caret still lines up.
    let c0 = column - 1;
    let (from, to) = if chars.len() <= MAX_SNIPPET_CHARS {
        (0, chars.len())
    } else {
        let from = c0
            .saturating_sub(MAX_SNIPPET_CHARS / 3)
            .min(chars.len() - MAX_SNIPPET_CHARS);
        (from, from + MAX_SNIPPET_CHARS)
    };
    let shown_len = |cs: &[char]| -> usize {
        cs.iter()
            .map(|c| {
                if super::untrusted::is_hidden(*c) {
                    c.escape_unicode().count()
                } else {
                    1
                }
            })
            .sum()
    };
    let mut shown = String::new();
    if from > 0 {
        shown.push('…');
    }
    shown.push_str(&super::untrusted::visible(
        &chars[from..to].iter().collect::<String>(),
    ));
    if to < chars.len() {
        shown.push('…');
    }
    let c0 = c0.clamp(from, to);
    let span_end = (c0 + width).min(to);
    let snippet_column = shown_len(&chars[from..c0]) + 1 + usize::from(from > 0);
    Location {
        line,
        column,
        snippet: Snippet {
            text: shown,
            column: snippet_column,
            width: shown_len(&chars[c0..span_end]).max(1),
        },
    }
}

/// All problems found in a scenario (loading reports every error it can, not just the first).
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioError {
    pub diagnostics: Vec<Diagnostic>,
    /// The scenario file loaded, when its problems may be in other files (those it `extends`);
    /// `None`: the file of the first problem.
    pub scenario: Option<String>,
}

/// Longest message, key, hint or note kept whole. A longer one (e.g. echoing a name of a
/// million characters from the file) keeps its beginning and its end, so that messages stay
/// readable whatever the input.
pub const MAX_TEXT_CHARS: usize = 1000;

/// `s` cut to about [`MAX_TEXT_CHARS`] characters, marking what was left out.
fn clip(s: &mut String) {
    let n = s.chars().count();
    if n <= MAX_TEXT_CHARS {
        return;
    }
    let (head, tail) = (MAX_TEXT_CHARS * 2 / 3, MAX_TEXT_CHARS / 4);
    let start: String = s.chars().take(head).collect();
    let end: String = s.chars().skip(n - tail).collect();
    *s = format!("{start}… ({} characters left out) …{end}", n - head - tail);
}

impl Diagnostic {
    /// The diagnostic with every text cut to [`MAX_TEXT_CHARS`] (the snippet is cut already).
    fn clipped(mut self) -> Self {
        // Hidden characters (terminal escape sequences) are shown escaped, then cut.
        let show = |s: &mut String| {
            if let std::borrow::Cow::Owned(v) = super::untrusted::visible(s) {
                *s = v;
            }
        };
        show(&mut self.file);
        show(&mut self.message);
        self.key.iter_mut().for_each(show);
        self.hint.iter_mut().for_each(show);
        self.notes.iter_mut().for_each(show);
        clip(&mut self.message);
        self.key.iter_mut().for_each(clip);
        self.hint.iter_mut().for_each(clip);
        self.notes.iter_mut().for_each(clip);
        self
    }
}

impl ScenarioError {
    pub fn new(diagnostics: Vec<Diagnostic>) -> Self {
        ScenarioError {
            diagnostics: diagnostics.into_iter().map(Diagnostic::clipped).collect(),
            scenario: None,
        }
    }

    /// A single problem.
    pub fn single(d: Diagnostic) -> Self {
        ScenarioError::new(vec![d])
    }

    /// Names the scenario file loaded (the problems may be in files it extends).
    pub fn in_scenario(mut self, file: impl Into<String>) -> Self {
        self.scenario = Some(file.into());
        self
    }

    /// Number of problems.
    pub fn len(&self) -> usize {
        self.diagnostics.len()
    }

    pub fn is_empty(&self) -> bool {
        self.diagnostics.is_empty()
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "error: {}", self.message)?;
        let gutter = self.line.map_or(1, |l| l.to_string().len());
        let pad = " ".repeat(gutter);
        match (self.line, self.column) {
            (Some(l), Some(c)) => writeln!(f, "{pad}--> {}:{l}:{c}", self.file)?,
            _ => writeln!(f, "{pad}--> {}", self.file)?,
        }
        if let (Some(l), Some(s)) = (self.line, &self.snippet) {
            writeln!(f, "{pad} |")?;
            writeln!(f, "{l} | {}", s.text)?;
            // Keep tabs so the caret lines up under the span.
            let lead: String = s
                .text
                .chars()
                .take(s.column.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            writeln!(f, "{pad} | {lead}{}", "^".repeat(s.width))?;
        }
        if let Some(k) = &self.key {
            writeln!(f, "{pad} = key: {k}")?;
        }
        for n in &self.notes {
            writeln!(f, "{pad} = {n}")?;
        }
        if let Some(h) = &self.hint {
            writeln!(f, "{pad} = help: {h}")?;
        }
        Ok(())
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.diagnostics {
            writeln!(f, "{d}")?;
        }
        let n = self.diagnostics.len();
        let first = self.diagnostics.first().map_or("", |d| d.file.as_str());
        let file = super::untrusted::visible(self.scenario.as_deref().unwrap_or(first));
        let elsewhere = self.diagnostics.iter().any(|d| d.file != file);
        write!(
            f,
            "error: {n} problem{} in scenario `{file}`{}",
            if n == 1 { "" } else { "s" },
            if elsewhere {
                " and the files it extends"
            } else {
                ""
            }
        )
    }
}

impl std::error::Error for ScenarioError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_lines_columns_and_width() {
        let src = "a = 1\nbé = 2\n";
        let l = locate(src, 7..10);
        assert_eq!(l.line, 2);
        assert_eq!(l.snippet.column, 2);
        assert_eq!(l.snippet.text, "bé = 2");
        assert_eq!(l.snippet.width, 2);
        // Out of range and inside a multi-byte character: no panic.
        let l = locate(src, 8..1000);
        assert_eq!(l.line, 2);
        let l = locate(src, 500..600);
        assert_eq!(l.line, 3);
        assert_eq!(l.snippet.width, 1);
        // A long line is cut around the span.
        let long = format!("a = [{}]\n", "1, ".repeat(200));
        let l = locate(&long, 400..401);
        assert_eq!((l.line, l.column), (1, 401));
        assert!(l.snippet.text.starts_with('…') && l.snippet.text.ends_with('…'));
        assert_eq!(l.snippet.text.chars().count(), MAX_SNIPPET_CHARS + 2);
        let caret: String = l
            .snippet
            .text
            .chars()
            .skip(l.snippet.column - 1)
            .take(1)
            .collect();
        assert_eq!(caret, long[400..401]);
    }

    #[test]
    fn display_has_location_caret_key_and_help() {
        let src = "[actors.seoul]\nfavourabilty = 0.3\n";
        let d = Diagnostic::new("s.toml", "unknown key `favourabilty`")
            .at(src, 15..27)
            .with_key("actors.seoul.favourabilty")
            .with_hint(Some("did you mean `favourability`?".into()));
        let text = ScenarioError::single(d).to_string();
        assert!(
            text.contains("error: unknown key `favourabilty`\n"),
            "{text}"
        );
        assert!(text.contains(" --> s.toml:2:1\n"), "{text}");
        assert!(text.contains("2 | favourabilty = 0.3\n"), "{text}");
        assert!(text.contains("  | ^^^^^^^^^^^^\n"), "{text}");
        assert!(text.contains("= key: actors.seoul.favourabilty"), "{text}");
        assert!(
            text.contains("= help: did you mean `favourability`?"),
            "{text}"
        );
        assert!(
            text.ends_with("error: 1 problem in scenario `s.toml`"),
            "{text}"
        );
    }
}
