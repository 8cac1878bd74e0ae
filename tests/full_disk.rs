//! A full disk is a clear error and leaves nothing that looks like a result. Needs a small
//! tmpfs (mounted here, which requires root, as on the CI machine); skipped where mounting is
//! not allowed.

#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Unmounts on drop, even if the test fails.
struct Mount(PathBuf);

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_is_a_clear_error_and_leaves_no_result() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("tiny");
    std::fs::create_dir(&dir).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=200k", "tmpfs"])
        .arg(&dir)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !mounted {
        eprintln!("cannot mount a tmpfs here (not root?): skipping the full-disk test");
        return;
    }
    let _guard = Mount(dir.clone());
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/baseline.toml");
    let out = dir.join("out");
    let o = Command::new(assert_cmd::cargo::cargo_bin("trisim"))
        .arg("run")
        .arg(&scenario)
        .args(["-n", "300", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    // Nothing left: no result folder, no staging folder.
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
}
