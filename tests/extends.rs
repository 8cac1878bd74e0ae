//! Scenario inheritance: `extends = "FILE"` at the top of a scenario. Fixtures in
//! tests/fixtures/extends/ (child.toml → parent.toml → grandparent.toml, files with mistakes,
//! a cycle); chains too long or with unreadable files are written to temporary folders.

use assert_cmd::Command;
use predicates::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};
use trisim::scenario::param::p;
use trisim::scenario::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/extends")
        .join(name)
}

/// The name of `fixture(name)` in messages (the display of the path).
fn shown(name: &str) -> String {
    fixture(name).display().to_string()
}

fn load_ok(name: &str) -> Scenario {
    load_file(&fixture(name)).unwrap_or_else(|e| panic!("{e}"))
}

fn load_err(name: &str) -> ScenarioError {
    match load_file(&fixture(name)) {
        Ok(_) => panic!("{name} should not load"),
        Err(e) => e,
    }
}

/// (file, line, column, key) of each diagnostic.
fn places(e: &ScenarioError) -> Vec<(String, usize, usize, String)> {
    e.diagnostics
        .iter()
        .map(|d| {
            (
                d.file.clone(),
                d.line.unwrap_or(0),
                d.column.unwrap_or(0),
                d.key.clone().unwrap_or_default(),
            )
        })
        .collect()
}

fn trisim() -> Command {
    Command::cargo_bin("trisim").unwrap()
}

#[test]
fn chain_of_three_files_child_over_parent_over_grandparent() {
    let (s, sources) =
        load_file_with_sources(&fixture("child.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        sources,
        [
            fixture("child.toml"),
            fixture("parent.toml"),
            fixture("grandparent.toml")
        ]
    );
    assert_eq!(s.scenario.name, "child"); // all three write it: the child wins
    assert_eq!(s.scenario.description, "written in parent.toml");
    assert_eq!(s.scenario.horizon_months, 36); // grandparent
    assert_eq!(s.scenario.replications, 40); // grandparent
    assert_eq!(s.world.nk.initial_regime, NkRegime::Surge); // grandparent
    assert_eq!(s.paths["mine"].legislate, p(0.9)); // parent
    assert_eq!(load_file(&fixture("child.toml")).unwrap(), s);
}

#[test]
fn nested_tables_merge_deeply_across_the_chain() {
    let s = load_ok("child.toml");
    let seoul = &s.actors.seoul;
    assert_eq!(seoul.camp, Camp::Progressive); // child
    assert_eq!(seoul.favourability, p(0.35)); // parent over grandparent's 0.25
    assert_eq!(seoul.approval, p(0.4)); // grandparent
    assert_eq!(seoul.threat_nk, Scenario::default().actors.seoul.threat_nk); // default
                                                                             // [paths.mine.gates.summitry] in the child changes one key of the grandparent's inline gate.
    let mine = &s.paths["mine"];
    assert_eq!(mine.base.as_deref(), Some("hasty"));
    assert_eq!(mine.transparency, p(0.7));
    assert_eq!(mine.gates["summitry"].trust, p(0.3));
    assert_eq!(mine.gates["summitry"].favourability, p(0.1));
}

#[test]
fn arrays_replace_as_a_whole() {
    let s = load_ok("child.toml");
    // The child's one [[history.issues]] replaces the grandparent's two.
    let keys: Vec<_> = s.history.issues.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["forced_labor"]);
    assert!(s.history.issues[0].seasonal_months.is_empty());
    // Without issues of its own, the parent keeps the grandparent's list whole.
    let parent = load_ok("parent.toml");
    let keys: Vec<_> = parent
        .history
        .issues
        .iter()
        .map(|i| i.key.as_str())
        .collect();
    assert_eq!(keys, ["comfort_women", "sado"]);
    assert_eq!(parent.history.issues[1].seasonal_months, [7, 8]);
    assert_eq!(s.scenario.paths, ["gradual", "hasty", "mine"]);
}

#[test]
fn extends_is_relative_to_the_file_that_contains_it() {
    let (s, sources) = load_file_with_sources(&fixture("sub/child.toml")).unwrap();
    assert_eq!(s.scenario.name, "sub-child");
    assert_eq!(s.scenario.horizon_months, 36);
    // `../parent.toml` is shown without the `sub/..`.
    assert_eq!(
        sources,
        [
            fixture("sub/child.toml"),
            fixture("parent.toml"),
            fixture("grandparent.toml")
        ]
    );
}

#[test]
fn bundled_baseline_as_a_parent() {
    let baseline_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let mut expected = load_file(&baseline_path).unwrap_or_else(|e| panic!("{e}"));
    expected.scenario.name = "short-baseline".into();
    expected.scenario.horizon_months = 24;
    expected.scenario.replications = 30;
    expected.actors.seoul.favourability = p(0.2);
    let (s, sources) =
        load_file_with_sources(&fixture("from-baseline.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s, expected);
    assert_eq!(sources.len(), 2);
    assert_eq!(
        fs::canonicalize(&sources[1]).unwrap(),
        fs::canonicalize(&baseline_path).unwrap()
    );
}

#[test]
fn child_errors_point_to_the_child_and_inherited_errors_to_the_parent() {
    let e = load_err("bad-child.toml");
    let s = |x: &str| x.to_string();
    assert_eq!(
        places(&e),
        [
            (shown("bad-child.toml"), 4, 18, s("scenario.horizon_months")),
            (shown("bad-child.toml"), 7, 12, s("actors.tokyo.approval")),
            (shown("bad-parent.toml"), 6, 12, s("actors.seoul.approval")),
            (
                shown("bad-parent.toml"),
                7,
                1,
                s("actors.seoul.favourabilty")
            ),
        ],
        "{e}"
    );
    let text = e.to_string();
    assert!(
        text.contains(&format!(" --> {}:6:12\n", shown("bad-parent.toml"))),
        "{text}"
    );
    assert!(text.contains("6 | approval = 1.7\n"), "{text}");
    assert!(
        text.contains("= help: did you mean `favourability`?"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "= note: this file is extended by `{}`",
            shown("bad-child.toml")
        )),
        "{text}"
    );
    assert!(
        text.ends_with(&format!(
            "error: 4 problems in scenario `{}` and the files it extends",
            shown("bad-child.toml")
        )),
        "{text}"
    );
}

#[test]
fn a_bad_value_overridden_by_the_child_is_not_an_error() {
    // fixes-parent.toml sets approval = 0.3 over the parent's 1.7; the typo stays.
    let e = load_err("fixes-parent.toml");
    assert_eq!(
        places(&e),
        [(
            shown("bad-parent.toml"),
            7,
            1,
            "actors.seoul.favourabilty".to_string()
        )],
        "{e}"
    );
}

#[test]
fn missing_parent_names_the_child_the_value_and_the_resolved_path() {
    let e = load_err("missing.toml");
    assert_eq!(e.len(), 1, "{e}");
    let d = &e.diagnostics[0];
    assert_eq!(d.file, shown("missing.toml"));
    assert_eq!((d.line, d.column), (Some(1), Some(11)));
    assert_eq!(
        d.snippet.as_ref().unwrap().width,
        "\"no-such-file.toml\"".len()
    );
    assert!(d.message.contains(&shown("no-such-file.toml")), "{e}");
    let os = std::io::Error::from(std::io::ErrorKind::NotFound).to_string();
    assert!(
        d.message.contains(&os) || d.message.contains("os error 2"),
        "{e}"
    );
    assert_eq!(d.key.as_deref(), Some("extends"));
}

#[test]
fn a_cycle_lists_the_chain() {
    let e = load_err("cycle-a.toml");
    assert_eq!(e.len(), 1, "{e}");
    let d = &e.diagnostics[0];
    let (a, b) = (shown("cycle-a.toml"), shown("cycle-b.toml"));
    assert!(
        d.message
            .contains(&format!("cycle of `extends`: {a} → {b} → {a}")),
        "{e}"
    );
    // Reported where the cycle closes.
    assert_eq!((d.file.as_str(), d.line), (b.as_str(), Some(1)));
}

#[test]
fn a_file_that_extends_itself_is_a_cycle() {
    let e = load_err("self.toml");
    assert_eq!(e.len(), 1, "{e}");
    let me = shown("self.toml");
    assert!(
        e.diagnostics[0]
            .message
            .contains(&format!("cycle of `extends`: {me} → {me}")),
        "{e}"
    );
    assert_eq!(e.diagnostics[0].column, Some(11));
}

#[test]
fn extends_must_be_a_string() {
    let e = load_err("non-string.toml");
    assert_eq!(e.len(), 1, "{e}");
    let d = &e.diagnostics[0];
    assert!(d.message.contains("found an integer"), "{e}");
    assert_eq!((d.line, d.column), (Some(1), Some(11)));
    assert!(d
        .hint
        .as_deref()
        .unwrap()
        .contains("extends = \"baseline.toml\""));
}

#[test]
fn extends_inside_a_table_is_an_unknown_key() {
    let e = load_err("nested.toml");
    assert_eq!(e.len(), 1, "{e}");
    let d = &e.diagnostics[0];
    assert_eq!(d.key.as_deref(), Some("scenario.extends"));
    assert_eq!((d.line, d.column), (Some(3), Some(1)));
    assert!(
        d.message.contains("unknown key `extends` in [scenario]"),
        "{e}"
    );
    assert!(d.hint.as_deref().unwrap().contains("top level"), "{e}");
}

#[test]
fn a_parent_with_invalid_toml_is_reported_in_the_parent() {
    let e = load_err("extends-invalid.toml");
    assert_eq!(e.len(), 1, "{e}");
    let d = &e.diagnostics[0];
    assert_eq!(d.file, shown("invalid-parent.toml"));
    assert_eq!(d.line, Some(2));
    assert!(d.message.starts_with("invalid TOML"), "{e}");
    assert!(d.notes[0].contains(&shown("extends-invalid.toml")), "{e}");
}

#[test]
fn unreadable_and_non_utf8_parents_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let child = dir.path().join("child.toml");
    fs::create_dir(dir.path().join("folder")).unwrap();
    fs::write(&child, "extends = \"folder\"\n").unwrap();
    let e = load_file(&child).unwrap_err();
    assert_eq!(e.len(), 1, "{e}");
    assert!(
        e.diagnostics[0].message.contains("cannot read `folder`"),
        "{e}"
    );
    assert_eq!(e.diagnostics[0].file, child.display().to_string());

    fs::write(
        dir.path().join("latin1.toml"),
        b"[scenario]\nname = \"caf\xe9\"\n",
    )
    .unwrap();
    fs::write(&child, "extends = \"latin1.toml\"\n").unwrap();
    let e = load_file(&child).unwrap_err();
    assert_eq!(e.len(), 1, "{e}");
    let d = &e.diagnostics[0];
    assert!(d.message.contains("not UTF-8"), "{e}");
    assert_eq!(d.file, dir.path().join("latin1.toml").display().to_string());
    assert_eq!((d.line, d.column), (Some(2), Some(12))); // the byte after `name = "caf`
}

#[test]
fn chains_are_limited_in_length() {
    let dir = tempfile::tempdir().unwrap();
    let name = |i: usize| format!("f{i:02}.toml");
    let write_chain = |files: usize| {
        for i in 0..files {
            let text = if i + 1 < files {
                format!(
                    "extends = \"{}\"\n[scenario]\nname = \"f{i}\"\n",
                    name(i + 1)
                )
            } else {
                "[scenario]\nhorizon_months = 12\n".to_string()
            };
            fs::write(dir.path().join(name(i)), text).unwrap();
        }
    };
    write_chain(MAX_EXTENDS_DEPTH);
    let (s, sources) = load_file_with_sources(&dir.path().join(name(0))).unwrap();
    assert_eq!(sources.len(), MAX_EXTENDS_DEPTH);
    assert_eq!(
        (s.scenario.name.as_str(), s.scenario.horizon_months),
        ("f0", 12)
    );

    write_chain(MAX_EXTENDS_DEPTH + 1);
    let e = load_file(&dir.path().join(name(0))).unwrap_err();
    assert_eq!(e.len(), 1, "{e}");
    let d = &e.diagnostics[0];
    assert!(d.message.contains("too many `extends`"), "{e}");
    assert!(d.message.contains("at most 32 files"), "{e}");
    assert_eq!(
        d.file,
        dir.path()
            .join(name(MAX_EXTENDS_DEPTH - 1))
            .display()
            .to_string()
    );
}

#[test]
fn show_prints_the_merged_scenario() {
    let out = trisim()
        .args(["show", fixture("child.toml").to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("name = \"child\""))
        .stdout(predicate::str::contains(
            "description = \"written in parent.toml\"",
        ))
        .stdout(predicate::str::contains("horizon_months = 36"))
        .stdout(predicate::str::contains("camp = \"progressive\""))
        .stdout(predicate::str::contains("favourability = 0.35"))
        .stdout(predicate::str::contains("key = \"forced_labor\""))
        .stdout(predicate::str::contains("key = \"sado\"").not())
        .stdout(predicate::str::contains("extends").not())
        .get_output()
        .stdout
        .clone();
    // The printed scenario stands alone and is the scenario the chain loads to.
    let text = String::from_utf8(out).unwrap();
    assert_eq!(
        load_str(&text, "shown.toml").unwrap_or_else(|e| panic!("{e}")),
        load_ok("child.toml")
    );
}

#[test]
fn show_reports_an_inherited_error_in_the_parent() {
    trisim()
        .args(["show", fixture("fixes-parent.toml").to_str().unwrap()])
        .assert()
        .failure()
        .stderr(predicate::str::contains(format!(
            "{}:7:1",
            shown("bad-parent.toml")
        )))
        .stderr(predicate::str::contains("did you mean `favourability`?"));
}
