//! The scenario file schema: committed copy up to date, every bundled scenario valid against
//! it, and it rejects what the loader rejects (where a schema can say so).

#[path = "common/skip.rs"]
mod skip;

use assert_cmd::Command;
use serde_json::Value;
use std::path::PathBuf;
use trisim::scenario::param::Bound;
use trisim::scenario::{address, explain::Explainer, schema, Scenario};

const REGENERATE: &str = "cargo run --release -- schema > scenarios/trisim.schema.json";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn compiled() -> (boon::Schemas, boon::SchemaIndex) {
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    let url = "file:///trisim.schema.json";
    compiler
        .add_resource(url, schema::file_schema())
        .expect("schema resource");
    let idx = compiler
        .compile(url, &mut schemas)
        .unwrap_or_else(|e| panic!("the schema does not compile: {e:#}"));
    (schemas, idx)
}

/// TOML text as the JSON value a schema validator (and an editor) sees.
fn as_json(text: &str) -> Value {
    let t: toml::Table = toml::from_str(text).expect("valid TOML");
    serde_json::to_value(t).expect("JSON")
}

fn check(text: &str) -> Result<(), String> {
    let (schemas, idx) = compiled();
    schemas
        .validate(&as_json(text), idx)
        .map_err(|e| format!("{e:#}"))
}

fn bundled() -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in ["scenarios", "scenarios/experiments"] {
        for e in std::fs::read_dir(root().join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "toml") {
                out.push(p);
            }
        }
    }
    out.sort();
    assert!(out.len() >= 9, "bundled scenarios not found: {out:?}");
    out
}

#[test]
fn committed_schema_is_the_generated_one() {
    // No integer bound at 2^63 − 1 (TOML's own limit), which editors would show on hover.
    assert!(!schema::file_schema_text().contains(&i64::MAX.to_string()));
    let committed = std::fs::read_to_string(root().join("scenarios/trisim.schema.json"))
        .unwrap_or_else(|e| {
            panic!("scenarios/trisim.schema.json: {e}; write it with `{REGENERATE}`")
        });
    let out = Command::cargo_bin("trisim")
        .unwrap()
        .arg("schema")
        .output()
        .unwrap();
    assert!(out.status.success());
    let generated = String::from_utf8(out.stdout).unwrap();
    assert_eq!(generated, schema::file_schema_text());
    assert!(
        committed == generated,
        "scenarios/trisim.schema.json is out of date with the scenario types: regenerate it with `{REGENERATE}`"
    );
    assert!(generated.ends_with("}\n"));
}

#[test]
fn schema_builds_without_problems() {
    let (v, problems) = schema::build();
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(v["$schema"], schema::DIALECT);
    // Defaults are those of an empty file.
    let p = &v["properties"];
    assert_eq!(
        p["actors"]["properties"]["seoul"]["properties"]["favourability"]["default"],
        0.3
    );
    assert_eq!(
        p["actors"]["properties"]["tokyo"]["properties"]["threat_cn"]["default"],
        0.6
    );
    assert_eq!(
        p["scenario"]["properties"]["horizon_months"]["default"],
        120
    );
    assert!(p["extends"]["description"]
        .as_str()
        .unwrap()
        .contains("relative"));
}

#[test]
fn every_bundled_scenario_starts_with_the_schema_directive_and_validates() {
    for p in bundled() {
        let text = std::fs::read_to_string(&p).unwrap();
        let first = text.lines().next().unwrap_or("");
        let expected = if p.parent().unwrap().ends_with("experiments") {
            "#:schema ../trisim.schema.json"
        } else {
            "#:schema ./trisim.schema.json"
        };
        assert_eq!(first, expected, "{}", p.display());
        let target = p
            .parent()
            .unwrap()
            .join(first.trim_start_matches("#:schema ").trim());
        assert!(
            target.is_file(),
            "{} points at a missing schema",
            p.display()
        );
        if let Err(e) = check(&text) {
            panic!("{} does not validate against the schema:\n{e}", p.display());
        }
        trisim::scenario::load_file(&p).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// What the loader accepts, the schema accepts too.
#[test]
fn schema_accepts_what_the_loader_accepts() {
    let good = [
        "",
        "[actors.seoul]\nfavourability = { dist = \"uniform\", low = 0.2, high = 0.4 }\n",
        "[paths.cautious]\nbase = \"gradual\"\nmin_dwell_months = 9\n[paths.cautious.gates.regional]\ntrust = 0.7\nfavourability = 0.45\n",
        "[paths.hasty.gates.regional]\ntrust = 0.3\nfavourability = 0.2\n[paths.gradual.gates.regional]\ntrust = 0.5\n",
        "[tracks.coast_guard]\nname = \"Coast guard\"\nrungs = 2\nsigma = 0.3\nchi = 0.2\nlambda = 0.03\nb = 0.2\nb_cn = 0.2\nw = 0.5\n",
        "[tracks.regional]\nsigma = 0.9\n",
        "[[history.issues]]\nkey = \"x\"\nname = \"X\"\nsalience = 0.5\nhazard = 0.01\n",
        "[[events]]\nmonth = \"2025-06\"\nkind = \"kr_election\"\ncamp = \"progressive\"\n",
        "[world.nk.transition]\nsurge = [0.1, 0.2, 0.7]\n[world.us]\ninterval_months = 48\n",
        "[scenario]\nscore = { final_ci = 1.0, kr_crises = -0.05 }\n[sweep]\ndesign = \"lhs\"\nn = 10\n[sweep.parameters]\n\"actors.seoul.favourability\" = { range = { low = 0.1, high = 0.5 } }\n",
    ];
    for text in good {
        trisim::scenario::load_str(text, "good.toml").unwrap_or_else(|e| panic!("{text}\n{e}"));
        check(text).unwrap_or_else(|e| panic!("schema rejects a valid file:\n{text}\n{e}"));
    }
    // `extends` (the loader needs a folder for it).
    check("extends = \"baseline.toml\"\n").unwrap();
}

/// What the loader rejects, the schema rejects too, where a schema can say so.
#[test]
fn schema_rejects_what_the_loader_rejects() {
    let bad = [
        ("[actors.seoul]\nfavorability = 0.3\n", "typo'd key"),
        ("[actors.seoul]\nfavourability = 1.3\n", "probability above 1"),
        ("[world.nk.surge]\ndispersion = 0\n", "dispersion must be > 0"),
        ("[world.china]\nh0 = \"low\"\n", "text where a number goes"),
        ("[relations]\ntrust_kr_jp = { dist = \"uniformm\", low = 0, high = 1 }\n", "unknown distribution"),
        ("[relations]\ntrust_kr_jp = { dist = \"uniform\", low = 0 }\n", "distribution missing a key"),
        ("[scenario]\nstart = \"2023-13\"\n", "bad month"),
        ("[scenario]\nhorizon_months = 0\n", "no months"),
        ("[world]\ncha = \"modern\"\n", "unknown variant"),
        ("[paths.hasty]\nbase = \"gradual\"\n", "base on a bundled path"),
        ("[paths.hasty]\nmin_dwell_months = 2.5\n", "whole months"),
        ("[tracks.coast_guard]\nname = \"Coast guard\"\nrungs = 2\n", "new track missing keys"),
        ("[tracks.regional]\nrungs = 21\n", "too many rungs"),
        ("[[history.issues]]\nkey = \"x\"\nsalience = 0.5\n", "issue missing name and hazard"),
        ("[[history.issues]]\nkey = \"x\"\nname = \"X\"\nsalience = 0.5\nhazard = 0.01\nseasonal_months = [13]\n", "month 13"),
        ("[[events]]\nkind = \"summit\"\n", "event without month"),
        ("[sweep]\ndesign = \"random\"\n", "unknown design"),
        ("[weather]\nrain = 1\n", "unknown table"),
        ("[scenario]\nscore = { final_cii = 1.0 }\n", "unknown outcome in the score"),
    ];
    for (text, what) in bad {
        assert!(
            trisim::scenario::load_str(text, "bad.toml").is_err(),
            "the loader accepts {what}:\n{text}"
        );
        assert!(check(text).is_err(), "the schema accepts {what}:\n{text}");
    }
    check("extends = 3\n").unwrap_err();
}

fn expected_range(b: Bound) -> (Option<f64>, Option<f64>, Option<f64>) {
    match b {
        Bound::Unit => (Some(0.0), None, Some(1.0)),
        Bound::NonNeg => (Some(0.0), None, None),
        Bound::Positive => (None, Some(0.0), None),
        Bound::Any => (None, None, None),
        Bound::Range(lo, hi) => (
            Some(lo).filter(|x| x.is_finite()),
            None,
            Some(hi).filter(|x| x.is_finite()),
        ),
    }
}

/// The ranges in the schema are the validator's bounds, for every parameter address.
#[test]
fn every_parameter_has_its_range_and_default_in_the_schema() {
    let s = Scenario::default();
    let ex = Explainer::new();
    let all = address::all(&s);
    assert!(all.len() > 200);
    for a in all {
        let e = ex
            .lookup(&a.key)
            .unwrap_or_else(|m| panic!("{}: {m}", a.key));
        let number = e.schema["anyOf"]
            .as_array()
            .and_then(|x| x.iter().find(|b| b["type"] == "number"))
            .unwrap_or_else(|| panic!("{} is not a parameter in the schema", a.key));
        let got = (
            number.get("minimum").and_then(Value::as_f64),
            number.get("exclusiveMinimum").and_then(Value::as_f64),
            number.get("maximum").and_then(Value::as_f64),
        );
        assert_eq!(got, expected_range(a.bound), "{}", a.key);
        assert_eq!(number.get("multipleOf").is_some(), a.whole, "{}", a.key);
        assert_eq!(
            e.default,
            Some(serde_json::to_value(&a.value).unwrap()),
            "{}",
            a.key
        );
        let d = e.schema["description"].as_str().unwrap_or("");
        assert!(!d.is_empty(), "{} has no description", a.key);
    }
}

/// Taplo (the engine of Even Better TOML), when installed, accepts the bundled scenarios and
/// flags a typo and an out-of-range value through the `#:schema` line. The program is
/// `$TRISIM_TAPLO` or `taplo` on the PATH (`npm install -g @taplo/cli` installs it); without
/// it the test is skipped, unless `TRISIM_TAPLO_TEST=require` (set by `.ci/run`, which
/// installs it).
#[test]
fn taplo_agrees_when_installed() {
    let taplo = std::env::var("TRISIM_TAPLO").unwrap_or_else(|_| "taplo".into());
    // (`taplo --version` of the npm package exits with status 1: only check that it runs.)
    if std::process::Command::new(&taplo)
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var("TRISIM_TAPLO_TEST").as_deref() != Ok("require"),
            "TRISIM_TAPLO_TEST=require but `{taplo}` cannot be run"
        );
        skip::skipped(
            "schema::taplo_agrees_when_installed",
            &format!("`{taplo}` cannot be run (npm install -g @taplo/cli)"),
        );
        return;
    }
    let status = std::process::Command::new(&taplo)
        .arg("check")
        .args(bundled())
        .current_dir(root())
        .status()
        .unwrap();
    assert!(
        status.success(),
        "taplo check fails on the bundled scenarios"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("trisim.schema.json"),
        schema::file_schema_text(),
    )
    .unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "#:schema ./trisim.schema.json\n[actors.seoul]\nfavorability = 0.3\napproval = 1.3\n",
    )
    .unwrap();
    let out = std::process::Command::new(&taplo)
        .arg("check")
        .arg(&bad)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "taplo accepts a bad scenario");
    assert!(text.contains("favorability"), "{text}");
    assert!(text.contains("1.3"), "{text}");
}
