//! `report.html`: written by `trisim run` and `trisim merge`, rebuilt by `trisim report DIR`;
//! self-contained, deterministic, and escaping every user-supplied text.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use trisim::output::report::{build_html, ReportOptions};
use trisim::output::table::Kind;

/// A small run whose texts carry markup: the scenario name, its description, a path's
/// description and a track's name.
const HOSTILE: &str = r#"
[scenario]
name = "<script>alert(1)</script> Tom & Jerry's"
description = "<script>alert(1)</script> & \"quotes\" 'single'"
horizon_months = 24
replications = 60
seed = 5
paths = ["gradual", "hasty", "x-y_z"]
score = { final_ci = 1.0, kr_crises = -0.05 }

[paths.x-y_z]
base = "gradual"
description = "<img src=x onerror=alert(2)>"

[tracks.summitry]
name = "</pre><b>bold</b>"
"#;

fn trisim() -> Command {
    Command::cargo_bin("trisim").unwrap()
}

/// Runs `scenario` (text) into `<tmp>/out` with `extra` options and returns the folder.
fn run(tmp: &Path, scenario: &str, extra: &[&str]) -> PathBuf {
    let f = tmp.join("scenario.toml");
    fs::write(&f, scenario).unwrap();
    let out = tmp.join("out");
    trisim()
        .args(["run", f.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .args(extra)
        .assert()
        .success();
    out
}

fn svg_charts(dir: &Path) -> usize {
    fs::read_dir(dir.join("charts"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".svg")
        })
        .count()
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap()
}

/// Checks that nothing in the page loads or runs anything: no external address, no element
/// that loads or runs something, no event handler, no `src`, links only within the page.
/// (Every `<` of the page starts a tag: texts are escaped.)
fn assert_inert(html: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in ["http://", "https://", "url(", "@import", "javascript:"] {
        assert!(!lower.contains(bad), "the report contains `{bad}`");
    }
    let mut tags = 0;
    for piece in lower.split('<').skip(1) {
        let tag = &piece[..piece.find('>').expect("unclosed tag")];
        tags += 1;
        let name = tag.split_whitespace().next().unwrap_or_default();
        assert!(
            ![
                "script",
                "link",
                "iframe",
                "object",
                "embed",
                "img",
                "image",
                "use",
                "foreignobject",
                "base",
                "form",
                "audio",
                "video",
                "source",
            ]
            .contains(&name),
            "the report has a <{name}> element"
        );
        for attr in tag.split_whitespace().skip(1) {
            let key = attr.split('=').next().unwrap_or_default();
            assert!(
                !key.starts_with("on") && key != "src" && key != "srcset",
                "attribute `{attr}` in <{tag}>"
            );
            if key == "href" {
                assert!(
                    attr.starts_with("href=\"#"),
                    "a link that leaves the page: <{tag}>"
                );
            }
        }
    }
    assert!(tags > 100);
    assert!(html.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
    ));
    assert!(
        html.contains("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
    );
}

#[test]
fn run_writes_a_self_contained_report_with_every_chart_and_escaped_texts() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), HOSTILE, &[]);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert_inert(&html);

    // Every chart inline, each scalable (a viewBox, no fixed size).
    let charts = svg_charts(&out);
    assert_eq!(charts, 5);
    assert_eq!(html.matches("<svg").count(), charts);
    assert_eq!(html.matches("</svg>").count(), charts);
    assert_eq!(
        html.matches("<svg viewBox=\"0 0 1200 800\"").count(),
        charts
    );
    for stem in trisim::output::charts::CHARTS {
        assert!(html.contains(&format!("id=\"chart-{stem}\"")), "{stem}");
        assert!(
            html.contains(&format!("<code>charts/{stem}.svg</code>")),
            "{stem}"
        );
    }

    // User-supplied texts are escaped, in the page and in the charts' text.
    assert!(html.contains("<title>&lt;script&gt;alert(1)&lt;/script&gt; Tom &amp; Jerry&#39;s — trisim report</title>"));
    assert!(html.contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt; Tom &amp; Jerry&#39;s</h1>"));
    assert!(html.contains(
        "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;single&#39;"
    ));
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("&lt;/pre&gt;&lt;b&gt;bold&lt;/b&gt;"));
    assert!(!html.contains("<b>bold"));
    assert!(!html.contains("Tom & Jerry"));
    assert!(!html.contains("<script"));
    assert!(html.contains(
        "&lt;script&gt;alert(1)&lt;/script&gt; Tom &amp; Jerry&#39;s: cooperation index per path"
    ));

    // The sections.
    for id in [
        "question",
        "results",
        "differences",
        "charts",
        "how-to-read",
        "scenario",
        "manifest",
    ] {
        assert!(html.contains(&format!("<section id=\"{id}\">")), "{id}");
    }
    assert!(html.contains("compare with the reference path <code>gradual</code>"));
    assert!(html.contains(
        "<strong>score</strong> = 1 × <code>final_ci</code> − 0.05 × <code>kr_crises</code>"
    ));
    assert!(html.contains(
        "<th scope=\"col\" class=\"num\">Score<span class=\"sub\">higher is better</span></th>"
    ));
    assert!(!html.contains("http-equiv=\"refresh\""));

    // The numbers, formatted as in the terminal table, from summary.json.
    let summary = read_json(&out.join("summary.json"));
    let m = summary["paths"]["hasty"]["final_ci"]["mean"]
        .as_f64()
        .unwrap();
    let ci = &summary["paths"]["hasty"]["final_ci"]["ci95"];
    assert!(html.contains(&format!(
        "<span class=\"v\">{}</span><span class=\"sub\">CI {} to {}</span>",
        Kind::Index.value(m),
        Kind::Index.value(ci[0].as_f64().unwrap()),
        Kind::Index.value(ci[1].as_f64().unwrap())
    )));
    let d = &summary["paired"]["hasty"]["durable_success"];
    let (lo, hi) = (
        d["ci95"][0].as_f64().unwrap(),
        d["ci95"][1].as_f64().unwrap(),
    );
    let pb = d["p_better"].as_f64().unwrap();
    assert!(html.contains(&format!(
        "<span class=\"v\">{}</span><span class=\"sub\">CI {} to {}</span><span class=\"sub\">P(better) {:.0}%</span>",
        Kind::Share.diff(d["mean_diff"].as_f64().unwrap(), (hi - lo) / 2.0),
        Kind::Share.diff(lo, f64::NAN),
        Kind::Share.diff(hi, f64::NAN),
        100.0 * pb
    )));

    // The effective scenario and the manifest.
    let manifest = read_json(&out.join("manifest.json"));
    let sha = manifest["scenario_sha256"].as_str().unwrap();
    assert!(html.contains(sha));
    assert!(html.contains(
        "<dt>Seed</dt><dd><code>5</code></dd>\n<dt>Replications</dt><dd><code>60</code></dd>"
    ));
    assert!(html.contains(
        "name = &quot;&lt;script&gt;alert(1)&lt;/script&gt; Tom &amp; Jerry&#39;s&quot;"
    ));
    assert!(html.contains(manifest["started_at"].as_str().unwrap()));
}

#[test]
fn report_rebuilds_the_same_bytes_and_refreshes_on_request() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), HOSTILE, &["--no-runs-csv"]);
    let first = fs::read(out.join("report.html")).unwrap();
    trisim()
        .args(["report", out.to_str().unwrap()])
        .assert()
        .success()
        .stdout(predicate::str::contains("Report written to"));
    assert_eq!(fs::read(out.join("report.html")).unwrap(), first);
    // From scratch too, and with no temporary file left behind.
    fs::remove_file(out.join("report.html")).unwrap();
    trisim()
        .args(["report", out.to_str().unwrap()])
        .assert()
        .success();
    assert_eq!(fs::read(out.join("report.html")).unwrap(), first);
    let hidden: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");

    // The --watch hook: a page that reloads itself.
    let html = build_html(
        &out,
        &ReportOptions {
            auto_refresh_seconds: Some(7),
        },
    )
    .unwrap();
    assert!(html.contains("<meta http-equiv=\"refresh\" content=\"7\">"));
    assert_eq!(
        html.replace("<meta http-equiv=\"refresh\" content=\"7\">\n", ""),
        String::from_utf8(first).unwrap()
    );
}

/// Renames `from` to `to` as a key of the object `v`, keeping the order.
fn rename_key(v: &mut Value, from: &str, to: &str) {
    let obj = v.as_object_mut().unwrap();
    let old = std::mem::take(obj);
    for (k, x) in old {
        obj.insert(if k == from { to.to_string() } else { k }, x);
    }
}

#[test]
fn names_with_markup_in_the_folder_files_are_escaped() {
    // The loader refuses `<` in scenario and path names, but the report must not trust the
    // folder's files: give them such names and rebuild.
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), HOSTILE, &["--no-runs-csv"]);
    let evil_name = "<script>alert(1)</script>";
    let evil_path = "<b>x</b>&\"q\"";
    let mut summary = read_json(&out.join("summary.json"));
    summary["scenario"] = Value::from(evil_name);
    rename_key(&mut summary["paths"], "hasty", evil_path);
    rename_key(&mut summary["paired"], "hasty", evil_path);
    fs::write(out.join("summary.json"), summary.to_string()).unwrap();
    let mut manifest = read_json(&out.join("manifest.json"));
    manifest["paths"][1] = Value::from(evil_path);
    manifest["scenario_file"] = Value::from("</code><script>alert(3)</script>.toml");
    fs::write(out.join("manifest.json"), manifest.to_string()).unwrap();
    // A chart whose text holds (escaped) markup, as a hostile name would give.
    let svg_path = out.join("charts/fan_ci.svg");
    let svg = fs::read_to_string(&svg_path).unwrap();
    let svg = svg.replacen(
        "Tom &amp; Jerry&apos;s",
        "&lt;script&gt;alert(4)&lt;/script&gt;",
        1,
    );
    fs::write(&svg_path, svg).unwrap();

    trisim()
        .args(["report", out.to_str().unwrap()])
        .assert()
        .success();
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert_inert(&html);
    assert!(html.contains("<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>"));
    assert!(html.contains("<code>&lt;b&gt;x&lt;/b&gt;&amp;&quot;q&quot;</code>"));
    assert!(html.contains("&lt;/code&gt;&lt;script&gt;alert(3)&lt;/script&gt;.toml"));
    assert!(html.contains("&lt;script&gt;alert(4)&lt;/script&gt;: cooperation index"));
    assert!(!html.contains("<b>x"));

    // Markup in a chart is refused, naming the file.
    fs::write(
        &svg_path,
        "<svg viewBox=\"0 0 10 10\"><script>alert(5)</script></svg>",
    )
    .unwrap();
    trisim()
        .args(["report", out.to_str().unwrap()])
        .assert()
        .failure()
        .stderr(predicate::str::contains("fan_ci.svg"))
        .stderr(predicate::str::contains("<script>"));
}

#[test]
fn report_refuses_folders_that_are_not_run_results() {
    let tmp = tempfile::tempdir().unwrap();
    let report = |dir: &Path| trisim().args(["report", dir.to_str().unwrap()]).assert();

    report(&tmp.path().join("missing"))
        .failure()
        .stderr(predicate::str::contains("is not a folder"));
    let empty = tmp.path().join("empty");
    fs::create_dir(&empty).unwrap();
    report(&empty)
        .failure()
        .stderr(predicate::str::contains("not a trisim result folder"))
        .stderr(predicate::str::contains("manifest.json"));
    assert!(!empty.join("report.html").exists());
    let other = tmp.path().join("other");
    fs::create_dir(&other).unwrap();
    fs::write(
        other.join("manifest.json"),
        "{\"name\": \"something else\"}",
    )
    .unwrap();
    report(&other)
        .failure()
        .stderr(predicate::str::contains("trisim_version"));

    // A run folder relabelled as an experiment or a shard.
    let out = run(tmp.path(), HOSTILE, &["--no-runs-csv"]);
    fs::remove_file(out.join("report.html")).unwrap();
    let manifest = read_json(&out.join("manifest.json"));
    for (command, says) in [
        ("sweep", "holds a sweep, not a run"),
        ("sensitivity", "holds a sensitivity study, not a run"),
        ("run-shard", "trisim merge"),
    ] {
        let mut m = manifest.clone();
        m["command"] = Value::from(command);
        fs::write(out.join("manifest.json"), m.to_string()).unwrap();
        report(&out)
            .failure()
            .stderr(predicate::str::contains(says));
        assert!(!out.join("report.html").exists());
    }
    // A run folder without its summary.
    fs::write(out.join("manifest.json"), manifest.to_string()).unwrap();
    fs::remove_file(out.join("summary.json")).unwrap();
    report(&out)
        .failure()
        .stderr(predicate::str::contains("no summary.json"));
}

#[test]
fn force_replaces_a_folder_with_a_report_and_merge_writes_one() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), HOSTILE, &["--no-runs-csv"]);
    assert!(out.join("report.html").is_file());
    // report.html is one of trisim's files: --force replaces the folder.
    run(
        tmp.path(),
        HOSTILE,
        &["--no-runs-csv", "--force", "--seed", "6"],
    );
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<li>seed 6</li>"));

    // Shards merged: a run too (shards hold whole blocks of 256 replications).
    let f = tmp.path().join("scenario.toml");
    for i in 0..2 {
        trisim()
            .args([
                "run",
                f.to_str().unwrap(),
                "--replications",
                "300",
                "--shard",
                &format!("{i}/2"),
                "--out",
                tmp.path().join(format!("shard{i}")).to_str().unwrap(),
            ])
            .assert()
            .success();
        assert!(!tmp.path().join(format!("shard{i}/report.html")).exists());
        trisim()
            .args([
                "report",
                tmp.path().join(format!("shard{i}")).to_str().unwrap(),
            ])
            .assert()
            .failure()
            .stderr(predicate::str::contains("one shard of a run"));
    }
    let merged = tmp.path().join("merged");
    trisim()
        .args([
            "merge",
            tmp.path().join("shard0").to_str().unwrap(),
            tmp.path().join("shard1").to_str().unwrap(),
            "--out",
            merged.to_str().unwrap(),
        ])
        .assert()
        .success();
    let html = fs::read_to_string(merged.join("report.html")).unwrap();
    assert_inert(&html);
    assert_eq!(html.matches("<svg").count(), svg_charts(&merged));
    assert!(html.contains("<dt>Command</dt><dd><code>merge</code></dd>"));
    trisim()
        .args(["report", merged.to_str().unwrap()])
        .assert()
        .success();
    assert_eq!(
        fs::read_to_string(merged.join("report.html")).unwrap(),
        html
    );
}
