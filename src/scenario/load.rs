//! Loading a scenario file: parse, merge onto the defaults, deserialize, validate.
//!
//! 1. The text is parsed twice from the same bytes: by `toml_edit` (which keeps the byte span
//!    of every key and value, for messages) and by `toml` (the values). A syntax error stops here
//!    with its line and column.
//!
//!    **Inheritance.** A top-level `extends = "FILE"` names the scenario file this one builds
//!    on, relative to the folder of the file that contains it; that file may extend another,
//!    up to [`MAX_EXTENDS_DEPTH`] files. Each file is parsed as above, then the files are
//!    merged child over parent with the first two rules of step 2 (tables merge deeply; arrays,
//!    including arrays of tables such as `[[history.issues]]`, scalars and distributions
//!    replace), and the result goes through steps 2–4 as if it were one file. `extends` is not
//!    a scenario key: it never reaches the scenario, and below the top level it is an unknown
//!    key. A missing or unreadable parent, a non-string `extends`, a cycle and a too long
//!    chain are reported at the `extends` value; a parent's syntax error in the parent. Every
//!    later problem is reported in the file, and at the line, where the value in effect is
//!    written (`Ctx::span`): an inherited value in the parent, an overriding one in the child.
//!    Text without a file ([`load_str`]) has no folder, so `extends` there is an error;
//!    [`load_str_with_base`] resolves it relative to a given folder.
//! 2. The user's table is merged onto [`Scenario::default()`] serialized as a TOML table:
//!    - tables merge key by key, recursively; arrays and scalars replace;
//!    - a parameter written as a distribution table (`{ dist = ... }`) replaces the old value
//!      whole (it is not merged with a previous distribution);
//!    - `[tracks.KEY]` of a bundled track overrides only the keys written; a new track gets
//!      `initial = 0`, `lock_in = 0`, `military = false`, `requires = []` and zero `prior`s, and
//!      must give `name`, `rungs`, `sigma`, `chi`, `lambda`, `b`, `b_cn` and `w`;
//!    - `[paths.NAME]` of a bundled path overrides only the keys written; a new path starts from
//!      the (possibly overridden) path named by its `base` (default `"gradual"`; a base may be
//!      another new path), then its own keys are merged on top;
//!    - `[[history.issues]]` replaces the default list; each entry must give `key`, `name`,
//!      `salience` and `hazard`, the rest defaults to `status = "open"`,
//!      `settlement_quality = 0`, `seasonal_months = []`, `court_pending = false`,
//!      `court_hazard = 0`, `offended = "KR"`.
//! 3. The merged table is deserialized into [`Scenario`]; each failure (unknown key, wrong type,
//!    missing key, bad name) is reported at the key's location, repaired with the default value
//!    (or dropped) and deserialization is retried, so that one run reports every such error.
//!    Missing required keys are all reported in one message and filled with placeholders, so
//!    the values written next to them are still validated in step 4.
//! 4. [`validate`] checks ranges and cross references; every problem is reported, except those
//!    about a repaired value or comparing with one (they would be consequences of the repair).
//!
//! No input panics: every failure becomes a [`Diagnostic`] with file, line, column and key.

use super::error::{Diagnostic, ScenarioError};
use super::types::Scenario;
use super::untrusted;
use super::validate::{did_you_mean, format_key, one_of, validate, Seg};
use std::collections::HashSet;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;
use toml::{Table, Value};

/// Most files in one `extends` chain (the scenario itself and the files it extends).
pub const MAX_EXTENDS_DEPTH: usize = 32;

/// Loads and validates the scenario file at `path` (with the files it `extends`).
pub fn load_file(path: &Path) -> Result<Scenario, ScenarioError> {
    load_file_with_sources(path).map(|(s, _)| s)
}

/// Loads and validates the scenario file at `path`, and returns it with the files it was built
/// from: `path` itself first, then the file it `extends`, and so on up the chain. Parents are
/// named by their path relative to the directory of the file that extends them (joined to that
/// directory, `.` and `dir/..` removed when that names the same file).
pub fn load_file_with_sources(path: &Path) -> Result<(Scenario, Vec<PathBuf>), ScenarioError> {
    let file = path.display().to_string();
    let text = read_utf8(path, &file).map_err(|e| match e {
        ReadFailure::Io(e) => ScenarioError::single(Diagnostic::new(
            &file,
            format!("cannot read the scenario file: {e}"),
        )),
        ReadFailure::NotUtf8(_) if !untrusted::may_be_scenario(&file, "") => {
            ScenarioError::single(untrusted::not_a_scenario(&file, "it is not UTF-8 text"))
        }
        ReadFailure::NotUtf8(d) => ScenarioError::single(*d),
    })?;
    // The lines of a file that is not a scenario are never shown (it may be anything, e.g.
    // /proc/self/environ).
    let shows = untrusted::may_be_scenario(&file, &text);
    let root = Layer::parse(text, file.clone(), Some(path.to_path_buf())).map_err(|d| {
        ScenarioError::single(if shows {
            *d
        } else {
            untrusted::not_a_scenario(&file, "it is not TOML")
        })
    })?;
    let dir = path.parent().map(Path::to_path_buf);
    let layers = load_chain(root, dir)?;
    let sources = layers.iter().filter_map(|l| l.path.clone()).collect();
    let dir = path.parent().map(Path::to_path_buf);
    load_layers(&layers, dir.as_deref()).map(|s| (s, sources))
}

/// Loads and validates scenario text; `file` names it in messages. The text has no folder, so
/// a top-level `extends` is an error here: use [`load_file`], or [`load_str_with_base`] to
/// resolve it relative to a folder.
pub fn load_str(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    let root = Layer::parse(text.to_string(), file.to_string(), None)
        .map_err(|d| ScenarioError::single(*d))?;
    let layers = load_chain(root, None)?;
    load_layers(&layers, None)
}

/// Loads and validates scenario text whose `extends` (if any) is relative to `base_dir`, as if
/// the text were a file in that folder; `file` names it in messages.
pub fn load_str_with_base(
    text: &str,
    file: &str,
    base_dir: &Path,
) -> Result<Scenario, ScenarioError> {
    let root = Layer::parse(text.to_string(), file.to_string(), None)
        .map_err(|d| ScenarioError::single(*d))?;
    let layers = load_chain(root, Some(base_dir.to_path_buf()))?;
    load_layers(&layers, Some(base_dir))
}

/// Merges the files of a chain (child first), then loads the result as one scenario; data files
/// it names are read relative to the file that names them (`root_dir` for the first layer).
fn load_layers(layers: &[Layer], root_dir: Option<&Path>) -> Result<Scenario, ScenarioError> {
    let root = layers[0].file.as_str();
    // The child's keys override its parent's: tables merge deeply, arrays and scalars (and
    // distributions) replace; the result is then merged onto the defaults like one file.
    // Two exceptions, for the experiment table: a child's `[sweep.parameters]` replaces its
    // parent's as a whole (a child sweeping other parameters must not sweep the parent's
    // too), and a child changing `sweep.design` drops the parent's `sweep.n`.
    let mut user = Table::new();
    for layer in layers.iter().rev() {
        let child_params = layer
            .user
            .get("sweep")
            .and_then(Value::as_table)
            .is_some_and(|t| t.contains_key("parameters"));
        if child_params {
            if let Some(Value::Table(sw)) = user.get_mut("sweep") {
                sw.remove("parameters");
            }
        }
        // A child that changes `sweep.design` drops the parent's `n`, which belongs to the
        // parent's design (a grid has none, and TOML cannot unset a key).
        let child_design = layer
            .user
            .get("sweep")
            .and_then(Value::as_table)
            .and_then(|t| t.get("design"))
            .cloned();
        if let (Some(d), Some(Value::Table(sw))) = (child_design, user.get_mut("sweep")) {
            if sw.get("design").is_some_and(|old| *old != d) {
                sw.remove("n");
            }
        }
        merge_tables(&mut user, &layer.user);
    }
    let defaults = match default_table() {
        Ok(t) => t,
        Err(e) => return Err(ScenarioError::single(Diagnostic::new(root, e))),
    };
    let mut ctx = Ctx {
        layers,
        diagnostics: Vec::new(),
    };
    let mut merged = merge_root(defaults, &user, &mut ctx);
    let (scenario, tainted) = deserialize(&mut merged, defaults, &mut ctx);
    let Some(scenario) = scenario else {
        return Err(sorted(ctx.diagnostics, 0, layers));
    };
    let mut problems = Vec::new();
    for p in validate(&scenario) {
        let repaired = |path: &[Seg]| tainted.iter().any(|t| path.starts_with(t));
        if repaired(&p.path) || p.related.as_deref().is_some_and(repaired) {
            continue; // about a value repaired above; its real error is already reported
        }
        if inherited(&p.path, defaults, &ctx) {
            continue; // reported in the base path, where it is written
        }
        let (at, _, _) = ctx.locate(&p.path, p.on_key, p.related.as_deref());
        problems.push((at.map(|(i, span)| (i, span.start)), p));
    }
    // Only the first problems in file order are shown (`sorted`): a file with thousands of
    // bad values is located cheaply, and only the problems shown get a message with their
    // source line (each reads the file up to the problem).
    problems.sort_by_key(|(at, _)| (at.is_none(), *at));
    let omitted = problems.len().saturating_sub(MAX_STRUCTURAL_ERRORS + 1);
    problems.truncate(MAX_STRUCTURAL_ERRORS + 1);
    for (_, p) in problems {
        let d = ctx.diagnostic_related(&p.path, p.on_key, p.related.as_deref(), p.message, true);
        ctx.diagnostics.push(d.with_hint(p.hint));
    }
    if !ctx.diagnostics.is_empty() {
        return Err(sorted(ctx.diagnostics, omitted, layers));
    }
    let mut scenario = scenario;
    read_data_files(&mut scenario, root_dir, &mut ctx);
    if ctx.diagnostics.is_empty() {
        Ok(scenario)
    } else {
        Err(sorted(ctx.diagnostics, 0, layers))
    }
}

/// Reads the data files a valid scenario names (`[world.nk] observed`, `[[series]] file`) into
/// `s.observed`, each relative to the folder of the file of the chain that names it (see
/// `series.rs` for the formats).
fn read_data_files(s: &mut Scenario, root_dir: Option<&Path>, ctx: &mut Ctx) {
    use super::series::{parse_nk, parse_series};
    let read = |ctx: &mut Ctx, path: &[Seg], name: &str| -> Option<(String, String)> {
        let (at, _, _) = ctx.locate(path, false, None);
        let i = at.map_or(0, |(i, _)| i);
        let dir = match i {
            0 => root_dir.map(Path::to_path_buf),
            _ => ctx.layers[i]
                .path
                .as_ref()
                .and_then(|p| p.parent().map(Path::to_path_buf)),
        };
        let Some(dir) = dir else {
            let d = ctx.diagnostic(path, false, format!("`{name}` is relative to the scenario's folder, and this scenario text was not read from a file"), false);
            ctx.diagnostics.push(d.with_hint(Some(
                "load the scenario from its file (or give a base folder)".into(),
            )));
            return None;
        };
        let resolved = tidy(&dir.join(name));
        let shown = resolved.display().to_string();
        match read_utf8(&resolved, &shown) {
            Ok(text) if !text.contains('\0') => Some((shown, text)),
            // Binary or not UTF-8: not a data file, and its content is never shown (it could
            // be anything, e.g. /proc/self/environ).
            Ok(_) | Err(ReadFailure::NotUtf8(_)) => {
                let d = ctx.diagnostic(
                    path,
                    false,
                    format!("`{name}` is not a CSV data file ({shown} is not UTF-8 text, or holds binary data); its content is not shown"),
                    false,
                );
                ctx.diagnostics.push(d);
                None
            }
            Err(ReadFailure::Io(e)) => {
                let d = ctx.diagnostic(
                    path,
                    false,
                    format!("cannot read `{name}`: {shown}: {e}"),
                    false,
                );
                ctx.diagnostics.push(d.with_note(
                    "note: the path is relative to the folder of the scenario file that names it",
                ));
                None
            }
        }
    };
    let note = |key: String| format!("note: this file is named by `{key}`");
    if let Some(name) = s.world.nk.observed.clone() {
        let path = vec![Seg::from("world"), Seg::from("nk"), Seg::from("observed")];
        if let Some((file, text)) = read(ctx, &path, &name) {
            match parse_nk(&text, &file, s.scenario.start, s.scenario.horizon_months) {
                Ok(rows) => s.observed.nk = rows,
                Err(d) => ctx.diagnostics.push(d.with_note(note(format_key(&path)))),
            }
        }
    }
    s.observed.series = vec![Vec::new(); s.series.len()];
    for j in 0..s.series.len() {
        let Some(name) = s.series[j].file.clone() else {
            continue;
        };
        let path = vec![Seg::from("series"), Seg::from(j), Seg::from("file")];
        let key = s.series[j].address.clone();
        let Ok(a) = super::address::find(s, &key) else {
            continue;
        };
        if let Some((file, text)) = read(ctx, &path, &name) {
            match parse_series(&text, &file, &key, a.bound) {
                Ok(points) => s.observed.series[j] = points,
                Err(d) => ctx.diagnostics.push(d.with_note(note(format_key(&path)))),
            }
        }
    }
}

/// Diagnostics in file order (the scenario first, then the files it extends; those without a
/// location last), those in an extended file noted as such; the first
/// `MAX_STRUCTURAL_ERRORS` only, then a note of how many were found (with `omitted`, the
/// number of problems left out already).
fn sorted(mut diagnostics: Vec<Diagnostic>, omitted: usize, layers: &[Layer]) -> ScenarioError {
    let layer_of = |d: &Diagnostic| layers.iter().position(|l| l.file == d.file).unwrap_or(0);
    diagnostics.sort_by_key(|d| {
        (
            d.line.is_none(),
            layer_of(d),
            d.line.unwrap_or(0),
            d.column.unwrap_or(0),
        )
    });
    diagnostics.dedup_by(|a, b| {
        a.key == b.key && a.message == b.message && a.line == b.line && a.file == b.file
    });
    // Report the first problems only (in file order), as for structural errors: a file with
    // thousands of bad values gets a readable message, not megabytes.
    let stop = |d: &Diagnostic| d.line.is_none() && d.message.starts_with("stopped after");
    let found = diagnostics.iter().filter(|d| !stop(d)).count() + omitted;
    if found > MAX_STRUCTURAL_ERRORS {
        diagnostics.retain(|d| !stop(d));
        diagnostics.truncate(MAX_STRUCTURAL_ERRORS);
        diagnostics.push(Diagnostic::new(
            &layers[0].file,
            format!(
                "stopped after {MAX_STRUCTURAL_ERRORS} errors ({found} found); fix these and load the file again"
            ),
        ));
    }
    let files: Vec<&str> = layers.iter().map(|l| l.file.as_str()).collect();
    for d in &mut diagnostics {
        let i = layer_of(d);
        if i > 0 {
            d.notes.push(chain_note(&files[..=i]));
        }
    }
    ScenarioError::new(diagnostics).in_scenario(&layers[0].file)
}

/// A note on a diagnostic in an extended file, the last of `chain` (at least two file names,
/// the scenario loaded first): how the scenario comes to read it.
fn chain_note(chain: &[&str]) -> String {
    let n = chain.len();
    let by = format!("note: this file is extended by `{}`", chain[n - 2]);
    if n == 2 {
        by
    } else {
        format!("{by} (extends chain: {})", chain.join(" → "))
    }
}

/// The effective scenario as TOML (every default filled in). `load_str(&to_toml(&s), ..)` gives
/// back `s` for every scenario `load_str` returns.
pub fn to_toml(s: &Scenario) -> String {
    let written = Table::try_from(s).and_then(|t| toml::to_string_pretty(&t).map(|x| (t, x)));
    let (value, text) = match written {
        Ok(w) => w,
        Err(e) => return format!("# this scenario cannot be written as TOML: {e}\n"),
    };
    let body = match text.parse::<toml_edit::DocumentMut>() {
        Ok(mut doc) => {
            if doc
                .get("events")
                .and_then(toml_edit::Item::as_array)
                .is_some_and(toml_edit::Array::is_empty)
            {
                doc.remove("events"); // `events` defaults to none
            }
            compact(doc.as_table_mut(), &value);
            doc.to_string()
        }
        Err(_) => text,
    };
    format!(
        "# Effective scenario `{}`: every key with its value, defaults filled in.\n\n{}",
        s.scenario.name.replace(['\n', '\r'], " "),
        body.trim_start()
    )
}

/// Writes small tables inline (distributions, gates, priors, prerequisites, name → number
/// maps) and keeps the keys of each table in the order of the format (`order`).
fn compact(t: &mut toml_edit::Table, order: &Table) {
    for (mut key, item) in t.iter_mut() {
        let k = key.get().to_string();
        let inline = matches!(
            k.as_str(),
            "prior" | "requires" | "targets" | "expectations" | "score" | "path_by_camp"
        ) || item.as_table().is_some_and(|tt| tt.contains_key("dist"));
        if inline {
            item.make_value();
            key.fmt();
            continue;
        }
        let sub = order.get(&k);
        if k == "gates" {
            if let Some(gates) = item.as_table_mut() {
                for (mut g, v) in gates.iter_mut() {
                    v.make_value();
                    g.fmt();
                }
            }
            continue;
        }
        match (item, sub) {
            (toml_edit::Item::Value(toml_edit::Value::Array(a)), _) => a.fmt(),
            (toml_edit::Item::Table(tt), Some(Value::Table(o))) => compact(tt, o),
            (toml_edit::Item::ArrayOfTables(a), Some(Value::Array(o))) => {
                for (tt, ov) in a.iter_mut().zip(o) {
                    if let Value::Table(o) = ov {
                        compact(tt, o);
                    }
                }
            }
            _ => {}
        }
    }
    let rank = |k: &str| order.keys().position(|x| x == k).unwrap_or(usize::MAX);
    t.sort_values_by(|a, _, b, _| rank(a.get()).cmp(&rank(b.get())));
}

// ---------------------------------------------------------------------------------------------
// Syntax errors and locations
// ---------------------------------------------------------------------------------------------

fn syntax_error(text: &str, file: &str, e: &toml_edit::TomlError) -> Diagnostic {
    let msg = e.message().trim().replace('\n', "; ");
    let mut d = Diagnostic::new(file, format!("invalid TOML: {msg}"));
    if let Some(span) = e.span() {
        let spanned = text.get(span.clone()).unwrap_or("").to_string();
        d = d.at(text, span);
        let line = d
            .snippet
            .as_ref()
            .map(|s| s.text.clone())
            .unwrap_or_default();
        d.hint = syntax_hint(&msg, &line, &spanned);
    }
    d
}

/// A hint for common syntax mistakes; `spanned` is the text the parser points at.
fn syntax_hint(msg: &str, line: &str, spanned: &str) -> Option<String> {
    let header = line.trim_start().starts_with('[');
    if msg.contains("duplicate key") {
        return Some(if header {
            "each table header may appear once: put all its keys under one header".into()
        } else {
            "each key may be given only once per table".into()
        });
    }
    let value = line.split_once('=').map(|(k, v)| (k.trim(), v.trim()));
    if msg.contains("invalid date") || msg.contains("invalid time") {
        if let Some((k, v)) = value {
            return Some(format!("months are text in quotes: {k} = \"{v}\""));
        }
    }
    if msg.contains("must be quoted") {
        let word = spanned.trim();
        return Some(match value {
            Some((k, v)) if v == word => format!("text values need quotes: {k} = \"{word}\""),
            _ if !word.is_empty() => format!("text values need quotes: \"{word}\""),
            _ => "text values need quotes".into(),
        });
    }
    if header && !line.trim_end().ends_with(']') {
        return Some("a table header looks like [section] or [[array]]".into());
    }
    None
}

// ---------------------------------------------------------------------------------------------
// `extends`: reading the chain of files
// ---------------------------------------------------------------------------------------------

/// The file named by `extends`, and the span of the value.
type Extends = (String, Option<Range<usize>>);

/// One file of an `extends` chain, parsed.
struct Layer {
    /// The name in messages.
    file: String,
    /// The file read (`None` for text given directly).
    path: Option<PathBuf>,
    /// The text with the span of every key and value.
    doc: toml_edit::Document<String>,
    /// The values, without the top-level `extends`.
    user: Table,
}

impl Layer {
    fn parse(text: String, file: String, path: Option<PathBuf>) -> Result<Layer, Box<Diagnostic>> {
        let doc = match toml_edit::Document::parse(text.clone()) {
            Ok(doc) => doc,
            Err(e) => return Err(Box::new(syntax_error(&text, &file, &e))),
        };
        let mut user: Table = match toml::from_str(&text) {
            Ok(t) => t,
            Err(e) => {
                let mut d = Diagnostic::new(&file, format!("invalid TOML: {}", e.message().trim()));
                if let Some(span) = e.span() {
                    d = d.at(&text, span);
                }
                return Err(Box::new(d));
            }
        };
        user.remove("extends");
        Ok(Layer {
            file,
            path,
            doc,
            user,
        })
    }

    fn text(&self) -> &str {
        self.doc.raw()
    }

    /// A diagnostic at `span` of this file.
    fn at(&self, span: Option<Range<usize>>, message: String) -> Diagnostic {
        let d = Diagnostic::new(&self.file, message);
        match span {
            Some(s) => d.at(self.text(), s),
            None => d,
        }
    }

    /// The file named by this file's top-level `extends`, with the span of the value.
    fn extends(&self) -> Result<Option<Extends>, Box<Diagnostic>> {
        let Some((key, item)) = self.doc.as_table().get_key_value("extends") else {
            return Ok(None);
        };
        let span = item.span().or_else(|| key.span());
        let example = "write the file this scenario extends in quotes, e.g. extends = \"baseline.toml\", at the top of the file";
        match item.as_str() {
            Some(name) if !name.trim().is_empty() => Ok(Some((name.to_string(), span))),
            Some(_) => Err(Box::new(
                self.at(
                    span,
                    "`extends` is empty: expected the name of a scenario file".into(),
                )
                .with_key("extends")
                .with_hint(Some(example.into())),
            )),
            None => {
                let found = match item {
                    toml_edit::Item::Table(_) => "a table",
                    toml_edit::Item::ArrayOfTables(_) => "an array of tables",
                    toml_edit::Item::Value(v) => match v {
                        toml_edit::Value::String(_) => "a string",
                        toml_edit::Value::Integer(_) => "an integer",
                        toml_edit::Value::Float(_) => "a float",
                        toml_edit::Value::Boolean(_) => "a boolean",
                        toml_edit::Value::Datetime(_) => "a date",
                        toml_edit::Value::Array(_) => "an array",
                        toml_edit::Value::InlineTable(_) => "a table",
                    },
                    toml_edit::Item::None => "nothing",
                };
                Err(Box::new(
                    self.at(
                        span,
                        format!(
                            "wrong type: `extends` expects a file name in quotes, found {found}"
                        ),
                    )
                    .with_key("extends")
                    .with_hint(Some(example.into())),
                ))
            }
        }
    }
}

enum ReadFailure {
    Io(std::io::Error),
    NotUtf8(Box<Diagnostic>),
}

/// Largest scenario file read, in bytes (the bundled ones are a few kilobytes): a file named by
/// mistake (or an `extends` pointing at a huge file) is an error, not an exhausted memory.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// The text of the file at `path` (named `file` in messages). Only regular files are read, and
/// at most [`MAX_FILE_BYTES`] of them: a folder, a device such as `/dev/zero` (endless) or a
/// named pipe (which would block) is an error.
fn read_utf8(path: &Path, file: &str) -> Result<String, ReadFailure> {
    use std::io::Read;
    let failure = |msg: String| ReadFailure::Io(std::io::Error::other(msg));
    let too_big = || {
        failure(format!(
            "the file is larger than {} MB, too large for a scenario file",
            MAX_FILE_BYTES >> 20
        ))
    };
    let meta = std::fs::metadata(path).map_err(ReadFailure::Io)?;
    if meta.is_dir() {
        return Err(failure("it is a folder, not a file".into()));
    }
    if !meta.is_file() {
        return Err(failure(
            "it is not a regular file (a device, a pipe or a socket)".into(),
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(ReadFailure::Io)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big()); // it grew while being read
    }
    String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        // The lossy text has the same bytes up to the first invalid one.
        ReadFailure::NotUtf8(Box::new(
            Diagnostic::new(file, "the file is not UTF-8 text")
                .at(&text, valid..valid + 1)
                .with_hint(Some("save the scenario file as UTF-8".into())),
        ))
    })
}

/// `path` without `.` components and with `dir/..` removed, if that names the same file.
fn tidy(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            _ => out.push(c),
        }
    }
    if out.as_os_str().is_empty() {
        return path.to_path_buf();
    }
    match (std::fs::canonicalize(path), std::fs::canonicalize(&out)) {
        (Ok(a), Ok(b)) if a == b => out,
        _ => path.to_path_buf(),
    }
}

/// Reads the files `root` extends, directly or not: the chain, child first. `dir` is the folder
/// `root`'s `extends` is relative to (`None`: the root is text without a folder).
fn load_chain(root: Layer, dir: Option<PathBuf>) -> Result<Vec<Layer>, ScenarioError> {
    let mut seen: Vec<Option<PathBuf>> = vec![root
        .path
        .as_ref()
        .and_then(|p| std::fs::canonicalize(p).ok())];
    let mut layers = vec![root];
    let mut dir = dir;
    // A failure in the file at the end of `chain` (file names, the scenario first).
    let fail = |mut d: Diagnostic, chain: &[&str]| {
        if chain.len() > 1 {
            d.notes.push(chain_note(chain));
        }
        Err(ScenarioError::single(d).in_scenario(chain[0]))
    };
    loop {
        let current = &layers[layers.len() - 1];
        let mut chain: Vec<&str> = layers.iter().map(|l| l.file.as_str()).collect();
        let (name, span) = match current.extends() {
            Ok(Some(e)) => e,
            Ok(None) => return Ok(layers),
            Err(d) => return fail(*d, &chain),
        };
        let Some(folder) = dir.take() else {
            let d = current
                .at(
                    span,
                    "`extends` is relative to the scenario's folder, and this scenario text was not read from a file".into(),
                )
                .with_key("extends")
                .with_hint(Some("load the scenario from its file (or give a base folder)".into()));
            return fail(d, &chain);
        };
        if layers.len() >= MAX_EXTENDS_DEPTH {
            let mut all = chain.clone();
            all.push(&name);
            let shown = format!(
                "{} → … → {}",
                all[..2].join(" → "),
                all[all.len() - 2..].join(" → ")
            );
            let d = current
                .at(
                    span,
                    format!(
                        "too many `extends`: a chain may have at most {MAX_EXTENDS_DEPTH} files ({shown})"
                    ),
                )
                .with_key("extends")
                .with_hint(Some("merge some of these files into one".into()));
            return fail(d, &chain);
        }
        let resolved = tidy(&folder.join(&name));
        let shown = resolved.display().to_string();
        let canonical = std::fs::canonicalize(&resolved).ok();
        if let Some(j) = canonical
            .as_ref()
            .and_then(|c| seen.iter().position(|s| s.as_ref() == Some(c)))
        {
            let mut cycle = chain.clone();
            cycle.push(&layers[j].file);
            let d = current
                .at(span, format!("cycle of `extends`: {}", cycle.join(" → ")))
                .with_key("extends")
                .with_hint(Some(
                    "a scenario cannot extend itself or a file that extends it".into(),
                ));
            // The message shows the chain: no note.
            return Err(ScenarioError::single(d).in_scenario(chain[0]));
        }
        let parsed = match read_utf8(&resolved, &shown) {
            // A parent that is not a scenario file (e.g. /proc/self/environ, a .env file) is
            // refused unread by any message: its content could be secrets.
            Ok(text) if !untrusted::may_be_scenario(&shown, &text) => {
                let d = current
                    .at(
                        span,
                        format!("`{name}`, which this scenario extends, is not a scenario file ({shown}: its name does not end in .toml, or it holds binary data); its content is not shown"),
                    )
                    .with_key("extends")
                    .with_hint(Some("`extends` names a scenario file: TOML text whose name ends in .toml".into()));
                return fail(d, &chain);
            }
            Ok(text) => Layer::parse(text, shown.clone(), Some(resolved.clone())),
            Err(ReadFailure::NotUtf8(_)) if !untrusted::may_be_scenario(&shown, "") => Err(
                Box::new(untrusted::not_a_scenario(&shown, "it is not UTF-8 text")),
            ),
            Err(ReadFailure::NotUtf8(d)) => Err(d),
            Err(ReadFailure::Io(e)) => {
                let d = current
                    .at(
                        span,
                        format!("cannot read `{name}`, which this scenario extends: {shown}: {e}"),
                    )
                    .with_key("extends")
                    .with_note(
                        "note: the path in `extends` is relative to the folder of the file that contains it",
                    );
                return fail(d, &chain);
            }
        };
        let layer = match parsed {
            Ok(layer) => layer,
            Err(d) => {
                // The parent's own error (not UTF-8, invalid TOML), in the parent.
                chain.push(&shown);
                return fail(*d, &chain);
            }
        };
        dir = Some(
            resolved
                .parent()
                .map_or_else(PathBuf::new, Path::to_path_buf),
        );
        seen.push(canonical);
        layers.push(layer);
    }
}

/// Where a key path is in the user's files (the scenario and the files it extends, child
/// first), and the problems found so far.
struct Ctx<'a> {
    layers: &'a [Layer],
    diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Copy)]
enum Node<'a> {
    Table(&'a toml_edit::Table),
    Inline(&'a toml_edit::InlineTable),
    Array(&'a toml_edit::Array),
    Aot(&'a toml_edit::ArrayOfTables),
    Leaf,
}

impl<'a> Node<'a> {
    fn of_item(item: &'a toml_edit::Item) -> Node<'a> {
        match item {
            toml_edit::Item::Table(t) => Node::Table(t),
            toml_edit::Item::ArrayOfTables(a) => Node::Aot(a),
            toml_edit::Item::Value(v) => Node::of_value(v),
            toml_edit::Item::None => Node::Leaf,
        }
    }

    fn of_value(v: &'a toml_edit::Value) -> Node<'a> {
        match v {
            toml_edit::Value::InlineTable(t) => Node::Inline(t),
            toml_edit::Value::Array(a) => Node::Array(a),
            _ => Node::Leaf,
        }
    }

    /// Whether a value written here replaces the value of a file it extends, rather than being
    /// merged into it: anything but a table that is not a distribution (as in `merge_tables`).
    fn replaces(self) -> bool {
        match self {
            Node::Table(t) => t.contains_key("dist"),
            Node::Inline(t) => t.contains_key("dist"),
            Node::Array(_) | Node::Aot(_) | Node::Leaf => true,
        }
    }

    /// (key span, value span, child) of one step.
    #[allow(clippy::type_complexity)]
    fn child(self, seg: &Seg) -> Option<(Option<Range<usize>>, Option<Range<usize>>, Node<'a>)> {
        match (self, seg) {
            (Node::Table(t), Seg::Key(k)) => t
                .get_key_value(k)
                .map(|(key, item)| (key.span(), item.span(), Node::of_item(item))),
            (Node::Inline(t), Seg::Key(k)) => t
                .get_key_value(k)
                .map(|(key, item)| (key.span(), item.span(), Node::of_item(item))),
            (Node::Array(a), Seg::Index(i)) => {
                a.get(*i).map(|v| (v.span(), v.span(), Node::of_value(v)))
            }
            (Node::Aot(a), Seg::Index(i)) => {
                a.get(*i).map(|t| (t.span(), t.span(), Node::Table(t)))
            }
            _ => None,
        }
    }
}

/// How far `path` is written in one file.
struct Walk {
    /// Number of segments of `path` found.
    depth: usize,
    /// The span to point at (see `Ctx::span`).
    best: Option<Range<usize>>,
    /// Length of the shortest prefix of `path` whose value replaces rather than merges.
    replaces_at: Option<usize>,
}

fn walk(doc: &toml_edit::Table, path: &[Seg], on_key: bool) -> Walk {
    let mut node = Node::Table(doc);
    let mut best: Option<Range<usize>> = None;
    let mut replaces_at = None;
    for (depth, seg) in path.iter().enumerate() {
        let Some((key_span, value_span, next)) = node.child(seg) else {
            return Walk {
                depth,
                best,
                replaces_at,
            };
        };
        let last = depth + 1 == path.len();
        let span = if last && !on_key {
            value_span.or(key_span)
        } else {
            key_span.or(value_span)
        };
        // A table only implied by a deeper header (`actors` in `[actors.seoul]`) is no
        // place to point at: its key is on another table's line.
        let implied = matches!(next, Node::Table(t) if t.is_implicit() && !t.is_dotted());
        if span.is_some() && (!implied || last) {
            best = span;
        }
        if replaces_at.is_none() && next.replaces() {
            replaces_at = Some(depth + 1);
        }
        node = next;
    }
    Walk {
        depth: path.len(),
        best,
        replaces_at,
    }
}

impl Ctx<'_> {
    /// Where `path` is written: the file (index in `layers`) whose value is in effect, and the
    /// span of the key (`on_key`) or the value there; else the nearest enclosing key written.
    /// The flag says whether the whole path was found.
    ///
    /// A file's value is in effect unless a file extending it (earlier in `layers`) replaced
    /// it: tables merge, so the files are searched child first, down to the first one that
    /// writes the path or replaces one of its enclosing values (an array, a distribution or a
    /// scalar where the child has a table, or the other way round).
    fn span(&self, path: &[Seg], on_key: bool) -> (Option<(usize, Range<usize>)>, bool) {
        // How deep the files searched so far wrote tables along `path`.
        let mut covered = 0;
        let mut nearest: Option<(usize, usize, Range<usize>)> = None;
        for (i, layer) in self.layers.iter().enumerate() {
            let w = walk(layer.doc.as_table(), path, on_key);
            let exact = w.depth == path.len();
            match w.replaces_at {
                // A table of a file extending this one replaced the value written here.
                Some(k) if k <= covered => break,
                Some(_) => return (w.best.map(|s| (i, s)), exact),
                None if exact => return (w.best.map(|s| (i, s)), true),
                None => {
                    covered = covered.max(w.depth);
                    if let Some(s) = w.best {
                        if nearest.as_ref().is_none_or(|(d, _, _)| w.depth > *d) {
                            nearest = Some((w.depth, i, s));
                        }
                    }
                }
            }
        }
        (nearest.map(|(_, i, s)| (i, s)), false)
    }

    /// A diagnostic for `path`; `note_default` adds a note when the value is not in the file.
    fn diagnostic(
        &self,
        path: &[Seg],
        on_key: bool,
        message: String,
        note_default: bool,
    ) -> Diagnostic {
        self.diagnostic_related(path, on_key, None, message, note_default)
    }

    /// Where a diagnostic for `path` points: `path`'s span (see `span`), or `related`'s when
    /// `path` itself is not written in the file but `related` is. Also returns whether `path`
    /// is written, and whether the span is `related`'s.
    #[allow(clippy::type_complexity)]
    fn locate(
        &self,
        path: &[Seg],
        on_key: bool,
        related: Option<&[Seg]>,
    ) -> (Option<(usize, Range<usize>)>, bool, bool) {
        let (span, exact) = self.span(path, on_key);
        if !exact {
            if let Some(rel) = related {
                if let (Some(rs), true) = self.span(rel, false) {
                    return (Some(rs), false, true);
                }
            }
        }
        (span, exact, false)
    }

    /// A diagnostic for `path`, located at `related` (the other value of a conflict) when
    /// `path` itself is not written in the file but `related` is.
    fn diagnostic_related(
        &self,
        path: &[Seg],
        on_key: bool,
        related: Option<&[Seg]>,
        message: String,
        note_default: bool,
    ) -> Diagnostic {
        let (span, exact, at_related) = self.locate(path, on_key, related);
        let layer = &self.layers[span.as_ref().map_or(0, |(i, _)| *i)];
        let mut d = Diagnostic::new(&layer.file, message);
        if !path.is_empty() {
            d = d.with_key(format_key(path));
        }
        if let Some((i, span)) = span {
            d = Diagnostic {
                file: self.layers[i].file.clone(),
                ..d
            }
            .at(self.layers[i].text(), span);
        }
        if note_default && !exact {
            let rel = related.map(format_key).unwrap_or_default();
            let files = if self.layers.len() > 1 {
                "the scenario or the files it extends"
            } else {
                "the file"
            };
            d = d.with_note(if at_related {
                format!("note: `{}` is not written in {files} (it is a default); the location shown is `{rel}`, which conflicts with it", format_key(path))
            } else {
                format!("note: this value is not written in {files}; it comes from the defaults (or the path's `base`)")
            });
        }
        d
    }

    fn error(&mut self, path: &[Seg], on_key: bool, message: String, hint: Option<String>) {
        let d = self
            .diagnostic(path, on_key, message, false)
            .with_hint(hint);
        self.diagnostics.push(d);
    }
}

// ---------------------------------------------------------------------------------------------
// Merging onto the defaults
// ---------------------------------------------------------------------------------------------

/// `Scenario::default()` as a TOML table (computed once).
fn default_table() -> Result<&'static Table, String> {
    static DEFAULTS: OnceLock<Result<Table, String>> = OnceLock::new();
    DEFAULTS
        .get_or_init(|| {
            Table::try_from(Scenario::default())
                .map_err(|e| format!("internal error: the defaults cannot be written as TOML: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

fn is_dist(v: &Value) -> bool {
    v.as_table().is_some_and(|t| t.contains_key("dist"))
}

/// Merges `over` onto `base`: tables recursively, everything else (and distributions) replaced.
fn merge_tables(base: &mut Table, over: &Table) {
    for (k, v) in over {
        match (base.get_mut(k), v) {
            (Some(Value::Table(b)), Value::Table(o)) if !is_dist(v) && !b.contains_key("dist") => {
                merge_tables(b, o)
            }
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

fn table(entries: &[(&str, Value)]) -> Table {
    entries
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

/// Defaults of the optional keys of a new track.
pub(crate) fn track_template() -> Table {
    let zero = Value::Float(0.0);
    table(&[
        ("initial", Value::Integer(0)),
        ("lock_in", zero.clone()),
        ("history_brake", zero.clone()),
        ("quality", Value::Float(0.5)),
        ("military", Value::Boolean(false)),
        ("requires", Value::Array(Vec::new())),
        (
            "prior",
            Value::Table(table(&[
                ("conservative", zero.clone()),
                ("progressive", zero.clone()),
                ("mainstream", zero.clone()),
                ("hawkish", zero),
            ])),
        ),
    ])
}

/// Defaults of the optional keys of a history issue.
pub(crate) fn issue_template() -> Table {
    table(&[
        ("status", Value::String("open".into())),
        ("settlement_quality", Value::Float(0.0)),
        ("seasonal_months", Value::Array(Vec::new())),
        ("court_pending", Value::Boolean(false)),
        ("court_hazard", Value::Float(0.0)),
        ("offended", Value::String("KR".into())),
    ])
}

fn merge_root(defaults: &Table, user: &Table, ctx: &mut Ctx) -> Table {
    let mut merged = defaults.clone();
    for (k, v) in user {
        match (k.as_str(), v, merged.get_mut(k)) {
            ("tracks", Value::Table(ut), Some(Value::Table(mt))) => merge_tracks(mt, ut),
            ("paths", Value::Table(up), Some(Value::Table(mp))) => {
                let paths = merge_paths(mp, up, ctx);
                *mp = paths;
            }
            ("history", Value::Table(uh), Some(Value::Table(mh))) => {
                for (hk, hv) in uh {
                    match (hk.as_str(), hv) {
                        ("issues", Value::Array(items)) => {
                            let issues = items
                                .iter()
                                .map(|it| match it {
                                    Value::Table(t) => {
                                        let mut base = issue_template();
                                        merge_tables(&mut base, t);
                                        Value::Table(base)
                                    }
                                    other => other.clone(),
                                })
                                .collect();
                            mh.insert(hk.clone(), Value::Array(issues));
                        }
                        _ => merge_tables(mh, &table(&[(hk.as_str(), hv.clone())])),
                    }
                }
            }
            _ => merge_tables(&mut merged, &table(&[(k.as_str(), v.clone())])),
        }
    }
    merged
}

fn merge_tracks(merged: &mut Table, user: &Table) {
    for (name, v) in user {
        match (merged.get_mut(name), v) {
            (Some(Value::Table(m)), Value::Table(u)) => merge_tables(m, u),
            (None, Value::Table(u)) => {
                let mut t = track_template();
                merge_tables(&mut t, u);
                merged.insert(name.clone(), Value::Table(t));
            }
            _ => {
                merged.insert(name.clone(), v.clone());
            }
        }
    }
}

/// Bundled paths overridden key by key; new paths resolved from their `base`, in file order.
fn merge_paths(bundled: &Table, user: &Table, ctx: &mut Ctx) -> Table {
    let mut out = bundled.clone();
    for (name, v) in user {
        if !bundled.contains_key(name) {
            continue;
        }
        match (out.get_mut(name), v) {
            (Some(Value::Table(m)), Value::Table(u)) => {
                if u.contains_key("base") {
                    ctx.error(
                        &[Seg::from("paths"), Seg::from(name), Seg::from("base")],
                        true,
                        format!("`base` only applies to new paths, and `{name}` is a bundled path"),
                        Some(
                            "remove `base`, or give the path a new name to start it from another path"
                                .to_string(),
                        ),
                    );
                }
                merge_tables(m, u)
            }
            _ => {
                out.insert(name.clone(), v.clone());
            }
        }
    }
    let mut resolved = Table::new();
    for name in user.keys() {
        if !bundled.contains_key(name) {
            resolve_path(name, user, &out, &mut resolved, &mut Vec::new(), ctx);
        }
    }
    // Taken out in place (`remove` would shift the ordered map: quadratic in the paths).
    for name in user.keys() {
        if let Some(v) = resolved.get_mut(name) {
            out.insert(name.clone(), std::mem::replace(v, Value::Boolean(false)));
        }
    }
    out
}

/// The effective table of new path `name`: its base's table with its own keys merged on top.
fn resolve_path(
    name: &str,
    user: &Table,
    bundled: &Table,
    resolved: &mut Table,
    stack: &mut Vec<String>,
    ctx: &mut Ctx,
) {
    if resolved.contains_key(name) {
        return;
    }
    let Some(Value::Table(own)) = user.get(name) else {
        if let Some(v) = user.get(name) {
            resolved.insert(name.to_string(), v.clone()); // a type error, reported later
        }
        return;
    };
    let base_path = [Seg::from("paths"), Seg::from(name), Seg::from("base")];
    let base_name = match own.get("base") {
        Some(Value::String(b)) => b.clone(),
        _ => "gradual".to_string(), // a wrong type is reported when deserializing
    };
    let fallback = || bundled.get("gradual").cloned();
    let base: Option<Value> = if base_name == name || stack.contains(&base_name) {
        let mut chain = stack.clone();
        chain.push(name.to_string());
        let from = chain.iter().position(|s| *s == base_name).unwrap_or(0);
        let mut cycle: Vec<String> = chain[from..].to_vec();
        cycle.push(base_name.clone());
        ctx.error(
            &base_path,
            false,
            format!("cycle of path bases: {}", cycle.join(" → ")),
            Some("start one of these paths from a bundled path".into()),
        );
        fallback()
    } else if let Some(b) = bundled.get(&base_name) {
        Some(b.clone())
    } else if user.contains_key(&base_name) {
        stack.push(name.to_string());
        resolve_path(&base_name, user, bundled, resolved, stack, ctx);
        stack.pop();
        resolved.get(&base_name).cloned()
    } else {
        let mut valid: Vec<&str> = bundled.keys().map(String::as_str).collect();
        // Past the first problems, only the bundled paths are offered: listing and comparing
        // every user path for each of thousands of bad bases would be quadratic.
        if ctx.diagnostics.len() < MAX_STRUCTURAL_ERRORS {
            valid.extend(
                user.keys()
                    .map(String::as_str)
                    .filter(|k| !bundled.contains_key(*k)),
            );
        }
        valid.retain(|k| *k != name);
        ctx.error(
            &base_path,
            false,
            format!(
                "unknown base path `{base_name}`; expected one of {}",
                one_of(&valid)
            ),
            did_you_mean(&base_name, valid.iter().copied()),
        );
        fallback()
    };
    let mut t = match base {
        Some(Value::Table(t)) => t,
        _ => match fallback() {
            Some(Value::Table(t)) => t,
            _ => Table::new(),
        },
    };
    t.remove("base");
    merge_tables(&mut t, own);
    resolved.insert(name.to_string(), Value::Table(t));
}

// ---------------------------------------------------------------------------------------------
// Deserialization with repair, so that every structural error is reported
// ---------------------------------------------------------------------------------------------

/// At most this many structural errors are reported in one file, and at most this many
/// problems in all.
const MAX_STRUCTURAL_ERRORS: usize = 50;

/// Deserializes `merged`, reporting each error and repairing it before retrying. Returns the
/// scenario (if every error could be repaired) and the key paths of repaired entities, whose
/// semantic problems are not reported (they would be consequences of the repair).
fn deserialize(
    merged: &mut Table,
    defaults: &Table,
    ctx: &mut Ctx,
) -> (Option<Scenario>, Vec<Vec<Seg>>) {
    let mut tainted: Vec<Vec<Seg>> = Vec::new();
    let mut seen: HashSet<(Vec<Seg>, String)> = HashSet::new();
    for round in 0..=MAX_STRUCTURAL_ERRORS {
        if round == MAX_STRUCTURAL_ERRORS {
            ctx.diagnostics.push(Diagnostic::new(
                &ctx.layers[0].file,
                format!("stopped after {MAX_STRUCTURAL_ERRORS} errors; fix these and load the file again"),
            ));
            break;
        }
        let err = match serde_path_to_error::deserialize::<_, Scenario>(merged.clone()) {
            Ok(s) => return (Some(s), tainted),
            Err(e) => e,
        };
        let path: Vec<Seg> = err
            .path()
            .iter()
            .filter_map(|seg| match seg {
                serde_path_to_error::Segment::Seq { index } => Some(Seg::Index(*index)),
                serde_path_to_error::Segment::Map { key } => Some(Seg::Key(key.clone())),
                _ => None,
            })
            .collect();
        let raw = err.inner().message().to_string();
        if !seen.insert((path.clone(), raw.clone())) {
            break; // the repair did not help; stop rather than loop
        }
        let reported = ctx.diagnostics.len();
        let repaired = report_and_repair(&path, &raw, merged, defaults, ctx);
        if inherited(&path, defaults, ctx) {
            // The same error is reported where it is written (in the base path).
            ctx.diagnostics.truncate(reported);
        }
        match repaired {
            Repair::Removed => {}
            Repair::Replaced(at) => tainted.extend(at.iter().map(|p| entity(p))),
            Repair::Failed => break,
        }
    }
    (None, tainted)
}

/// Whether `path` lies in a new path and is not written there, i.e. it was inherited from the
/// path's `base`, where any problem with it is reported.
fn inherited(path: &[Seg], defaults: &Table, ctx: &Ctx) -> bool {
    match path {
        [Seg::Key(a), Seg::Key(name), _, ..] if a == "paths" => {
            let bundled = get(defaults, &[Seg::from("paths"), Seg::from(name.as_str())]).is_some();
            !bundled && !ctx.span(path, false).1
        }
        _ => false,
    }
}

enum Repair {
    /// An unknown key was removed.
    Removed,
    /// Values were replaced by (or missing keys filled with) a default or placeholder at
    /// these paths.
    Replaced(Vec<Vec<Seg>>),
    Failed,
}

/// Names quoted in backticks in a serde message: "expected one of `a`, `b`" → [a, b].
fn backticked(s: &str) -> Vec<String> {
    s.split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, x)| x.to_string())
        .collect()
}

/// The first backticked name in `s`.
fn first_name(s: &str) -> String {
    backticked(s).into_iter().next().unwrap_or_default()
}

/// The valid names listed after "expected" in a serde message.
fn expected_names(raw: &str) -> Vec<String> {
    raw.split_once(", expected")
        .map(|(_, e)| backticked(e))
        .unwrap_or_default()
}

/// Rewrites serde's type vocabulary in TOML terms.
fn tomlish(s: &str) -> String {
    let mut s = s
        .replace(
            "expected u32",
            "expected a whole number from 0 to 4294967295",
        )
        .replace("expected u64", "expected a whole number >= 0")
        .replace("expected f64", "expected a number")
        .replace("expected a sequence", "expected an array")
        .replace("expected a map", "expected a table")
        .replace("invalid type: map", "invalid type: table")
        .replace("invalid type: sequence", "invalid type: array")
        .replace(
            "expected an array of length 3",
            "expected an array of 3 numbers",
        );
    for (pattern, replacement) in [
        ("expected struct ", "expected a table"),
        ("expected tuple struct ", "expected a value"),
    ] {
        if let Some(i) = s.find(pattern) {
            let end = s[i + pattern.len()..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(s.len(), |j| i + pattern.len() + j);
            s.replace_range(i..end, replacement);
        }
    }
    s
}

/// The value at `path` in `t`.
fn get<'a>(t: &'a Table, path: &[Seg]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let Seg::Key(k) = first else { return None };
    let mut v = t.get(k)?;
    for seg in rest {
        v = match (v, seg) {
            (Value::Table(t), Seg::Key(k)) => t.get(k)?,
            (Value::Array(a), Seg::Index(i)) => a.get(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

/// The container of the last segment of `path`.
fn parent_mut<'a>(t: &'a mut Table, path: &[Seg]) -> Option<&'a mut Value> {
    let (first, rest) = path.split_first()?;
    let Seg::Key(k) = first else { return None };
    let mut v = t.get_mut(k)?;
    for seg in rest {
        v = match (v, seg) {
            (Value::Table(t), Seg::Key(k)) => t.get_mut(k)?,
            (Value::Array(a), Seg::Index(i)) => a.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(v)
}

fn set(t: &mut Table, path: &[Seg], value: Value) -> bool {
    match path.split_last() {
        Some((Seg::Key(k), [])) => {
            t.insert(k.clone(), value);
            true
        }
        Some((last, parent)) => match (parent_mut(t, parent), last) {
            (Some(Value::Table(p)), Seg::Key(k)) => {
                p.insert(k.clone(), value);
                true
            }
            (Some(Value::Array(a)), Seg::Index(i)) if *i < a.len() => {
                a[*i] = value;
                true
            }
            _ => false,
        },
        None => false,
    }
}

fn remove(t: &mut Table, path: &[Seg]) -> bool {
    match path.split_last() {
        Some((Seg::Key(k), [])) => t.remove(k).is_some(),
        Some((Seg::Key(k), parent)) => match parent_mut(t, parent) {
            Some(Value::Table(p)) => p.remove(k).is_some(),
            _ => false,
        },
        _ => false,
    }
}

/// What a repair at `path` taints, i.e. whose semantic problems are not reported because they
/// would be consequences of the repair: a whole event (a placeholder `kind` changes which
/// fields mean something), the whole list `scenario.paths`, a whole map entry, or else just the
/// value itself. Within a track, path or history issue only the repaired values are tainted, so
/// the values written next to them are still checked (problems that merely compare with a
/// repaired value, such as `initial` against a placeholder `rungs`, are skipped through
/// `Problem::related`).
fn entity(path: &[Seg]) -> Vec<Seg> {
    let n = match path {
        [Seg::Key(a), ..] if a == "events" => 2,
        [Seg::Key(a), Seg::Key(b), ..] if a == "scenario" && b == "paths" => 2,
        [Seg::Key(a), Seg::Key(b), ..] if a == "scenario" && b == "score" => 3,
        [Seg::Key(a), Seg::Key(b), Seg::Key(c), ..]
            if a == "actors" && b == "washington" && c == "expectations" =>
        {
            4
        }
        _ => path.len(),
    };
    path[..n.min(path.len())].to_vec()
}

/// A valid value to put at `path` in place of a broken or missing one: the default at the same
/// key, or at the same key of a template entity (a bundled track or path, the first default
/// issue, a neutral event or prerequisite).
fn template_for(path: &[Seg], merged: &Table, defaults: &Table) -> Option<Value> {
    if let Some(v) = get(defaults, path) {
        return Some(v.clone());
    }
    let key = |s: &str| Seg::Key(s.to_string());
    let mut p = path.to_vec();
    match path {
        [Seg::Key(a), Seg::Key(_), Seg::Key(r), Seg::Index(_), rest @ ..]
            if a == "tracks" && r == "requires" =>
        {
            let prereq = Value::Table(table(&[
                ("track", Value::String("summitry".into())),
                ("rung", Value::Integer(0)),
            ]));
            return match rest {
                [] => Some(prereq),
                [Seg::Key(k)] => prereq.get(k.as_str()).cloned(),
                _ => None,
            };
        }
        // Values of maps keyed by track or outcome names.
        [Seg::Key(a), Seg::Key(_), Seg::Key(g), Seg::Key(_), rest @ ..]
            if a == "paths" && g == "gates" =>
        {
            // A broken gate condition is replaced by gradual's value (a floor by no floor).
            let gate = Value::Table(table(&[
                ("trust_drop", Value::Float(0.02)),
                ("favourability_margin", Value::Float(0.02)),
                ("backlash_share", Value::Float(0.3)),
                ("calm_months", Value::Float(6.0)),
                ("trust", Value::Float(0.0)),
                ("favourability", Value::Float(0.0)),
            ]));
            return match rest {
                [] => Some(gate),
                [Seg::Key(k)] => gate.get(k.as_str()).cloned(),
                _ => None,
            };
        }
        [Seg::Key(a), Seg::Key(_), Seg::Key(t), Seg::Key(_)] if a == "paths" && t == "targets" => {
            return Some(Value::Integer(0))
        }
        [Seg::Key(a), Seg::Key(w), Seg::Key(e), Seg::Key(_)]
            if a == "actors" && w == "washington" && e == "expectations" =>
        {
            return Some(Value::Integer(0))
        }
        [Seg::Key(a), Seg::Key(sc), Seg::Key(_)] if a == "scenario" && sc == "score" => {
            return Some(Value::Float(0.0))
        }
        [Seg::Key(a), Seg::Key(ps), Seg::Index(_)] if a == "scenario" && ps == "paths" => {
            return match get(merged, &[key("scenario"), key("reference_path")]) {
                Some(Value::String(r)) => Some(Value::String(r.clone())),
                _ => Some(Value::String("gradual".into())),
            };
        }
        [Seg::Key(a), Seg::Key(_), ..] if a == "tracks" => p[1] = key("summitry"),
        [Seg::Key(a), Seg::Key(_), ..] if a == "paths" => p[1] = key("gradual"),
        [Seg::Key(a), Seg::Key(b), Seg::Index(i), rest @ ..] if a == "history" && b == "issues" => {
            let placeholder = Value::String(format!("<issue {i}>"));
            match rest {
                [] => {
                    let mut t = match get(defaults, &[key("history"), key("issues"), Seg::Index(0)])
                    {
                        Some(Value::Table(t)) => t.clone(),
                        _ => return None,
                    };
                    t.insert("key".into(), placeholder);
                    return Some(Value::Table(t));
                }
                [Seg::Key(k)] if k == "key" => return Some(placeholder),
                _ => p[2] = Seg::Index(0),
            }
        }
        [Seg::Key(a), Seg::Index(_), rest @ ..] if a == "events" => {
            let start = match get(merged, &[key("scenario"), key("start")]) {
                Some(Value::String(s)) if s.parse::<super::YearMonth>().is_ok() => s.clone(),
                _ => get(defaults, &[key("scenario"), key("start")])?
                    .as_str()?
                    .to_string(),
            };
            let event = Value::Table(table(&[
                ("month", Value::String(start)),
                ("kind", Value::String("nuclear_test".into())),
            ]));
            return match rest {
                [] => Some(event),
                [Seg::Key(k)] => event.get(k.as_str()).cloned(),
                _ => None,
            };
        }
        [.., Seg::Index(i)] if *i > 0 => {
            let n = p.len() - 1;
            p[n] = Seg::Index(0);
        }
        _ => return None,
    }
    get(defaults, &p).cloned()
}

/// Puts a repair value at `at`.
fn put(merged: &mut Table, at: &[Seg], value: Option<Value>) -> Repair {
    match value {
        Some(v) if set(merged, at, v.clone()) => Repair::Replaced(vec![at.to_vec()]),
        _ => Repair::Failed,
    }
}

/// Reports one deserialization error with its location and repairs `merged`.
fn report_and_repair(
    path: &[Seg],
    raw: &str,
    merged: &mut Table,
    defaults: &Table,
    ctx: &mut Ctx,
) -> Repair {
    // An error inside a distribution table: the parameter holding it, and its `dist`.
    let dist_param: Option<Vec<Seg>> = if get(merged, path).is_some_and(is_dist) {
        Some(path.to_vec())
    } else if !path.is_empty() && get(merged, &path[..path.len() - 1]).is_some_and(is_dist) {
        Some(path[..path.len() - 1].to_vec())
    } else {
        None
    };
    let where_ = |p: &[Seg]| {
        if p.is_empty() {
            "at the top level".to_string()
        } else {
            format!("in [{}]", format_key(p))
        }
    };
    // A broken value is replaced by its default, or removed if there is none (an optional
    // key; a required one then shows up as missing).
    let replace = |merged: &mut Table, at: &[Seg]| -> Repair {
        match template_for(at, merged, defaults) {
            Some(v) => put(merged, at, Some(v)),
            None if remove(merged, at) => Repair::Replaced(vec![at.to_vec()]),
            None => Repair::Failed,
        }
    };

    if dist_param.as_deref() == Some(path) {
        if let Some((_, expected)) = raw
            .strip_prefix("invalid type: map")
            .and_then(|r| r.split_once(", expected "))
        {
            ctx.error(
                path,
                false,
                tomlish(&format!(
                    "a distribution is not allowed here: expected {expected}"
                )),
                Some("distributions are for numeric model parameters; counts, months and settings take one value".into()),
            );
            return replace(merged, path);
        }
    }
    if let Some(param) = &dist_param {
        let dist_name = get(merged, param)
            .and_then(|v| v.get("dist"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let needs = match dist_name.as_str() {
            "uniform" => "`low` and `high`",
            "normal" => "`mean` and `sd`",
            "beta" => "`alpha` and `beta`",
            "triangular" => "`min`, `mode` and `max`",
            "lognormal" => "`mu` and `sigma`",
            _ => "its parameters",
        };
        let mut key_path = param.clone();
        if let Some(rest) = raw.strip_prefix("unknown field ") {
            let field = first_name(rest);
            key_path.push(Seg::Key(field.clone()));
            let valid = expected_names(raw);
            let d = ctx
                .diagnostic(
                    &key_path,
                    true,
                    format!("unknown key `{field}` in a `{dist_name}` distribution, which needs {needs}"),
                    false,
                )
                .with_hint(did_you_mean(&field, valid.iter().map(String::as_str)));
            ctx.diagnostics.push(d);
        } else if let Some(rest) = raw.strip_prefix("missing field ") {
            let field = first_name(rest);
            ctx.error(
                param,
                false,
                format!("a `{dist_name}` distribution needs {needs}; `{field}` is missing"),
                None,
            );
        } else if let Some(rest) = raw.strip_prefix("unknown variant ") {
            let value = first_name(rest);
            let valid = expected_names(raw);
            key_path.push(Seg::Key("dist".into()));
            ctx.error(
                &key_path,
                false,
                format!(
                    "unknown distribution \"{value}\"; expected one of {}",
                    one_of(&valid)
                ),
                did_you_mean(&value, valid.iter().map(String::as_str)),
            );
        } else {
            ctx.error(
                path,
                false,
                format!("invalid `{dist_name}` distribution: {}", tomlish(raw)),
                None,
            );
        }
        return replace(merged, param);
    }

    if let Some(rest) = raw.strip_prefix("unknown field ") {
        let field = first_name(rest);
        let valid = expected_names(raw);
        let (key_path, table_path) = if path.last() == Some(&Seg::Key(field.clone())) {
            (path.to_vec(), path[..path.len() - 1].to_vec())
        } else {
            let mut k = path.to_vec();
            k.push(Seg::Key(field.clone()));
            (k, path.to_vec())
        };
        let message = format!("unknown key `{field}` {}", where_(&table_path));
        let hint = if field == "extends" {
            Some("`extends` is only allowed at the top level: write it at the start of the file, before any [table] header".to_string())
        } else if let Some(h) = super::types::retired_china_key(&field) {
            Some(h.to_string())
        } else {
            did_you_mean(&field, valid.iter().map(String::as_str))
        };
        let d = ctx
            .diagnostic(&key_path, true, message, false)
            .with_note(if valid.is_empty() {
                "expected: no keys here".to_string()
            } else {
                format!("expected: one of {}", one_of(&valid))
            })
            .with_hint(hint);
        ctx.diagnostics.push(d);
        return if remove(merged, &key_path) {
            Repair::Removed
        } else {
            replace(merged, path)
        };
    }

    if let Some(rest) = raw.strip_prefix("missing field ") {
        let field = first_name(rest);
        // Entities with several required keys: report every missing one at once.
        let required: Option<(String, &[&str], &str)> = match path {
            [Seg::Key(a), Seg::Key(name)] if a == "tracks" => Some((
                format!("new track `{name}`"),
                &["name", "rungs", "sigma", "chi", "lambda", "b", "b_cn", "w"],
                "a track that is not bundled must give name, rungs, sigma, chi, lambda, b, b_cn and w",
            )),
            [Seg::Key(a), Seg::Key(b), Seg::Index(i)] if a == "history" && b == "issues" => Some((
                format!("history issue {}", i + 1),
                &["key", "name", "salience", "hazard"],
                "each [[history.issues]] entry must give key, name, salience and hazard",
            )),
            [Seg::Key(a), Seg::Index(i)] if a == "events" => Some((
                format!("event {}", i + 1),
                &["month", "kind"],
                "each [[events]] entry must give month and kind",
            )),
            _ => None,
        };
        let present = |k: &str| get(merged, path).and_then(|v| v.get(k)).is_some();
        let missing: Vec<String> = match &required {
            Some((_, keys, _)) => keys
                .iter()
                .filter(|k| !present(k))
                .map(|k| k.to_string())
                .collect(),
            None => Vec::new(),
        };
        let missing = if missing.contains(&field) {
            missing
        } else {
            vec![field.clone()]
        };
        let (message, note) = match &required {
            Some((what, _, rule)) => (
                format!(
                    "{what} is missing {} {}",
                    if missing.len() == 1 { "key" } else { "keys" },
                    one_of(&missing).replace(" or ", " and ")
                ),
                Some(format!("note: {rule}")),
            ),
            None => (format!("missing key `{field}` {}", where_(path)), None),
        };
        let mut d = ctx.diagnostic(path, true, message, false);
        if let Some(n) = note {
            d = d.with_note(n);
        }
        ctx.diagnostics.push(d);
        // Fill every missing key with a placeholder; the values written in the entity are still
        // validated (only the placeholders are tainted).
        let mut filled = Vec::new();
        for m in &missing {
            let mut key_path = path.to_vec();
            key_path.push(Seg::Key(m.clone()));
            let v = template_for(&key_path, merged, defaults);
            match put(merged, &key_path, v) {
                Repair::Replaced(at) => filled.extend(at),
                _ => return Repair::Failed,
            }
        }
        return if filled.is_empty() {
            Repair::Failed
        } else {
            Repair::Replaced(filled)
        };
    }

    if let Some(rest) = raw.strip_prefix("unknown variant ") {
        let value = first_name(rest);
        let valid = expected_names(raw);
        let hint = did_you_mean(&value, valid.iter().map(String::as_str));
        ctx.error(
            path,
            false,
            format!(
                "unknown value \"{value}\"; expected one of {}",
                one_of(&valid)
            ),
            hint,
        );
        return replace(merged, path);
    }

    let found = get(merged, path).map_or("nothing", |v| match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    });
    let message = if raw.contains("expected string only") {
        format!("wrong type: expected a name in quotes, found {found}")
    } else if raw.contains("untagged enum Sequence") {
        "expected \"low_sensitivity_first\", \"military_first\" or an array of track keys such as [\"summitry\", \"intelligence\"]".to_string()
    } else if let Some(rest) = raw.strip_prefix("invalid type: ") {
        match rest.split_once(", expected ") {
            Some((found, expected)) => {
                tomlish(&format!("wrong type: expected {expected}, found {found}"))
            }
            None => tomlish(&format!("wrong type: {rest}")),
        }
    } else if let Some(rest) = raw.strip_prefix("invalid length ") {
        tomlish(&format!("wrong number of entries: {rest}"))
    } else {
        tomlish(raw)
    };
    let field = match path.last() {
        Some(Seg::Key(k)) => format!("invalid `{k}`: "),
        _ => String::new(),
    };
    ctx.error(path, false, format!("{field}{message}"), None);
    if path.is_empty() {
        return Repair::Failed;
    }
    replace(merged, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::param::{p, Dist, Param};
    use crate::scenario::types::*;

    fn load(text: &str) -> Result<Scenario, ScenarioError> {
        load_str(text, "t.toml")
    }

    #[test]
    fn empty_file_is_the_default_scenario() {
        assert_eq!(load("").unwrap(), Scenario::default());
    }

    #[test]
    fn default_round_trips() {
        let s = Scenario::default();
        let text = to_toml(&s);
        assert_eq!(load(&text).unwrap(), s, "{text}");
    }

    #[test]
    fn custom_scenario_round_trips() {
        let text = r#"
[scenario]
name = "custom"
paths = ["gradual", "mine", "mine2"]
score = { final_ci = 1.0, kr_crises = -0.05 }

[actors.seoul]
favourability = { dist = "uniform", low = 0.2, high = 0.4 }
threat_nk = { dist = "beta", alpha = 2, beta = 5 }

[world.nk.transition]
surge = [0.01, { dist = "triangular", min = 0.0, mode = 0.05, max = 0.1 }, 0.9]

[world.china]
assertiveness = { dist = "lognormal", mu = 0.0, sigma = 0.3 }
h0 = { dist = "normal", mean = 0.008, sd = 0.002 }

[tracks.coast_guard]
name = "Coast guard"
rungs = 2
sigma = 0.1
chi = 0.2
lambda = 0.03
b = 0.2
b_cn = 0.3
w = 0.5
requires = [{ track = "summitry", rung = 1 }]

[paths.mine]
base = "hasty"
transparency = 0.9
sequence = ["coast_guard", "summitry"]
gates = { coast_guard = { trust = 0.3, favourability = 0.2 } }

[paths.mine2]
base = "mine"
legislate = 0.9

[[history.issues]]
key = "sado"
name = "Sado mine"
salience = 0.5
hazard = 0.02

[[events]]
month = "2024-02"
kind = "flare_up"
issue = "sado"
note = "listing"

[[events]]
month = "2025-01"
kind = "us_type"
us_type = "transactional"
"#;
        let s = load(text).unwrap();
        let shown = to_toml(&s);
        let again = load(&shown).unwrap_or_else(|e| panic!("{e}\n{shown}"));
        assert_eq!(again, s, "{shown}");
        assert!(shown.contains("filled in.\n\n[scenario]\n"), "{shown}");
        // Inline distribution tables in the output.
        assert!(
            shown.contains(r#"favourability = { dist = "uniform", low = 0.2, high = 0.4 }"#),
            "{shown}"
        );
        assert_eq!(s.paths["mine2"].transparency, p(0.9));
        assert_eq!(s.paths["mine2"].legislate, p(0.9));
        assert_eq!(s.paths["mine2"].base.as_deref(), Some("mine"));
        assert_eq!(
            s.world.china.h0,
            Param::Dist(Dist::Normal {
                mean: 0.008,
                sd: 0.002
            })
        );
        let keys: Vec<_> = s.paths.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "gradual",
                "hasty",
                "hasty_open",
                "parallel",
                "history_first",
                "status_quo",
                "mine",
                "mine2"
            ]
        );
    }

    #[test]
    fn distribution_replaces_rather_than_merges() {
        let s = load(
            "[paths.gradual]\ntransparency = { dist = \"uniform\", low = 0.5, high = 0.9 }\n\
             [paths.mine]\ntransparency = { dist = \"normal\", mean = 0.7, sd = 0.1 }\n",
        )
        .unwrap();
        assert_eq!(
            s.paths["mine"].transparency,
            Param::Dist(Dist::Normal { mean: 0.7, sd: 0.1 })
        );
    }

    #[test]
    fn base_on_bundled_path_and_base_cycles_are_errors() {
        let e = load("[paths.hasty]\nbase = \"gradual\"\n").unwrap_err();
        assert_eq!(e.len(), 1, "{e}");
        assert_eq!(e.diagnostics[0].key.as_deref(), Some("paths.hasty.base"));
        assert_eq!(e.diagnostics[0].line, Some(2));

        let e = load("[paths.a]\nbase = \"b\"\n[paths.b]\nbase = \"a\"\n").unwrap_err();
        assert!(
            e.to_string().contains("cycle of path bases: a → b → a"),
            "{e}"
        );
    }

    #[test]
    fn several_structural_errors_in_one_report() {
        let e = load(
            "[scenario]\nhorizon_months = \"ten\"\n[actors.seoul]\ncamp = \"liberal\"\nfavourabilty = 0.2\n\
             [tracks.new_one]\nname = \"x\"\n",
        )
        .unwrap_err();
        let keys: Vec<_> = e.diagnostics.iter().filter_map(|d| d.key.clone()).collect();
        assert_eq!(
            keys,
            [
                "scenario.horizon_months",
                "actors.seoul.camp",
                "actors.seoul.favourabilty",
                "tracks.new_one",
            ],
            "{e}"
        );
        assert_eq!(
            e.diagnostics[1].hint.as_deref(),
            None,
            "`liberal` is not close to a camp name"
        );
    }

    #[test]
    fn broken_map_entries_are_repaired_and_the_rest_still_checked() {
        let e = load(
            "[paths.hasty.gates.nontraditional]\ntrust = \"high\"\nfavourability = 0.1\n\
             [paths.hasty.targets]\nregional = \"top\"\n\
             [actors.washington.expectations]\nexercises = 2.5\n\
             [scenario.score]\nfinal_ci = \"max\"\n\
             [relations]\ntrust_kr_jp = 2\n\
             [tracks.summitry]\nrequires = [5]\n",
        )
        .unwrap_err();
        let keys: Vec<_> = e.diagnostics.iter().filter_map(|d| d.key.clone()).collect();
        assert_eq!(
            keys,
            [
                "paths.hasty.gates.nontraditional.trust",
                "paths.hasty.targets.regional",
                "actors.washington.expectations.exercises",
                "scenario.score.final_ci",
                "relations.trust_kr_jp",
                "tracks.summitry.requires[0]",
            ],
            "{e}"
        );
    }

    #[test]
    fn error_count_is_capped() {
        let text: String = (0..80).map(|i| format!("unknown_{i} = 1\n")).collect();
        let e = load(&text).unwrap_err();
        assert_eq!(e.len(), MAX_STRUCTURAL_ERRORS + 1);
        assert!(e
            .diagnostics
            .last()
            .unwrap()
            .message
            .contains("stopped after 50 errors"));
        assert_eq!(e.diagnostics[49].line, Some(50));
    }

    /// Deterministic mutations of a valid scenario: no input may panic.
    #[test]
    fn mutated_scenarios_never_panic() {
        let base = r#"[scenario]
name = "fuzz"
start = "2023-04"
horizon_months = 24
reference_path = "gradual"
paths = ["gradual", "hasty", "mine"]
[actors.seoul]
favourability = { dist = "uniform", low = 0.2, high = 0.4 }
[tracks.extra]
name = "Extra"
rungs = 2
sigma = 0.1
chi = 0.1
lambda = 0.02
b = 0.1
b_cn = 0.1
w = 0.5
requires = [{ track = "summitry", rung = 1 }]
[paths.mine]
base = "hasty"
gates = { extra = { trust = 0.2, favourability = 0.1 } }
[[history.issues]]
key = "a"
name = "A"
salience = 0.5
hazard = 0.01
seasonal_months = [3, 8]
[[events]]
month = "2024-01"
kind = "summit"
track = "extra"
"#;
        assert!(load(base).is_ok(), "{}", load(base).unwrap_err());
        let chars: Vec<char> = base.chars().collect();
        let replacements = ['=', '"', '[', ']', '\n', '1', '-', 'x', '.', '{', ',', '9'];
        let mut n = 0;
        let mut errors = 0;
        for i in (0..chars.len()).step_by(3) {
            let mut deleted = chars.clone();
            deleted.remove(i);
            let mut replaced = chars.clone();
            replaced[i] = replacements[i % replacements.len()];
            for variant in [deleted, replaced] {
                let text: String = variant.into_iter().collect();
                if let Err(e) = load(&text) {
                    errors += 1;
                    let shown = e.to_string();
                    assert!(shown.starts_with("error: "), "{shown}");
                    assert!(!e.diagnostics.is_empty());
                }
                n += 1;
            }
        }
        assert!(n >= 300, "{n} variants");
        assert!(errors > n / 3, "only {errors} of {n} variants failed");
    }

    /// The same over the whole effective scenario (every table and key), sampled sparsely.
    #[test]
    fn mutated_effective_scenarios_never_panic() {
        let full = to_toml(&Scenario::default());
        let chars: Vec<char> = full.chars().collect();
        let replacements = ['"', ']', '\n', '-', 'q', '.', '=', '['];
        let mut n = 0;
        for i in (0..chars.len()).step_by(53) {
            let mut deleted = chars.clone();
            deleted.remove(i);
            let mut replaced = chars.clone();
            replaced[i] = replacements[i % replacements.len()];
            for variant in [deleted, replaced] {
                let text: String = variant.into_iter().collect();
                if let Err(e) = load(&text) {
                    assert!(e.to_string().starts_with("error: "));
                }
                n += 1;
            }
        }
        assert!(n >= 300, "{n} variants");
    }

    // -----------------------------------------------------------------------------------------
    // `extends`
    // -----------------------------------------------------------------------------------------

    /// Loads a chain of files given as (name, text), the scenario first, without the disk.
    fn load_chain_of(files: &[(&str, &str)]) -> Result<Scenario, ScenarioError> {
        let layers: Vec<Layer> = files
            .iter()
            .map(|(f, t)| Layer::parse(t.to_string(), f.to_string(), None).unwrap())
            .collect();
        load_layers(&layers, None)
    }

    /// (file, line, key) of each diagnostic.
    fn places(e: &ScenarioError) -> Vec<(String, Option<usize>, Option<String>)> {
        e.diagnostics
            .iter()
            .map(|d| (d.file.clone(), d.line, d.key.clone()))
            .collect()
    }

    const GRANDPARENT: &str = r#"[scenario]
name = "gp"
horizon_months = 36
paths = ["gradual", "hasty"]
[actors.seoul]
approval = 0.4
favourability = 0.25
[paths.mine]
base = "hasty"
transparency = 0.7
gates = { summitry = { trust = 0.2, favourability = 0.1 } }
"#;

    #[test]
    fn chain_merges_tables_deeply_and_the_child_wins() {
        let parent = "[scenario]\nname = \"parent\"\ndescription = \"from parent\"\n\
                      [actors.seoul]\nfavourability = 0.35\n[paths.mine]\nlegislate = 0.9\n";
        let child = "[scenario]\nname = \"child\"\n[actors.seoul]\ncamp = \"progressive\"\n\
                     [paths.mine.gates.summitry]\ntrust = 0.3\n";
        let s = load_chain_of(&[
            ("c.toml", child),
            ("p.toml", parent),
            ("g.toml", GRANDPARENT),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.scenario.name, "child");
        assert_eq!(s.scenario.description, "from parent");
        assert_eq!(s.scenario.horizon_months, 36);
        assert_eq!(s.actors.seoul.camp, Camp::Progressive);
        assert_eq!(s.actors.seoul.favourability, p(0.35));
        assert_eq!(s.actors.seoul.approval, p(0.4));
        // Defaults still fill what no file writes.
        assert_eq!(s.actors.tokyo, Scenario::default().actors.tokyo);
        // A new path: its base from the grandparent, keys from all three files, and the gate
        // (an inline table in the grandparent) merged key by key.
        let mine = &s.paths["mine"];
        assert_eq!(mine.base.as_deref(), Some("hasty"));
        assert_eq!(mine.transparency, p(0.7));
        assert_eq!(mine.legislate, p(0.9));
        assert_eq!(mine.gates["summitry"].trust, p(0.3));
        assert_eq!(mine.gates["summitry"].favourability, p(0.1));
        let hasty = &s.paths["hasty"];
        assert_eq!(mine.min_dwell_months, hasty.min_dwell_months);
    }

    #[test]
    fn arrays_arrays_of_tables_and_distributions_replace() {
        let parent = r#"[scenario]
paths = ["gradual", "hasty", "parallel"]
[actors.seoul]
favourability = { dist = "uniform", low = 0.2, high = 0.4 }
[[history.issues]]
key = "a"
name = "A"
salience = 0.5
hazard = 0.01
seasonal_months = [3, 8]
[[history.issues]]
key = "b"
name = "B"
salience = 0.4
hazard = 0.02
"#;
        let child = r#"[scenario]
paths = ["gradual", "history_first"]
[actors.seoul]
favourability = { dist = "normal", mean = 0.3, sd = 0.05 }
[[history.issues]]
key = "c"
name = "C"
salience = 0.3
hazard = 0.03
"#;
        let s = load_chain_of(&[("c.toml", child), ("p.toml", parent)])
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.scenario.paths, ["gradual", "history_first"]);
        assert_eq!(
            s.actors.seoul.favourability,
            Param::Dist(Dist::Normal {
                mean: 0.3,
                sd: 0.05
            })
        );
        let keys: Vec<_> = s.history.issues.iter().map(|i| i.key.as_str()).collect();
        assert_eq!(keys, ["c"]);
        assert!(s.history.issues[0].seasonal_months.is_empty());
        // Without the child's issues, the parent's are kept whole.
        let s = load_chain_of(&[
            ("c.toml", "[history]\nseasonal_multiplier = 2\n"),
            ("p.toml", parent),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.history.issues.len(), 2);
        assert_eq!(s.history.issues[0].seasonal_months, [3, 8]);
        assert_eq!(s.history.seasonal_multiplier, p(2.0));
    }

    #[test]
    fn each_error_points_to_the_file_that_wrote_the_value() {
        let parent =
            "[scenario]\nname = \"p\"\n[actors.seoul]\napproval = 1.7\nfavourabilty = 0.3\n\
                      [actors.tokyo]\napproval = 1.5\n";
        let child = "[scenario]\nhorizon_months = 0\n[actors.tokyo]\napproval = 0.3\n\
                     [actors.washington]\nthreat_cn = -1\n";
        let e = load_chain_of(&[("c.toml", child), ("p.toml", parent)]).unwrap_err();
        let s = |x: &str| x.to_string();
        assert_eq!(
            places(&e),
            [
                (s("c.toml"), Some(2), Some(s("scenario.horizon_months"))),
                (s("c.toml"), Some(6), Some(s("actors.washington.threat_cn"))),
                (s("p.toml"), Some(4), Some(s("actors.seoul.approval"))),
                (s("p.toml"), Some(5), Some(s("actors.seoul.favourabilty"))),
            ],
            "{e}"
        );
        // Column and caret in the parent's text; a note says who extends it.
        let d = &e.diagnostics[2];
        assert_eq!(d.column, Some(12));
        assert_eq!(d.snippet.as_ref().unwrap().text, "approval = 1.7");
        assert!(
            d.notes.iter().any(|n| n.contains("extended by `c.toml`")),
            "{e}"
        );
        assert!(
            e.to_string()
                .ends_with("4 problems in scenario `c.toml` and the files it extends"),
            "{e}"
        );
        // Only parent errors: the summary still names the scenario loaded.
        let e = load_chain_of(&[
            ("c.toml", "[actors.tokyo]\napproval = 0.3\n"),
            ("p.toml", parent),
        ])
        .unwrap_err();
        assert!(
            e.to_string()
                .ends_with("2 problems in scenario `c.toml` and the files it extends"),
            "{e}"
        );
    }

    #[test]
    fn values_replaced_by_the_child_are_not_checked_in_the_parent() {
        let parent = r#"[actors.seoul]
favourability = { dist = "uniform", low = 0.5, high = 0.1 }
approval = 2
[[history.issues]]
key = "a"
name = "A"
salience = 7
hazard = 0.01
"#;
        let child = r#"[actors.seoul]
favourability = 0.3
approval = 0.5
[[history.issues]]
key = "b"
name = "B"
salience = 0.5
hazard = 0.01
"#;
        load_chain_of(&[("c.toml", child), ("p.toml", parent)]).unwrap_or_else(|e| panic!("{e}"));
        // A parent's scalar replaced by the child's table: the values below come from the
        // child or the defaults, never from the parent.
        let s = load_chain_of(&[
            ("c.toml", "[actors.seoul]\napproval = 0.5\n"),
            ("p.toml", "actors = 5\n"),
        ])
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.actors.seoul.approval, p(0.5));
    }

    #[test]
    fn errors_inside_a_replacing_value_point_to_the_child() {
        let parent = "[[history.issues]]\nkey = \"a\"\nname = \"A\"\nsalience = 0.5\nhazard = 0.01\n\
                      [actors.seoul]\nfavourability = { dist = \"uniform\", low = 0.1, high = 0.2 }\n";
        // The child's issue lacks `hazard`; its distribution lacks `sd`. Both are the child's,
        // although the parent writes the same keys.
        let child = "[actors.seoul]\nfavourability = { dist = \"normal\", mean = 0.3 }\n\
                     [[history.issues]]\nkey = \"b\"\nname = \"B\"\nsalience = 0.5\n";
        let e = load_chain_of(&[("c.toml", child), ("p.toml", parent)]).unwrap_err();
        let s = |x: &str| x.to_string();
        assert_eq!(
            places(&e),
            [
                (s("c.toml"), Some(2), Some(s("actors.seoul.favourability"))),
                (s("c.toml"), Some(3), Some(s("history.issues[0]"))),
            ],
            "{e}"
        );
    }

    #[test]
    fn a_bad_value_of_a_new_path_is_reported_where_it_is_written() {
        let parent = "[paths.mine]\nbase = \"hasty\"\ntransparency = 2.0\n";
        let child = "[scenario]\npaths = [\"gradual\", \"mine\"]\n[paths.mine]\nlegislate = 0.9\n";
        let e = load_chain_of(&[("c.toml", child), ("p.toml", parent)]).unwrap_err();
        assert_eq!(e.len(), 1, "{e}");
        assert_eq!(
            (e.diagnostics[0].file.as_str(), e.diagnostics[0].line),
            ("p.toml", Some(3)),
            "{e}"
        );
        assert_eq!(
            e.diagnostics[0].key.as_deref(),
            Some("paths.mine.transparency")
        );
    }

    #[test]
    fn extends_is_a_top_level_string() {
        let e = load("[actors.seoul]\nextends = \"base.toml\"\n").unwrap_err();
        assert_eq!(e.len(), 1, "{e}");
        let d = &e.diagnostics[0];
        assert_eq!(d.key.as_deref(), Some("actors.seoul.extends"));
        assert_eq!((d.line, d.column), (Some(2), Some(1)));
        assert!(
            d.hint
                .as_deref()
                .unwrap()
                .contains("only allowed at the top level"),
            "{e}"
        );

        for (text, words) in [
            ("extends = 3\n", "found an integer"),
            ("extends = [\"a.toml\"]\n", "found an array"),
            ("[extends]\nfile = \"a.toml\"\n", "found a table"),
            ("extends = \"  \"\n", "`extends` is empty"),
        ] {
            let e = load(text).unwrap_err();
            assert_eq!(e.len(), 1, "{e}");
            let d = &e.diagnostics[0];
            assert!(d.message.contains(words), "{text}: {e}");
            assert_eq!(d.key.as_deref(), Some("extends"));
            assert_eq!(d.line, Some(1), "{e}");
        }
    }

    #[test]
    fn text_without_a_folder_rejects_extends_unless_given_one() {
        let text = "# a comment\nextends = \"parent.toml\"\n[scenario]\nname = \"kid\"\n";
        let e = load(text).unwrap_err();
        assert_eq!(e.len(), 1, "{e}");
        let d = &e.diagnostics[0];
        assert!(d.message.contains("not read from a file"), "{e}");
        assert_eq!((d.line, d.column), (Some(2), Some(11)));

        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("parent.toml"), GRANDPARENT).unwrap();
        let s = load_str_with_base(text, "kid.toml", dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.scenario.name, "kid");
        assert_eq!(s.scenario.horizon_months, 36);
        // `extends` never reaches the effective scenario.
        assert!(!to_toml(&s).contains("extends"));
    }

    #[test]
    fn tidy_removes_dots_only_when_they_name_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::create_dir(&a).unwrap();
        std::fs::write(dir.path().join("x.toml"), "").unwrap();
        let messy = a.join(".").join("..").join("x.toml");
        assert_eq!(tidy(&messy), dir.path().join("x.toml"));
        // A missing file is shown as written.
        let missing = a.join("..").join("nope.toml");
        assert_eq!(tidy(&missing), missing);
        assert_eq!(tidy(Path::new("x.toml")), Path::new("x.toml"));
    }
}
