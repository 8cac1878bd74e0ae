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
                v["accum"]["ts_n"].as_array_mut().unwrap().pop();
            }),
        ),
        (
            "time-series sum x50",
            Box::new(|v| times(&mut v["accum"]["ts_sum"][5], 50)),
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
    cut["partial"]["accum"]["ts_hist"]
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
}
