//! `trisim init` and `trisim explain`.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::PathBuf;
use trisim::scenario::{self, address, Scenario};

fn trisim() -> Command {
    Command::cargo_bin("trisim").unwrap()
}

fn baseline() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml")
}

#[test]
fn init_writes_a_commented_scenario_that_runs() {
    let dir = tempfile::tempdir().unwrap();
    trisim()
        .current_dir(dir.path())
        .args(["init", "my-study"])
        .assert()
        .success()
        .stdout(predicate::str::contains("wrote my-study.toml"))
        .stderr(predicate::str::contains("trisim.schema.json"));
    let file = dir.path().join("my-study.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.starts_with("#:schema ./trisim.schema.json\n"),
        "{text}"
    );
    let schema = std::fs::read_to_string(dir.path().join("trisim.schema.json")).unwrap();
    assert_eq!(schema, scenario::schema::file_schema_text());
    // Every key written is preceded by its comment.
    let lines: Vec<&str> = text.lines().collect();
    let mut keys = 0;
    for (i, l) in lines.iter().enumerate() {
        if !l.starts_with('#')
            && !l.starts_with('[')
            && l.contains(" = ")
            && !l.starts_with("name =")
        {
            keys += 1;
            assert!(lines[i - 1].starts_with("# "), "no comment before `{l}`");
        }
    }
    assert!(keys >= 20, "{keys} keys");
    assert!(text.contains("# Public favourability toward the partner F at the start"));
    assert!(text.contains("(range [0, 1] (a probability or share); default 0.3"));
    // It loads as the defaults, named after the file.
    let s = scenario::load_file(&file).unwrap();
    let mut expected = Scenario::default();
    expected.scenario.name = "my-study".into();
    assert_eq!(s, expected);
    trisim()
        .current_dir(dir.path())
        .args(["validate", "my-study.toml"])
        .assert()
        .success();
    trisim()
        .current_dir(dir.path())
        .args([
            "run",
            "my-study.toml",
            "-n",
            "20",
            "--out",
            "out",
            "--paths",
            "gradual,hasty",
        ])
        .assert()
        .success();
    assert!(dir.path().join("out/summary.json").is_file());
    // A second init refuses to overwrite, and leaves the file as it was.
    std::fs::write(&file, "# mine\n").unwrap();
    trisim()
        .current_dir(dir.path())
        .args(["init", "my-study.toml"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("already exists"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "# mine\n");
    // An existing schema is not rewritten.
    std::fs::write(dir.path().join("trisim.schema.json"), "{}\n").unwrap();
    trisim()
        .current_dir(dir.path())
        .args(["init", "other"])
        .assert()
        .success()
        .stderr(predicate::str::contains("differs"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("trisim.schema.json")).unwrap(),
        "{}\n"
    );
}

#[test]
fn init_from_extends_the_source_with_its_values_as_comments() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    trisim()
        .current_dir(dir.path())
        .args(["init", "sub/what-if", "--from"])
        .arg(baseline())
        .assert()
        .success();
    let file = dir.path().join("sub/what-if.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("\nextends = \""), "{text}");
    assert!(text.contains("baseline.toml\"\n"), "{text}");
    // The source's values, commented out (baseline sets 2000 replications).
    assert!(text.contains("\n# replications = 2000\n"), "{text}");
    let s = scenario::load_file(&file).unwrap();
    let mut source = scenario::load_file(&baseline()).unwrap();
    assert_eq!(s.scenario.name, "what-if");
    source.scenario.name = "what-if".into();
    assert_eq!(s, source);
    // An invalid scenario name is refused before anything is written.
    // (101 characters: names are 1 to 100 characters.)
    let long = "x".repeat(101);
    trisim()
        .current_dir(dir.path())
        .args(["init", &long])
        .assert()
        .failure()
        .stderr(predicate::str::contains("invalid scenario name"));
    assert!(!dir.path().join(format!("{long}.toml")).exists());
    // A missing source is an error.
    trisim()
        .current_dir(dir.path())
        .args(["init", "x", "--from", "nope.toml"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("nope.toml"));
    assert!(!dir.path().join("x.toml").exists());
}

#[test]
fn explain_gives_meaning_range_default_and_sources() {
    trisim()
        .args(["explain", "actors.seoul.favourability"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "Public favourability toward the partner",
        ))
        .stdout(predicate::str::contains("range     [0, 1]"))
        .stdout(predicate::str::contains("default   0.3\n"))
        .stdout(predicate::str::contains(
            "data/genron_eai_mutual_impressions_2013_2019.csv",
        ));
    // Tokyo's default differs from Seoul's.
    trisim()
        .args(["explain", "[actors.tokyo]"])
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"threat_cn +=\s0\.6 ").unwrap());
    trisim()
        .args(["explain", "paths.hasty"])
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"transparency +=\s0\.3 ").unwrap())
        .stdout(predicate::str::is_match(r#"sequence +=\s"military_first" "#).unwrap());
    trisim()
        .args([
            "explain",
            "paths.gradual.gates.regional.favourability_margin",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("default   0.02\n"))
        .stdout(predicate::str::contains("sources   Chun 2022\n"))
        .stdout(predicate::str::contains(
            "Chun 2022: Jahyun Chun, \"Promoting Security Cooperation of South Korea\"",
        ))
        .stdout(predicate::str::contains("essay").not());
    trisim()
        .args([
            "explain",
            "history.issues.forced_labor.court_pending = true",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("default   true\n"));
    trisim()
        .args(["explain", "world.us.interval_months"])
        .assert()
        .success()
        .stdout(predicate::str::contains("[1, 240], whole numbers"))
        .stdout(predicate::str::contains("unit      months"));
    trisim()
        .args(["explain", "world.nk.surge.dispersion"])
        .assert()
        .success()
        .stdout(predicate::str::contains("range     (0, ∞)"));
    // New entries of a table are explained from the loader's template.
    trisim()
        .args(["explain", "tracks.coast_guard.sigma"])
        .assert()
        .success()
        .stdout(predicate::str::contains("a new entry must give it"));
}

#[test]
fn explain_suggests_the_nearest_key() {
    trisim()
        .args(["explain", "actors.seoul.favorability"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "did you mean `actors.seoul.favourability`?",
        ));
    trisim()
        .args(["explain", "paths.hastyy"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("did you mean `paths.hasty`?"));
    trisim()
        .args(["explain", "history.issues.forced_labour.salience"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "did you mean `history.issues.forced_labor`?",
        ));
}

#[test]
fn explain_lists_every_key() {
    let out = trisim().arg("explain").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    // In a pipe, one line per key (for grep): the key, then its summary.
    let lines: Vec<&str> = text.lines().collect();
    let keys: Vec<&str> = lines
        .iter()
        .map(|l| l.split("  ").next().unwrap())
        .collect();
    for a in address::all(&Scenario::default()) {
        assert!(keys.contains(&a.key.as_str()), "{} not listed", a.key);
    }
    for k in [
        "extends",
        "scenario.name",
        "events",
        "sweep.parameters",
        "tracks.<track>.sigma",
        "paths.<path>.base",
    ] {
        assert!(keys.contains(&k), "{k} not listed");
    }
    for l in &lines {
        assert!(!l.starts_with(' '), "a line without a key: {l}");
        assert!(
            l.trim_end().len() > l.split("  ").next().unwrap().len(),
            "a key without summary: {l}"
        );
    }
}

#[test]
fn explain_listing_on_a_terminal_is_wrapped_to_its_width() {
    // A pseudo-terminal of 80 columns (util-linux `script`, as in tests/ux.rs).
    let bin = assert_cmd::cargo::cargo_bin("trisim");
    let out = std::process::Command::new("script")
        .args([
            "-qfec",
            &format!("stty rows 24 cols 80; '{}' explain", bin.display()),
            "/dev/null",
        ])
        .env("TERM", "xterm-256color")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("util-linux `script` runs (Debian package bsdutils)");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    assert!(lines.len() > 700, "{} lines", lines.len());
    for l in &lines {
        assert!(
            l.chars().count() <= 80,
            "{} columns: {l}",
            l.chars().count()
        );
    }
    // Wrapped summaries continue in the second column.
    assert!(lines
        .iter()
        .any(|l| l.starts_with("                                  ")));
    assert!(lines.iter().any(|l| l.starts_with("scenario.name ")));
}

#[test]
fn explain_fits_the_width_and_states_plain_integer_bounds() {
    // A table's keys: default and meaning, wrapped within 100 columns.
    let out = trisim().args(["explain", "paths.hasty"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("keys (default, then meaning)"), "{text}");
    for l in text.lines() {
        assert!(
            l.chars().count() <= 100,
            "{} columns: {l}",
            l.chars().count()
        );
    }
    // No bound of 2^63 − 1: at least 1 replication, a seed at least 0.
    trisim()
        .args(["explain", "scenario.replications"])
        .assert()
        .success()
        .stdout(predicate::str::contains("range     ≥ 1\n"))
        .stdout(predicate::str::contains("9223372036854775807").not());
    trisim()
        .args(["explain", "scenario.seed"])
        .assert()
        .success()
        .stdout(predicate::str::contains("range     ≥ 0\n"));
}

#[test]
fn explain_echoes_a_long_invalid_key_cut() {
    let key = "x".repeat(100_000);
    let out = trisim().args(["explain", &key]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!("unknown key `{}…`", "x".repeat(80))),
        "{err}"
    );
    assert!(err.len() < 1000, "{err}");
    let out = trisim()
        .args(["explain", &format!("actors.{key}")])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.len() < 1000, "{err}");
}

#[test]
fn init_quotes_paths_for_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    trisim()
        .current_dir(dir.path())
        .args(["init", "x y"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "`trisim validate 'x y.toml'` and `trisim run 'x y.toml'`",
        ));
    let text = std::fs::read_to_string(dir.path().join("x y.toml")).unwrap();
    assert!(text.contains("# Run:    trisim run 'x y.toml'\n"), "{text}");
    assert!(!text.contains("9223372036854775807"), "{text}");
    assert!(text.contains("(range ≥ 1; default 1000)"), "{text}");
}

/// The user guide's scenario reference, docs/keys.md, is the output of `trisim explain
/// --markdown`: a change to the scenario types' doc comments or defaults must be followed by
/// regenerating it.
#[test]
fn docs_keys_md_is_the_generated_reference() {
    let out = trisim()
        .args(["explain", "--markdown"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let generated = String::from_utf8(out).unwrap();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/keys.md");
    let checked_in = std::fs::read_to_string(&path).unwrap();
    if checked_in != generated {
        let line = checked_in
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || checked_in.lines().count().min(generated.lines().count()) + 1,
                |i| i + 1,
            );
        panic!(
            "docs/keys.md differs from `trisim explain --markdown` (first at line {line}); \
             regenerate it from the repository's root with\n  \
             cargo run --release -- explain --markdown > docs/keys.md"
        );
    }
}

/// The generated reference holds every key `trisim explain` lists outside the bundled entries
/// of maps, with the meaning and default `explain` gives, and the essays in full.
#[test]
fn the_markdown_reference_agrees_with_explain() {
    let ex = trisim::scenario::explain::Explainer::new();
    let page = trisim::scenario::explain::markdown_reference(&ex);
    for key in [
        "scenario.replications",
        "actors.seoul.favourability",
        "world.politics.lapse_hazard",
        "tracks.<track>.sigma",
        "paths.<path>.transparency",
        "history.issues.forced_labor.salience",
        "events.<n>.month",
        "output.quantiles",
    ] {
        assert!(page.contains(&format!("| `{key}` |")), "{key} missing");
    }
    // The row of a key carries its description and its default, as `explain` has them.
    let row = page
        .lines()
        .find(|l| l.starts_with("| `actors.seoul.favourability` |"))
        .unwrap();
    assert!(row.contains("Public favourability toward the partner F at the start"));
    assert!(row.contains("range [0, 1]"), "{row}");
    assert!(row.contains("| `0.3` |"), "{row}");
    assert!(row.contains("data/genron_eai_mutual_impressions_2013_2019.csv"));
    // A key without a default says whether a new entry must give it (for events: which kinds
    // need it).
    let row = |key: &str| {
        page.lines()
            .find(|l| l.starts_with(&format!("| `{key}` |")))
            .unwrap()
            .to_string()
    };
    assert!(row("events.<n>.month").contains("| none: a new entry must give it |"));
    assert!(row("events.<n>.note").contains("| none (optional) |"));
    assert!(row("events.<n>.issue").contains("none: needed by `court_ruling`, `flare_up`"));
    assert!(row("tracks.<track>.sigma").contains("| none: a new entry must give it |"));
    trisim()
        .args(["explain", "events.<n>.note"])
        .assert()
        .success()
        .stdout(predicate::str::contains("default   none (optional)"));
    // The bundled tracks are named once, not repeated key by key.
    assert!(page.contains("`summitry`, `nontraditional`"));
    assert!(!page.contains("| `tracks.summitry.sigma` |"));
    // Every event kind, and every essay in full.
    for kind in ["kr_election", "set_rung", "retaliation", "set_state"] {
        assert!(page.contains(&format!("\n  {kind}\n")), "{kind}");
    }
    for (short, full) in trisim::scenario::explain::ESSAYS {
        assert!(page.contains(&format!("**[{short}]** {full}")), "{short}");
    }
    // No table row is broken by an unescaped pipe: each has the header's 5 cells.
    for l in page.lines().filter(|l| l.starts_with("| `")) {
        let cells = l.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 6, "{l}");
    }
}
