//! `report.html`: written by `trisim run` and `trisim merge`, rebuilt by `trisim report DIR`;
//! self-contained, deterministic, and escaping every user-supplied text.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use trisim::output::report::{build_html, sanitize_svg, ReportOptions};
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
        "<span class=\"v\">{}</span><span class=\"sub\">95% interval {} to {}</span>",
        Kind::Index.value(m),
        Kind::Index.value(ci[0].as_f64().unwrap()),
        Kind::Index.value(ci[1].as_f64().unwrap())
    )));
    let d = &summary["paired"]["hasty"]["durable_success"];
    let (lo, hi) = (
        d["ci95"][0].as_f64().unwrap(),
        d["ci95"][1].as_f64().unwrap(),
    );
    // Wins and ties counted apart, world by world, from runs.csv.
    let mut rd = csv::Reader::from_path(out.join("runs.csv")).unwrap();
    let h = rd.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (pc, rc, dc) = (col("path"), col("replication"), col("durable_success"));
    let mut by_rep: std::collections::HashMap<String, (f64, f64)> = Default::default();
    for r in rd.records() {
        let r = r.unwrap();
        let v: f64 = r[dc].parse().unwrap();
        let e = by_rep
            .entry(r[rc].to_string())
            .or_insert((f64::NAN, f64::NAN));
        match &r[pc] {
            "gradual" => e.0 = v,
            "hasty" => e.1 = v,
            _ => {}
        }
    }
    let n = by_rep.len() as f64;
    let better = by_rep.values().filter(|(g, h)| h > g).count() as f64 / n;
    let tied = by_rep.values().filter(|(g, h)| h == g).count() as f64 / n;
    assert!(tied > 0.0, "a 0/1 outcome ties in some worlds");
    let cell = format!(
        "<span class=\"v\">{}</span><span class=\"sub\">95% interval {} to {}</span>",
        Kind::Share.diff(d["mean_diff"].as_f64().unwrap(), (hi - lo) / 2.0),
        Kind::Share.diff(lo, f64::NAN),
        Kind::Share.diff(hi, f64::NAN),
    );
    let at = html
        .find(&cell)
        .expect("the durable-success difference of hasty");
    let rest = &html[at + cell.len()..];
    let rest = &rest[..rest.find("</td>").unwrap()];
    assert!(
        rest.contains(&format!(
            "better in {} · tied in {}",
            trisim::output::table::percent(better),
            trisim::output::table::percent(tied)
        )),
        "{rest}"
    );
    assert_eq!(
        rest.contains("unresolved"),
        lo <= 0.0 && hi >= 0.0,
        "{rest}"
    );
    // Months to Camp David: the median, and the share of worlds that never get there.
    assert!(html.contains("never reached in "), "no never share");
    // "CI" is never the report's word for an interval (the model's outcome descriptions,
    // quoted in "What each outcome measures", still use it for the cooperation index).
    for bad in ["\"sub\">CI ", "95% CI", "P(better)"] {
        assert!(!html.contains(bad), "the report says {bad:?}");
    }

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
    // Without runs.csv, ties cannot be counted apart: P(better) is shown, and says so.
    let text = String::from_utf8_lossy(&first);
    assert!(text.contains("(ties count half)"), "no P(better) note");
    assert!(!text.contains("tied in "));
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

    // The --watch hook: a page that reloads itself, and says so at the top.
    let html = build_html(
        &out,
        &ReportOptions {
            auto_refresh_seconds: Some(7),
        },
    )
    .unwrap();
    let meta = "<meta http-equiv=\"refresh\" content=\"7\">\n";
    let notice = "<p class=\"notice\" role=\"status\">This page reloads every 7 s while <code>trisim run --watch</code> runs; sections you open close on reload.</p>\n";
    assert!(html.contains(meta));
    assert!(
        html.contains(&format!("<header>\n{notice}")),
        "no notice at the top"
    );
    let first = String::from_utf8(first).unwrap();
    assert!(!first.contains("reloads every"));
    assert_eq!(html.replace(meta, "").replace(notice, ""), first);
}

#[test]
fn the_footer_follows_the_manifest_and_the_rerun_command_is_quoted() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("my study's");
    fs::create_dir(&dir).unwrap();
    let f = dir.join("scenario one.toml");
    fs::write(&f, HOSTILE).unwrap();
    let runs_csv = ", runs.csv (one row per path and replication) and the charts as PNG.</footer>";
    for (extra, with_runs) in [(&[][..], true), (&["--no-runs-csv"][..], false)] {
        let out = tmp.path().join(format!("out-{with_runs}"));
        trisim()
            .args(["run", f.to_str().unwrap(), "--out", out.to_str().unwrap()])
            .args(extra)
            .assert()
            .success();
        assert_eq!(out.join("runs.csv").exists(), with_runs);
        let html = fs::read_to_string(out.join("report.html")).unwrap();
        assert_eq!(html.contains(runs_csv), with_runs, "{extra:?}");
        assert_eq!(html.contains("runs.csv (one row"), with_runs, "{extra:?}");
        assert!(html.contains("timeseries.csv (monthly quantiles)"));
        // The path quoted for a POSIX shell, then escaped for HTML.
        let quoted = format!("'{}'", f.display().to_string().replace('\'', r"'\''"));
        assert!(
            html.contains(&format!(
                "<pre class=\"cmd\">trisim run {} --seed 5 --replications 60 --paths gradual,hasty,x-y_z</pre>",
                trisim::output::report::escape(&quoted)
            )),
            "{}",
            &html[html.find("<pre class=\"cmd\">").unwrap()..][..300]
        );
    }
}

#[test]
fn concurrent_rebuilds_do_not_share_a_temporary_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run(tmp.path(), HOSTILE, &["--no-runs-csv"]);
    let expected = fs::read(out.join("report.html")).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("trisim");
    for _ in 0..3 {
        let children: Vec<_> = (0..4)
            .map(|_| {
                std::process::Command::new(&bin)
                    .args(["report", out.to_str().unwrap()])
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let o = c.wait_with_output().unwrap();
            assert!(
                o.status.success(),
                "a concurrent `trisim report` failed: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
        assert_eq!(fs::read(out.join("report.html")).unwrap(), expected);
    }
    let hidden: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
}

#[test]
fn every_chart_trisim_writes_passes_the_sanitizer() {
    // The report refuses a chart the sanitizer does not accept: pin that everything
    // output::charts draws for a scenario whose name (in the charts' titles) holds markup, a
    // comment, a CDATA end and entities is accepted, with the text escaped.
    let tmp = tempfile::tempdir().unwrap();
    let name = r#"<script>alert(1)</script> <!-- x --> ]]> &amp; &#x3c; Tom's \"q\""#;
    let scenario = HOSTILE.replacen(
        r#"name = "<script>alert(1)</script> Tom & Jerry's""#,
        &format!("name = \"{name}\""),
        1,
    );
    assert_ne!(scenario, HOSTILE);
    let out = run(tmp.path(), &scenario, &["--no-runs-csv"]);
    let shown = "&lt;script&gt;alert(1)&lt;/script&gt; &lt;!-- x --&gt; ]]&gt; &amp;amp; &amp;#x3c; Tom&#39;s &quot;q&quot;";
    let mut seen = Vec::new();
    for e in fs::read_dir(out.join("charts")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().and_then(|x| x.to_str()) != Some("svg") {
            continue;
        }
        let src = fs::read_to_string(&p).unwrap();
        let svg = sanitize_svg(&src, "label")
            .unwrap_or_else(|e| panic!("{}: refused: {e:#}", p.display()));
        assert!(svg.starts_with("<svg viewBox=\"0 0 1200 800\" role=\"img\""));
        assert!(!svg.contains("<script") && !svg.contains("<b>") && !svg.contains("<!--"));
        seen.push((p.file_stem().unwrap().to_string_lossy().into_owned(), svg));
    }
    seen.sort();
    let stems: Vec<&str> = seen.iter().map(|(s, _)| s.as_str()).collect();
    let mut all = trisim::output::charts::CHARTS.to_vec();
    all.sort();
    assert_eq!(stems, all);
    for stem in ["fan_ci", "rungs"] {
        let svg = &seen.iter().find(|(s, _)| s == stem).unwrap().1;
        assert!(
            svg.contains(&format!("{shown}: ")),
            "{stem}: the name is not in the title as text"
        );
    }
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains(&format!("<h1>{shown}</h1>")));
    assert_inert(&html);
}

/// Runs `trisim ARGS` with files limited to `limit_kib` KiB (`ulimit -f`, SIGXFSZ ignored so a
/// larger write fails with EFBIG instead of killing the process).
#[cfg(unix)]
fn trisim_with_file_limit(limit_kib: u64, args: &[&str]) -> std::process::Output {
    let bin = assert_cmd::cargo::cargo_bin("trisim");
    std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f {limit_kib} && exec \"$0\" \"$@\""
        ))
        .arg(bin)
        .args(args)
        .output()
        .unwrap()
}

/// Sizes of the files under `dir`: (the largest other than report.html, report.html).
fn largest_sizes(dir: &Path) -> (u64, u64) {
    let mut other = 0;
    let mut report = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(d).unwrap() {
            let e = e.unwrap();
            let m = e.metadata().unwrap();
            if m.is_dir() {
                stack.push(e.path());
            } else if e.file_name() == "report.html" {
                report = m.len();
            } else {
                other = other.max(m.len());
            }
        }
    }
    (other, report)
}

#[cfg(unix)]
#[test]
fn a_report_that_cannot_be_written_does_not_lose_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    // A file limit between the largest result file and report.html (which inlines every
    // chart) makes exactly the report's write fail.
    let normal = run(tmp.path(), HOSTILE, &["--no-runs-csv"]);
    let (other, report) = largest_sizes(&normal);
    assert!(
        other < report,
        "report.html ({report} B) is not the largest file ({other} B)"
    );
    let limit = (other + report) / 2 / 1024;
    let f = tmp.path().join("scenario.toml");
    let out = tmp.path().join("limited");
    let o = trisim_with_file_limit(
        limit,
        &[
            "run",
            f.to_str().unwrap(),
            "--no-runs-csv",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "the run failed: {stderr}");
    assert!(
        stderr.contains("warning: report.html not written: ")
            && stderr.contains("File too large")
            && stderr.contains(&format!(
                "rebuild it with `trisim report {}`",
                out.display()
            )),
        "{stderr}"
    );
    // --quiet: only the folder on stdout; the warning is printed anyway.
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        out.display().to_string()
    );
    // The results are complete, with nothing half-written.
    assert!(!out.join("report.html").exists());
    for f in ["summary.json", "summary.csv", "timeseries.csv"] {
        assert_eq!(
            fs::read(out.join(f)).unwrap(),
            fs::read(normal.join(f)).unwrap(),
            "{f}"
        );
    }
    // The manifest too, but for its timings (whose text length varies from run to run).
    let without_timings = |dir: &Path| {
        let mut m = read_json(&dir.join("manifest.json"));
        for k in ["started_at", "wall_time_seconds"] {
            m.as_object_mut().unwrap().remove(k).expect(k);
        }
        m
    };
    assert_eq!(without_timings(&out), without_timings(&normal));
    assert_eq!(svg_charts(&out), svg_charts(&normal));
    let hidden: Vec<_> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(hidden.is_empty(), "{hidden:?}");
    assert!(fs::read_dir(tmp.path()).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .starts_with('.')));
    // As the warning says.
    trisim()
        .args(["report", out.to_str().unwrap()])
        .assert()
        .success();
    assert!(out.join("report.html").is_file());

    // merge: the same.
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
    }
    let merged = tmp.path().join("merged");
    let o = trisim_with_file_limit(
        limit,
        &[
            "merge",
            tmp.path().join("shard0").to_str().unwrap(),
            tmp.path().join("shard1").to_str().unwrap(),
            "--out",
            merged.to_str().unwrap(),
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "the merge failed: {stderr}");
    assert!(
        stderr.contains("warning: report.html not written: "),
        "{stderr}"
    );
    assert!(merged.join("summary.json").is_file());
    assert!(!merged.join("report.html").exists());
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
    // Path names are identifiers, and scenario names come from the effective scenario; the
    // report must not trust the folder's files either: give them markup and rebuild.
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
        .stderr(predicate::str::contains("missing does not exist"));
    let file = tmp.path().join("file");
    fs::write(&file, "x").unwrap();
    report(&file)
        .failure()
        .stderr(predicate::str::contains("file is not a folder"));
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
    // A summary.json with the right keys but values of the wrong type: an error naming the
    // folder's file and the entry, never a report with empty tables.
    fs::write(out.join("manifest.json"), manifest.to_string()).unwrap();
    let summary = read_json(&out.join("summary.json"));
    let file = out.join("summary.json").display().to_string();
    let mut bad_mean = summary.clone();
    bad_mean["paths"]["hasty"]["final_ci"]["mean"] = Value::from("0.5");
    let mut bad_ci = summary.clone();
    bad_ci["paired"]["hasty"]["kr_crises"]["ci95"] = Value::from(1.0);
    let mut bad_path = summary.clone();
    bad_path["paths"]["x-y_z"] = Value::from(5);
    for (text, says) in [
        (
            r#"{"paths":{"gradual":5},"paired":{},"reference_path":"gradual"}"#.to_string(),
            "`paths.gradual` is a number, expected an object".to_string(),
        ),
        (
            r#"{"paths":{"gradual":{}},"paired":{},"reference_path":"gradual"}"#.to_string(),
            "`paths.gradual` holds no outcome".to_string(),
        ),
        (
            r#"{"paths":[],"paired":{},"reference_path":"gradual"}"#.to_string(),
            "`paths` is an array of 0, expected an object".to_string(),
        ),
        (
            r#"{"paths":{"gradual":{"final_ci":{}}},"paired":{},"reference_path":"gradual"}"#
                .to_string(),
            "`paths.gradual.final_ci.mean` is missing".to_string(),
        ),
        (
            bad_mean.to_string(),
            "`paths.hasty.final_ci.mean` is a string, expected a number".to_string(),
        ),
        (
            bad_ci.to_string(),
            "`paired.hasty.kr_crises.ci95` is a number, expected an interval".to_string(),
        ),
        (
            bad_path.to_string(),
            "`paths.x-y_z` is a number, expected an object".to_string(),
        ),
    ] {
        fs::write(out.join("summary.json"), &text).unwrap();
        report(&out)
            .failure()
            .stderr(predicate::str::contains(format!("{file}: {says}")));
        assert!(!out.join("report.html").exists(), "{says}");
    }
    fs::write(out.join("summary.json"), summary.to_string()).unwrap();
    report(&out).success();
    fs::remove_file(out.join("report.html")).unwrap();

    // A run folder without its summary.
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
