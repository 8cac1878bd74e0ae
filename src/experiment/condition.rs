//! The condition language of `trisim discover --when`: a yes/no question about the outcomes of
//! the paths at one design point, e.g.
//!
//! ```text
//! hasty.final_ci > gradual.final_ci
//! hasty.final_ci - gradual.final_ci >= 0.05 and hasty.kr_crises <= gradual.kr_crises + 1
//! not (gradual.months_to_camp_david < 60)
//! ```
//!
//! # Grammar
//! From the loosest binding to the tightest:
//!
//! ```text
//! condition  := or
//! or         := and { ("or" | "||") and }
//! and        := not { ("and" | "&&") not }
//! not        := ("not" | "!") not | comparison
//! comparison := sum [ ("<" | "<=" | ">" | ">=" | "==" | "!=") sum ]
//! sum        := product { ("+" | "-") product }
//! product    := unary { ("*" | "/") unary }
//! unary      := ("-" | "+") unary | primary
//! primary    := NUMBER | PATH.OUTCOME | "(" condition-or-sum ")"
//! ```
//!
//! Binary operators group to the left. Parentheses may hold a condition or an arithmetic
//! expression; the parsed expression is then checked so that `and`, `or` and `not` apply to
//! conditions and arithmetic and comparisons to numbers, and the whole is a condition (a bare
//! `hasty.final_ci` is an error). Comparisons do not chain (`a < b < c` is an error: write
//! `a < b and b < c`). The keywords `and`, `or`, `not` are case-insensitive.
//!
//! Numbers are decimal (`60`, `0.05`, `.5`, `1e-3`, `2.5E+2`), finite, with digits after a
//! decimal point (`5.` is an error; `1.e5` reads as a reference to path `1`). A reference `PATH.OUTCOME` is
//! written without spaces; names are runs of letters, digits, `_` and `-` (as path names in
//! scenarios), so **`a-b` is one name and a binary minus needs spaces**: `x.final_ci - 1`, not
//! `x.final_ci-1`. A path name may start with a digit (`2017.final_ci`) but not with `-`.
//!
//! # Evaluation
//! Arithmetic is IEEE double precision (`1 / 0` is infinite). Every comparison involving NaN
//! (an undefined outcome) is false — including `!=` — so `not (a == b)` is true when `a` is
//! NaN. `and` and `or` short-circuit.
//!
//! # Errors
//! [`parse`] reports the first problem with its column, the source line with a caret under the
//! offending text (like a compiler), what was expected and, for an unknown path or outcome, the
//! nearest valid name (the scenario validator's did-you-mean matcher). No input makes it panic:
//! nesting beyond 64 parentheses or prefix operators, or expressions more than 200 operators
//! tall, are errors ([`ErrorKind::TooComplex`]) rather than deep recursion.
use std::fmt;

use crate::scenario::validate::{did_you_mean, nearest, one_of};

/// Deepest nesting of parentheses and prefix operators accepted.
const MAX_NESTING: usize = 64;
/// Tallest expression tree accepted (keeps evaluation and printing recursion shallow).
const MAX_HEIGHT: usize = 200;

/// What kind of problem a [`ConditionError`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// Nothing but white space.
    Empty,
    /// A character that starts no token (`#`, a lone `=`, `&`, `|`, ...).
    UnexpectedCharacter,
    /// A malformed or out-of-range number (`1e`, `5x`, `1e999`).
    InvalidNumber,
    /// `PATH.OUTCOME` with an unknown path.
    UnknownPath,
    /// `PATH.OUTCOME` with an unknown outcome.
    UnknownOutcome,
    /// A name not written as `PATH.OUTCOME` (`hasty`, `final_ci`, `hasty.`).
    BareName,
    /// An operator without its operand, or an expression that starts with an operator.
    MissingOperand,
    /// An unclosed `(` or an unmatched `)`.
    UnbalancedParenthesis,
    /// Text after a complete condition (or inside parentheses, before the `)`).
    TrailingInput,
    /// A number where a condition is needed, e.g. a whole condition with no comparison.
    ExpectedCondition,
    /// A condition where a number is needed, e.g. `(a < b) + 1`.
    ExpectedNumber,
    /// `a < b < c`.
    ChainedComparison,
    /// Nesting deeper than the parser accepts.
    TooComplex,
}

/// A problem in a condition, located by line and column (1-based, in characters).
#[derive(Clone, Debug, PartialEq)]
pub struct ConditionError {
    pub kind: ErrorKind,
    /// What is wrong, e.g. "unknown outcome `final_cii` of path `hasty`".
    pub message: String,
    /// What was expected there, if useful.
    pub expected: Option<String>,
    /// A suggestion, e.g. "did you mean `final_ci`?".
    pub hint: Option<String>,
    /// Line of the condition (1 unless it spans lines).
    pub line: usize,
    /// Column of the first offending character (one past the end for a missing token).
    pub column: usize,
    /// Number of characters to underline (at least 1).
    pub width: usize,
    /// The line of the condition holding the problem.
    pub source_line: String,
}

impl ConditionError {
    /// Message and hint on one line: "unknown outcome `final_cii` of path `hasty`; did you
    /// mean `final_ci`?".
    pub fn summary(&self) -> String {
        match &self.hint {
            Some(h) => format!("{}; {h}", self.message),
            None => self.message.clone(),
        }
    }
}

impl fmt::Display for ConditionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 1 {
            writeln!(
                f,
                "{} (condition, line {}, column {})",
                self.message, self.line, self.column
            )?;
        } else {
            writeln!(f, "{} (condition, column {})", self.message, self.column)?;
        }
        writeln!(f, "  | {}", self.source_line)?;
        // Keep tabs so the caret lines up under the offending text.
        let lead: String = self
            .source_line
            .chars()
            .take(self.column.saturating_sub(1))
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        write!(f, "  | {lead}{}", "^".repeat(self.width.max(1)))?;
        if let Some(e) = &self.expected {
            write!(f, "\n  = expected: {e}")?;
        }
        if let Some(h) = &self.hint {
            write!(f, "\n  = help: {h}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConditionError {}

/// The error type inside the parser (boxed: errors are large and rare).
type Error = Box<ConditionError>;

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl CmpOp {
    fn text(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }

    /// The comparison, false whenever an operand is NaN.
    fn holds(self, a: f64, b: f64) -> bool {
        if a.is_nan() || b.is_nan() {
            return false;
        }
        match self {
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
        }
    }
}

/// Arithmetic operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl ArithOp {
    fn text(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        }
    }
    fn precedence(self) -> u8 {
        match self {
            ArithOp::Add | ArithOp::Sub => PREC_SUM,
            ArithOp::Mul | ArithOp::Div => PREC_PRODUCT,
        }
    }
}

// Precedence levels, for printing with the fewest parentheses.
const PREC_OR: u8 = 1;
const PREC_AND: u8 = 2;
const PREC_NOT: u8 = 3;
const PREC_CMP: u8 = 4;
const PREC_SUM: u8 = 5;
const PREC_PRODUCT: u8 = 6;
const PREC_NEG: u8 = 7;
const PREC_ATOM: u8 = 8;

/// A numeric expression.
#[derive(Clone, Debug, PartialEq)]
enum Num {
    Const(f64),
    Ref(usize, usize),
    Neg(Box<Num>),
    Arith(ArithOp, Box<Num>, Box<Num>),
}

/// A condition.
#[derive(Clone, Debug, PartialEq)]
enum Cond {
    Cmp(CmpOp, Num, Num),
    Not(Box<Cond>),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

/// A parsed condition over the outcomes of the paths at one design point. See the
/// [module documentation](self) for the language.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    root: Cond,
    paths: Vec<String>,
    outcomes: Vec<String>,
}

impl Condition {
    /// Evaluates the condition; `value(path, outcome)` gives the outcome (indices into the
    /// `paths` and `outcomes` given to [`parse`]). Comparisons with NaN are false.
    pub fn eval(&self, value: &dyn Fn(usize, usize) -> f64) -> bool {
        self.root.eval(value)
    }

    /// The `(path, outcome)` pairs the condition reads, each once, in order of first
    /// appearance.
    pub fn references(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        self.root.collect(&mut out);
        out
    }
}

impl Num {
    fn eval(&self, value: &dyn Fn(usize, usize) -> f64) -> f64 {
        match self {
            Num::Const(c) => *c,
            Num::Ref(p, o) => value(*p, *o),
            Num::Neg(a) => -a.eval(value),
            Num::Arith(op, a, b) => {
                let (a, b) = (a.eval(value), b.eval(value));
                match op {
                    ArithOp::Add => a + b,
                    ArithOp::Sub => a - b,
                    ArithOp::Mul => a * b,
                    ArithOp::Div => a / b,
                }
            }
        }
    }

    fn collect(&self, out: &mut Vec<(usize, usize)>) {
        match self {
            Num::Const(_) => {}
            Num::Ref(p, o) => {
                if !out.contains(&(*p, *o)) {
                    out.push((*p, *o));
                }
            }
            Num::Neg(a) => a.collect(out),
            Num::Arith(_, a, b) => {
                a.collect(out);
                b.collect(out);
            }
        }
    }

    fn precedence(&self) -> u8 {
        match self {
            Num::Const(_) | Num::Ref(..) => PREC_ATOM,
            Num::Neg(_) => PREC_NEG,
            Num::Arith(op, ..) => op.precedence(),
        }
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, c: &Condition) -> fmt::Result {
        match self {
            Num::Const(x) => write_number(f, *x),
            Num::Ref(p, o) => write!(f, "{}.{}", c.paths[*p], c.outcomes[*o]),
            Num::Neg(a) => {
                f.write_str("-")?;
                a.write_wrapped(f, c, a.precedence() < PREC_NEG)
            }
            Num::Arith(op, a, b) => {
                let p = op.precedence();
                a.write_wrapped(f, c, a.precedence() < p)?;
                write!(f, " {} ", op.text())?;
                b.write_wrapped(f, c, b.precedence() <= p)
            }
        }
    }

    fn write_wrapped(&self, f: &mut fmt::Formatter<'_>, c: &Condition, wrap: bool) -> fmt::Result {
        if wrap {
            f.write_str("(")?;
            self.write(f, c)?;
            f.write_str(")")
        } else {
            self.write(f, c)
        }
    }
}

/// Writes a number so that it reads back to the same value.
fn write_number(f: &mut fmt::Formatter<'_>, x: f64) -> fmt::Result {
    let a = x.abs();
    if a != 0.0 && !(1e-4..1e15).contains(&a) {
        write!(f, "{x:e}")
    } else {
        write!(f, "{x}")
    }
}

impl Cond {
    fn eval(&self, value: &dyn Fn(usize, usize) -> f64) -> bool {
        match self {
            Cond::Cmp(op, a, b) => op.holds(a.eval(value), b.eval(value)),
            Cond::Not(a) => !a.eval(value),
            Cond::And(a, b) => a.eval(value) && b.eval(value),
            Cond::Or(a, b) => a.eval(value) || b.eval(value),
        }
    }

    fn collect(&self, out: &mut Vec<(usize, usize)>) {
        match self {
            Cond::Cmp(_, a, b) => {
                a.collect(out);
                b.collect(out);
            }
            Cond::Not(a) => a.collect(out),
            Cond::And(a, b) | Cond::Or(a, b) => {
                a.collect(out);
                b.collect(out);
            }
        }
    }

    fn precedence(&self) -> u8 {
        match self {
            Cond::Cmp(..) => PREC_CMP,
            Cond::Not(_) => PREC_NOT,
            Cond::And(..) => PREC_AND,
            Cond::Or(..) => PREC_OR,
        }
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, c: &Condition) -> fmt::Result {
        match self {
            Cond::Cmp(op, a, b) => {
                a.write(f, c)?;
                write!(f, " {} ", op.text())?;
                b.write(f, c)
            }
            Cond::Not(a) => {
                // Always parenthesised (except `not not x`): `not (a < b)` reads unambiguously.
                f.write_str("not ")?;
                a.write_wrapped(f, c, !matches!(**a, Cond::Not(_)))
            }
            Cond::And(a, b) | Cond::Or(a, b) => {
                let (p, word) = if matches!(self, Cond::And(..)) {
                    (PREC_AND, "and")
                } else {
                    (PREC_OR, "or")
                };
                a.write_wrapped(f, c, a.precedence() < p)?;
                write!(f, " {word} ")?;
                b.write_wrapped(f, c, b.precedence() <= p)
            }
        }
    }

    fn write_wrapped(&self, f: &mut fmt::Formatter<'_>, c: &Condition, wrap: bool) -> fmt::Result {
        if wrap {
            f.write_str("(")?;
            self.write(f, c)?;
            f.write_str(")")
        } else {
            self.write(f, c)
        }
    }
}

impl fmt::Display for Condition {
    /// The condition in normalised form: single spaces around binary operators, lower-case
    /// keywords, the fewest parentheses that keep the structure (always around the operand of
    /// `not`), numbers in shortest round-trip form. Parsing it gives the same condition.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.root.write(f, self)
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Num(f64),
    /// `PATH.OUTCOME`, already resolved.
    Ref(usize, usize),
    /// A name not followed by `.` (not a keyword).
    Word(String),
    And,
    Or,
    Not,
    Cmp(CmpOp),
    Arith(ArithOp),
    LParen,
    RParen,
}

/// A token and its place: `start` and `len` in characters.
#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    start: usize,
    len: usize,
}

/// Context shared by the lexer and the parser: the text and the valid names.
struct Ctx<'a> {
    chars: Vec<char>,
    paths: &'a [String],
    outcomes: &'a [String],
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

impl Ctx<'_> {
    fn text(&self, start: usize, len: usize) -> String {
        self.chars.iter().skip(start).take(len).collect()
    }

    /// The 1-based column of character `start` in its line.
    fn column(&self, start: usize) -> usize {
        let start = start.min(self.chars.len());
        let line_start = self.chars[..start]
            .iter()
            .rposition(|c| *c == '\n')
            .map_or(0, |i| i + 1);
        start - line_start + 1
    }

    /// An error at characters `start..start + len`.
    fn error(&self, kind: ErrorKind, start: usize, len: usize, message: String) -> Error {
        let start = start.min(self.chars.len());
        let line_start = self.chars[..start]
            .iter()
            .rposition(|c| *c == '\n')
            .map_or(0, |i| i + 1);
        let line_end = self.chars[start..]
            .iter()
            .position(|c| *c == '\n')
            .map_or(self.chars.len(), |i| start + i);
        let line = 1 + self.chars[..start].iter().filter(|c| **c == '\n').count();
        let source_line: String = self.chars[line_start..line_end].iter().collect();
        let column = start - line_start + 1;
        let width = len.min(line_end.saturating_sub(start)).max(1);
        Box::new(ConditionError {
            kind,
            message,
            expected: None,
            hint: None,
            line,
            column,
            width,
            source_line: source_line.trim_end_matches('\r').to_string(),
        })
    }

    /// Splits the text into tokens. A lexical error ends the list and is returned beside it,
    /// so that the parser reports any earlier problem first.
    fn lex(&self) -> (Vec<Token>, Option<Error>) {
        let mut toks = Vec::new();
        match self.lex_into(&mut toks) {
            Ok(()) => (toks, None),
            Err(e) => (toks, Some(e)),
        }
    }

    fn lex_into(&self, toks: &mut Vec<Token>) -> Result<(), Error> {
        let c = &self.chars;
        let at = |i: usize| c.get(i).copied();
        let mut i = 0;
        while let Some(ch) = at(i) {
            let start = i;
            let mut push = |tok: Tok, len: usize| {
                toks.push(Token { tok, start, len });
                start + len
            };
            if ch.is_whitespace() {
                i += 1;
            } else if ch.is_alphanumeric() || ch == '_' {
                let end = (i..c.len())
                    .find(|&j| !is_name_char(c[j]))
                    .unwrap_or(c.len());
                let after_dot = at(end + 1);
                let outcome_start = |x: char| {
                    if ch.is_ascii_digit() {
                        x.is_alphabetic() || x == '_'
                    } else {
                        x.is_alphanumeric() || x == '_'
                    }
                };
                if at(end) == Some('.') && after_dot.is_some_and(outcome_start) {
                    let o_end = (end + 1..c.len())
                        .find(|&j| !is_name_char(c[j]))
                        .unwrap_or(c.len());
                    let (p, o) = self.resolve(start, end, o_end)?;
                    i = push(Tok::Ref(p, o), o_end - start);
                } else if ch.is_ascii_digit() {
                    i = self.lex_number(start, toks)?;
                } else if at(end) == Some('.') {
                    let name = self.text(start, end - start);
                    let mut e = self.error(
                        ErrorKind::BareName,
                        end + 1,
                        1,
                        format!("expected an outcome name after `{name}.`"),
                    );
                    e.expected = Some(format!(
                        "PATH.OUTCOME without spaces, e.g. `{name}.{}`",
                        self.outcomes.first().map_or("final_ci", |s| s.as_str())
                    ));
                    return Err(e);
                } else {
                    let word = self.text(start, end - start);
                    let tok = match word.to_lowercase().as_str() {
                        "and" => Tok::And,
                        "or" => Tok::Or,
                        "not" => Tok::Not,
                        _ => Tok::Word(word),
                    };
                    i = push(tok, end - start);
                }
            } else if ch == '.' && at(i + 1).is_some_and(|x| x.is_ascii_digit()) {
                i = self.lex_number(start, toks)?;
            } else {
                let next = at(i + 1);
                let two = |second: char, tok: Tok| (next == Some(second)).then_some((tok, 2));
                let op = match ch {
                    '<' => two('=', Tok::Cmp(CmpOp::Le)).or(Some((Tok::Cmp(CmpOp::Lt), 1))),
                    '>' => two('=', Tok::Cmp(CmpOp::Ge)).or(Some((Tok::Cmp(CmpOp::Gt), 1))),
                    '=' => two('=', Tok::Cmp(CmpOp::Eq)),
                    '!' => two('=', Tok::Cmp(CmpOp::Ne)).or(Some((Tok::Not, 1))),
                    '&' => two('&', Tok::And),
                    '|' => two('|', Tok::Or),
                    '+' => Some((Tok::Arith(ArithOp::Add), 1)),
                    '-' => Some((Tok::Arith(ArithOp::Sub), 1)),
                    '*' => Some((Tok::Arith(ArithOp::Mul), 1)),
                    '/' => Some((Tok::Arith(ArithOp::Div), 1)),
                    '(' => Some((Tok::LParen, 1)),
                    ')' => Some((Tok::RParen, 1)),
                    _ => None,
                };
                match op {
                    Some((tok, len)) => i = push(tok, len),
                    None => {
                        let suggestion = match ch {
                            '=' => Some("=="),
                            '&' => Some("&&` or `and"),
                            '|' => Some("||` or `or"),
                            '≤' => Some("<="),
                            '≥' => Some(">="),
                            '≠' => Some("!="),
                            '−' => Some("-"),
                            _ => None,
                        };
                        let mut e = self.error(
                            ErrorKind::UnexpectedCharacter,
                            i,
                            1,
                            format!("unexpected character `{ch}`"),
                        );
                        e.expected = Some(
                            "a number, PATH.OUTCOME, `(`, `)`, an operator \
                             (`+ - * /`, `< <= > >= == !=`) or `and`, `or`, `not`"
                                .into(),
                        );
                        e.hint = suggestion.map(|s| format!("did you mean `{s}`?"));
                        return Err(e);
                    }
                }
            }
        }
        Ok(())
    }

    /// Lexes a number at `start`; returns the index after it.
    fn lex_number(&self, start: usize, toks: &mut Vec<Token>) -> Result<usize, Error> {
        let c = &self.chars;
        let digit_at = |i: usize| c.get(i).is_some_and(|x| x.is_ascii_digit());
        let mut i = start;
        while digit_at(i) {
            i += 1;
        }
        if c.get(i) == Some(&'.') && digit_at(i + 1) {
            i += 1;
            while digit_at(i) {
                i += 1;
            }
        }
        if matches!(c.get(i), Some('e' | 'E')) {
            let sign = usize::from(matches!(c.get(i + 1), Some('+' | '-')));
            if digit_at(i + 1 + sign) {
                i += 1 + sign;
                while digit_at(i) {
                    i += 1;
                }
            }
        }
        let text = self.text(start, i - start);
        // A number must not run into a name or another dot: `5x`, `1e`, `1.2.3`, `5.`.
        if c.get(i)
            .is_some_and(|x| x.is_alphanumeric() || *x == '_' || *x == '.')
        {
            let end = (i..c.len())
                .find(|&j| !(is_name_char(c[j]) || c[j] == '.'))
                .unwrap_or(c.len());
            let mut e = self.error(
                ErrorKind::InvalidNumber,
                start,
                end - start,
                format!("invalid number `{}`", self.text(start, end - start)),
            );
            e.expected = Some("a decimal number such as `60`, `0.05` or `1e-3`".into());
            return Err(e);
        }
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => {
                toks.push(Token {
                    tok: Tok::Num(v),
                    start,
                    len: i - start,
                });
                Ok(i)
            }
            _ => {
                let mut e = self.error(
                    ErrorKind::InvalidNumber,
                    start,
                    i - start,
                    format!("number `{text}` is out of range"),
                );
                e.expected = Some("a finite double-precision number".into());
                Err(e)
            }
        }
    }

    /// Resolves `PATH.OUTCOME` with the path at `start..dot` and the outcome at
    /// `dot + 1..end`.
    fn resolve(&self, start: usize, dot: usize, end: usize) -> Result<(usize, usize), Error> {
        let path = self.text(start, dot - start);
        let outcome = self.text(dot + 1, end - dot - 1);
        let p = self.paths.iter().position(|p| *p == path);
        let o = self.outcomes.iter().position(|o| *o == outcome);
        match (p, o) {
            (Some(p), Some(o)) => Ok((p, o)),
            (None, _) => {
                let mut e = self.error(
                    ErrorKind::UnknownPath,
                    start,
                    dot - start,
                    format!("unknown path `{path}`"),
                );
                e.expected = Some(format!("a path: {}", one_of(self.paths)));
                let swapped = self.outcomes.contains(&path) && self.paths.contains(&outcome);
                e.hint = if swapped {
                    Some(format!("write PATH.OUTCOME: `{outcome}.{path}`"))
                } else {
                    self.name_hint(&path, self.paths)
                };
                Err(e)
            }
            (Some(_), None) => {
                let mut e = self.error(
                    ErrorKind::UnknownOutcome,
                    dot + 1,
                    end - dot - 1,
                    format!("unknown outcome `{outcome}` of path `{path}`"),
                );
                e.expected = Some(format!("an outcome: {}", one_of(self.outcomes)));
                e.hint = self.name_hint(&outcome, self.outcomes);
                Err(e)
            }
        }
    }

    /// The hint for an unknown `name` among `valid`: the `-` spacing rule when the name looks
    /// like a subtraction written without spaces, else the nearest valid name.
    fn name_hint(&self, name: &str, valid: &[String]) -> Option<String> {
        let valid_str = || valid.iter().map(String::as_str);
        let spaces = |name: &str| {
            let spaced = name.replace('-', " - ");
            format!(
                "`-` is part of names, so `{name}` is read as one name; \
                 put spaces around a minus sign: `{}`",
                spaced.trim()
            )
        };
        if name.contains('-') {
            let head = name.split('-').next().unwrap_or("");
            let head_ok = valid.iter().any(|v| v == head) || head.parse::<f64>().is_ok();
            if head_ok || nearest(name, valid_str()).is_none() {
                return Some(spaces(name));
            }
        }
        did_you_mean(name, valid_str())
    }
}

// ---------------------------------------------------------------------------------------------
// Parser

/// An untyped expression node with its place in the text; checked into [`Cond`] / [`Num`]
/// afterwards.
#[derive(Debug)]
struct Node {
    kind: NodeKind,
    start: usize,
    end: usize,
    height: usize,
}

#[derive(Debug)]
enum NodeKind {
    Num(f64),
    Ref(usize, usize),
    Neg(Box<Node>),
    Arith(ArithOp, Box<Node>, Box<Node>),
    Cmp(CmpOp, Box<Node>, Box<Node>),
    Not(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
}

struct Parser<'a> {
    ctx: &'a Ctx<'a>,
    toks: Vec<Token>,
    lex_error: Option<Error>,
    pos: usize,
    nesting: usize,
}

type Parsed = Result<Node, Error>;

impl Parser<'_> {
    /// The next token; at the end of the tokens, the lexical error that ended them, if any.
    fn peek(&self) -> Result<Option<&Token>, Error> {
        match self.toks.get(self.pos) {
            Some(t) => Ok(Some(t)),
            None => match &self.lex_error {
                Some(e) => Err(e.clone()),
                None => Ok(None),
            },
        }
    }

    fn token_text(&self, t: &Token) -> String {
        self.ctx.text(t.start, t.len)
    }

    /// Builds a node spanning `start..end`, refusing trees taller than [`MAX_HEIGHT`].
    fn node(&self, kind: NodeKind, start: usize, end: usize) -> Parsed {
        let height = 1 + match &kind {
            NodeKind::Num(_) | NodeKind::Ref(..) => 0,
            NodeKind::Neg(a) | NodeKind::Not(a) => a.height,
            NodeKind::Arith(_, a, b)
            | NodeKind::Cmp(_, a, b)
            | NodeKind::And(a, b)
            | NodeKind::Or(a, b) => a.height.max(b.height),
        };
        if height > MAX_HEIGHT {
            return Err(self.too_complex(start, end - start));
        }
        Ok(Node {
            kind,
            start,
            end,
            height,
        })
    }

    fn too_complex(&self, start: usize, len: usize) -> Error {
        let mut e = self.ctx.error(
            ErrorKind::TooComplex,
            start,
            len,
            "condition is nested too deeply".into(),
        );
        e.expected = Some(format!(
            "at most {MAX_NESTING} nested parentheses or prefix operators and \
             {MAX_HEIGHT} operators in a chain"
        ));
        e
    }

    /// Enters a nested construct (parenthesis or prefix operator) at token `t`.
    fn enter(&mut self, t: &Token) -> Result<(), Error> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(self.too_complex(t.start, t.len));
        }
        Ok(())
    }

    fn parse_or(&mut self) -> Parsed {
        let mut left = self.parse_and()?;
        while self.peek()?.is_some_and(|t| t.tok == Tok::Or) {
            self.pos += 1;
            let right = self.parse_and()?;
            let (s, e) = (left.start, right.end);
            left = self.node(NodeKind::Or(Box::new(left), Box::new(right)), s, e)?;
        }
        Ok(left)
    }

    fn parse_and(&mut self) -> Parsed {
        let mut left = self.parse_not()?;
        while self.peek()?.is_some_and(|t| t.tok == Tok::And) {
            self.pos += 1;
            let right = self.parse_not()?;
            let (s, e) = (left.start, right.end);
            left = self.node(NodeKind::And(Box::new(left), Box::new(right)), s, e)?;
        }
        Ok(left)
    }

    fn parse_not(&mut self) -> Parsed {
        match self.peek()?.cloned() {
            Some(t) if t.tok == Tok::Not => {
                self.pos += 1;
                self.enter(&t)?;
                let operand = self.parse_not()?;
                self.nesting -= 1;
                let end = operand.end;
                self.node(NodeKind::Not(Box::new(operand)), t.start, end)
            }
            _ => self.parse_cmp(),
        }
    }

    fn parse_cmp(&mut self) -> Parsed {
        let left = self.parse_sum()?;
        let Some(Tok::Cmp(op)) = self.peek()?.map(|t| t.tok.clone()) else {
            return Ok(left);
        };
        self.pos += 1;
        let right = self.parse_sum()?;
        if let Some(t) = self.peek()?.filter(|t| matches!(t.tok, Tok::Cmp(_))) {
            let mut e = self.ctx.error(
                ErrorKind::ChainedComparison,
                t.start,
                t.len,
                format!(
                    "comparisons cannot be chained: `{}` follows a comparison",
                    self.token_text(t)
                ),
            );
            e.expected = Some("`and`, `or`, `)` or the end of the condition".into());
            e.hint = Some("write `a < b and b < c` instead of `a < b < c`".into());
            return Err(e);
        }
        let (s, e) = (left.start, right.end);
        self.node(NodeKind::Cmp(op, Box::new(left), Box::new(right)), s, e)
    }

    fn parse_sum(&mut self) -> Parsed {
        let mut left = self.parse_product()?;
        while let Some(Tok::Arith(op @ (ArithOp::Add | ArithOp::Sub))) =
            self.peek()?.map(|t| t.tok.clone())
        {
            self.pos += 1;
            let right = self.parse_product()?;
            let (s, e) = (left.start, right.end);
            left = self.node(NodeKind::Arith(op, Box::new(left), Box::new(right)), s, e)?;
        }
        Ok(left)
    }

    fn parse_product(&mut self) -> Parsed {
        let mut left = self.parse_unary()?;
        while let Some(Tok::Arith(op @ (ArithOp::Mul | ArithOp::Div))) =
            self.peek()?.map(|t| t.tok.clone())
        {
            self.pos += 1;
            let right = self.parse_unary()?;
            let (s, e) = (left.start, right.end);
            left = self.node(NodeKind::Arith(op, Box::new(left), Box::new(right)), s, e)?;
        }
        Ok(left)
    }

    fn parse_unary(&mut self) -> Parsed {
        match self.peek()?.cloned() {
            Some(t) if matches!(t.tok, Tok::Arith(ArithOp::Sub | ArithOp::Add)) => {
                self.pos += 1;
                self.enter(&t)?;
                let mut operand = self.parse_unary()?;
                self.nesting -= 1;
                if t.tok == Tok::Arith(ArithOp::Add) {
                    operand.start = t.start;
                    return Ok(operand);
                }
                let end = operand.end;
                self.node(NodeKind::Neg(Box::new(operand)), t.start, end)
            }
            _ => self.parse_primary(),
        }
    }

    fn parse_primary(&mut self) -> Parsed {
        let Some(t) = self.peek()?.cloned() else {
            return Err(self.missing_operand(None));
        };
        let end = t.start + t.len;
        match &t.tok {
            Tok::Num(v) => {
                self.pos += 1;
                self.node(NodeKind::Num(*v), t.start, end)
            }
            Tok::Ref(p, o) => {
                self.pos += 1;
                self.node(NodeKind::Ref(*p, *o), t.start, end)
            }
            Tok::LParen => {
                self.pos += 1;
                self.enter(&t)?;
                let mut inner = self.parse_or()?;
                self.nesting -= 1;
                match self.peek()?.cloned() {
                    Some(c) if c.tok == Tok::RParen => {
                        self.pos += 1;
                        inner.start = t.start;
                        inner.end = c.start + 1;
                        Ok(inner)
                    }
                    Some(other) => {
                        let mut e = self.ctx.error(
                            ErrorKind::TrailingInput,
                            other.start,
                            other.len,
                            format!(
                                "unexpected `{}` inside the parentheses opened at column {}",
                                self.token_text(&other),
                                self.ctx.column(t.start)
                            ),
                        );
                        e.expected =
                            Some("`)`, `and`, `or`, a comparison or an arithmetic operator".into());
                        Err(e)
                    }
                    None => {
                        let mut e = self.ctx.error(
                            ErrorKind::UnbalancedParenthesis,
                            t.start,
                            1,
                            "unclosed `(`".into(),
                        );
                        e.expected = Some("a matching `)` before the end of the condition".into());
                        Err(e)
                    }
                }
            }
            Tok::Word(w) => Err(self.bare_name(w, &t)),
            _ => Err(self.missing_operand(Some(&t))),
        }
    }

    /// The error for an operand missing before `found` (`None`: the end of the condition).
    fn missing_operand(&self, found: Option<&Token>) -> Error {
        let prev = self.pos.checked_sub(1).and_then(|i| self.toks.get(i));
        let found_text = found.map_or("the end of the condition".to_string(), |t| {
            format!("`{}`", self.token_text(t))
        });
        let (start, len) = match found {
            Some(t) => (t.start, t.len),
            None => (self.ctx.chars.len(), 1),
        };
        let message = match prev {
            Some(p) => format!(
                "missing operand after `{}`: found {found_text}",
                self.token_text(p)
            ),
            None => format!("expected a condition, found {found_text}"),
        };
        let mut e = self
            .ctx
            .error(ErrorKind::MissingOperand, start, len, message);
        e.expected = Some(
            if prev.is_none()
                || matches!(
                    prev.map(|p| &p.tok),
                    Some(Tok::And | Tok::Or | Tok::Not | Tok::LParen)
                )
            {
                "a condition such as `PATH.OUTCOME > NUMBER`, `not` or `(`".into()
            } else {
                "a number, PATH.OUTCOME, `-` or `(`".into()
            },
        );
        if let Some(Tok::RParen) = found.map(|t| &t.tok) {
            if prev.is_some_and(|p| p.tok == Tok::LParen) {
                e.message = "empty parentheses".into();
            }
        }
        e
    }

    /// The error for a bare name `w` (not `PATH.OUTCOME`, not a keyword).
    fn bare_name(&self, w: &str, t: &Token) -> Error {
        let ctx = self.ctx;
        let example_outcome = ctx.outcomes.first().map_or("final_ci", |s| s.as_str());
        let example_path = ctx.paths.first().map_or("hasty", |s| s.as_str());
        let mut e = ctx.error(
            ErrorKind::BareName,
            t.start,
            t.len,
            format!("`{w}` is not a reference to an outcome"),
        );
        e.expected = Some("PATH.OUTCOME without spaces, a number, `-`, `not` or `(`".into());
        if ctx.paths.iter().any(|p| p == w) {
            e.message = format!("path `{w}` needs an outcome");
            e.hint = Some(format!("write `{w}.{example_outcome}`"));
        } else if ctx.outcomes.iter().any(|o| o == w) {
            e.message = format!("outcome `{w}` needs a path");
            e.hint = Some(format!("write `{example_path}.{w}`"));
        } else {
            e.hint = did_you_mean(w, ["and", "or", "not"])
                .or_else(|| ctx.name_hint(w, ctx.paths))
                .or_else(|| did_you_mean(w, ctx.outcomes.iter().map(String::as_str)));
        }
        e
    }
}

// ---------------------------------------------------------------------------------------------
// Type check

/// The source text of `start..end`, shortened for messages.
fn excerpt(ctx: &Ctx, start: usize, end: usize) -> String {
    let text = ctx.text(start, end - start);
    if text.chars().count() > 40 {
        let short: String = text.chars().take(37).collect();
        format!("{short}...")
    } else {
        text
    }
}

/// Checks that `n` is a condition; `context` names where it stands (for the message).
fn to_cond(ctx: &Ctx, n: Node, context: &str) -> Result<Cond, Error> {
    let (start, end) = (n.start, n.end);
    match n.kind {
        NodeKind::Cmp(op, a, b) => Ok(Cond::Cmp(
            op,
            to_num(ctx, *a, op.text())?,
            to_num(ctx, *b, op.text())?,
        )),
        NodeKind::Not(a) => Ok(Cond::Not(Box::new(to_cond(
            ctx,
            *a,
            "the operand of `not`",
        )?))),
        NodeKind::And(a, b) => Ok(Cond::And(
            Box::new(to_cond(ctx, *a, "an operand of `and`")?),
            Box::new(to_cond(ctx, *b, "an operand of `and`")?),
        )),
        NodeKind::Or(a, b) => Ok(Cond::Or(
            Box::new(to_cond(ctx, *a, "an operand of `or`")?),
            Box::new(to_cond(ctx, *b, "an operand of `or`")?),
        )),
        NodeKind::Num(_) | NodeKind::Ref(..) | NodeKind::Neg(_) | NodeKind::Arith(..) => {
            let what = excerpt(ctx, start, end);
            let mut e = ctx.error(
                ErrorKind::ExpectedCondition,
                start,
                end - start,
                format!("`{what}` is a number, but {context} must be a condition"),
            );
            e.expected = Some(format!("a comparison, e.g. `{what} > 0`"));
            Err(e)
        }
    }
}

/// Checks that `n` is a number; `op` is the operator it is an operand of.
fn to_num(ctx: &Ctx, n: Node, op: &str) -> Result<Num, Error> {
    match n.kind {
        NodeKind::Num(v) => Ok(Num::Const(v)),
        NodeKind::Ref(p, o) => Ok(Num::Ref(p, o)),
        NodeKind::Neg(a) => Ok(Num::Neg(Box::new(to_num(ctx, *a, "-")?))),
        NodeKind::Arith(aop, a, b) => Ok(Num::Arith(
            aop,
            Box::new(to_num(ctx, *a, aop.text())?),
            Box::new(to_num(ctx, *b, aop.text())?),
        )),
        NodeKind::Cmp(..) | NodeKind::Not(_) | NodeKind::And(..) | NodeKind::Or(..) => {
            let what = excerpt(ctx, n.start, n.end);
            let mut e = ctx.error(
                ErrorKind::ExpectedNumber,
                n.start,
                n.end - n.start,
                format!("`{what}` is a condition (true or false), but an operand of `{op}` must be a number"),
            );
            e.expected = Some("a number, PATH.OUTCOME or an arithmetic expression".into());
            Err(e)
        }
    }
}

/// Parses a condition over the outcomes `outcomes` of the paths `paths` (their names as in the
/// scenario and the outcome table). References resolve to indices into these slices.
#[allow(clippy::result_large_err)] // called once per command; the error is the diagnostic
pub fn parse(
    text: &str,
    paths: &[String],
    outcomes: &[String],
) -> Result<Condition, ConditionError> {
    parse_boxed(text, paths, outcomes).map_err(|e| *e)
}

fn parse_boxed(text: &str, paths: &[String], outcomes: &[String]) -> Result<Condition, Error> {
    let ctx = Ctx {
        chars: text.chars().collect(),
        paths,
        outcomes,
    };
    let (toks, lex_error) = ctx.lex();
    if toks.is_empty() && lex_error.is_none() {
        let mut e = ctx.error(ErrorKind::Empty, 0, 1, "empty condition".into());
        e.expected = Some(format!(
            "a condition such as `{}.{} > {}.{}`",
            paths.first().map_or("hasty", |s| s.as_str()),
            outcomes.first().map_or("final_ci", |s| s.as_str()),
            paths
                .get(1)
                .or(paths.first())
                .map_or("gradual", |s| s.as_str()),
            outcomes.first().map_or("final_ci", |s| s.as_str()),
        ));
        return Err(e);
    }
    let mut p = Parser {
        ctx: &ctx,
        toks,
        lex_error,
        pos: 0,
        nesting: 0,
    };
    let root = p.parse_or()?;
    if let Some(t) = p.peek()?.cloned() {
        let text = p.token_text(&t);
        let mut e = if t.tok == Tok::RParen {
            let mut e = ctx.error(
                ErrorKind::UnbalancedParenthesis,
                t.start,
                1,
                "unmatched `)`".into(),
            );
            e.expected = Some("`and`, `or` or the end of the condition".into());
            e
        } else {
            let mut e = ctx.error(
                ErrorKind::TrailingInput,
                t.start,
                t.len,
                format!("unexpected `{text}` after a complete expression"),
            );
            e.expected = Some(
                "`and`, `or`, a comparison, an arithmetic operator or the end of the condition"
                    .into(),
            );
            e
        };
        if let Tok::Word(w) = &t.tok {
            e.hint = did_you_mean(w, ["and", "or"]);
        }
        return Err(e);
    }
    let root = to_cond(&ctx, root, "the whole condition")?;
    Ok(Condition {
        root,
        paths: paths.to_vec(),
        outcomes: outcomes.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{keyed_stream, stable_hash, uniform};

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn paths() -> Vec<String> {
        names(&["gradual", "hasty", "a-b", "2017"])
    }

    fn outcomes() -> Vec<String> {
        names(&["final_ci", "kr_crises", "months_to_camp_david", "peak_ci"])
    }

    #[allow(clippy::result_large_err)]
    fn p(text: &str) -> Result<Condition, ConditionError> {
        parse(text, &paths(), &outcomes())
    }

    fn ok(text: &str) -> Condition {
        p(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn err(text: &str) -> ConditionError {
        match p(text) {
            Ok(c) => panic!("{text} parsed as {c}"),
            Err(e) => e,
        }
    }

    /// Values for the tests: gradual = (0.5, 2, 80, 0.7), hasty = (0.6, 3, 50, 0.9), a-b and
    /// 2017 all NaN.
    fn value(path: usize, outcome: usize) -> f64 {
        match path {
            0 => [0.5, 2.0, 80.0, 0.7][outcome],
            1 => [0.6, 3.0, 50.0, 0.9][outcome],
            _ => f64::NAN,
        }
    }

    fn eval(text: &str) -> bool {
        ok(text).eval(&value)
    }

    #[test]
    fn examples_parse_and_print_normalised() {
        for (text, shown) in [
            (
                "hasty.final_ci > gradual.final_ci",
                "hasty.final_ci > gradual.final_ci",
            ),
            (
                "hasty.final_ci - gradual.final_ci >= 0.05 and hasty.kr_crises <= gradual.kr_crises + 1",
                "hasty.final_ci - gradual.final_ci >= 0.05 and hasty.kr_crises <= gradual.kr_crises + 1",
            ),
            (
                "not (gradual.months_to_camp_david < 60)",
                "not (gradual.months_to_camp_david < 60)",
            ),
            (
                "!(gradual.months_to_camp_david<60)&&(hasty.peak_ci>=.5||a-b.final_ci!=2017.kr_crises)",
                "not (gradual.months_to_camp_david < 60) and (hasty.peak_ci >= 0.5 or a-b.final_ci != 2017.kr_crises)",
            ),
            ("((hasty.final_ci)) > +1e-3 AND NOT NOT 1 == 1", "hasty.final_ci > 0.001 and not not (1 == 1)"),
            ("hasty.final_ci > 1e-7 * 2.5E+2", "hasty.final_ci > 1e-7 * 250"),
        ] {
            assert_eq!(ok(text).to_string(), shown, "{text}");
        }
        assert!(eval("hasty.final_ci > gradual.final_ci"));
        assert!(eval("hasty.final_ci - gradual.final_ci >= 0.05 and hasty.kr_crises <= gradual.kr_crises + 1"));
        assert!(eval("not (gradual.months_to_camp_david < 60)")); // 80 months
    }

    #[test]
    fn precedence_and_associativity() {
        for (text, expected) in [
            ("1 + 2 * 3 == 7", true),
            ("(1 + 2) * 3 == 9", true),
            ("-2 * 3 == -6", true),
            ("- -2 == 2", true),
            ("10 - 4 - 3 == 3", true),
            ("8 / 4 / 2 == 1", true),
            ("2 * 3 / 4 == 1.5", true),
            // `and` binds tighter than `or`: true or (false and false).
            ("1 < 2 or 1 > 2 and 1 > 2", true),
            ("(1 < 2 or 1 > 2) and 1 > 2", false),
            // `not` binds tighter than `and`, looser than comparisons.
            ("not 1 > 2 and 1 > 2", false),
            ("not (1 > 2 and 1 > 2)", true),
            ("!1 > 2", true),
            ("1 > 2 || 2 > 1 && 3 > 2", true),
        ] {
            assert_eq!(eval(text), expected, "{text}");
        }
        for (text, shown) in [
            ("10 - (4 - 3) == 9", "10 - (4 - 3) == 9"),
            ("(10 - 4) - 3 == 3", "10 - 4 - 3 == 3"),
            ("-(1 + 2) < 0", "-(1 + 2) < 0"),
            ("(1 < 2 or 1 > 2) and 1 > 2", "(1 < 2 or 1 > 2) and 1 > 2"),
            ("1 < 2 or (1 > 2 and 1 > 2)", "1 < 2 or 1 > 2 and 1 > 2"),
            ("1 < 2 and (1 > 2 and 3 > 2)", "1 < 2 and (1 > 2 and 3 > 2)"),
            ("not 1 > 2", "not (1 > 2)"),
        ] {
            assert_eq!(ok(text).to_string(), shown, "{text}");
        }
    }

    #[test]
    fn evaluation_reads_outcomes_and_treats_nan_comparisons_as_false() {
        assert!(eval("hasty.peak_ci - hasty.final_ci > 0.29"));
        assert!(eval("hasty.kr_crises == gradual.kr_crises + 1"));
        assert!(!eval("hasty.kr_crises != gradual.kr_crises + 1"));
        assert!(eval(
            "gradual.months_to_camp_david / hasty.months_to_camp_david == 1.6"
        ));
        // a-b and 2017 are NaN: every comparison is false, its negation true.
        for op in ["<", "<=", ">", ">=", "==", "!="] {
            assert!(!eval(&format!("a-b.final_ci {op} 1")), "{op}");
            assert!(!eval(&format!("1 {op} 2017.peak_ci + 1")), "{op}");
            assert!(eval(&format!("not (a-b.final_ci {op} 1)")), "{op}");
        }
        assert!(eval("1 / 0 > 1e308"));
        assert!(!eval("0 / 0 == 0 / 0"));
        // Short-circuit: the right side is not read.
        let c = ok("hasty.final_ci > 0 or gradual.final_ci > 0");
        let reads = std::cell::Cell::new(0);
        assert!(c.eval(&|p, o| {
            reads.set(reads.get() + 1);
            value(p, o)
        }));
        assert_eq!(reads.get(), 1);
    }

    #[test]
    fn references_are_listed_once_in_order() {
        let c = ok("hasty.final_ci - gradual.final_ci > 0 and hasty.final_ci < 2017.kr_crises or a-b.peak_ci > hasty.final_ci");
        assert_eq!(c.references(), vec![(1, 0), (0, 0), (3, 1), (2, 3)]);
        assert!(ok("1 < 2").references().is_empty());
    }

    #[test]
    fn printed_conditions_parse_back_to_the_same_condition() {
        for text in [
            "hasty.final_ci - gradual.final_ci >= 0.05 and hasty.kr_crises <= gradual.kr_crises + 1",
            "not (not (1 < 2) or a-b.final_ci * -(2017.peak_ci - 3) / 7 != 0.1)",
            "- - -hasty.final_ci < 1e20 and 1.5e-9 > 0 or 0.3 == 0.1 + 0.2",
            "(1 < 2 or 2 < 3) and (3 < 4 or (4 < 5 and 5 < 6))",
        ] {
            let c = ok(text);
            assert_eq!(ok(&c.to_string()), c, "{text} -> {c}");
        }
    }

    /// The caret line of an error's display.
    fn caret(e: &ConditionError) -> String {
        e.to_string().lines().nth(2).unwrap_or_default().to_string()
    }

    #[test]
    fn unknown_names_get_the_nearest_valid_one() {
        let e = err("hasty.final_cii > gradual.final_ci");
        assert_eq!(e.kind, ErrorKind::UnknownOutcome);
        assert_eq!(
            e.summary(),
            "unknown outcome `final_cii` of path `hasty`; did you mean `final_ci`?"
        );
        assert_eq!((e.line, e.column, e.width), (1, 7, 9));
        let shown = e.to_string();
        assert!(
            shown
                .starts_with("unknown outcome `final_cii` of path `hasty` (condition, column 7)\n"),
            "{shown}"
        );
        assert!(
            shown.contains("\n  | hasty.final_cii > gradual.final_ci\n  |       ^^^^^^^^^\n"),
            "{shown}"
        );
        assert!(
            shown.contains("= expected: an outcome: `final_ci`, `kr_crises`"),
            "{shown}"
        );
        assert!(
            shown.contains("= help: did you mean `final_ci`?"),
            "{shown}"
        );

        let e = err("gradual.final_ci < hastyy.final_ci");
        assert_eq!((e.kind, e.column, e.width), (ErrorKind::UnknownPath, 20, 6));
        assert_eq!(e.summary(), "unknown path `hastyy`; did you mean `hasty`?");
        assert_eq!(caret(&e), format!("  | {}^^^^^^", " ".repeat(19)));
        // Outcome and path swapped.
        let e = err("final_ci.hasty > 0");
        assert_eq!(
            e.hint.as_deref(),
            Some("write PATH.OUTCOME: `hasty.final_ci`")
        );
        // Nothing near: no hint.
        assert_eq!(err("zzzzzzzz.final_ci > 0").hint, None);
    }

    #[test]
    fn minus_without_spaces_is_explained() {
        let e = err("hasty.final_ci-gradual.final_ci > 0");
        assert_eq!(e.kind, ErrorKind::UnknownOutcome);
        assert_eq!(e.column, 7);
        let hint = e.hint.unwrap();
        assert!(
            hint.contains("`final_ci-gradual` is read as one name"),
            "{hint}"
        );
        assert!(hint.contains("`final_ci - gradual`"), "{hint}");
        let e = err("1-hasty.final_ci > 0");
        assert_eq!(e.kind, ErrorKind::UnknownPath);
        assert!(e.hint.unwrap().contains("`1 - hasty`"));
        // With spaces it works, and a hyphenated path name is one name.
        assert!(eval("hasty.final_ci - gradual.final_ci > 0"));
        assert_eq!(ok("a-b.final_ci - 1 > 0").references(), vec![(2, 0)]);
    }

    #[test]
    fn syntax_errors_point_at_the_offending_token() {
        let cases: &[(&str, ErrorKind, usize, &str)] = &[
            ("", ErrorKind::Empty, 1, "empty condition"),
            ("   \t ", ErrorKind::Empty, 1, "empty condition"),
            (
                "hasty.final_ci",
                ErrorKind::ExpectedCondition,
                1,
                "`hasty.final_ci` is a number, but the whole condition must be a condition",
            ),
            (
                "hasty.final_ci - 1",
                ErrorKind::ExpectedCondition,
                1,
                "is a number",
            ),
            (
                "hasty.final_ci > 0 and 1",
                ErrorKind::ExpectedCondition,
                24,
                "an operand of `and`",
            ),
            (
                "not gradual.final_ci",
                ErrorKind::ExpectedCondition,
                5,
                "the operand of `not`",
            ),
            (
                "(hasty.final_ci > 0) + 1 > 0",
                ErrorKind::ExpectedNumber,
                1,
                "an operand of `+` must be a number",
            ),
            (
                "hasty.final_ci > 0 hasty",
                ErrorKind::TrailingInput,
                20,
                "unexpected `hasty` after a complete expression",
            ),
            (
                "hasty.final_ci > 0 1",
                ErrorKind::TrailingInput,
                20,
                "unexpected `1`",
            ),
            (
                "hasty.final_ci >",
                ErrorKind::MissingOperand,
                17,
                "missing operand after `>`: found the end of the condition",
            ),
            (
                "> 1",
                ErrorKind::MissingOperand,
                1,
                "expected a condition, found `>`",
            ),
            (
                "1 > 0 and",
                ErrorKind::MissingOperand,
                10,
                "missing operand after `and`",
            ),
            (
                "1 > 0 and or 2 > 1",
                ErrorKind::MissingOperand,
                11,
                "found `or`",
            ),
            (
                "1 * * 2 > 0",
                ErrorKind::MissingOperand,
                5,
                "missing operand after `*`: found `*`",
            ),
            ("1 + not 2 > 0", ErrorKind::MissingOperand, 5, "found `not`"),
            ("() > 1", ErrorKind::MissingOperand, 2, "empty parentheses"),
            (
                "(hasty.final_ci > 0",
                ErrorKind::UnbalancedParenthesis,
                1,
                "unclosed `(`",
            ),
            (
                "((1 > 0) and (2 > 1)",
                ErrorKind::UnbalancedParenthesis,
                1,
                "unclosed `(`",
            ),
            (
                "hasty.final_ci > 0)",
                ErrorKind::UnbalancedParenthesis,
                19,
                "unmatched `)`",
            ),
            (
                "(1 > 0 2)",
                ErrorKind::TrailingInput,
                8,
                "inside the parentheses opened at column 1",
            ),
            (
                "0 < hasty.final_ci < 1",
                ErrorKind::ChainedComparison,
                20,
                "comparisons cannot be chained",
            ),
            (
                "hasty > 0",
                ErrorKind::BareName,
                1,
                "path `hasty` needs an outcome",
            ),
            (
                "final_ci > 0",
                ErrorKind::BareName,
                1,
                "outcome `final_ci` needs a path",
            ),
            (
                "hasty. > 0",
                ErrorKind::BareName,
                7,
                "expected an outcome name after `hasty.`",
            ),
            (
                "foo > 0",
                ErrorKind::BareName,
                1,
                "`foo` is not a reference",
            ),
            (
                "hasty.final_ci = 0",
                ErrorKind::UnexpectedCharacter,
                16,
                "unexpected character `=`",
            ),
            (
                "hasty.final_ci > 0 # note",
                ErrorKind::UnexpectedCharacter,
                20,
                "unexpected character `#`",
            ),
            (
                "hasty.final_ci > 5x",
                ErrorKind::InvalidNumber,
                18,
                "invalid number `5x`",
            ),
            (
                "hasty.final_ci > 1e",
                ErrorKind::InvalidNumber,
                18,
                "invalid number `1e`",
            ),
            (
                "hasty.final_ci > 1.2.3",
                ErrorKind::InvalidNumber,
                18,
                "invalid number `1.2.3`",
            ),
            (
                "hasty.final_ci > 1e999",
                ErrorKind::InvalidNumber,
                18,
                "out of range",
            ),
        ];
        for &(text, kind, column, message) in cases {
            let e = err(text);
            assert_eq!((e.kind, e.column), (kind, column), "{text}: {e}");
            assert!(e.message.contains(message), "{text}: {e}");
            assert!(e.expected.is_some(), "{text}: {e}");
            // The caret sits under the reported column.
            assert_eq!(caret(&e).find('^'), Some(3 + column), "{text}: {e}");
        }
        assert_eq!(
            err("hasty.final_ci = 0").hint.as_deref(),
            Some("did you mean `==`?")
        );
        assert_eq!(
            err("1 > 0 annd 2 > 1").hint.as_deref(),
            Some("did you mean `and`?")
        );
        assert_eq!(
            err("hasty > 0").hint.as_deref(),
            Some("write `hasty.final_ci`")
        );
        assert_eq!(
            err("final_ci > 0").hint.as_deref(),
            Some("write `gradual.final_ci`")
        );
        assert!(err("0 < hasty.final_ci < 1").hint.unwrap().contains("and"));
        // The first problem is reported: the unknown outcome before the stray `.` after it.
        assert_eq!(err("hasty.final_cii.x > 0").kind, ErrorKind::UnknownOutcome);
    }

    #[test]
    fn errors_on_later_lines_give_line_and_column() {
        let e = err("hasty.final_ci > 0\n  and gradual.final_cii > 0");
        assert_eq!((e.line, e.column, e.width), (2, 15, 9));
        assert_eq!(e.source_line, "  and gradual.final_cii > 0");
        assert!(e.to_string().contains("(condition, line 2, column 15)"));
        let e = err("1 > 0 and\n");
        assert_eq!((e.kind, e.line), (ErrorKind::MissingOperand, 2));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}1 > 0{}", "(".repeat(100_000), ")".repeat(100_000));
        assert_eq!(err(&deep).kind, ErrorKind::TooComplex);
        let nots = format!("{}1 > 0", "not ".repeat(100_000));
        assert_eq!(err(&nots).kind, ErrorKind::TooComplex);
        let minus = format!("{}1 > 0", "-".repeat(100_000));
        assert_eq!(err(&minus).kind, ErrorKind::TooComplex);
        let long = format!("1{} > 0", " + 1".repeat(100_000));
        assert_eq!(err(&long).kind, ErrorKind::TooComplex);
        // Ordinary depth is fine.
        let fine = format!("{}1 > 0{}", "(".repeat(50), ")".repeat(50));
        assert!(eval(&fine));
        assert!(eval(&format!("1{} > 0", " + 1".repeat(150))));
    }

    #[test]
    fn random_text_and_mutations_never_panic() {
        // Random strings over the language's characters, and random edits of valid
        // conditions: parsing never panics; whatever parses evaluates and prints back to the
        // same condition; every error has a position inside its line.
        let mut rng = keyed_stream(11, 0, stable_hash("condition fuzz"));
        let alphabet: Vec<char> =
            "hasty.gradual_final_ci-kr2017ab ()<>=!&|+-*/.eE0123456789 notandor\t\n#é≥"
                .chars()
                .collect();
        let seeds = [
            "hasty.final_ci > gradual.final_ci",
            "hasty.final_ci - gradual.final_ci >= 0.05 and hasty.kr_crises <= gradual.kr_crises + 1",
            "not (gradual.months_to_camp_david < 60) || !(a-b.peak_ci != 1e-3)",
            "(2017.final_ci * -2 + 3) / 4 == .5 && hasty.peak_ci < 2.5E+2",
        ];
        let mut pick = |n: usize| ((uniform(&mut rng) * n as f64) as usize).min(n - 1);
        let mut parsed = 0;
        for case in 0..20_000 {
            let text: String = if case % 2 == 0 {
                let len = pick(40);
                (0..len).map(|_| alphabet[pick(alphabet.len())]).collect()
            } else {
                let mut s: Vec<char> = seeds[pick(seeds.len())].chars().collect();
                for _ in 0..1 + pick(3) {
                    let at = pick(s.len() + 1);
                    match pick(3) {
                        0 if at < s.len() => {
                            s.remove(at);
                        }
                        1 if at < s.len() => s[at] = alphabet[pick(alphabet.len())],
                        _ => s.insert(at, alphabet[pick(alphabet.len())]),
                    }
                }
                s.into_iter().collect()
            };
            match p(&text) {
                Ok(c) => {
                    parsed += 1;
                    let _ = c.eval(&value);
                    let _ = c.references();
                    let shown = c.to_string();
                    assert_eq!(p(&shown).as_ref(), Ok(&c), "{text:?} -> {shown:?}");
                }
                Err(e) => {
                    let line_len = e.source_line.chars().count();
                    assert!(
                        e.line >= 1 && e.column >= 1 && e.width >= 1,
                        "{text:?}: {e:?}"
                    );
                    assert!(e.column <= line_len + 1, "{text:?}: {e:?}");
                    assert!(!e.to_string().is_empty());
                }
            }
        }
        assert!(parsed > 100, "{parsed}");
    }
}
