//! Hostile input for the scenario loader (issue 5, item 6): a seeded, time-bounded fuzz test.
//!
//! Every case is a scenario text: random bytes, a soup of TOML-ish tokens (keys of the real
//! schema, numbers such as `nan`, `inf`, `-0`, `1e308`, `1e400`, huge integers, dates), or a
//! mutation of a bundled scenario (lines deleted, duplicated, swapped; characters flipped; the
//! text truncated; numbers replaced by hostile ones or by distributions with hostile
//! parameters; strings replaced by numbers; `extends` pointing at missing files, itself, a
//! cycle, a too long chain, a folder, a device; table headers swapped; deep nesting; long
//! strings and keys). Each goes through [`load_str_with_base`] (the base folder is a temporary
//! copy of `scenarios/` plus a few hostile files) inside `catch_unwind`, and:
//!
//! - nothing panics;
//! - a rejected text gets a non-empty message under 200 KB that names the scenario, and every
//!   problem names a file and, when the text is valid TOML, a line and column;
//! - an accepted scenario passes [`validate`], every numeric parameter (walked with
//!   `visit_params`) is finite and in its range, every per-replication draw too, `to_toml`
//!   loads back equal, and (for the first [`MAX_ENGINE_RUNS`]) one replication of 12 months
//!   of every path runs through [`engine::run`] without a panic or an infinite value.
//!
//! The cases are a pure function of the seed (`TRISIM_FUZZ_SEED`, default fixed) and the case
//! number; the run stops after `TRISIM_FUZZ_CASES` cases (default [`DEFAULT_CASES`]) or
//! `TRISIM_FUZZ_SECONDS` seconds (default [`DEFAULT_SECONDS`]), whichever comes first (at least
//! [`MIN_CASES`] cases run whatever the budget). A failure prints the case number, how it was
//! made and the input, and writes the input to the system temporary folder; re-run one case
//! with `TRISIM_FUZZ_ONLY=N`. In CI: `TRISIM_FUZZ_SECONDS=60 cargo test --release --test
//! fuzz_loader -- --nocapture`.
//!
//! This supersedes the two fixed mutation loops in `src/scenario/load.rs`
//! (`mutated_scenarios_never_panic`, `mutated_effective_scenarios_never_panic`), which stay as
//! fast unit tests; the named regression tests at the end are the findings of this fuzzer.

use rand::RngExt;
use std::fmt::Write as _;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use trisim::engine::{self, Overrides, RunPlan};
use trisim::rng::{keyed_stream, FastRng};
use trisim::scenario::param::{Bound, Param, ParamVisitor, VisitParams};
use trisim::scenario::sample::sample;
use trisim::scenario::validate::validate;
use trisim::scenario::*;

/// Name of the fuzzed text in messages.
const FILE: &str = "fuzz.toml";
/// Longest acceptable error message.
const MAX_MESSAGE_BYTES: usize = 200_000;
/// Default wall-clock budget (seconds).
const DEFAULT_SECONDS: f64 = 10.0;
/// Default number of cases (the budget usually ends the run first in a debug build).
const DEFAULT_CASES: u64 = 20_000;
/// Cases run whatever the time budget, so that every kind of case is exercised.
const MIN_CASES: u64 = 60;
/// Accepted scenarios that are also run through the engine.
const MAX_ENGINE_RUNS: usize = 50;
/// Default seed.
const DEFAULT_SEED: u64 = 0x7215_1f0a_2026_0005;

// ---------------------------------------------------------------------------------------------
// The fixture: bundled scenarios, hostile files to extend, and the schema's keys
// ---------------------------------------------------------------------------------------------

/// A bundled scenario: its path under `scenarios/`, text and folder in the temporary copy.
struct Bundled {
    name: String,
    text: String,
    dir: PathBuf,
}

struct Fixture {
    /// Holds `scenarios/` (the copy the cases load from: [`Fixture::root`]) and `data/`.
    _tmp: tempfile::TempDir,
    /// The copy of `scenarios/`, with the hostile files.
    root: PathBuf,
    bundled: Vec<Bundled>,
    /// Table headers of the schema (`[actors.seoul]`, `[[history.issues]]`, ...).
    headers: Vec<String>,
    /// (dotted table, key, a valid value as TOML) of every leaf key of the schema.
    leaves: Vec<(String, String, String)>,
    /// String values found in the schema (names of paths, tracks, distributions, months).
    words: Vec<String>,
}

/// Names `extends` may point at (relative to the scenario's folder), valid or not.
const EXTENDS_TARGETS: &[&str] = &[
    "baseline.toml",
    "./baseline.toml",
    "experiments/../baseline.toml",
    "missing.toml",
    "experiments/missing.toml",
    "../../../../../../../../nonexistent/x.toml",
    "/nonexistent/x.toml",
    "self.toml",
    "loop_a.toml",
    "chain_00.toml",
    "not_utf8.toml",
    "bad_syntax.toml",
    "bad_values.toml",
    "empty.toml",
    "folder",
    "folder.toml",
    "experiments",
    ".",
    "..",
    "/",
    "/dev/null",
    "/dev/zero",
    "/dev/urandom",
    "fifo.toml",
    "/proc/self/mem",
    "",
    "   ",
    "fuzz.toml",
    "base\u{0}line.toml",
    "baseline.toml/",
    "é.toml",
];

/// Data files for `[world.nk] observed` and `[[series]] file` (written next to every bundled
/// scenario folder), valid or not.
const HOSTILE_DATA: &[(&str, &[u8])] = &[
    ("gap.csv", b"month,value\n2023-04,0.3\n2023-06,0.4\n"),
    ("series_ok.csv", b"month,value\n2023-04,0.3\n2024-01,0.35\n"),
    ("years.csv", b"year,value\n2015,0.25\n2018,0.268\n"),
    ("bad_number.csv", b"month,value\n2023-04,abc\n"),
    ("nan.csv", b"month,value\n2023-04,nan\n"),
    ("huge.csv", b"month,value\n2023-04,1e400\n"),
    ("outside.csv", b"month,value\n1990-01,0.3\n"),
    ("unordered.csv", b"month,value\n2023-06,0.3\n2023-04,0.4\n"),
    ("no_value.csv", b"month,launches\n2023-04,1\n"),
    ("header_only.csv", b"month,value\n"),
    ("empty.csv", b""),
    ("not_utf8.csv", b"month,value\n2023-04,\xff\n"),
    ("nk_gap.csv", b"month,launches\n2023-04,1\n2023-06,2\n"),
    ("nk_negative.csv", b"month,launches\n2023-04,-1\n"),
    (
        "nk_ok.csv",
        b"month,launches,long_range\n2023-04,3,1\n2023-05,0,0\n",
    ),
    (
        "nk_bad_long.csv",
        b"month,launches,long_range\n2023-04,1,5\n",
    ),
    ("ragged.csv", b"month,value\n2023-04\n2023-05,0.1,9,9\n"),
];

/// Names a data-file key may take (relative to the scenario's folder), valid or not.
const DATA_TARGETS: &[&str] = &[
    "gap.csv",
    "series_ok.csv",
    "years.csv",
    "bad_number.csv",
    "nan.csv",
    "huge.csv",
    "outside.csv",
    "unordered.csv",
    "no_value.csv",
    "header_only.csv",
    "empty.csv",
    "not_utf8.csv",
    "nk_gap.csv",
    "nk_negative.csv",
    "nk_ok.csv",
    "nk_bad_long.csv",
    "ragged.csv",
    "../../data/nk_missile_launches_monthly.csv",
    "../data/nk_missile_launches_monthly.csv",
    "missing.csv",
    "folder",
    "fifo.toml",
    "/dev/null",
    "/dev/zero",
    "/",
    "",
];

/// Kinds of `[[events]]`.
const EVENT_KINDS: &[&str] = &[
    "kr_election",
    "jp_turnover",
    "us_type",
    "court_ruling",
    "flare_up",
    "nuclear_test",
    "nk_regime",
    "summit",
    "china_coercion",
    "set_rung",
    "settlement",
    "repudiation",
    "retaliation",
    "counter_threat",
    "restore",
    "kr_crisis",
    "jp_crisis",
    "path",
    "set_state",
    "set",
    "no_such_kind",
];

/// Keys of an event with plausible values (as TOML).
const EVENT_KEYS: &[(&str, &[&str])] = &[
    (
        "camp",
        &[
            "\"conservative\"",
            "\"progressive\"",
            "\"mainstream\"",
            "\"hawkish\"",
        ],
    ),
    ("us_type", &["\"engaged\"", "\"transactional\""]),
    (
        "issue",
        &[
            "\"comfort_women\"",
            "\"forced_labor\"",
            "\"territory\"",
            "\"nope\"",
        ],
    ),
    ("regime", &["\"engagement\"", "\"testing\"", "\"surge\""]),
    (
        "track",
        &[
            "\"intelligence\"",
            "\"summitry\"",
            "\"economic_security\"",
            "\"regional\"",
            "\"nope\"",
        ],
    ),
    ("rung", &["0", "1", "2", "3", "9", "-1", "300"]),
    (
        "cause",
        &[
            "\"policy\"",
            "\"rollback\"",
            "\"reversal\"",
            "\"retaliation\"",
            "\"lapse\"",
            "\"domestic\"",
            "\"partner_policy\"",
        ],
    ),
    ("backlash", &["true", "false"]),
    ("cascade", &["true", "false"]),
    ("scar", &["true", "false"]),
    ("quality", &["0.25", "0.9", "1.5", "-0.1"]),
    ("effects", &["true", "false"]),
    ("by", &["\"KR\"", "\"JP\"", "\"US\""]),
    ("state", &["\"pending\"", "\"executed\""]),
    (
        "resolves",
        &["\"2023-06\"", "\"2024-01\"", "\"2023-04\"", "\"2099-01\""],
    ),
    (
        "resolution",
        &["\"executed\"", "\"dropped\"", "\"cancelled\""],
    ),
    ("end", &["\"2023-08\"", "\"2024-05\"", "\"2020-01\""]),
    ("acting", &["true", "false"]),
    ("path", &["\"gradual\"", "\"hasty\"", "\"nope\""]),
    (
        "variable",
        &[
            "\"favourability\"",
            "\"approval\"",
            "\"backlash\"",
            "\"grievance\"",
            "\"threat_nk\"",
            "\"threat_cn\"",
            "\"trust\"",
        ],
    ),
    ("side", &["\"KR\"", "\"JP\""]),
    ("dyad", &["\"kr_jp\"", "\"kr_us\"", "\"jp_us\""]),
    (
        "address",
        &[
            "\"actors.seoul.china_exposure\"",
            "\"world.china.us_china_tension\"",
            "\"actors.seoul.approval\"",
            "\"tracks.intelligence.rungs\"",
            "\"nope.nope\"",
        ],
    ),
    (
        "value",
        &[
            "0.3",
            "0.0",
            "1.0",
            "2.5",
            "{ dist = \"uniform\", low = 0.1, high = 0.4 }",
        ],
    ),
    ("act", &["\"ritual\"", "\"material\""]),
    ("offends", &["\"KR\"", "\"JP\""]),
    ("target", &["\"KR\"", "\"JP\""]),
    ("months", &["0", "6", "1000"]),
    ("cost", &["0.5", "0.0", "-1.0"]),
];

/// Length of the too-long chain of `extends` in the fixture.
const CHAIN_LEN: usize = MAX_EXTENDS_DEPTH + 8;

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("scenarios");
    // The data files the bundled scenarios name (`../../data/...` from `history/`).
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    std::fs::create_dir_all(tmp.path().join("data")).unwrap();
    for e in std::fs::read_dir(&data).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            std::fs::copy(&p, tmp.path().join("data").join(p.file_name().unwrap())).unwrap();
        }
    }
    let mut bundled = Vec::new();
    for sub in ["", "experiments", "history"] {
        let from = scenarios_dir().join(sub);
        let to = root.join(sub);
        std::fs::create_dir_all(&to).unwrap();
        let mut names: Vec<_> = std::fs::read_dir(&from)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        names.sort();
        for p in names {
            let text = std::fs::read_to_string(&p).unwrap();
            let file = p.file_name().unwrap();
            std::fs::write(to.join(file), &text).unwrap();
            let name = Path::new(sub).join(file).display().to_string();
            bundled.push(Bundled {
                name,
                text,
                dir: to.clone(),
            });
        }
    }
    assert!(bundled.len() >= 9, "bundled scenarios: {}", bundled.len());
    let d = root.as_path();
    let w = |name: &str, text: &[u8]| std::fs::write(d.join(name), text).unwrap();
    for (name, text) in HOSTILE_DATA {
        w(name, text);
        w(&format!("history/{name}"), text);
    }
    w("self.toml", b"extends = \"self.toml\"\n");
    w("loop_a.toml", b"extends = \"loop_b.toml\"\n");
    w("loop_b.toml", b"[scenario]\nname = \"b\"\nextends = 1\n");
    // (`extends` below a table is an unknown key: make loop_b a real cycle too.)
    w(
        "loop_b.toml",
        b"extends = \"loop_a.toml\"\n[scenario]\nname = \"b\"\n",
    );
    for i in 0..CHAIN_LEN {
        let next = if i + 1 < CHAIN_LEN {
            format!("extends = \"chain_{:02}.toml\"\n", i + 1)
        } else {
            String::new()
        };
        w(&format!("chain_{i:02}.toml"), next.as_bytes());
    }
    w("not_utf8.toml", b"[scenario]\nname = \"\xff\xfe\"\n");
    w("bad_syntax.toml", b"[scenario\nname = \n");
    w(
        "bad_values.toml",
        b"[actors.seoul]\napproval = nan\nfavourability = 1e400\n",
    );
    w("empty.toml", b"");
    std::fs::create_dir_all(d.join("folder")).unwrap();
    std::fs::create_dir_all(d.join("raw")).unwrap();
    std::fs::create_dir_all(d.join("folder.toml")).unwrap();
    make_fifo(&d.join("fifo.toml"));

    // The schema: every table and key of the effective default scenario and of the bundled
    // scenarios (for `[sweep]`).
    let mut headers = Vec::new();
    let mut leaves = Vec::new();
    let mut words = Vec::new();
    let mut texts = vec![to_toml(&Scenario::default())];
    texts.extend(bundled.iter().map(|b| b.text.clone()));
    for t in &texts {
        if let Ok(table) = t.parse::<toml::Table>() {
            schema(&table, "", &mut headers, &mut leaves, &mut words);
        }
    }
    headers.sort();
    headers.dedup();
    leaves.sort();
    leaves.dedup();
    words.sort();
    words.dedup();
    Fixture {
        _tmp: tmp,
        root,
        bundled,
        headers,
        leaves,
        words,
    }
}

#[cfg(unix)]
fn make_fifo(path: &Path) {
    // Best effort: without `mkfifo` the target is simply missing.
    let _ = std::process::Command::new("mkfifo").arg(path).status();
}

#[cfg(not(unix))]
fn make_fifo(_path: &Path) {}

/// A key as written in a header or dotted key.
fn key_text(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        format!("{k:?}")
    }
}

fn join(prefix: &str, k: &str) -> String {
    if prefix.is_empty() {
        key_text(k)
    } else {
        format!("{prefix}.{}", key_text(k))
    }
}

fn schema(
    t: &toml::Table,
    prefix: &str,
    headers: &mut Vec<String>,
    leaves: &mut Vec<(String, String, String)>,
    words: &mut Vec<String>,
) {
    for (k, v) in t {
        let full = join(prefix, k);
        match v {
            toml::Value::Table(sub) if !sub.contains_key("dist") => {
                headers.push(format!("[{full}]"));
                schema(sub, &full, headers, leaves, words);
            }
            toml::Value::Array(items)
                if items.iter().all(toml::Value::is_table) && !items.is_empty() =>
            {
                headers.push(format!("[[{full}]]"));
                for item in items {
                    if let toml::Value::Table(sub) = item {
                        schema(sub, &full, headers, leaves, words);
                    }
                }
            }
            _ => {
                collect_words(v, words);
                leaves.push((prefix.to_string(), key_text(k), value_text(v)));
            }
        }
    }
}

fn collect_words(v: &toml::Value, words: &mut Vec<String>) {
    match v {
        toml::Value::String(s) if s.len() < 40 => words.push(s.clone()),
        toml::Value::Array(a) => a.iter().for_each(|x| collect_words(x, words)),
        toml::Value::Table(t) => t.values().for_each(|x| collect_words(x, words)),
        _ => {}
    }
}

/// A value as TOML text (inline).
fn value_text(v: &toml::Value) -> String {
    let mut t = toml::Table::new();
    t.insert("x".into(), v.clone());
    let s = toml::to_string(&t).unwrap_or_default();
    s.trim()
        .strip_prefix("x = ")
        .unwrap_or("0")
        .replace('\n', " ")
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/// Numbers and other scalars that break naive code.
const HOSTILE_VALUES: &[&str] = &[
    "nan",
    "+nan",
    "-nan",
    "inf",
    "+inf",
    "-inf",
    "-0",
    "-0.0",
    "+0.0",
    "0",
    "1",
    "0.5",
    "2",
    "12",
    "-1",
    "-1.5",
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "1e400",
    "-1e400",
    "1e-400",
    "5e-324",
    "255",
    "256",
    "1200",
    "1201",
    "100001",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "18446744073709551616",
    "99999999999999999999999999",
    "0x7fffffffffffffff",
    "0o777",
    "0b101",
    "1_000",
    "3.14159",
    "1979-05-27",
    "1979-05-27T07:32:00Z",
    "07:32:00",
    "2023-04",
    "true",
    "false",
    "\"\"",
    "\"0.5\"",
    "\"nan\"",
    "\"2023-13\"",
    "\"9999-12\"",
    "\"0000-01\"",
    "[]",
    "[nan]",
    "[1e400, -1]",
    "{}",
    "{ dist = \"uniform\" }",
];

const DISTS: &[(&str, &[&str])] = &[
    ("uniform", &["low", "high"]),
    ("normal", &["mean", "sd"]),
    ("beta", &["alpha", "beta"]),
    ("triangular", &["min", "mode", "max"]),
    ("lognormal", &["mu", "sigma"]),
];

/// Numbers for distribution parameters: ordinary, extreme and invalid.
const DIST_NUMBERS: &[&str] = &[
    "0", "-0", "0.1", "0.5", "1", "2", "-1", "10", "100", "709", "710", "1000", "1e10", "1e154",
    "1e155", "1e200", "1e308", "-1e308", "1e-300", "5e-324", "nan", "inf", "-inf", "1e400",
];

struct Gen<'a> {
    rng: FastRng,
    fx: &'a Fixture,
    /// How the case was made, for failure reports.
    log: Vec<String>,
}

impl Gen<'_> {
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.rng.random_range(0..n)
        }
    }

    fn chance(&mut self, p: f64) -> bool {
        self.rng.random::<f64>() < p
    }

    fn pick<'b>(&mut self, items: &'b [&'b str]) -> &'b str {
        items[self.below(items.len())]
    }

    fn pick_from(&mut self, items: &[String]) -> String {
        if items.is_empty() {
            return String::new();
        }
        items[self.below(items.len())].clone()
    }

    fn hostile_value(&mut self) -> String {
        match self.below(10) {
            0..=5 => self.pick(HOSTILE_VALUES).to_string(),
            6 | 7 => self.distribution(),
            8 => {
                let fx = self.fx;
                let w = self.pick_from(&fx.words);
                format!("{w:?}")
            }
            _ => {
                let i = self.below(self.fx.leaves.len());
                self.fx.leaves[i].2.clone()
            }
        }
    }

    /// A distribution table, mostly well-formed, with hostile parameters.
    fn distribution(&mut self) -> String {
        let (name, params) = DISTS[self.below(DISTS.len())];
        let mut s = format!("{{ dist = \"{name}\"");
        for p in params {
            if self.chance(0.05) {
                continue; // missing parameter
            }
            let v = self.pick(DIST_NUMBERS);
            write!(s, ", {p} = {v}").unwrap();
        }
        if self.chance(0.05) {
            s.push_str(", extra = 1");
        }
        s.push_str(" }");
        s
    }

    fn random_bytes(&mut self) -> Vec<u8> {
        let n = self.below(600);
        let mut out: Vec<u8> = (0..n).map(|_| self.rng.random::<u8>()).collect();
        if self.chance(0.5) {
            // Mostly printable ASCII, which gets further into the parser.
            for b in &mut out {
                const ALPHABET: &[u8] = b" \n=[]\"'{},.#abcdefghijklmnopqrstuvwxyz0123456789_-";
                if self.rng.random::<f64>() < 0.9 {
                    *b = ALPHABET[(*b as usize) % ALPHABET.len()];
                }
            }
        }
        out
    }

    fn token_soup(&mut self) -> String {
        let structured = self.chance(0.6);
        let n = 1 + self.below(60);
        let mut s = String::new();
        for _ in 0..n {
            if structured {
                match self.below(6) {
                    0 => {
                        let fx = self.fx;
                        let h = self.pick_from(&fx.headers);
                        writeln!(s, "{h}").unwrap();
                    }
                    1..=3 => {
                        let i = self.below(self.fx.leaves.len());
                        let (table, key, _) = self.fx.leaves[i].clone();
                        let key = if self.chance(0.3) && !table.is_empty() {
                            format!("{table}.{key}")
                        } else {
                            key
                        };
                        let v = self.hostile_value();
                        writeln!(s, "{key} = {v}").unwrap();
                    }
                    4 => {
                        let v = self.hostile_value();
                        let w = self.hostile_value();
                        let i = self.below(self.fx.leaves.len());
                        writeln!(s, "{} = [{v}, {w}]", self.fx.leaves[i].1).unwrap();
                    }
                    _ => {
                        let t = self.pick(EXTENDS_TARGETS);
                        writeln!(s, "extends = {t:?}").unwrap();
                    }
                }
            } else {
                let tok = match self.below(12) {
                    0 => self
                        .pick(&[
                            "[", "]", "[[", "]]", "=", "\"", "'", "\"\"\"", "{", "}", ",", ".",
                            "#", "\\",
                        ])
                        .to_string(),
                    1 | 2 => "\n".to_string(),
                    3 => {
                        let fx = self.fx;
                        self.pick_from(&fx.headers)
                    }
                    4 | 5 => {
                        let i = self.below(self.fx.leaves.len());
                        self.fx.leaves[i].1.clone()
                    }
                    6 | 7 => self.pick(HOSTILE_VALUES).to_string(),
                    8 => {
                        let fx = self.fx;
                        format!("{:?}", self.pick_from(&fx.words))
                    }
                    9 => " = ".to_string(),
                    10 => "extends".to_string(),
                    _ => self.pick(DIST_NUMBERS).to_string(),
                };
                s.push_str(&tok);
                if self.chance(0.5) {
                    s.push(' ');
                }
            }
        }
        s
    }

    /// A bundled scenario (by case number) with 1 to 3 mutations.
    fn mutated(&mut self, case: u64) -> (String, PathBuf, String) {
        let b = &self.fx.bundled[(case as usize / 4) % self.fx.bundled.len()];
        let (name, dir) = (b.name.clone(), b.dir.clone());
        let mut text = b.text.clone();
        let n = 1 + self.below(3);
        for _ in 0..n {
            let m = self.below(MUTATIONS);
            text = self.mutate(text, m, &dir);
        }
        (text, dir, name)
    }

    fn mutate(&mut self, text: String, m: usize, dir: &Path) -> String {
        let ends_with_newline = text.ends_with('\n');
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let nl = lines.len().max(1);
        let out = match m {
            0 => {
                let i = self.below(nl);
                self.log.push(format!("delete line {}", i + 1));
                if i < lines.len() {
                    lines.remove(i);
                }
                lines.join("\n")
            }
            1 => {
                let i = self.below(nl);
                self.log.push(format!("duplicate line {}", i + 1));
                if i < lines.len() {
                    let l = lines[i].clone();
                    lines.insert(i, l);
                }
                lines.join("\n")
            }
            2 => {
                let (i, j) = (self.below(nl), self.below(nl));
                self.log.push(format!("swap lines {} and {}", i + 1, j + 1));
                if i < lines.len() && j < lines.len() {
                    lines.swap(i, j);
                }
                lines.join("\n")
            }
            3 => {
                let mut chars: Vec<char> = text.chars().collect();
                let k = 1 + self.below(4);
                for _ in 0..k {
                    const FLIPS: &[char] = &[
                        '=', '"', '\'', '[', ']', '{', '}', ',', '.', '#', '\\', '\n', '\r', '\t',
                        ' ', '-', '+', '_', '0', '1', '9', 'e', 'x', 'é', '\u{0}', '\u{feff}',
                        '\u{7f}', '語',
                    ];
                    let c = FLIPS[self.below(FLIPS.len())];
                    let i = self.below(chars.len() + 1);
                    match self.below(3) {
                        0 if i < chars.len() => chars[i] = c,
                        1 if i < chars.len() => {
                            chars.remove(i);
                        }
                        _ => chars.insert(i.min(chars.len()), c),
                    }
                    self.log.push(format!("flip char {i} ({c:?})"));
                }
                chars.into_iter().collect()
            }
            4 => {
                let chars: Vec<char> = text.chars().collect();
                let i = self.below(chars.len() + 1);
                self.log.push(format!("truncate at char {i}"));
                chars[..i].iter().collect()
            }
            5 => {
                let spans = number_spans(&text);
                if spans.is_empty() {
                    return text;
                }
                let (a, b) = spans[self.below(spans.len())];
                let v = if self.chance(0.25) {
                    self.distribution()
                } else {
                    self.pick(HOSTILE_VALUES).to_string()
                };
                self.log.push(format!("number {:?} -> {v}", &text[a..b]));
                format!("{}{v}{}", &text[..a], &text[b..])
            }
            6 => {
                let spans = string_spans(&text);
                if spans.is_empty() {
                    return text;
                }
                let (a, b) = spans[self.below(spans.len())];
                let v = self.hostile_value();
                self.log.push(format!("string {:?} -> {v}", &text[a..b]));
                format!("{}{v}{}", &text[..a], &text[b..])
            }
            7 => {
                let target = self.pick(EXTENDS_TARGETS);
                let line = format!("extends = {target:?}");
                // Usually at the top (where it is valid), else anywhere.
                let i = if self.chance(0.7) { 0 } else { self.below(nl) };
                self.log.push(format!("insert `{line}` at line {}", i + 1));
                lines.retain(|l| !l.trim_start().starts_with("extends"));
                lines.insert(i.min(lines.len()), line);
                if target == FILE {
                    // `fuzz.toml` in the folder: the scenario extends (a copy of) itself.
                    let text = lines.join("\n");
                    let _ = std::fs::write(dir.join(FILE), &text);
                    return text;
                }
                lines.join("\n")
            }
            8 => {
                let heads: Vec<usize> = (0..lines.len())
                    .filter(|&i| lines[i].trim_start().starts_with('['))
                    .collect();
                if heads.is_empty() {
                    return text;
                }
                let i = heads[self.below(heads.len())];
                let fx = self.fx;
                let h = self.pick_from(&fx.headers);
                self.log
                    .push(format!("header line {} {:?} -> {h}", i + 1, lines[i]));
                lines[i] = h;
                lines.join("\n")
            }
            9 => {
                let depth = [2, 10, 100, 1_000, 10_000, 100_000][self.below(6)];
                let (open, close, inner) = match self.below(3) {
                    0 => ("[", "]", "1".to_string()),
                    1 => ("{ a = ", " }", "1".to_string()),
                    _ => ("[{ dist = ", " }]", "\"uniform\"".to_string()),
                };
                let key = {
                    let i = self.below(self.fx.leaves.len());
                    self.fx.leaves[i].1.clone()
                };
                let line = format!(
                    "{key} = {}{inner}{}",
                    open.repeat(depth),
                    close.repeat(depth)
                );
                let i = self.below(nl);
                self.log.push(format!(
                    "nesting depth {depth} of {open:?} for `{key}` at line {}",
                    i + 1
                ));
                lines.insert(i.min(lines.len()), line);
                lines.join("\n")
            }
            10 => {
                let len = [100, 1_000, 100_000, 1_000_000][self.below(4)];
                let filler = ["a", "é", "\\\"", "\\n", "/", "x.y"][self.below(6)];
                let long = filler.repeat(len / filler.len());
                let spans = string_spans(&text);
                match self.below(4) {
                    0 if !spans.is_empty() => {
                        let (a, b) = spans[self.below(spans.len())];
                        self.log
                            .push(format!("string {:?} -> {len} × {filler:?}", &text[a..b]));
                        format!("{}\"{long}\"{}", &text[..a], &text[b..])
                    }
                    1 => {
                        let i = self.below(nl);
                        self.log
                            .push(format!("key of {len} × {filler:?} at line {}", i + 1));
                        lines.insert(i.min(lines.len()), format!("\"{long}\" = 1"));
                        lines.join("\n")
                    }
                    2 => {
                        let i = self.below(nl);
                        self.log
                            .push(format!("header of {len} × {filler:?} at line {}", i + 1));
                        lines.insert(i.min(lines.len()), format!("[paths.\"{long}\"]"));
                        lines.join("\n")
                    }
                    _ => {
                        self.log
                            .push(format!("scenario name of {len} × {filler:?}"));
                        format!("{text}\n[scenario]\nname = \"{long}\"\n")
                    }
                }
            }
            11 => {
                // A schema key set to a hostile value, under its own header.
                let i = self.below(self.fx.leaves.len());
                let (table, key, _) = self.fx.leaves[i].clone();
                let v = self.hostile_value();
                let header = format!("[{table}]");
                self.log.push(format!("set {table}.{key} = {v}"));
                match lines.iter().position(|l| l.trim() == header) {
                    Some(h) => {
                        lines.insert(h + 1, format!("{key} = {v}"));
                        lines.join("\n")
                    }
                    None if table.is_empty() => format!("{key} = {v}\n{text}"),
                    None => format!("{text}\n{header}\n{key} = {v}\n"),
                }
            }
            12 => self.history_mutation(text, &mut lines),
            _ => {
                // Many values: a long array, many keys, many events.
                let n = [10, 1_000, 50_000][self.below(3)];
                let v = self.pick(HOSTILE_VALUES);
                let how = self.below(3);
                let what = ["sweep values", "unknown keys", "events"][how];
                self.log.push(format!("{n} {what} with {v}"));
                match how {
                    0 => format!(
                        "{text}\n[sweep.parameters]\n\"actors.seoul.favourability\" = {{ values = [{}] }}\n",
                        vec![v; n].join(", ")
                    ),
                    1 => {
                        let mut t = text;
                        t.push_str("\n[actors.seoul]\n");
                        for i in 0..n {
                            writeln!(t, "unknown_{i} = {v}").unwrap();
                        }
                        t
                    }
                    _ => {
                        let mut t = text;
                        for _ in 0..n.min(5_000) {
                            write!(t, "\n[[events]]\nmonth = \"2024-01\"\nkind = \"summit\"\ntrack = {v}\n").unwrap();
                        }
                        t
                    }
                }
            }
        };
        // Keep a final line break as often as not.
        if ends_with_newline && !out.ends_with('\n') && self.chance(0.5) {
            out + "\n"
        } else {
            out
        }
    }
}

/// Number of mutation kinds in [`Gen::mutate`].
const MUTATIONS: usize = 14;

impl Gen<'_> {
    /// A mutation of the observed-history interface: a data file named by
    /// `[world.nk] observed` or a `[[series]]`, an event of a random kind with random keys, or
    /// an `[output]` table.
    fn history_mutation(&mut self, text: String, lines: &mut [String]) -> String {
        let month = |g: &mut Self| {
            let y = 2015 + g.below(12);
            let m = 1 + g.below(12);
            format!("\"{y}-{m:02}\"")
        };
        match self.below(5) {
            0 => {
                // Point an existing data-file key elsewhere, or add one.
                let target = self.pick(DATA_TARGETS);
                let at = (0..lines.len()).find(|&i| {
                    let l = lines[i].trim_start();
                    l.starts_with("observed") || l.starts_with("file")
                });
                match at {
                    Some(i) if self.chance(0.7) => {
                        let key = lines[i]
                            .trim_start()
                            .split([' ', '='])
                            .next()
                            .unwrap_or("file")
                            .to_string();
                        self.log.push(format!("line {}: {key} = {target:?}", i + 1));
                        lines[i] = format!("{key} = {target:?}");
                        lines.join("\n")
                    }
                    _ => {
                        self.log.push(format!("[world.nk] observed = {target:?}"));
                        format!("{text}\n[world.nk]\nobserved = {target:?}\n")
                    }
                }
            }
            1 => {
                let target = self.pick(DATA_TARGETS);
                let (_, addrs) = EVENT_KEYS.iter().find(|(k, _)| *k == "address").unwrap();
                let address = addrs[self.below(addrs.len())];
                let body = if self.chance(0.5) {
                    format!("file = {target:?}")
                } else {
                    let (m1, m2) = (month(self), month(self));
                    let v = if self.chance(0.7) {
                        "0.3".to_string()
                    } else {
                        self.hostile_value()
                    };
                    format!("points = [[{m1}, {v}], [{m2}, 0.2]]")
                };
                let interp = [
                    "",
                    "interpolation = \"linear\"\n",
                    "interpolation = \"cubic\"\n",
                ][self.below(3)];
                self.log.push(format!("[[series]] {address} {body}"));
                format!("{text}\n[[series]]\naddress = {address}\n{body}\n{interp}")
            }
            2 | 3 => {
                let kind = self.pick(EVENT_KINDS);
                let mut e = format!("\n[[events]]\nmonth = {}\nkind = \"{kind}\"\n", month(self));
                let n = self.below(5);
                for _ in 0..n {
                    let (k, vals) = EVENT_KEYS[self.below(EVENT_KEYS.len())];
                    let v = if self.chance(0.8) {
                        vals[self.below(vals.len())].to_string()
                    } else {
                        self.hostile_value()
                    };
                    if !e.contains(&format!("\n{k} =")) {
                        writeln!(e, "{k} = {v}").unwrap();
                    }
                }
                self.log.push(format!("event {}", e.replace('\n', " ")));
                format!("{text}{e}")
            }
            _ => {
                let body = match self.below(4) {
                    0 => format!("record_months = [{}, {}]", month(self), month(self)),
                    1 => [
                        "record_months = \"monthly\"",
                        "record_months = \"weekly\"",
                        "record_months = []",
                    ][self.below(3)]
                    .to_string(),
                    2 => format!("quantiles = [{}, 0.5]", self.hostile_value()),
                    _ => {
                        let c = [
                            "rung.intelligence >= 2",
                            "f_kr > 0.4 and ci < 2",
                            "rung.nope >= 1",
                            "camp_kr == 1",
                            "ci >",
                            "",
                        ][self.below(6)];
                        format!("[[output.transitions]]\nname = \"t\"\ncondition = {c:?}")
                    }
                };
                self.log.push(format!("[output] {body}"));
                if body.starts_with("[[") {
                    format!("{text}\n{body}\n")
                } else {
                    format!("{text}\n[output]\n{body}\n")
                }
            }
        }
    }
}

/// Byte ranges of number-like values (after `=`, `,`, `[` or `{`).
fn number_spans(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if matches!(b[i], b'=' | b',' | b'[' | b'{') {
            let mut a = i + 1;
            while a < b.len() && b[a] == b' ' {
                a += 1;
            }
            let mut e = a;
            while e < b.len() && (b[e].is_ascii_alphanumeric() || b"_.+-:".contains(&b[e])) {
                e += 1;
            }
            let tok = &text[a..e];
            let numeric = tok
                .trim_start_matches(['+', '-'])
                .starts_with(|c: char| c.is_ascii_digit())
                || matches!(tok, "nan" | "inf" | "true" | "false");
            if e > a && numeric {
                out.push((a, e));
            }
            i = e.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// Byte ranges of basic strings `"..."` on one line (outside comments), quotes included.
fn string_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let code = line.split('#').next().unwrap_or("");
        let mut open: Option<usize> = None;
        for (i, c) in code.char_indices() {
            if c == '"' {
                match open {
                    None => open = Some(i),
                    Some(a) => {
                        out.push((offset + a, offset + i + 1));
                        open = None;
                    }
                }
            }
        }
        offset += line.len();
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

/// Whether `text` is valid TOML (then every problem must have a line and column).
fn is_toml(text: &str) -> bool {
    text.parse::<toml_edit::DocumentMut>().is_ok() && toml::from_str::<toml::Table>(text).is_ok()
}

/// Checks a rejection; returns what is wrong with it.
fn check_error(text: Option<&str>, e: &ScenarioError) -> Result<(), String> {
    if e.diagnostics.is_empty() {
        return Err("an error without diagnostics".into());
    }
    let shown = e.to_string();
    if shown.len() > MAX_MESSAGE_BYTES {
        return Err(format!(
            "the message is {} bytes long; it starts: {}",
            shown.len(),
            preview(&shown, 600)
        ));
    }
    if !shown.contains(FILE) || !shown.starts_with("error: ") {
        return Err(format!("the message does not name `{FILE}`:\n{shown}"));
    }
    let valid_toml = text.is_some_and(is_toml);
    for (i, d) in e.diagnostics.iter().enumerate() {
        if d.message.trim().is_empty() || d.file.trim().is_empty() {
            return Err(format!("diagnostic {i} without message or file: {d:?}"));
        }
        let needs_location = valid_toml || i == 0;
        // The note that stops the error count has no location of its own.
        let exempt = d.message.starts_with("stopped after");
        if needs_location && !exempt {
            let (Some(l), Some(c)) = (d.line, d.column) else {
                return Err(format!("diagnostic {i} has no line and column:\n{d}"));
            };
            if !shown.contains(&format!("{}:{l}:{c}", d.file)) {
                return Err(format!("diagnostic {i}'s location is not shown:\n{shown}"));
            }
        }
    }
    Ok(())
}

/// Every numeric parameter with its address, value and bound.
fn params(s: &Scenario) -> Vec<(String, Param, Bound)> {
    let mut out = Vec::new();
    let mut copy = s.clone();
    copy.visit_params(&mut ParamVisitor::new(&mut |addr, p, bound| {
        out.push((addr.to_string(), p.clone(), bound));
    }));
    out
}

/// Checks an accepted scenario (not the engine run); returns what is wrong with it.
/// `base`: the folder the scenario's relative data files were read from.
fn check_accepted(s: &Scenario, base: &Path) -> Result<(), String> {
    let problems = validate(s);
    if !problems.is_empty() {
        let list: Vec<String> = problems.iter().map(ToString::to_string).collect();
        return Err(format!("accepted with problems: {}", list.join("; ")));
    }
    let all = params(s);
    if all.len() < 50 {
        return Err(format!("only {} parameters visited", all.len()));
    }
    for (addr, p, bound) in &all {
        if let Err(e) = p.check(*bound) {
            return Err(format!("accepted `{addr}` = {p:?}: {e}"));
        }
        if let Param::Fixed(x) = p {
            if !x.is_finite() {
                return Err(format!("accepted `{addr}` = {x}"));
            }
        }
    }
    let m = &s.scenario;
    if !m.target_ci.is_finite() || m.score.values().any(|w| !w.is_finite()) {
        return Err(format!(
            "accepted a non-finite target_ci or score: {} {:?}",
            m.target_ci, m.score
        ));
    }
    if let Some(sw) = &s.sweep {
        for (k, p) in &sw.parameters {
            let xs: Vec<f64> = p
                .values
                .clone()
                .unwrap_or_default()
                .into_iter()
                .chain(p.range.iter().flat_map(|r| [r.low, r.high]))
                .collect();
            if xs.iter().any(|x| !x.is_finite()) {
                return Err(format!("accepted sweep parameter `{k}` = {p:?}"));
            }
        }
    }
    // What reaches the model: the draws of each replication.
    for r in 0..3 {
        let drawn = sample(s, m.seed, r);
        for (addr, p, bound) in params(&drawn) {
            match p {
                Param::Fixed(x) if bound.contains(x) => {}
                _ => {
                    let written = all.iter().find(|(a, _, _)| *a == addr).map(|x| &x.1);
                    return Err(format!(
                        "replication {r} draws `{addr}` = {p:?} (outside {}) from {written:?}",
                        bound.describe()
                    ));
                }
            }
        }
    }
    let text = to_toml(s);
    match load_str_with_base(&text, "roundtrip.toml", base) {
        Ok(back) if back == *s => Ok(()),
        Ok(_) => Err(format!(
            "`to_toml` does not load back equal:\n{}",
            preview(&text, 2000)
        )),
        Err(e) => Err(format!("`to_toml` does not load back: {e}")),
    }
}

/// One replication of 12 months (at most) of every path; returns what went wrong.
fn check_run(s: &Scenario) -> Result<(), String> {
    let mut short = s.clone();
    let horizon = short.scenario.horizon_months.min(12);
    short.scenario.horizon_months = horizon;
    let (start, end) = (
        short.scenario.start,
        short.scenario.start.plus(horizon as i64),
    );
    short.events.retain(|e| e.month >= start && e.month < end);
    short
        .events
        .retain(|e| e.resolves.is_none_or(|m| m < end) && e.end.is_none_or(|m| m < end));
    if let Some(RecordMonths::List(months)) = &mut short.output.record_months {
        months.retain(|m| *m >= start && *m < end);
    }
    let plan = RunPlan::new(
        &short,
        &Overrides {
            replications: Some(1),
            seed: None,
            threads: Some(1),
            paths: Some(short.paths.keys().cloned().collect()),
        },
    )
    .map_err(|e| format!("no run plan for an accepted scenario: {e:#}"))?;
    let res = catch_unwind(AssertUnwindSafe(|| engine::run(&short, &plan, None, None)))
        .map_err(|p| format!("the engine panicked: {}", panic_message(&p)))?
        .map_err(|e| format!("the engine failed: {e:#}"))?;
    for (pi, per_path) in res.outcomes.iter().enumerate() {
        for (oi, o) in per_path.iter().enumerate() {
            let key = &res.layout.outcomes[oi].key;
            if o.mean.is_infinite() || (o.n > 0 && !o.mean.is_finite()) {
                return Err(format!("path {pi}: outcome `{key}` = {}", o.mean));
            }
        }
    }
    for (pi, months) in res.series.iter().enumerate() {
        for (t, metrics) in months.iter().enumerate() {
            for (mi, x) in metrics.iter().enumerate() {
                if !x.mean.is_finite() || x.quantiles.iter().any(|q| !q.is_finite()) {
                    let key = &res.layout.metrics[mi].key;
                    return Err(format!("path {pi}, month {t}: metric `{key}` = {x:?}"));
                }
            }
        }
    }
    Ok(())
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

fn preview(s: &str, n: usize) -> String {
    if s.len() <= n {
        return s.to_string();
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes in all)", &s[..end], s.len())
}

fn env_num<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

// ---------------------------------------------------------------------------------------------
// The fuzz loop
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct Tally {
    cases: u64,
    accepted: u64,
    rejected: u64,
    engine_runs: usize,
    by_kind: [[u64; 2]; 4],
    /// (time, case, how it was made)
    slowest: (Duration, u64, String),
}

const KINDS: [&str; 4] = [
    "random bytes",
    "token soup",
    "mutated scenario",
    "raw bytes file",
];

/// Runs case `case`; returns what is wrong, with the input, if anything.
fn run_case(
    fx: &Fixture,
    seed: u64,
    case: u64,
    tally: &mut Tally,
) -> Result<String, (String, String)> {
    // A scenario extending `fuzz.toml` extends a copy of itself written by this case only.
    for dir in [fx.root.clone(), fx.root.join("experiments")] {
        let _ = std::fs::remove_file(dir.join(FILE));
    }
    let mut g = Gen {
        rng: keyed_stream(seed, case, 0xf022),
        fx,
        log: Vec::new(),
    };
    // 1 in 10 random bytes (1 in 40 of them through a file), 2 in 10 token soup, the rest
    // mutated scenarios.
    let kind = match case % 10 {
        0 if case.is_multiple_of(40) => 3,
        0 => 0,
        1 | 5 => 1,
        _ => 2,
    };
    let (text, base, origin) = match kind {
        0 | 3 => {
            let bytes = g.random_bytes();
            if kind == 3 {
                let path = fx.root.join("raw").join(FILE);
                std::fs::write(&path, &bytes).unwrap();
                let r = catch_unwind(|| load_file(&path));
                let shown = String::from_utf8_lossy(&bytes).into_owned();
                let text = std::str::from_utf8(&bytes).ok();
                let origin = "raw bytes file".to_string();
                let folder = fx.root.join("raw");
                return judge(text, &folder, &shown, origin.clone(), r, kind, tally)
                    .map(|()| origin);
            }
            (
                String::from_utf8_lossy(&bytes).into_owned(),
                fx.root.clone(),
                "random bytes".to_string(),
            )
        }
        1 => (g.token_soup(), fx.root.clone(), "token soup".into()),
        _ => {
            let (t, dir, name) = g.mutated(case);
            (t, dir, format!("{name}: {}", g.log.join("; ")))
        }
    };
    let r = catch_unwind(|| load_str_with_base(&text, FILE, &base));
    judge(Some(&text), &base, &text, origin.clone(), r, kind, tally).map(|()| origin)
}

/// Checks the loader's answer `r` for `text` (`None`: not UTF-8; `shown` is reported).
fn judge(
    text: Option<&str>,
    base: &Path,
    shown: &str,
    origin: String,
    r: std::thread::Result<Result<Scenario, ScenarioError>>,
    kind: usize,
    tally: &mut Tally,
) -> Result<(), (String, String)> {
    let fail = |what: String| Err((format!("{origin}\n{what}"), shown.to_string()));
    let loaded = match r {
        Ok(x) => x,
        Err(p) => return fail(format!("the loader panicked: {}", panic_message(&p))),
    };
    match loaded {
        Err(e) => {
            tally.rejected += 1;
            tally.by_kind[kind][1] += 1;
            if let Err(what) = check_error(text, &e) {
                return fail(what);
            }
        }
        Ok(s) => {
            tally.accepted += 1;
            tally.by_kind[kind][0] += 1;
            match catch_unwind(AssertUnwindSafe(|| check_accepted(&s, base))) {
                Ok(Ok(())) => {}
                Ok(Err(what)) => return fail(what),
                Err(p) => return fail(format!("checking panicked: {}", panic_message(&p))),
            }
            if tally.engine_runs < MAX_ENGINE_RUNS {
                tally.engine_runs += 1;
                if let Err(what) = check_run(&s) {
                    return fail(what);
                }
            }
        }
    }
    Ok(())
}

#[test]
fn fuzz_the_scenario_loader() {
    let seed = env_num("TRISIM_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let max_cases = env_num("TRISIM_FUZZ_CASES").unwrap_or(DEFAULT_CASES);
    let seconds: f64 = env_num("TRISIM_FUZZ_SECONDS").unwrap_or(DEFAULT_SECONDS);
    let only: Option<u64> = env_num("TRISIM_FUZZ_ONLY");
    let budget = Duration::from_secs_f64(seconds.max(0.0));
    let fx = fixture();
    let started = Instant::now();
    let mut tally = Tally::default();
    let cases: Box<dyn Iterator<Item = u64>> = match only {
        Some(c) => Box::new(std::iter::once(c)),
        None => Box::new(0..max_cases),
    };
    for case in cases {
        if case >= MIN_CASES && started.elapsed() >= budget {
            break;
        }
        let t0 = Instant::now();
        let result = run_case(&fx, seed, case, &mut tally);
        tally.cases += 1;
        let took = t0.elapsed();
        if let Ok(origin) = &result {
            if took > tally.slowest.0 {
                tally.slowest = (took, case, origin.clone());
            }
        }
        if let Err((what, input)) = result {
            let path = std::env::temp_dir().join(format!("trisim-fuzz-{seed:x}-{case}.toml"));
            let _ = std::fs::write(&path, &input);
            panic!(
                "fuzz case {case} (seed {seed:#x}; re-run with TRISIM_FUZZ_ONLY={case}) failed: {what}\n\
                 input written to {}; it starts:\n{}",
                path.display(),
                preview(&input, 3000)
            );
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "fuzz_loader: {} cases in {elapsed:.1} s ({:.0} cases/s), seed {seed:#x}: {} accepted, {} rejected, {} engine runs; slowest case {} ({:.0} ms: {})",
        tally.cases,
        tally.cases as f64 / elapsed.max(1e-9),
        tally.accepted,
        tally.rejected,
        tally.engine_runs,
        tally.slowest.1,
        tally.slowest.0.as_secs_f64() * 1e3,
        preview(&tally.slowest.2, 300),
    );
    for (k, [a, r]) in KINDS.iter().zip(tally.by_kind) {
        println!("  {k}: {a} accepted, {r} rejected");
    }
    if only.is_none() && tally.cases >= MIN_CASES {
        // The generator must reach both sides of the loader, or the test proves little.
        assert!(
            tally.accepted * 20 >= tally.cases,
            "only {} of {} cases accepted",
            tally.accepted,
            tally.cases
        );
        assert!(
            tally.rejected * 5 >= tally.cases,
            "only {} of {} cases rejected",
            tally.rejected,
            tally.cases
        );
        assert!(tally.engine_runs >= 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Regressions: what the fuzzer found, minimised
// ---------------------------------------------------------------------------------------------

/// Runs `f` on another thread and fails if it takes more than `secs` (a hang is a failure,
/// not a stuck test run).
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(Duration::from_secs(secs))
        .unwrap_or_else(|e| panic!("still running after {secs} s ({e})"))
}

/// The only diagnostic of `text` loaded in `dir`, as `(message, line, column)`.
fn single_error(text: &str, dir: &Path) -> (String, Option<usize>, Option<usize>) {
    let e = load_str_with_base(text, FILE, dir).unwrap_err();
    assert_eq!(e.len(), 1, "{e}");
    check_error(Some(text), &e).unwrap_or_else(|w| panic!("{w}"));
    let d = &e.diagnostics[0];
    (d.message.clone(), d.line, d.column)
}

/// `extends` naming a device read forever (`/dev/zero`: it filled the memory), a named pipe
/// (the read blocked forever), a folder or a huge file: each is a clear error at `extends`.
#[test]
fn extends_of_a_device_pipe_folder_or_huge_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_path_buf();
    std::fs::create_dir(d.join("folder.toml")).unwrap();
    let huge = std::fs::File::create(d.join("huge.toml")).unwrap();
    huge.set_len(load::MAX_FILE_BYTES + 1).unwrap(); // sparse: no disk used
    let mut cases = vec![
        ("folder.toml", "it is a folder, not a file"),
        ("huge.toml", "larger than 16 MB"),
    ];
    if Path::new("/dev/zero").exists() {
        cases.push(("/dev/zero", "not a regular file"));
    }
    make_fifo(&d.join("fifo.toml"));
    if d.join("fifo.toml").exists() {
        cases.push(("fifo.toml", "not a regular file"));
    }
    for (target, words) in cases {
        let text = format!("extends = {target:?}\n[scenario]\nname = \"x\"\n");
        let dir = d.clone();
        let (msg, line, col) = within(20, move || single_error(&text, &dir));
        assert!(msg.contains("which this scenario extends"), "{msg}");
        assert!(msg.contains(words), "{target}: {msg}");
        assert_eq!((line, col), (Some(1), Some(11)), "{msg}");
    }
    // The scenario file itself, too.
    let e = load_file(&d.join("folder.toml")).unwrap_err();
    assert!(e.to_string().contains("it is a folder, not a file"), "{e}");
}

/// Thousands of bad values: the message was megabytes long (every problem, each with its
/// source line) and took seconds (each problem read the file up to its line, and duplicate
/// values were found by comparing every pair). Now: the first 50 in file order, and a count.
#[test]
fn thousands_of_problems_give_the_first_fifty_and_a_count() {
    let values = vec!["256"; 20_000].join(", ");
    let text = format!(
        "[scenario]\nhorizon_months = 0\n[sweep.parameters]\n\"actors.seoul.favourability\" = {{ values = [{values}] }}\n"
    );
    let e = within(60, move || {
        load_str_with_base(&text, FILE, Path::new("/nonexistent")).unwrap_err()
    });
    assert_eq!(e.len(), 51, "{}", preview(&e.to_string(), 3000));
    // File order: the horizon (line 2) first, then the values from the first one.
    assert_eq!(
        e.diagnostics[0].key.as_deref(),
        Some("scenario.horizon_months")
    );
    let key = "sweep.parameters.\"actors.seoul.favourability\".values[0]";
    assert_eq!(e.diagnostics[1].key.as_deref(), Some(key));
    assert_eq!(e.diagnostics[1].line, Some(4));
    let last = &e.diagnostics[50];
    assert_eq!(
        last.message,
        "stopped after 50 errors (40000 found); fix these and load the file again"
    );
    assert!(
        e.to_string().len() < 60_000,
        "{} bytes",
        e.to_string().len()
    );
}

/// A name of 100,000 characters was echoed whole (in the message and the key) by every
/// problem about it: a 1 MB message. Now long texts keep their beginning and end.
#[test]
fn long_names_are_cut_in_messages() {
    let long = "/".repeat(100_000);
    let text = format!("[paths.\"{long}\"]\nlegislate = -1\n");
    let e = load_str(&text, FILE).unwrap_err();
    check_error(Some(&text), &e).unwrap_or_else(|w| panic!("{w}"));
    let shown = e.to_string();
    assert!(shown.len() < 10_000, "{} bytes", shown.len());
    assert!(shown.contains("characters left out"), "{shown}");
    let d = &e.diagnostics[0];
    assert!(
        d.message.starts_with("invalid path name \"///"),
        "{}",
        d.message
    );
    assert!(
        d.message.ends_with("use letters, digits, `_` and `-`"),
        "{}",
        d.message
    );
    for d in &e.diagnostics {
        let key = d.key.as_deref().unwrap_or("");
        assert!(key.chars().count() <= 1100 && d.message.chars().count() <= 1100);
    }
}

/// A mistyped name of a million characters took 30 s: the did-you-mean search computed an
/// edit distance (time and memory n × m) against every valid name, although names of such
/// different lengths can never be close.
#[test]
fn a_huge_unknown_name_gets_its_error_quickly() {
    let long = "x.y".repeat(300_000);
    let text = format!("[sweep]\ndesign = \"lhs\"\n[sweep.parameters]\n\"{long}\" = {{ range = {{ low = 0, high = 1 }} }}\n");
    let t0 = Instant::now();
    let e = within(60, move || load_str(&text, FILE).unwrap_err());
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
    assert!(
        e.diagnostics[0]
            .message
            .contains("unknown parameter address"),
        "{e}"
    );
    // Suggestions are unchanged for names of ordinary length, and still found by containment.
    use trisim::scenario::validate::nearest as near;
    assert_eq!(
        near("favourabilty", ["favourability", "approval"]),
        Some("favourability")
    );
    assert_eq!(
        near("trust", ["relations.trust_kr_jp_long_name"]),
        Some("relations.trust_kr_jp_long_name")
    );
    assert_eq!(
        near(&"q".repeat(5_000), ["favourability", "approval"]),
        None
    );
}

/// Distributions with finite parameters whose draws overflow were accepted, and put ∞ or NaN
/// into the model: a lognormal's `exp` (found by the fuzzer: `chi = { dist = "lognormal",
/// mu = 1e200, sigma = 0.5 }` drew `chi = inf`), a beta with alpha + beta = ∞ (NaN), a
/// triangular or normal too wide to draw from. Each is now rejected where it is written.
#[test]
fn distributions_whose_draws_overflow_are_rejected() {
    let cases = [
        (
            "[tracks.institutions]\nchi = { dist = \"lognormal\", mu = 1e200, sigma = 0.5 }\n",
            "tracks.institutions.chi",
            "overflows to infinity",
        ),
        (
            "[actors.seoul]\napproval = { dist = \"beta\", alpha = 1e308, beta = 1e308 }\n",
            "actors.seoul.approval",
            "alpha + beta overflows",
        ),
        (
            "[tracks.summitry]\nsigma = { dist = \"triangular\", min = 0, mode = 1e200, max = 1e200 }\n",
            "tracks.summitry.sigma",
            "too wide to draw from",
        ),
        (
            "[tracks.summitry.prior]\nconservative = { dist = \"triangular\", min = -1e308, mode = 0, max = 1e308 }\n",
            "tracks.summitry.prior.conservative",
            "too wide to draw from",
        ),
        (
            "[tracks.summitry.prior]\nconservative = { dist = \"normal\", mean = 1e308, sd = 1e308 }\n",
            "tracks.summitry.prior.conservative",
            "|mean| + 9 sd overflows",
        ),
        (
            "[tracks.summitry]\nb = { dist = \"lognormal\", mu = 0, sigma = 1e308 }\n",
            "tracks.summitry.b",
            "mu + 9 sigma must be at most 709",
        ),
    ];
    for (text, key, words) in cases {
        let e = load_str(text, FILE).unwrap_err();
        assert_eq!(e.len(), 1, "{e}");
        let d = &e.diagnostics[0];
        assert_eq!(d.key.as_deref(), Some(key), "{e}");
        assert_eq!(d.line, Some(2), "{e}");
        assert!(d.message.contains(words), "{e}");
    }
    // Just inside the limits: accepted, and every draw is finite and in range.
    let s = load_str(
        "[tracks.summitry]\nb = { dist = \"lognormal\", mu = 700, sigma = 1 }\n\
         [actors.seoul]\napproval = { dist = \"beta\", alpha = 1e300, beta = 1e300 }\n",
        FILE,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    check_accepted(&s, Path::new(".")).unwrap_or_else(|w| panic!("{w}"));
}
