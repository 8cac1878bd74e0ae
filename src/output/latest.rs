//! `results/<name>/latest`: a symbolic link to the newest result folder of a scenario, so that
//! `results/baseline/latest/report.html` is always the last run's report.

use std::path::Path;

/// Name of the link, next to the run folders.
pub const LATEST: &str = "latest";

/// Points `<parent of dest>/latest` at `dest` (a relative link: the results folder can be
/// moved). Replaced atomically (a new link renamed over the old one). A `latest` that is not a
/// symbolic link (a folder or file someone made) is left alone and `Ok(false)` returned, as on
/// systems without symbolic links.
pub fn update(dest: &Path) -> std::io::Result<bool> {
    let (Some(parent), Some(name)) = (dest.parent(), dest.file_name()) else {
        return Ok(false);
    };
    let link = parent.join(LATEST);
    match std::fs::symlink_metadata(&link) {
        Ok(m) if !m.file_type().is_symlink() => return Ok(false),
        _ => {}
    }
    #[cfg(unix)]
    {
        let tmp = parent.join(format!(".{LATEST}.{}.tmp", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        std::os::unix::fs::symlink(name, &tmp)?;
        if let Err(e) = std::fs::rename(&tmp, &link) {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
        Ok(true)
    }
    #[cfg(not(unix))]
    {
        let _ = name;
        Ok(false)
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn latest_follows_the_newest_folder_and_spares_real_folders() {
        let root = tempfile::tempdir().unwrap();
        let a = root.path().join("20260101T000000Z");
        let b = root.path().join("20260102T000000Z");
        std::fs::create_dir(&a).unwrap();
        std::fs::create_dir(&b).unwrap();
        std::fs::write(b.join("report.html"), "b").unwrap();
        assert!(update(&a).unwrap());
        assert!(update(&b).unwrap());
        let link = root.path().join(LATEST);
        assert_eq!(
            std::fs::read_link(&link).unwrap(),
            Path::new("20260102T000000Z")
        );
        assert_eq!(
            std::fs::read_to_string(link.join("report.html")).unwrap(),
            "b"
        );
        // No temporary link is left behind.
        assert_eq!(std::fs::read_dir(root.path()).unwrap().count(), 3);
        // A real folder named `latest` is never replaced.
        let other = tempfile::tempdir().unwrap();
        let c = other.path().join("run");
        std::fs::create_dir(&c).unwrap();
        std::fs::create_dir(other.path().join(LATEST)).unwrap();
        assert!(!update(&c).unwrap());
        assert!(other.path().join(LATEST).is_dir());
    }
}
