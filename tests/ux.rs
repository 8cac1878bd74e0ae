//! The terminal side of the command line: the progress bar (visible only on a terminal, driven
//! here through a pseudo-terminal with util-linux's `script`), `--quiet`, shell completions
//! and the manual pages.

#[path = "common/skip.rs"]
mod skip;

use assert_cmd::Command;
use predicates::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;

const TINY: &str = r#"
[scenario]
name = "tiny"
horizon_months = 30
replications = 60
seed = 5
paths = ["gradual", "hasty"]
"#;

fn trisim() -> Command {
    Command::cargo_bin("trisim").unwrap()
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("trisim")
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("tiny.toml");
    fs::write(&f, TINY).unwrap();
    (tmp, f)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/experiments")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Runs `trisim ARGS`, asserts success, returns (stdout, stderr).
fn ok(args: &[&str]) -> (String, String) {
    let out = trisim().args(args).assert().success().get_output().clone();
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn assert_no_terminal_codes(stderr: &str) {
    assert!(
        !stderr.contains('\r') && !stderr.contains('\x1b'),
        "terminal control characters on a non-terminal stderr: {stderr:?}"
    );
    assert!(!stderr.contains("replications  "), "{stderr}");
}

// ---------------------------------------------------------------------------------------------
// Progress on a non-terminal stderr, and --quiet

#[test]
fn no_bar_when_stderr_is_not_a_terminal() {
    let (tmp, f) = setup();
    let out = tmp.path().join("out");
    let (stdout, stderr) = ok(&["run", s(&f), "-n", "600", "--out", s(&out)]);
    assert_no_terminal_codes(&stderr);
    assert!(
        stdout.contains("Per path, over the simulated worlds"),
        "{stdout}"
    );
    assert!(stdout.contains("Results written to"), "{stdout}");

    let sweep = tmp.path().join("sweep");
    let (stdout, stderr) = ok(&["sweep", &fixture("fast-lhs.toml"), "--out", s(&sweep)]);
    assert_no_terminal_codes(&stderr);
    // The note about the design is still there without --quiet.
    assert!(stderr.contains("sweep: lhs design"), "{stderr}");
    assert!(stdout.contains("Results written to"), "{stdout}");
}

#[test]
fn quiet_prints_only_the_results_path() {
    let (tmp, f) = setup();
    // runs.csv over the default limit (51,000 × 2 rows): a note without --quiet, nothing
    // with it.
    let noted = tmp.path().join("noted");
    let (_, stderr) = ok(&["run", s(&f), "-n", "51000", "--out", s(&noted)]);
    assert!(stderr.contains("note: runs.csv not written"), "{stderr}");
    let out = tmp.path().join("out");
    let (stdout, stderr) = ok(&["run", s(&f), "-n", "51000", "-q", "--out", s(&out)]);
    assert_eq!(stdout, format!("{}\n", out.display()));
    assert_eq!(stderr, "");
    assert!(out.join("summary.json").is_file());

    // --precision: its closing message is a note too.
    let prec = tmp.path().join("prec");
    let (stdout, stderr) = ok(&[
        "run",
        s(&f),
        "--quiet",
        "--precision",
        "1.0",
        "--out",
        s(&prec),
    ]);
    assert_eq!(stdout, format!("{}\n", prec.display()));
    assert_eq!(stderr, "");

    // Without --out, the new folder's path: usable as DIR=$(trisim run … -q).
    let out = trisim()
        .current_dir(tmp.path())
        .args(["run", s(&f), "-q"])
        .assert()
        .success()
        .get_output()
        .clone();
    let path = String::from_utf8(out.stdout).unwrap();
    let path = path.trim_end();
    assert!(path.starts_with("results/tiny/"), "{path}");
    assert!(tmp.path().join(path).join("manifest.json").is_file());
    assert!(out.stderr.is_empty());
}

#[test]
fn quiet_sweep_discover_and_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let sweep = tmp.path().join("sweep");
    let (stdout, stderr) = ok(&["sweep", &fixture("fast-lhs.toml"), "-q", "--out", s(&sweep)]);
    assert_eq!(stdout, format!("{}\n", sweep.display()));
    assert_eq!(stderr, "");

    let disc = tmp.path().join("disc");
    let (stdout, stderr) = ok(&[
        "discover",
        s(&sweep),
        "--when",
        "hasty.final_ci > gradual.final_ci",
        "-q",
        "--out",
        s(&disc),
    ]);
    assert_eq!(stdout, format!("{}\n", disc.display()));
    assert_eq!(stderr, "");

    let (_t, f) = setup();
    let mut shards = Vec::new();
    for i in 0..2 {
        let dir = tmp.path().join(format!("shard{i}"));
        let (stdout, stderr) = ok(&[
            "run",
            s(&f),
            "--shard",
            &format!("{i}/2"),
            "-n",
            "600",
            "-q",
            "--out",
            s(&dir),
        ]);
        assert_eq!(stdout, format!("{}\n", dir.display()));
        assert_eq!(stderr, "");
        shards.push(dir);
    }
    let merged = tmp.path().join("merged");
    let (stdout, stderr) = ok(&[
        "merge",
        s(&shards[0]),
        s(&shards[1]),
        "-q",
        "--out",
        s(&merged),
    ]);
    assert_eq!(stdout, format!("{}\n", merged.display()));
    assert_eq!(stderr, "");
}

#[test]
fn quiet_sensitivity() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("sens");
    let (stdout, stderr) = ok(&[
        "sensitivity",
        &fixture("fast.toml"),
        "--samples",
        "4",
        "-n",
        "10",
        "--bootstrap",
        "100",
        "--param",
        "actors.seoul.favourability=0.1..0.5",
        "--param",
        "relations.trust_kr_jp=0.2..0.6",
        "-q",
        "--out",
        s(&out),
    ]);
    assert_eq!(stdout, format!("{}\n", out.display()));
    assert_eq!(stderr, "");
}

#[test]
fn quiet_still_prints_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing.toml");
    trisim()
        .args(["run", s(&missing), "-q"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("cannot read the scenario file"));
}

#[test]
fn quiet_validate_prints_only_errors_and_quiet_report_only_the_path() {
    let (tmp, f) = setup();
    let (out, err) = ok(&["validate", s(&f), "-q"]);
    assert_eq!((out.as_str(), err.as_str()), ("", ""));
    let (out, _) = ok(&["validate", s(&f)]);
    assert!(out.starts_with("ok: "), "{out}");
    let bad = tmp.path().join("bad.toml");
    fs::write(&bad, "[scenario]\nhorizon_months = \"x\"\n").unwrap();
    trisim()
        .args(["validate", s(&f), s(&bad), "-q"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("horizon_months").and(predicate::str::contains("1 of 2")));

    let dir = tmp.path().join("out");
    ok(&["run", s(&f), "-n", "20", "-q", "--out", s(&dir)]);
    let (out, err) = ok(&["report", s(&dir), "-q"]);
    assert_eq!(out.trim(), s(&dir.join("report.html")));
    assert_eq!(err, "");
}

// ---------------------------------------------------------------------------------------------
// The bar on a terminal (a pseudo-terminal made by `script`, from util-linux, which Debian
// always installs: package bsdutils is essential)

/// Runs `trisim ARGS` with a pseudo-terminal `cols` columns wide as stdin, stdout and stderr;
/// returns everything written to it (the bar's escape codes included). The terminal type is
/// named (the test provides the terminal), so the caller's TERM (unset, `dumb`…) does not
/// matter.
fn on_terminal(dir: &Path, cols: u16, args: &[&str]) -> String {
    let quote = |a: &str| format!("'{}'", a.replace('\'', r"'\''"));
    let cmd = std::iter::once(bin().to_string_lossy().into_owned())
        .chain(args.iter().map(|a| a.to_string()))
        .map(|a| quote(&a))
        .collect::<Vec<_>>()
        .join(" ");
    let out = std::process::Command::new("script")
        .args([
            "-qfec",
            &format!("stty rows 24 cols {cols}; {cmd}"),
            "/dev/null",
        ])
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .env_remove("LINES")
        .env("TERM", "xterm-256color")
        .stdin(Stdio::null())
        .output()
        .expect("util-linux `script` runs (Debian package bsdutils)");
    assert!(
        out.status.success(),
        "{:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The lines the bar drew (text between carriage returns and line feeds, escape sequences
/// removed, starting with `LABEL [`).
fn bar_lines(text: &str, label: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // CSI: ESC [ parameters… final byte (a letter).
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        plain.push(c);
    }
    let start = format!("{label} [");
    let lines: Vec<String> = plain
        .split(['\r', '\n'])
        .filter(|l| l.starts_with(&start))
        .map(String::from)
        .collect();
    assert!(!lines.is_empty(), "no bar drawn: {text:?}");
    lines
}

/// Asserts that no line the bar drew is wider than `cols` (it would wrap).
fn assert_fits(text: &str, label: &str, cols: usize) {
    for l in bar_lines(text, label) {
        assert!(
            l.chars().count() <= cols,
            "{} columns > {cols}: {l:?}",
            l.chars().count()
        );
    }
}

#[test]
fn bar_on_a_terminal_shows_count_rate_and_eta_then_clears() {
    let (tmp, f) = setup();
    let text = on_terminal(tmp.path(), 80, &["run", s(&f), "-n", "40000", "--out", "a"]);
    // Drawn: replications done of the total, a rate and an ETA, within 80 columns.
    assert!(text.contains("/40,000 replications"), "{text:?}");
    let rate = regex_like_rate(&text);
    assert!(rate, "no rate like `1,234/s` in {text:?}");
    assert!(text.contains("ETA "), "{text:?}");
    assert_fits(&text, "run", 80);
    // Cleared (the line erased) before the table, which follows on a clean line.
    let table = text
        .find("Per path, over the simulated worlds")
        .expect("the table");
    let last_clear = text[..table].rfind("\x1b[2K").expect("the bar is cleared");
    assert!(
        !text[last_clear..table].contains("replications  "),
        "{text:?}"
    );

    // --quiet: no bar even on a terminal, only the path.
    let text = on_terminal(
        tmp.path(),
        80,
        &["run", s(&f), "-n", "40000", "-q", "--out", "b"],
    );
    assert_eq!(text.trim_end(), "b", "{text:?}");

    // A narrow terminal: the line keeps within it (the count and the ETA stay).
    let text = on_terminal(tmp.path(), 40, &["run", s(&f), "-n", "40000", "--out", "c"]);
    assert_fits(&text, "run", 40);
    assert!(text.contains("/40,000  ETA"), "{text:?}");
}

/// `text` without escape sequences, as lines (a carriage return ends a line).
fn plain_lines(text: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        // A carriage return starts the line over (the bar redraws itself).
        plain.push(if c == '\r' { '\n' } else { c });
    }
    plain
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn summary_fits_the_terminal_names_the_report_and_links_latest() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("six.toml");
    fs::write(
        &f,
        TINY.replace(
            r#"paths = ["gradual", "hasty"]"#,
            r#"paths = ["gradual", "hasty", "hasty_open", "parallel", "history_first", "status_quo"]"#,
        ),
    )
    .unwrap();
    let narrow = plain_lines(&on_terminal(tmp.path(), 80, &["run", s(&f)]));
    let widest = narrow.iter().map(|l| l.chars().count()).max().unwrap();
    assert!(widest <= 80, "a line of {widest} columns: {narrow:#?}");
    // Split into continuation tables rather than wrapped into noise.
    assert!(
        narrow
            .iter()
            .any(|l| l.starts_with("Per path, over the simulated worlds (1/")),
        "{narrow:#?}"
    );
    // One name per concept, censoring and ties marked.
    let all = narrow.join("\n");
    for want in [
        "cooperation",
        "middle 90%",
        "95% interval",
        "never",
        "tied ",
        "better ",
        "counts as 30 months (the horizon)",
    ] {
        assert!(all.contains(want), "no {want:?} in {all}");
    }
    assert!(!all.contains("final CI"), "{all}");
    // The report is named last, and results/<name>/latest points at the run.
    let last = narrow.last().unwrap();
    let report = last
        .strip_prefix("Open the report: ")
        .unwrap_or_else(|| panic!("{last:?}"));
    assert!(report.starts_with("results/tiny/"), "{report}");
    assert!(report.ends_with("/report.html"), "{report}");
    assert!(tmp.path().join(report).is_file());
    let latest = tmp.path().join("results/tiny/latest");
    let run_dir = Path::new(report).parent().unwrap().file_name().unwrap();
    assert_eq!(fs::read_link(&latest).unwrap(), Path::new(run_dir));

    // 200 columns: one table of each kind, using the room.
    let wide = plain_lines(&on_terminal(tmp.path(), 200, &["run", s(&f)]));
    assert!(
        wide.iter()
            .any(|l| l == "Per path, over the simulated worlds"),
        "{wide:#?}"
    );
    let widest = wide.iter().map(|l| l.chars().count()).max().unwrap();
    assert!((100..=200).contains(&widest), "{widest}: {wide:#?}");
    // latest moved to the new run.
    let report2 = wide
        .last()
        .unwrap()
        .strip_prefix("Open the report: ")
        .unwrap();
    assert_ne!(report2, report);
    let run_dir2 = Path::new(report2).parent().unwrap().file_name().unwrap();
    assert_eq!(fs::read_link(&latest).unwrap(), Path::new(run_dir2));
}

#[test]
fn bar_of_a_sweep_counts_points_and_an_adaptive_run_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let sweep = |cols: u16, out: &str| {
        on_terminal(
            tmp.path(),
            cols,
            &[
                "sweep",
                &fixture("fast-lhs.toml"),
                "-n",
                "200",
                "--out",
                out,
            ],
        )
    };
    let text = sweep(80, "sw");
    assert!(text.contains("/40 points · "), "{text:?}");
    assert!(text.contains("/8,000 replications"), "{text:?}");
    assert_fits(&text, "sweep", 80);
    // Narrower: the points stay, the replications give way.
    let text = sweep(40, "sw40");
    assert_fits(&text, "sweep", 40);
    assert!(text.contains("/40 points"), "{text:?}");
    assert!(!text.contains("/8,000 replications"), "{text:?}");

    let (_t, f) = setup();
    let adaptive = |cols: u16, out: &str| {
        on_terminal(
            tmp.path(),
            cols,
            &[
                "run",
                s(&f),
                "--precision",
                "0.01",
                "-n",
                "256",
                "--max-replications",
                "4096",
                "--out",
                out,
            ],
        )
    };
    // A wide terminal has room for everything …
    let text = adaptive(160, "p160");
    assert!(
        text.contains("(adaptive precision: batch 1, at most 4,096)"),
        "{text:?}"
    );
    assert_fits(&text, "run", 160);
    // … 80 columns for the short form.
    let text = adaptive(80, "p80");
    assert!(text.contains("(adaptive: batch 1)"), "{text:?}");
    assert!(!text.contains("at most 4,096"), "{text:?}");
    assert_fits(&text, "run", 80);
}

/// Whether `text` holds a rate such as `812/s` or `12,345/s`.
fn regex_like_rate(text: &str) -> bool {
    text.match_indices("/s").any(|(i, _)| {
        let before: String = text[..i]
            .chars()
            .rev()
            .take_while(|c| c.is_ascii_digit() || *c == ',')
            .collect();
        before.chars().any(|c| c.is_ascii_digit())
    })
}

// ---------------------------------------------------------------------------------------------
// Completions and manual pages

/// The subcommands, as `trisim --help` lists them (so commands added later are covered).
fn subcommands() -> Vec<String> {
    let (help, _) = ok(&["--help"]);
    let list = help
        .split("Commands:\n")
        .nth(1)
        .expect("a Commands: section");
    let names: Vec<String> = list
        .lines()
        .take_while(|l| !l.trim().is_empty())
        // A command's line starts with two spaces; wrapped descriptions are indented more.
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(String::from))
        .filter(|n| n != "help")
        .collect();
    for expected in ["run", "sweep", "merge", "completions", "man"] {
        assert!(names.iter().any(|n| n == expected), "{names:?}");
    }
    names
}

fn have(tool: &str) -> bool {
    std::process::Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn completion_scripts_name_every_command_and_parse() {
    let subs = subcommands();
    let tmp = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (script, _) = ok(&["completions", shell]);
        assert!(script.len() > 1000, "{shell}: {script}");
        for sub in &subs {
            assert!(
                script.contains(sub.as_str()),
                "{shell} script lacks `{sub}`"
            );
        }
        // Options and their values complete too.
        assert!(script.contains("--replications"), "{shell}");
        assert!(script.contains("sobol"), "{shell}");
        let file = tmp.path().join(format!("trisim.{shell}"));
        fs::write(&file, &script).unwrap();
        // Syntax check with the shell itself where it is installed (bash always is).
        let check: Option<(&str, Vec<&str>)> = match shell {
            "bash" => Some(("bash", vec!["-n"])),
            "zsh" => Some(("zsh", vec!["-n"])),
            "fish" => Some(("fish", vec!["--no-execute"])),
            _ => None,
        };
        if let Some((sh, args)) = check {
            if sh != "bash" && !have(sh) {
                assert!(
                    std::env::var("TRISIM_SHELLS_TEST").as_deref() != Ok("require"),
                    "TRISIM_SHELLS_TEST=require but {sh} is not installed"
                );
                skip::skipped(
                    "ux::completion_scripts_name_every_command_and_parse",
                    &format!("{sh} is not installed: its completion script is not syntax-checked"),
                );
                continue;
            }
            let st = std::process::Command::new(sh)
                .args(&args)
                .arg(&file)
                .output()
                .unwrap();
            assert!(
                st.status.success(),
                "{sh}: {}",
                String::from_utf8_lossy(&st.stderr)
            );
        }
    }
    // The bash script registers the completion for `trisim` when sourced.
    let st = std::process::Command::new("bash")
        .args([
            "-c",
            &format!(
                "source {} && complete -p trisim",
                tmp.path().join("trisim.bash").display()
            ),
        ])
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    assert!(String::from_utf8_lossy(&st.stdout).contains("trisim"));

    trisim()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("possible values"));
}

#[test]
fn man_page_has_the_sections_and_every_command() {
    let subs = subcommands();
    let (page, _) = ok(&["man"]);
    assert!(page.contains(".TH trisim 1"), "{page}");
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH DESCRIPTION",
        ".SH OPTIONS",
        ".SH SUBCOMMANDS",
    ] {
        assert!(page.contains(section), "{section} missing");
    }
    for sub in &subs {
        assert!(
            page.contains(&format!("trisim\\-{sub}(1)")),
            "`{sub}` missing"
        );
    }

    // One page per command with --dir.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("man1");
    let (stdout, _) = ok(&["man", "--dir", s(&dir)]);
    assert!(stdout.contains("manual pages written to"), "{stdout}");
    assert!(dir.join("trisim.1").is_file());
    for sub in &subs {
        let p = dir.join(format!("trisim-{sub}.1"));
        let text = fs::read_to_string(&p).unwrap_or_else(|_| panic!("{} missing", p.display()));
        assert!(text.contains(&format!(".TH trisim-{sub} 1")), "{text}");
        assert!(text.contains(".SH SYNOPSIS"), "{text}");
    }
    let run = fs::read_to_string(dir.join("trisim-run.1")).unwrap();
    assert!(run.contains("\\-\\-watch"), "{run}");
    // No temporary file is left.
    for e in fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.starts_with('.'), "{name}");
    }
    // Rendered by man(1) where it is installed.
    if have("man") {
        let st = std::process::Command::new("man")
            .args(["-l", s(&dir.join("trisim-run.1"))])
            .env("MANPAGER", "cat")
            .env("MANWIDTH", "100")
            .output()
            .unwrap();
        assert!(st.status.success());
        assert!(String::from_utf8_lossy(&st.stdout).contains("SYNOPSIS"));
    }
}
