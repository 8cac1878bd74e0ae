//! Hostile input and faults (issue 15): trisim trusts no file it reads back (shards,
//! checkpoints, result folders), bounds what it reads, and echoes nothing raw.

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("trisim")
}

fn fast() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/experiments/fast.toml")
        .to_string_lossy()
        .into_owned()
}

fn run(args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn ok(args: &[&str]) -> String {
    let o = run(args);
    assert!(
        o.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Runs a command that must be refused (exit 1, no panic); returns its stderr.
fn refused(args: &[&str]) -> String {
    let o = run(args);
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{args:?} should be refused: {err}"
    );
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    err
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
        }
    }
}

/// Two shards of a 512-replication run of the fast fixture (with records.csv if `records`).
fn two_shards(tmp: &Path, extra: &[&str]) -> (PathBuf, PathBuf) {
    let f = fast();
    let (a, b) = (tmp.join("s0"), tmp.join("s1"));
    for (i, d) in [(0, &a), (1, &b)] {
        let mut args = vec!["run", &f, "-n", "512", "-q"];
        args.extend_from_slice(extra);
        let sh = format!("{i}/2");
        args.extend_from_slice(&["--shard", &sh, "--out", s(d)]);
        ok(&args);
    }
    (a, b)
}

/// Rewrites a shard's partial.json with `edit` and records the new digest in its manifest
/// (as an attacker who knows the format would).
fn forge(shard: &Path, edit: impl FnOnce(&mut Value)) {
    let path = shard.join("partial.json");
    let mut v: Value = serde_json::from_slice(&fs::read(&path).unwrap()).unwrap();
    edit(&mut v);
    let bytes = serde_json::to_vec(&v).unwrap();
    fs::write(&path, &bytes).unwrap();
    let mpath = shard.join("manifest.json");
    let mut m: Value = serde_json::from_slice(&fs::read(&mpath).unwrap()).unwrap();
    m["shard"]["sha256"]["partial.json"] = Value::String(sha256(&bytes));
    fs::write(&mpath, serde_json::to_vec(&m).unwrap()).unwrap();
}

fn times(v: &mut Value, k: i128) {
    let n: i128 = v.as_str().unwrap().parse().unwrap();
    *v = Value::String((n * k).to_string());
}

#[test]
fn merge_refuses_edited_and_forged_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let (a, b) = two_shards(t, &[]);
    // The untouched shards merge.
    ok(&["merge", s(&a), s(&b), "--out", s(&t.join("good")), "-q"]);
    let out = t.join("out");
    let merge = |x: &Path| refused(&["merge", s(x), s(&b), "--out", s(&out), "-q"]);

    // An edit without a new digest.
    let e = t.join("edited");
    copy_dir(&a, &e);
    let p = e.join("partial.json");
    let text = fs::read_to_string(&p).unwrap();
    fs::write(&p, text.replacen("\"n\":256", "\"n\":255", 1)).unwrap();
    let err = merge(&e);
    assert!(
        err.contains("partial.json") && err.contains("SHA-256"),
        "{err}"
    );

    // Forged files with a matching digest: each refused with the file and what is wrong.
    type Edit = Box<dyn Fn(&mut Value)>;
    let cases: Vec<(&str, Edit)> = vec![
        (
            "sum x50",
            Box::new(|v| times(&mut v["accum"]["moments"][0][0]["sum"], 50)),
        ),
        (
            "sum near 2^127",
            Box::new(|v| {
                v["accum"]["moments"][0][1]["sum"] = Value::String((i128::MAX - 1000).to_string())
            }),
        ),
        (
            "wrong n",
            Box::new(|v| {
                let n = v["accum"]["moments"][1][2]["n"].as_u64().unwrap();
                v["accum"]["moments"][1][2]["n"] = (n * 3).into();
            }),
        ),
        (
            "truncated array",
            Box::new(|v| {
                v["accum"]["series"]["counts"].as_array_mut().unwrap().pop();
            }),
        ),
        (
            "time-series sum x50",
            Box::new(|v| times(&mut v["accum"]["series"]["sum"][5], 50)),
        ),
        ("other blocks", Box::new(|v| v["blocks"]["end"] = 2.into())),
        (
            "everything x50",
            Box::new(|v| {
                for pm in v["accum"]["moments"].as_array_mut().unwrap() {
                    for m in pm.as_array_mut().unwrap() {
                        let n = m["n"].as_u64().unwrap();
                        m["n"] = (n * 50).into();
                        times(&mut m["sum"], 50);
                        times(&mut m["sumsq"], 50);
                    }
                }
            }),
        ),
    ];
    for (what, edit) in cases {
        let f = t.join(what.replace(' ', "_"));
        copy_dir(&a, &f);
        forge(&f, edit);
        let err = merge(&f);
        assert!(
            err.contains(&format!("{}", f.join("partial.json").display())),
            "{what}: {err}"
        );
        assert!(!out.exists(), "{what}: a merge was written");
    }

    // A manifest without the digest cannot be verified.
    let nd = t.join("no_digest");
    copy_dir(&a, &nd);
    let mpath = nd.join("manifest.json");
    let mut m: Value = serde_json::from_slice(&fs::read(&mpath).unwrap()).unwrap();
    m["shard"].as_object_mut().unwrap().remove("sha256");
    fs::write(&mpath, serde_json::to_vec(&m).unwrap()).unwrap();
    let err = merge(&nd);
    assert!(
        err.contains("SHA-256") && err.contains("manifest.json"),
        "{err}"
    );
}

#[test]
fn merge_refuses_an_edited_records_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let (a, b) = two_shards(t, &["--record", "2023-06,2024-12"]);
    let p = b.join("records.csv");
    let text = fs::read_to_string(&p).unwrap();
    let last = text.trim_end().rsplit('\n').next().unwrap().to_string();
    fs::write(&p, format!("{text}{last}\n")).unwrap();
    let out = t.join("out");
    let err = refused(&["merge", s(&a), s(&b), "--out", s(&out), "-q"]);
    assert!(
        err.contains("records.csv") && err.contains("SHA-256"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn merge_refuses_a_forged_sweep_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let f = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/experiments/fast-lhs.toml")
        .to_string_lossy()
        .into_owned();
    let (a, b) = (t.join("w0"), t.join("w1"));
    for (i, d) in [(0, &a), (1, &b)] {
        let sh = format!("{i}/2");
        ok(&[
            "sweep",
            &f,
            "--points",
            "4",
            "-n",
            "64",
            "-q",
            "--shard",
            &sh,
            "--out",
            s(d),
        ]);
    }
    ok(&["merge", s(&a), s(&b), "--out", s(&t.join("good")), "-q"]);
    let out = t.join("out");
    // Edited without a new digest.
    let p = a.join("partial.json");
    let orig = fs::read(&p).unwrap();
    let mut v: Value = serde_json::from_slice(&orig).unwrap();
    v["results"][0]["outcomes"][0][0][0] = 1_000_000.into();
    fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
    let err = refused(&["merge", s(&a), s(&b), "--out", s(&out), "-q"]);
    assert!(err.contains("SHA-256"), "{err}");
    // Forged with a digest: a count above the replications, then a point cut off.
    fs::write(&p, &orig).unwrap();
    forge(&a, |v| {
        v["results"][0]["outcomes"][0][0][0] = 1_000_000.into()
    });
    let err = refused(&["merge", s(&a), s(&b), "--out", s(&out), "-q"]);
    assert!(
        err.contains("partial.json") && err.contains("replications"),
        "{err}"
    );
    fs::write(&p, &orig).unwrap();
    forge(&a, |v| {
        v["results"].as_array_mut().unwrap().pop();
    });
    let err = refused(&["merge", s(&a), s(&b), "--out", s(&out), "-q"]);
    assert!(err.contains("partial.json"), "{err}");
    assert!(!out.exists());
}

/// The staging folder of a run into `parent/out` killed once it saved a checkpoint.
fn killed_run(parent: &Path) -> PathBuf {
    let f = fast();
    let out = parent.join("out");
    let mut child = Command::new(bin())
        .args([
            "run",
            &f,
            "-n",
            "150000",
            "--no-runs-csv",
            "-q",
            "--out",
            s(&out),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let dir = loop {
        if let Some(dir) = fs::read_dir(parent).unwrap().find_map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name.starts_with(".out.partial-") && p.join("checkpoint.json").exists()).then_some(p)
        }) {
            break dir;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "no checkpoint");
        std::thread::sleep(Duration::from_millis(20));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    dir
}

/// The checkpoint's content (inside its digest envelope) and a writer that re-seals it.
fn checkpoint_content(dir: &Path) -> Value {
    let b = fs::read(dir.join("checkpoint.json")).unwrap();
    let v: Value = serde_json::from_slice(&b).unwrap();
    v["checkpoint"].clone()
}

fn seal_checkpoint(dir: &Path, content: &Value) {
    let inner = serde_json::to_vec(content).unwrap();
    let mut out = format!("{{\"sha256\":\"{}\",\"checkpoint\":", sha256(&inner)).into_bytes();
    out.extend_from_slice(&inner);
    out.push(b'}');
    fs::write(dir.join("checkpoint.json"), out).unwrap();
}

#[test]
fn resume_refuses_edited_and_forged_checkpoints() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let dir = killed_run(t);
    let orig = fs::read(dir.join("checkpoint.json")).unwrap();
    let content = checkpoint_content(&dir);
    let f = fast();
    let resume = || {
        refused(&[
            "run",
            &f,
            "-n",
            "150000",
            "--no-runs-csv",
            "-q",
            "--resume",
            s(&dir),
        ])
    };
    // Edited without a new digest.
    let text = String::from_utf8(orig.clone()).unwrap();
    let n = content["partial"]["accum"]["moments"][0][0]["n"]
        .as_u64()
        .unwrap();
    fs::write(
        dir.join("checkpoint.json"),
        text.replacen(&format!("\"n\":{n}"), &format!("\"n\":{}", n - 1), 1),
    )
    .unwrap();
    let err = resume();
    assert!(
        err.contains("checkpoint.json") && err.contains("SHA-256"),
        "{err}"
    );
    // Forged: everything x50, a sum near 2^127, a truncated array.
    let mut x50 = content.clone();
    for pm in x50["partial"]["accum"]["moments"].as_array_mut().unwrap() {
        for m in pm.as_array_mut().unwrap() {
            let n = m["n"].as_u64().unwrap();
            m["n"] = (n * 50).into();
            times(&mut m["sum"], 50);
            times(&mut m["sumsq"], 50);
        }
    }
    let mut wrap = content.clone();
    wrap["partial"]["accum"]["moments"][0][0]["sum"] = Value::String((i128::MAX - 7).to_string());
    let mut cut = content.clone();
    cut["partial"]["accum"]["series"]["counts"]
        .as_array_mut()
        .unwrap()
        .pop();
    let mut beyond = content.clone();
    beyond["partial"]["blocks"]["end"] = 100_000.into();
    for forged in [x50, wrap, cut, beyond] {
        seal_checkpoint(&dir, &forged);
        let err = resume();
        assert!(err.contains("checkpoint.json"), "{err}");
    }
    // Not an envelope at all.
    fs::write(dir.join("checkpoint.json"), b"{}").unwrap();
    let err = resume();
    assert!(
        err.contains("checkpoint.json") && err.contains("damaged"),
        "{err}"
    );
    // The untouched checkpoint still resumes.
    fs::write(dir.join("checkpoint.json"), &orig).unwrap();
    ok(&[
        "run",
        &f,
        "-n",
        "150000",
        "--no-runs-csv",
        "-q",
        "--resume",
        s(&dir),
    ]);
    assert!(t.join("out/summary.json").is_file());
    // The manifest says the run was resumed and counts the wall time of both sessions.
    let m: Value = serde_json::from_slice(&fs::read(t.join("out/manifest.json")).unwrap()).unwrap();
    let r = &m["resumed"];
    assert_eq!(r["times"], 1, "{m}");
    let before = r["previous_wall_time_seconds"].as_f64().unwrap();
    assert!(before > 0.0, "{m}");
    assert!(m["wall_time_seconds"].as_f64().unwrap() > before, "{m}");
    assert_eq!(m["started_at"], r["first_started_at"], "{m}");
}

/// Runs `trisim validate FILE` (refused) with a secret in the environment; returns stderr.
fn validate_refused(file: &Path) -> String {
    let o = Command::new(bin())
        .args(["validate", s(file)])
        .env("HOSTILE_SECRET", "s3cr3t-token-value")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn diagnostics_show_control_characters_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let f = tmp.path().join("esc.toml");
    // Raw escape sequences in the source line (set the title, clear the screen, a carriage
    // return that overwrites the line with a fake "ok"), and escaped ones in strings and keys.
    fs::write(
        &f,
        format!(
            "extends = {:?}\n[scenario]\nname = \"x\"\npaths = [\"gradual\\u001b]0;pwned\\u0007\"]\n\"\\u001b[2Jok\" = 3\n",
            s(&base)
        ),
    )
    .unwrap();
    let mut err = validate_refused(&f);
    let g = tmp.path().join("syntax.toml");
    fs::write(
        &g,
        "[scenario]\nhorizon_monthz\u{1b}[2J\u{202e} = 5 \r ok\n",
    )
    .unwrap();
    err += &validate_refused(&g);
    for c in ['\u{1b}', '\u{7}', '\r', '\u{202e}'] {
        assert!(!err.contains(c), "raw {c:?} echoed: {err:?}");
    }
    assert!(err.contains("\\u{1b}]0;pwned\\u{7}"), "{err}");
    assert!(err.contains("\\u{1b}[2Jok"), "{err}");
    // The caret still points at the offending key in the escaped line.
    let lines: Vec<&str> = err.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.contains("horizon_monthz\\u{1b}[2J"))
        .unwrap_or_else(|| panic!("{err}"));
    let col = lines[i].find("horizon_monthz").unwrap();
    let caret = lines[i + 1].find('^').unwrap();
    assert!(caret >= col, "{err}");
}

#[test]
fn files_that_are_not_scenarios_are_never_echoed() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let mut cases = Vec::new();
    if Path::new("/proc/self/environ").exists() {
        let f = t.join("environ.toml");
        fs::write(
            &f,
            "extends = \"/proc/self/environ\"\n[scenario]\nname = \"x\"\n",
        )
        .unwrap();
        cases.push(f);
    }
    // A .env file that parses as TOML, a binary file named .toml, a non-UTF-8 file.
    fs::write(t.join(".env"), "HOSTILE = \"s3cr3t-token-value\"\n").unwrap();
    let f = t.join("dotenv.toml");
    fs::write(&f, "extends = \".env\"\n[scenario]\nname = \"x\"\n").unwrap();
    cases.push(f);
    fs::write(t.join("bin.toml"), b"A=\"s3cr3t-token-value\"\0B=2\n").unwrap();
    let f = t.join("binary.toml");
    fs::write(&f, "extends = \"bin.toml\"\n[scenario]\nname = \"x\"\n").unwrap();
    cases.push(f);
    let f = t.join("latin1.cfg");
    fs::write(&f, b"s3cr3t-token-value = \"caf\xe9\"\n").unwrap();
    cases.push(f);
    let f = t.join("plain.txt");
    fs::write(&f, b"s3cr3t-token-value\0").unwrap();
    cases.push(f);
    for f in cases {
        let err = validate_refused(&f);
        assert!(
            !err.contains("s3cr3t-token-value"),
            "{}: {err}",
            f.display()
        );
        assert!(
            err.contains("not a scenario file"),
            "{}: {err}",
            f.display()
        );
    }
    // A data file (series, observations) that is binary is not echoed either.
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    fs::write(
        t.join("data.csv"),
        b"month,value\n2024-01,s3cr3t-token-value\0\n",
    )
    .unwrap();
    let f = t.join("data.toml");
    fs::write(
        &f,
        format!(
            "extends = {:?}\n[world.nk]\nobserved = \"data.csv\"\n",
            s(&base)
        ),
    )
    .unwrap();
    let err = validate_refused(&f);
    assert!(!err.contains("s3cr3t-token-value"), "{err}");
    assert!(err.contains("data.csv"), "{err}");
}

/// Runs a command that must end (refused, exit 1) within 30 s: a FIFO must not block it.
#[cfg(unix)]
fn refused_in_time(args: &[&str]) -> String {
    let mut child = Command::new(bin())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            assert_eq!(status.code(), Some(1), "{args:?}: {err}");
            return err;
        }
        if start.elapsed() > Duration::from_secs(30) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("{args:?} blocked (still running after 30 s)");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    let _ = fs::remove_file(p);
    let st = Command::new("mkfifo").arg(p).status().unwrap();
    assert!(st.success());
}

#[cfg(unix)]
#[test]
fn readers_of_result_folders_refuse_fifos_and_huge_files() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let (a, b) = two_shards(t, &[]);
    let good = t.join("good");
    ok(&["merge", s(&a), s(&b), "--out", s(&good), "-q"]);
    let copy = |name: &str, from: &Path| {
        let d = t.join(name);
        copy_dir(from, &d);
        if from.join("charts").is_dir() {
            copy_dir(&from.join("charts"), &d.join("charts"));
        }
        d
    };
    // A FIFO as a chart: `report` refuses it instead of waiting forever.
    let r = copy("fifo_chart", &good);
    let svg = fs::read_dir(r.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "svg"))
        .unwrap();
    mkfifo(&svg);
    let err = refused_in_time(&["report", s(&r)]);
    assert!(err.contains("not a regular file"), "{err}");
    // A 1 GB chart (sparse) is refused, not read whole.
    fs::remove_file(&svg).unwrap();
    fs::File::create(&svg).unwrap().set_len(1 << 30).unwrap();
    let err = refused_in_time(&["report", s(&r)]);
    assert!(err.contains("larger than"), "{err}");
    // A FIFO as a shard's partial.json or manifest.json: `merge` refuses.
    for name in ["partial.json", "manifest.json"] {
        let d = copy(&format!("fifo_{name}"), &a);
        mkfifo(&d.join(name));
        let err = refused_in_time(&["merge", s(&d), s(&b), "--out", s(&t.join("m")), "-q"]);
        assert!(
            err.contains(name) && err.contains("not a regular file"),
            "{err}"
        );
    }
    // A FIFO as the manifest of the folder `run --force` would replace: refused, not blocked.
    let r = copy("fifo_manifest", &good);
    mkfifo(&r.join("manifest.json"));
    let err = refused_in_time(&["run", &fast(), "-n", "64", "-q", "--force", "--out", s(&r)]);
    assert!(err.contains("manifest.json"), "{err}");
}

#[test]
fn merge_out_may_not_be_one_of_its_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path();
    let (a, b) = two_shards(t, &[]);
    let before = fs::read(b.join("partial.json")).unwrap();
    for out in [b.clone(), b.join("."), t.join("s1/../s1")] {
        let err = refused(&["merge", s(&a), s(&b), "--out", s(&out), "--force", "-q"]);
        assert!(err.contains("an input of this merge"), "{err}");
        assert_eq!(fs::read(b.join("partial.json")).unwrap(), before);
    }
    // A folder holding a shard.
    let holder = t.join("holder");
    copy_dir(&a, &holder.join("s0"));
    let err = refused(&[
        "merge",
        s(&holder.join("s0")),
        s(&b),
        "--out",
        s(&holder),
        "--force",
        "-q",
    ]);
    assert!(err.contains("an input of this merge"), "{err}");
    assert!(holder.join("s0/partial.json").is_file());
}

/// Wall time of `trisim validate` on a scenario with `n` new `[paths.*]` tables (the best of
/// two runs).
fn validate_paths_seconds(dir: &Path, n: usize) -> f64 {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let mut text = format!("extends = {:?}\n", s(&base));
    for i in 0..n {
        text.push_str(&format!(
            "[paths.p{i}]\nbase = \"hasty\"\ntransparency = 0.7\n"
        ));
    }
    let f = dir.join(format!("paths{n}.toml"));
    fs::write(&f, text).unwrap();
    (0..2)
        .map(|_| {
            let t = Instant::now();
            ok(&["validate", s(&f)]);
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

#[test]
fn validation_time_is_linear_in_the_number_of_paths() {
    let tmp = tempfile::tempdir().unwrap();
    let small = validate_paths_seconds(tmp.path(), 5_000);
    let large = validate_paths_seconds(tmp.path(), 40_000);
    // 8 times the paths: about 8 times the time (it was about 60 times: quadratic).
    assert!(
        large < 24.0 * small.max(0.02),
        "5,000 paths: {small:.2} s, 40,000 paths: {large:.2} s"
    );
}
