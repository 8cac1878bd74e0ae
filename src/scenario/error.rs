//! Scenario errors with file, line, column, key, expectation and hint.
use std::fmt;

/// One problem found in a scenario file.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub file: String,
    /// 1-based line and column, when the problem has a location in the file.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// Dotted key of the offending value (e.g. `actors.seoul.favourability`), if any.
    pub key: Option<String>,
    pub message: String,
    /// Suggestion (e.g. "did you mean `favourability`?").
    pub hint: Option<String>,
}

/// All problems found in a scenario (loading reports every error it can, not just the first).
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioError {
    pub diagnostics: Vec<Diagnostic>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        write!(f, ": ")?;
        if let Some(k) = &self.key {
            write!(f, "`{k}`: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(h) = &self.hint {
            write!(f, " ({h})")?;
        }
        Ok(())
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}
