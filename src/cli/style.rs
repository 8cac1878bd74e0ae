//! Colours for diagnostics on a terminal, as compilers show them.
//!
//! Diagnostics are plain text everywhere else (files, pipes, tests); on a terminal the
//! `error:` heading, the location arrow and gutter, the caret line and the `help:`/`note:`
//! lines are coloured the way rustc colours them. `NO_COLOR` (any value) turns colours off and
//! `CLICOLOR_FORCE` (not `0`) forces them on (<https://no-color.org>).

use std::io::IsTerminal;

const RESET: &str = "\x1b[0m";
const RED_BOLD: &str = "\x1b[1;31m";
const BLUE_BOLD: &str = "\x1b[1;34m";
const CYAN_BOLD: &str = "\x1b[1;36m";
const BOLD: &str = "\x1b[1m";

/// Whether diagnostics on stderr get colours.
pub fn stderr_colours() -> bool {
    colours_for(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR").is_some(),
        std::env::var("CLICOLOR_FORCE").is_ok_and(|v| v != "0"),
    )
}

fn colours_for(terminal: bool, no_color: bool, force: bool) -> bool {
    !no_color && (terminal || force)
}

/// Colours a diagnostic text of the form `error: …` / ` --> file:l:c` / ` | line` / ` | ^^^`
/// / ` = help: …` line by line. Text of any other shape passes through unchanged.
pub fn paint(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for (i, line) in text.split_inclusive('\n').enumerate() {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        if i > 0 || !body.is_empty() {
            paint_line(body, &mut out);
        }
        out.push_str(nl);
    }
    out
}

fn paint_line(line: &str, out: &mut String) {
    if let Some(rest) = line.strip_prefix("error:") {
        out.push_str(&format!("{RED_BOLD}error{RESET}{BOLD}:{rest}{RESET}"));
        return;
    }
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    if let Some(rest) = trimmed.strip_prefix("--> ") {
        out.push_str(&format!("{indent}{BLUE_BOLD}-->{RESET} {rest}"));
        return;
    }
    // `  = help: …`, `  = key: …`, `  = note: …`
    if let Some(rest) = trimmed.strip_prefix("= ") {
        let (label, text) = rest.split_once(':').unwrap_or((rest, ""));
        let colour = if label == "help" { CYAN_BOLD } else { BOLD };
        out.push_str(&format!(
            "{indent}{BLUE_BOLD}={RESET} {colour}{label}{RESET}{}{text}",
            if rest.contains(':') { ":" } else { "" }
        ));
        return;
    }
    // Gutter lines: `12 | source` or `   | ^^^^`.
    if let Some((gutter, code)) = line.split_once(" |") {
        if gutter.trim().chars().all(|c| c.is_ascii_digit()) {
            let is_caret = gutter.trim().is_empty()
                && !code.trim().is_empty()
                && code.trim().chars().all(|c| c == '^');
            out.push_str(&format!("{BLUE_BOLD}{gutter} |{RESET}"));
            if is_caret {
                out.push_str(&format!("{RED_BOLD}{code}{RESET}"));
            } else {
                out.push_str(code);
            }
            return;
        }
    }
    out.push_str(line);
}

/// Strips the colours [`paint`] adds (for tests).
#[cfg(test)]
fn strip(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for d in chars.by_ref() {
                if d == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIAG: &str = "error: unknown key `favorability` in [actors.seoul]
 --> /tmp/bad.toml:5:1
  |
5 | favorability = 0.3
  | ^^^^^^^^^^^^
  = key: actors.seoul.favorability
  = help: did you mean `favourability`?

error: 1 problem in scenario `/tmp/bad.toml`
";

    #[test]
    fn painting_only_adds_colours() {
        let p = paint(DIAG);
        assert_ne!(p, DIAG);
        assert_eq!(strip(&p), DIAG);
        assert!(p.contains(&format!("{RED_BOLD}error{RESET}")));
        assert!(p.contains(&format!("{RED_BOLD} ^^^^^^^^^^^^{RESET}")));
        assert!(p.contains(&format!("{CYAN_BOLD}help{RESET}")));
        // The source line itself is not coloured.
        assert!(p.contains(" favorability = 0.3\n"));
    }

    #[test]
    fn other_text_passes_through() {
        let t = "ok: a.toml\nsomething | else\n";
        assert_eq!(paint(t), t);
    }

    #[test]
    fn no_color_wins_over_terminal_and_force() {
        assert!(colours_for(true, false, false));
        assert!(!colours_for(false, false, false));
        assert!(colours_for(false, false, true));
        assert!(!colours_for(true, true, false));
        assert!(!colours_for(true, true, true));
    }
}
