//! Help with writing scenarios: `trisim schema`, `trisim explain` and `trisim init`. The texts
//! all come from the scenario file schema (`scenario::schema`), itself generated from the doc
//! comments of the scenario types.

use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::Value;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use trisim::scenario::explain::{self, Explainer};
use trisim::scenario::{self, schema, Scenario};

pub const SCHEMA_ABOUT: &str = "\
Print the JSON Schema (draft 2020-12) of scenario files: every key with its meaning, default \
and valid range, generated from trisim's own types. Editors use it for completion, hover help \
and validation: Taplo and the Even Better TOML extension read a first line \
`#:schema ./trisim.schema.json` in a scenario file (every bundled scenario has one).

Example:
  trisim schema > scenarios/trisim.schema.json";

pub const EXPLAIN_ABOUT: &str = "\
Explain a scenario key: its meaning, the value it takes, its valid range and unit, its default \
(the value in effect when a file does not write it) and the essays or data it comes from. A \
table (e.g. `paths.hasty`) also lists its keys with their defaults. Without KEY, list every key \
with a one-line summary. Keys are written as in a file, dotted; `[actors.seoul]` or \
`favourability = 0.3` forms are accepted too. History issues are named by their key, new \
entries of a table by a placeholder such as `tracks.<track>.sigma`.

With --markdown, print every key as one Markdown page: the scenario reference of the user \
guide (docs/keys.md) is this output.

Examples:
  trisim explain actors.seoul.favourability
  trisim explain paths.hasty
  trisim explain history.issues.forced_labor.salience
  trisim explain | grep -i trust
  trisim explain --markdown > docs/keys.md";

pub const INIT_ABOUT: &str = "\
Write a new scenario file NAME.toml (refusing to overwrite one) that runs as is: [scenario] \
named NAME, then the keys analysts change most, each with a comment saying what it means, its \
valid range and its sources. Its first line `#:schema ./trisim.schema.json` lets editors \
complete and check it; the schema is written next to it if absent.

With --from SCENARIO, the new file `extends` SCENARIO: it starts as an exact copy of that \
scenario's effective values (except the name), and lists those values as commented-out lines \
to uncomment and edit. The new file then holds only what differs from SCENARIO, and a fix to \
SCENARIO reaches it. (For a frozen, self-contained copy use `trisim show SCENARIO`.)

Examples:
  trisim init my-study
  trisim init scenarios/what-if --from scenarios/baseline.toml";

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Dotted scenario key, e.g. actors.seoul.favourability (omit to list every key).
    #[arg(value_name = "KEY")]
    pub key: Option<String>,
    /// Print every key as one Markdown page instead (the user guide's generated scenario
    /// reference, docs/keys.md).
    #[arg(long, conflicts_with = "key")]
    pub markdown: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Name of the new scenario: writes NAME.toml (or NAME if it ends in .toml); may include
    /// a folder, which must exist.
    #[arg(value_name = "NAME")]
    pub name: PathBuf,
    /// Start from this scenario file: the new file extends it.
    #[arg(long, value_name = "SCENARIO")]
    pub from: Option<PathBuf>,
}

fn print(text: &str) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        // A reader that stops early (`trisim explain | head`) is no error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(ExitCode::SUCCESS),
        r => {
            r.context("cannot write to standard output")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn schema() -> Result<ExitCode> {
    print(&schema::file_schema_text())
}

/// The width of the terminal on stdout, if it is one.
fn terminal_width() -> Option<usize> {
    terminal_size::terminal_size_of(std::io::stdout()).map(|(w, _)| usize::from(w.0))
}

pub fn explain(a: &ExplainArgs) -> Result<ExitCode> {
    let ex = Explainer::new();
    if a.markdown {
        return print(&explain::markdown_reference(&ex));
    }
    match &a.key {
        // The listing keeps one line per key in a pipe (for grep); an explanation is laid out
        // for 100 columns there.
        None => print(&explain::listing(&ex, terminal_width())),
        Some(k) => match ex.lookup(k) {
            Ok(e) => {
                let mut text = ex.render(&e, terminal_width().unwrap_or(100));
                if is_events_key(k) {
                    text.push_str(&explain::event_kinds());
                }
                print(&text)
            }
            Err(msg) => bail!("{msg}\n(`trisim explain` lists every key)"),
        },
    }
}

/// Whether `key` is `events` or the `kind` of an event: its explanation lists the kinds.
fn is_events_key(key: &str) -> bool {
    let parts: Vec<&str> = key.split('.').collect();
    matches!(parts.as_slice(), ["events"] | ["events", _, "kind"])
}

/// The keys written by `init`, by table: those analysts change most.
const TEMPLATE: &[(&str, &[&str])] = &[
    (
        "scenario",
        &[
            "description",
            "start",
            "horizon_months",
            "replications",
            "seed",
            "reference_path",
            "paths",
            "target_ci",
        ],
    ),
    ("world", &["cha"]),
    ("world.us", &["initial_type", "next_election", "p_switch"]),
    ("world.nk", &["initial_regime"]),
    ("world.china", &["assertiveness", "us_china_tension"]),
    (
        "world.elections",
        &["kr_next_election", "jp_turnover_hazard"],
    ),
    (
        "actors.seoul",
        &[
            "camp",
            "approval",
            "favourability",
            "threat_nk",
            "china_exposure",
        ],
    ),
    (
        "actors.tokyo",
        &[
            "camp",
            "approval",
            "favourability",
            "threat_nk",
            "china_exposure",
        ],
    ),
    ("relations", &["trust_kr_jp", "trust_kr_us", "trust_jp_us"]),
    ("history", &["seasonal_multiplier"]),
];

/// The file name of the schema written next to new scenarios.
const SCHEMA_FILE: &str = "trisim.schema.json";

/// `path` relative to the folder `dir` (both made absolute first), with `/` separators.
fn relative(dir: &Path, path: &Path) -> Result<String> {
    let d = std::fs::canonicalize(dir)
        .with_context(|| format!("cannot resolve the folder {}", dir.display()))?;
    let p = std::fs::canonicalize(path)
        .with_context(|| format!("cannot resolve {}", path.display()))?;
    let dc: Vec<Component> = d.components().collect();
    let pc: Vec<Component> = p.components().collect();
    let common = dc.iter().zip(&pc).take_while(|(a, b)| a == b).count();
    // Sharing only the root (or nothing): the absolute path reads better.
    if common <= 1 {
        return Ok(p.to_string_lossy().into_owned());
    }
    let mut parts: Vec<String> = vec!["..".to_string(); dc.len() - common];
    parts.extend(
        pc[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    Ok(parts.join("/"))
}

/// A description as `#` comment lines.
fn comment(out: &mut String, text: &str) {
    for para in text.split("\n\n") {
        for line in explain::wrap(para, 94) {
            out.push_str(&format!("# {line}\n"));
        }
    }
}

/// The value at dotted `key` of a JSON value.
fn at<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    key.split('.').try_fold(v, |v, k| v.get(k))
}

/// The text of the new scenario `name`, with the values of `values` (the effective scenario it
/// starts from); with `extends`, the keys are commented out.
fn template(name: &str, values: &Scenario, extends: Option<(&str, &str)>) -> Result<String> {
    let ex = Explainer::new();
    let current = serde_json::to_value(values)?;
    let defaults = serde_json::to_value(Scenario::default())?;
    let mut s = format!("#:schema ./{SCHEMA_FILE}\n");
    s.push_str(&format!(
        "# trisim scenario `{name}`, written by `trisim init` (trisim {}).\n#\n",
        env!("CARGO_PKG_VERSION")
    ));
    let file = format!("{name}.toml");
    let file = trisim::output::shell_quote(&file);
    comment(
        &mut s,
        &format!("Every key is optional: a key this file does not write takes its default. `trisim show {file}` prints the effective scenario (every value in effect), `trisim explain KEY` what a key means and `trisim explain` lists every key. Each value is a number or a distribution drawn once per replication, e.g. favourability = {{ dist = \"uniform\", low = 0.2, high = 0.4 }}."),
    );
    s.push_str("#\n");
    match extends {
        Some((_, shown)) => {
            comment(
                &mut s,
                &format!("This scenario starts from {shown}: `extends` applies its values first, and this file changes only what it writes. The keys below show the values in effect, commented out: uncomment a line and edit it to change that value."),
            );
        }
        None => comment(
            &mut s,
            "Below are the keys analysts change most, set to their defaults; edit them, or add any other key (the editor completes keys from the schema).",
        ),
    }
    s.push_str(&format!(
        "#\n# Check:  trisim validate {file}\n# Run:    trisim run {file}\n\n"
    ));
    let prefix = if extends.is_some() { "# " } else { "" };
    if let Some((rel, _)) = extends {
        s.push_str(&format!(
            "extends = {}\n\n",
            explain::toml_text(&Value::String(rel.to_string()))
        ));
    }
    for (table, keys) in TEMPLATE {
        let entry = ex.lookup(table).map_err(anyhow::Error::msg)?;
        if let Some(d) = entry.schema.get("description").and_then(Value::as_str) {
            let summary = explain::summary(d);
            let text = explain::without_header(&summary);
            let mut c = text.chars();
            if let Some(first) = c.next() {
                comment(&mut s, &format!("{}{}", first.to_uppercase(), c.as_str()));
            }
        }
        s.push_str(&format!("[{table}]\n"));
        if *table == "scenario" {
            s.push_str(&format!(
                "name = {}\n",
                explain::toml_text(&Value::String(name.to_string()))
            ));
        }
        for key in *keys {
            let full = format!("{table}.{key}");
            let e = ex.lookup(&full).map_err(anyhow::Error::msg)?;
            let description = e
                .schema
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("");
            s.push('\n');
            comment(&mut s, description);
            let mut facts = Vec::new();
            let number = e
                .schema
                .get("anyOf")
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .unwrap_or(&e.schema);
            if let Some(r) = explain::range_text(number) {
                facts.push(format!("range {r}"));
            }
            if let Some(names) = e.schema.get("enum").and_then(Value::as_array) {
                let names: Vec<String> = names.iter().map(Value::to_string).collect();
                facts.push(format!("one of {}", names.join(", ")));
            }
            // (Sources are cited in the description itself.)
            if let Some(d) = at(&defaults, &full) {
                let label = if extends.is_some() {
                    "built-in default"
                } else {
                    "default"
                };
                facts.push(format!("{label} {}", explain::toml_text(d)));
            }
            if !facts.is_empty() {
                comment(&mut s, &format!("({})", facts.join("; ")));
            }
            let value =
                at(&current, &full).context("internal error: a template key has no value")?;
            s.push_str(&format!("{prefix}{key} = {}\n", explain::toml_text(value)));
        }
        s.push('\n');
    }
    s.push_str(
        "# More: a new path starts from a bundled one and changes what it writes\n\
         # (`trisim explain paths.<path>`), e.g.\n\
         # [paths.cautious]\n\
         # base = \"gradual\"\n\
         # min_dwell_months = 9\n\
         #\n\
         # A scheduled event replaces the random draw in its month (`trisim explain events`), e.g.\n\
         # [[events]]\n\
         # month = \"2025-06\"\n\
         # kind = \"kr_election\"\n\
         # camp = \"progressive\"\n",
    );
    Ok(s)
}

/// Writes `text` to `path` atomically without ever replacing an existing file: a temporary
/// file in the same folder, then a hard link to `path` (which fails if `path` exists). On a
/// file system without hard links (FAT, exFAT, some network mounts), the file is created
/// exclusively and written in place (removed again if the write fails).
fn write_new(path: &Path, text: &str) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let file = path.file_name().context("no file name")?.to_string_lossy();
    let tmp = dir.join(format!(".{file}.tmp-{}", std::process::id()));
    if let Err(e) = std::fs::write(&tmp, text) {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", tmp.display()));
    }
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!("{} already exists; not overwriting it", path.display())
        }
        Err(_) => write_exclusive(path, text),
    }
}

/// Creates `path` (failing if it exists) and writes `text` into it; removes it if the write
/// fails.
fn write_exclusive(path: &Path, text: &str) -> Result<()> {
    let mut f = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            bail!("{} already exists; not overwriting it", path.display())
        }
        Err(e) => return Err(e).with_context(|| format!("cannot write {}", path.display())),
    };
    let written = f.write_all(text.as_bytes()).and_then(|_| f.sync_all());
    drop(f);
    if let Err(e) = written {
        let _ = std::fs::remove_file(path);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(())
}

pub fn init(a: &InitArgs) -> Result<ExitCode> {
    let raw = a.name.to_string_lossy();
    let path = if raw.ends_with(".toml") {
        a.name.clone()
    } else {
        PathBuf::from(format!("{raw}.toml"))
    };
    if path.exists() || path.symlink_metadata().is_ok() {
        bail!(
            "{} already exists; not overwriting it (choose another name, or delete the file first)",
            path.display()
        );
    }
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .context("the scenario needs a name, e.g. `trisim init my-study`")?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        bail!(
            "the folder {} does not exist; create it first",
            dir.display()
        );
    }
    let (values, extends) = match &a.from {
        Some(from) => {
            let s = scenario::load_file(from)?;
            let rel = relative(&dir, from)?;
            (s, Some((rel, from.display().to_string())))
        }
        None => (Scenario::default(), None),
    };
    let text = template(
        &name,
        &values,
        extends.as_ref().map(|(r, s)| (r.as_str(), s.as_str())),
    )?;
    // The file must load as written (an invalid name, e.g., is reported here, before writing).
    let shown = path.display().to_string();
    let loaded = scenario::load_str_with_base(&text, &shown, &dir)?;
    let mut expected = values.clone();
    expected.scenario.name = name.clone();
    if loaded != expected {
        bail!("internal error: the scenario written would not reproduce the values it starts from");
    }
    // The scenario first: if it cannot be written, nothing is left behind.
    write_new(&path, &text)?;
    let schema_path = dir.join(SCHEMA_FILE);
    let schema_text = schema::file_schema_text();
    match std::fs::read_to_string(&schema_path) {
        Ok(existing) if existing == schema_text => {}
        Ok(_) => eprintln!(
            "note: {} differs from this trisim's schema (an older version?); editors may flag keys wrongly: `trisim schema > {}` updates it",
            schema_path.display(),
            trisim::output::shell_quote(&schema_path.display().to_string())
        ),
        Err(_) => match write_new(&schema_path, &schema_text) {
            Ok(()) => eprintln!(
                "wrote {} (the schema editors read for completion and checks; shared by every scenario in this folder)",
                schema_path.display()
            ),
            // The scenario is there and runs: the schema only helps editors.
            Err(e) => eprintln!(
                "warning: {e:#}; editors will not complete or check keys until `trisim schema > {}`",
                trisim::output::shell_quote(&schema_path.display().to_string())
            ),
        },
    }
    let quoted = trisim::output::shell_quote(&shown);
    println!(
        "wrote {shown}: scenario `{name}`{}\nnext: edit it, then `trisim validate {quoted}` and `trisim run {quoted}`",
        match &extends {
            Some((_, from)) => format!(", extending {from}"),
            None => String::new(),
        }
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The way `init` writes where hard links are not available.
    #[test]
    fn exclusive_writes_never_replace_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.toml");
        write_exclusive(&p, "x = 1\n").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "x = 1\n");
        let e = write_exclusive(&p, "x = 2\n").unwrap_err();
        assert!(e.to_string().contains("already exists"), "{e}");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "x = 1\n");
        // A folder that does not exist: an error, and nothing written.
        let q = dir.path().join("missing/b.toml");
        assert!(write_exclusive(&q, "x = 1\n").is_err());
        assert!(!q.exists());
    }
}
