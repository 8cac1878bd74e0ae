//! Every command in the README and the user guide (docs/) runs as written.
//!
//! Each fenced block marked `sh` in README.md and docs/*.md is run with bash (`set -euo
//! pipefail`), block after block in the order of its file, in a fresh folder per file holding
//! copies of `scenarios/`, `data/`, `examples/` and `docs/` (so a command that writes
//! `results/...` or `my-study.toml` leaves the repository alone), with `HOME` in that folder
//! and `trisim` on the `PATH` as this build's binary. `cargo run --release -- ARGS` runs
//! `trisim ARGS`; `cargo build --release` and `cargo install --path .` are what this test's own
//! build has done, and are not repeated.
//!
//! A block too slow or too interactive for CI is fenced `sh,no-run`, and its first line is a
//! comment `# not run by the docs test: REASON` that readers see too; such exceptions are kept
//! few (at most [`MAX_NO_RUN`]).
//!
//! The test also checks that every relative link in these files points to a file that exists,
//! and that the guide's blocks call the program one way, `trisim ...`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The most `sh,no-run` blocks the docs may hold.
const MAX_NO_RUN: usize = 7;

/// The comment that opens a `sh,no-run` block.
const NO_RUN: &str = "# not run by the docs test";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Markdown files whose commands are run: README.md, then docs/*.md.
fn files() -> Vec<PathBuf> {
    let mut v = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    v.extend(docs);
    v
}

struct Block {
    /// 1-based line of the opening fence.
    line: usize,
    info: String,
    text: String,
}

/// The fenced code blocks of a Markdown text (``` fences at the start of a line).
fn blocks(md: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut open: Option<Block> = None;
    for (i, l) in md.lines().enumerate() {
        match open.take() {
            None => {
                if let Some(info) = l.strip_prefix("```") {
                    open = Some(Block {
                        line: i + 1,
                        info: info.trim().to_string(),
                        text: String::new(),
                    });
                }
            }
            Some(mut b) => {
                if l.trim_end() == "```" {
                    out.push(b);
                } else {
                    b.text.push_str(l);
                    b.text.push('\n');
                    open = Some(b);
                }
            }
        }
    }
    assert!(open.is_none(), "a code block is not closed");
    out
}

/// The language and the flags of a fence's info string (`sh,no-run` → `sh`, [`no-run`]).
fn lang(info: &str) -> (String, Vec<String>) {
    let mut parts = info.split([',', ' ']).filter(|s| !s.is_empty());
    let l = parts.next().unwrap_or("").to_string();
    (l, parts.map(str::to_string).collect())
}

fn is_shell(l: &str) -> bool {
    matches!(l, "sh" | "bash" | "shell" | "console")
}

/// `cargo` as the docs use it, for the commands run here.
const CARGO_SHIM: &str = r#"#!/usr/bin/env bash
# cargo for tests/docs_commands.rs: `cargo run --release -- ARGS` is `trisim ARGS`.
if [ "$1" = run ] && [ "$2" = --release ] && [ "$3" = -- ]; then
  shift 3
  exec trisim "$@"
fi
case "$*" in
  "build --release"|"install --path .") exit 0 ;;
esac
echo "docs test: no rule to run \`cargo $*\` (mark its block sh,no-run with a reason)" >&2
exit 2
"#;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// A folder laid out like a fresh clone (the parts commands read), with `trisim` and the
/// `cargo` shim in `bin/`.
fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("trisim");
    for d in ["scenarios", "data", "examples", "docs"] {
        copy_dir(&root().join(d), &work.join(d));
    }
    std::fs::create_dir_all(work.join("results")).unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_trisim"), bin.join("trisim")).unwrap();
    std::fs::write(bin.join("cargo"), CARGO_SHIM).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(bin.join("cargo"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
    }
    std::fs::create_dir_all(dir.path().join("home")).unwrap();
    (dir, work)
}

#[test]
fn every_command_in_the_docs_runs_as_written() {
    let mut no_run = Vec::new();
    let mut ran = 0;
    let mut failures = Vec::new();
    for file in files() {
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        let md = std::fs::read_to_string(&file).unwrap();
        let (dir, work) = workspace();
        let path = format!(
            "{}:{}",
            dir.path().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        for b in blocks(&md) {
            let (l, flags) = lang(&b.info);
            if !is_shell(&l) {
                continue;
            }
            if flags.iter().any(|f| f == "no-run") {
                assert!(
                    b.text.starts_with(NO_RUN),
                    "{name}:{}: a no-run block must start with `{NO_RUN}: REASON`",
                    b.line
                );
                no_run.push(format!("{name}:{}", b.line));
                continue;
            }
            assert!(
                flags.is_empty(),
                "{name}:{}: unknown flags {flags:?}",
                b.line
            );
            ran += 1;
            let started = std::time::Instant::now();
            let out = Command::new("bash")
                .args(["-euo", "pipefail", "-c", &b.text])
                .current_dir(&work)
                .env("PATH", &path)
                .env("HOME", dir.path().join("home"))
                .env("NO_COLOR", "1")
                .output()
                .unwrap();
            eprintln!(
                "{name}:{}: {} in {:.1} s",
                b.line,
                if out.status.success() { "ok" } else { "FAILED" },
                started.elapsed().as_secs_f64()
            );
            if !out.status.success() {
                failures.push(format!(
                    "{name}:{} ({}):\n{}--- stdout\n{}--- stderr\n{}",
                    b.line,
                    out.status,
                    b.text,
                    String::from_utf8_lossy(&out.stdout),
                    String::from_utf8_lossy(&out.stderr)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(ran >= 10, "only {ran} blocks ran");
    assert!(
        no_run.len() <= MAX_NO_RUN,
        "{} sh,no-run blocks (at most {MAX_NO_RUN}): {no_run:?}",
        no_run.len()
    );
}

/// The guide writes every command as `trisim ...`; only the README (and the introduction's
/// one alternative in prose) uses `cargo run`.
#[test]
fn the_guide_calls_the_program_one_way() {
    for file in files().into_iter().skip(1) {
        let md = std::fs::read_to_string(&file).unwrap();
        for b in blocks(&md) {
            if is_shell(&lang(&b.info).0) {
                assert!(
                    !b.text.contains("cargo run") && !b.text.contains("target/release/trisim"),
                    "{}:{}: write `trisim ...`",
                    file.display(),
                    b.line
                );
            }
        }
    }
}

/// Relative links of README.md and docs/*.md point to existing files.
#[test]
fn relative_links_point_to_files_that_exist() {
    let all = files();
    let mut broken = Vec::new();
    for file in all {
        let md = std::fs::read_to_string(&file).unwrap();
        let base = file.parent().unwrap();
        // Links outside code: `](target)` and `](target "title")`.
        let mut in_code = false;
        for (i, l) in md.lines().enumerate() {
            if l.starts_with("```") {
                in_code = !in_code;
            }
            if in_code {
                continue;
            }
            for (j, _) in l.match_indices("](") {
                let rest = &l[j + 2..];
                let Some(end) = rest.find(')') else { continue };
                let target = rest[..end].split_whitespace().next().unwrap_or("");
                if target.is_empty()
                    || target.starts_with('#')
                    || target.contains("://")
                    || target.starts_with("mailto:")
                {
                    continue;
                }
                let path = target.split('#').next().unwrap();
                if !base.join(path).exists() {
                    broken.push(format!("{}:{}: {target}", file.display(), i + 1));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn fences_are_read_as_the_docs_mean_them() {
    let md = "text\n```sh\ntrisim run a.toml\n```\n```sh,no-run\n# not run by the docs test: slow\nx\n```\n```toml\n[a]\n```\n";
    let b = blocks(md);
    assert_eq!(b.len(), 3);
    assert_eq!((b[0].line, b[0].text.as_str()), (2, "trisim run a.toml\n"));
    assert_eq!(
        lang(&b[1].info),
        ("sh".to_string(), vec!["no-run".to_string()])
    );
    assert!(b[1].text.starts_with(NO_RUN));
    assert_eq!(lang(&b[2].info).0, "toml");
    assert!(!is_shell("toml") && !is_shell("text") && is_shell("sh"));
}
