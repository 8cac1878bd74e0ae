//! Result folders that are never half-written and never overwritten silently.
//!
//! A run is written into a hidden staging folder next to its destination
//! (`.<name>.partial-<pid>`), every file through a temporary name and a rename; at the end the
//! staging folder is renamed into place. If the run fails, the staging folder is removed.

use anyhow::{bail, Context, Result};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Where a run's results go.
#[derive(Clone, Debug)]
pub enum Target {
    /// A new folder `<root>/<run-id>` (`-2`, `-3`, ... appended if it exists).
    NewUnder(PathBuf),
    /// Exactly this folder; a non-empty folder is refused unless `force`.
    Exact { dir: PathBuf, force: bool },
}

/// A folder name made of safe characters (letters, digits, `-`, `_`, `.`).
pub fn safe_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() {
        "unnamed".into()
    } else {
        s
    }
}

/// (year, month, day, hour, minute, second) in UTC of a time.
pub fn utc_parts(t: SystemTime) -> (i64, u32, u32, u32, u32, u32) {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

/// Run id of a time, e.g. `20261122T153000Z`.
pub fn run_id(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s) = utc_parts(t);
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
}

/// RFC 3339 UTC timestamp, e.g. `2026-11-22T15:30:00Z`.
pub fn rfc3339(t: SystemTime) -> String {
    let (y, mo, d, h, mi, s) = utc_parts(t);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

fn is_empty_dir(p: &Path) -> Result<bool> {
    Ok(fs::read_dir(p)
        .with_context(|| format!("cannot read output folder {}", p.display()))?
        .next()
        .is_none())
}

/// Entries of a trisim result folder (anything else in a folder means it is not one).
pub const RESULT_ENTRIES: &[&str] = &[
    "manifest.json",
    "summary.json",
    "summary.csv",
    "timeseries.csv",
    "runs.csv",
    "records.csv",
    "charts",
    "sweep.csv",
    "sweep.json",
    "sensitivity.csv",
    "sensitivity.json",
    "discovery.json",
    "prim_trajectory.csv",
    "discoveries",
    "partial.json",
    "report.html",
    // `trisim score`: its folder inside a run's, and its files in a score folder.
    "score",
    "score.json",
    "score.csv",
    // `trisim calibrate`.
    "posterior.csv",
    "particles.csv",
    "generations.csv",
    "posterior.toml",
    "predictive.csv",
];

/// Why a non-empty folder may not be replaced by `--force`: `None` if it is a trisim result
/// folder (a `manifest.json` with a `trisim_version`, and nothing but [`RESULT_ENTRIES`] and,
/// in `charts/`, the run charts and those the manifest lists; in `discoveries/`, only trisim
/// result folders), else the reason.
pub fn not_a_result_folder(dir: &Path) -> Result<Option<String>> {
    let manifest = dir.join("manifest.json");
    let manifest_json = super::files::read_bounded(&manifest, super::files::MAX_MANIFEST_BYTES)
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    let version = manifest_json.as_ref().and_then(|v| {
        v.get("trisim_version")
            .and_then(|x| x.as_str())
            .map(String::from)
    });
    if version.is_none() {
        return Ok(Some(
            "it has no manifest.json with a `trisim_version`".to_string(),
        ));
    }
    let list = |d: &Path| -> Result<Vec<String>> {
        let mut v = fs::read_dir(d)
            .with_context(|| format!("cannot read folder {}", d.display()))?
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<std::io::Result<Vec<_>>>()
            .with_context(|| format!("cannot read folder {}", d.display()))?;
        v.sort();
        Ok(v)
    };
    let mut other: Vec<String> = list(dir)?
        .into_iter()
        .filter(|n| !RESULT_ENTRIES.contains(&n.as_str()))
        .collect();
    let charts = dir.join("charts");
    if charts.is_dir() {
        // The run charts, and the charts a sweep, sensitivity or discovery folder lists in its
        // manifest (`charts`: the stems it wrote).
        let listed: Vec<String> = manifest_json
            .as_ref()
            .and_then(|v| v.get("charts"))
            .and_then(|c| c.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let known: Vec<String> = super::charts::CHARTS
            .iter()
            .map(|c| c.to_string())
            .chain(listed)
            .flat_map(|c| [format!("{c}.png"), format!("{c}.svg")])
            .collect();
        other.extend(
            list(&charts)?
                .into_iter()
                .filter(|n| !known.contains(n))
                .map(|n| format!("charts/{n}")),
        );
    } else if charts.exists() {
        other.push("charts (not a folder)".into());
    }
    // A sweep's discoveries: every entry must itself be a trisim result folder.
    let discoveries = dir.join("discoveries");
    if discoveries.is_dir() {
        for name in list(&discoveries)? {
            let sub = discoveries.join(&name);
            let why = if sub.is_dir() {
                not_a_result_folder(&sub)?
            } else {
                Some("not a folder".into())
            };
            if let Some(why) = why {
                other.push(format!("discoveries/{name} ({why})"));
            }
        }
    } else if discoveries.exists() {
        other.push("discoveries (not a folder)".into());
    }
    if other.is_empty() {
        Ok(None)
    } else {
        Ok(Some(format!(
            "it holds files trisim did not write: {}",
            other.join(", ")
        )))
    }
}

/// Fails unless the non-empty `dir` may be replaced (`force` and a trisim result folder).
fn check_replaceable(dir: &Path, force: bool) -> Result<()> {
    if !force {
        bail!(
            "output folder {} is not empty; choose another folder or pass --force to replace a previous trisim result folder",
            dir.display()
        );
    }
    if let Some(why) = not_a_result_folder(dir)? {
        bail!(
            "output folder {} is not empty and does not look like a trisim result folder ({why}); \
             --force only replaces previous trisim results, so nothing was deleted: choose another folder",
            dir.display()
        );
    }
    Ok(())
}

/// A hidden staging folder that becomes the result folder on [`Staging::commit`].
#[derive(Debug)]
pub struct Staging {
    tmp: PathBuf,
    target: Target,
    /// Chosen destination (for [`Target::NewUnder`], may change at commit if taken meanwhile).
    dest: PathBuf,
    /// Run id without suffix (for [`Target::NewUnder`]).
    id: String,
    committed: bool,
}

fn free_slot(root: &Path, id: &str) -> PathBuf {
    let mut p = root.join(id);
    let mut k = 2;
    while p.exists() {
        p = root.join(format!("{id}-{k}"));
        k += 1;
    }
    p
}

impl Staging {
    /// Reopens the staging folder `tmp` of an interrupted run (`trisim run --resume`), to
    /// finish it into `dest` (replaced only under the `--force` rules).
    pub fn reopen(tmp: PathBuf, dest: PathBuf, force: bool) -> Result<Staging> {
        if !tmp.is_dir() {
            bail!("{} is not a folder", tmp.display());
        }
        Ok(Staging {
            tmp,
            target: Target::Exact {
                dir: dest.clone(),
                force,
            },
            dest,
            id: run_id(SystemTime::now()),
            committed: false,
        })
    }

    /// Removes a file of the staging folder (e.g. a checkpoint once the run is complete).
    pub fn remove_file(&self, rel: &str) -> Result<()> {
        let p = self.tmp.join(rel);
        if p.exists() {
            fs::remove_file(&p).with_context(|| format!("cannot remove {}", p.display()))?;
        }
        Ok(())
    }

    /// Leaves the staging folder in place (an interrupted run, to be resumed) and returns its
    /// path.
    pub fn keep(mut self) -> PathBuf {
        self.committed = true;
        self.tmp.clone()
    }

    /// Checks the destination and creates the staging folder next to it.
    pub fn create(target: Target, now: SystemTime) -> Result<Staging> {
        let id = run_id(now);
        let (parent, dest) = match &target {
            Target::NewUnder(root) => {
                fs::create_dir_all(root).with_context(|| {
                    format!("cannot create the results folder {}", root.display())
                })?;
                (root.clone(), free_slot(root, &id))
            }
            Target::Exact { dir, force } => {
                if dir.exists() {
                    if !dir.is_dir() {
                        bail!("output folder {} exists and is not a folder", dir.display());
                    }
                    if !is_empty_dir(dir)? {
                        check_replaceable(dir, *force)?;
                    }
                }
                let parent = match dir.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                if let Some(file) = parent.ancestors().find(|a| a.is_file()) {
                    bail!(
                        "cannot create output folder {}: {} is a file, not a folder",
                        dir.display(),
                        file.display()
                    );
                }
                fs::create_dir_all(&parent).with_context(|| {
                    format!(
                        "cannot create output folder {}: its parent {} cannot be created",
                        dir.display(),
                        parent.display()
                    )
                })?;
                (parent, dir.clone())
            }
        };
        let base = dest
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "results".into());
        // A new staging folder, never an existing one: a folder of the same name may be the
        // staging folder of an interrupted run that is waiting for `--resume` (process ids
        // repeat, e.g. in containers), so it is neither reused nor removed.
        let pid = std::process::id();
        let mut n = 1u32;
        let tmp = loop {
            let name = if n == 1 {
                format!(".{base}.partial-{pid}")
            } else {
                format!(".{base}.partial-{pid}-{n}")
            };
            let tmp = parent.join(name);
            match fs::create_dir(&tmp) {
                Ok(()) => break tmp,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
                Err(e) => {
                    return Err(anyhow::Error::new(e).context(format!(
                        "cannot write to output folder {} (creating {} failed)",
                        dest.display(),
                        tmp.display()
                    )))
                }
            }
        };
        Ok(Staging {
            tmp,
            target,
            dest,
            id,
            committed: false,
        })
    }

    /// The staging folder (files are written here).
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The destination the results will have after [`Staging::commit`] (as chosen now).
    pub fn destination(&self) -> &Path {
        &self.dest
    }

    /// Writes `rel` (relative to the result folder) through a temporary file and a rename.
    pub fn write_file(
        &self,
        rel: &str,
        f: impl FnOnce(&mut dyn Write) -> Result<()>,
    ) -> Result<()> {
        let mut file = self.create_file(rel)?;
        f(file.writer())?;
        file.finish()
    }

    /// A file written progressively and renamed into place by [`AtomicFile::finish`].
    pub fn create_file(&self, rel: &str) -> Result<AtomicFile> {
        let path = self.tmp.join(rel);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir)
                .with_context(|| format!("cannot create folder {}", dir.display()))?;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let part = path.with_file_name(format!(".{name}.part"));
        let f =
            fs::File::create(&part).with_context(|| format!("cannot create {}", part.display()))?;
        Ok(AtomicFile {
            w: BufWriter::new(f),
            part,
            path,
        })
    }

    /// Reopens the unfinished file `rel` (created by [`Staging::create_file`] in an interrupted
    /// run), cut back to its first `len` bytes, to continue writing at its end.
    pub fn reopen_file(&self, rel: &str, len: u64) -> Result<AtomicFile> {
        use std::io::{Seek, SeekFrom};
        let path = self.tmp.join(rel);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let part = path.with_file_name(format!(".{name}.part"));
        let have = fs::symlink_metadata(&part)
            .with_context(|| format!("cannot reopen {}", part.display()))?;
        if !have.is_file() {
            bail!("cannot reopen {}: it is not a regular file", part.display());
        }
        if have.len() < len {
            bail!(
                "cannot reopen {}: the checkpoint records {len} bytes of it, but it has only {}",
                part.display(),
                have.len()
            );
        }
        let mut f = fs::OpenOptions::new()
            .write(true)
            .open(&part)
            .with_context(|| format!("cannot reopen {}", part.display()))?;
        f.set_len(len)
            .and_then(|_| f.seek(SeekFrom::End(0)).map(|_| ()))
            .with_context(|| format!("cannot reopen {}", part.display()))?;
        Ok(AtomicFile {
            w: BufWriter::new(f),
            part,
            path,
        })
    }

    /// Moves the finished results into place and returns their folder.
    pub fn commit(mut self) -> Result<PathBuf> {
        match &self.target {
            Target::NewUnder(root) => {
                let id = self.id.clone();
                // Another run may take the slot meanwhile: a rename never replaces a
                // non-empty folder, so on failure pick the next free slot and retry.
                let mut tries = 0;
                loop {
                    if self.dest.exists() {
                        self.dest = free_slot(root, &id);
                    }
                    match fs::rename(&self.tmp, &self.dest) {
                        Ok(()) => break,
                        Err(_) if tries < 100 && self.dest.exists() => tries += 1,
                        Err(e) => {
                            return Err(e).with_context(|| {
                                format!("cannot move the results into {}", self.dest.display())
                            })
                        }
                    }
                }
            }
            Target::Exact { dir, force } => {
                if dir.exists() {
                    if !dir.is_dir() {
                        bail!(
                            "output folder {} is no longer a folder; results left in {}",
                            dir.display(),
                            self.tmp.display()
                        );
                    }
                    if !is_empty_dir(dir)? {
                        if let Err(e) = check_replaceable(dir, *force) {
                            // Keep the finished results rather than dropping them.
                            self.committed = true;
                            return Err(e.context(format!(
                                "the output folder changed during the run; results left in {}",
                                self.tmp.display()
                            )));
                        }
                    }
                    let old = self.tmp.with_file_name(format!(
                        "{}.old",
                        self.tmp.file_name().unwrap_or_default().to_string_lossy()
                    ));
                    fs::rename(dir, &old).with_context(|| {
                        format!("cannot replace output folder {}", dir.display())
                    })?;
                    if let Err(e) = fs::rename(&self.tmp, dir) {
                        let _ = fs::rename(&old, dir);
                        return Err(e).with_context(|| {
                            format!("cannot move the results into {}", dir.display())
                        });
                    }
                    fs::remove_dir_all(&old).with_context(|| {
                        format!("cannot remove the previous contents {}", old.display())
                    })?;
                } else {
                    fs::rename(&self.tmp, dir).with_context(|| {
                        format!("cannot move the results into {}", dir.display())
                    })?;
                }
            }
        }
        self.committed = true;
        Ok(self.dest.clone())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Writes `path` (in an existing folder) through a temporary file next to it
/// (`.<name>.part-<PID>`, so that two processes writing the same file do not share one),
/// synced and renamed into place: readers see the old file or the new one, never a
/// half-written one, and a failed write leaves nothing behind.
pub fn write_file_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let part = path.with_file_name(format!(".{name}.part-{}", std::process::id()));
    let res = (|| -> Result<()> {
        let mut f =
            fs::File::create(&part).with_context(|| format!("cannot create {}", part.display()))?;
        f.write_all(bytes)
            .and_then(|_| f.sync_all())
            .with_context(|| format!("cannot write {}", part.display()))?;
        fs::rename(&part, path).with_context(|| format!("cannot create {}", path.display()))
    })();
    if res.is_err() {
        let _ = fs::remove_file(&part);
    }
    res
}

/// A file under a temporary name until [`AtomicFile::finish`].
pub struct AtomicFile {
    w: BufWriter<fs::File>,
    part: PathBuf,
    path: PathBuf,
}

impl AtomicFile {
    pub fn writer(&mut self) -> &mut dyn Write {
        &mut self.w
    }

    /// Flushes what is buffered and returns the length written so far (for a checkpoint).
    pub fn flushed_len(&mut self) -> Result<u64> {
        self.w
            .flush()
            .with_context(|| format!("cannot write {}", self.part.display()))?;
        Ok(self
            .w
            .get_ref()
            .metadata()
            .with_context(|| format!("cannot write {}", self.part.display()))?
            .len())
    }

    /// Flushes, syncs and renames the file into place.
    pub fn finish(self) -> Result<()> {
        let AtomicFile { w, part, path } = self;
        let f = w
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write {}", part.display()))?;
        f.sync_all()
            .with_context(|| format!("cannot write {}", part.display()))?;
        fs::rename(&part, &path).with_context(|| format!("cannot create {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn utc_formatting() {
        let t = UNIX_EPOCH + Duration::from_secs(1_795_361_400); // 2026-11-22T15:30:00Z
        assert_eq!(run_id(t), "20261122T153000Z");
        assert_eq!(rfc3339(t), "2026-11-22T15:30:00Z");
        assert_eq!(
            run_id(UNIX_EPOCH + Duration::from_secs(951_782_400)),
            "20000229T000000Z"
        );
    }

    #[test]
    fn safe_names() {
        assert_eq!(safe_name("base line/../x"), "base_line_.._x");
        assert_eq!(safe_name(".."), "unnamed");
        // Letters of every script are kept (folder names are UTF-8).
        assert_eq!(safe_name("한미일 협력 2023"), "한미일_협력_2023");
        assert_eq!(safe_name("日米韓/安保"), "日米韓_安保");
    }

    #[test]
    fn an_existing_staging_folder_of_the_same_name_is_left_alone() {
        let tmp = std::env::temp_dir().join(format!("trisim-staging-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp).unwrap();
        // What an interrupted run with this process id left, waiting for --resume.
        let old = tmp.join(format!(".out.partial-{}", std::process::id()));
        fs::create_dir(&old).unwrap();
        fs::write(old.join("resume.json"), "{}").unwrap();
        let target = Target::Exact {
            dir: tmp.join("out"),
            force: false,
        };
        let st = Staging::create(target, SystemTime::now()).unwrap();
        assert_ne!(st.path(), old);
        assert!(st.path().is_dir());
        assert!(old.join("resume.json").is_file());
        drop(st);
        assert!(old.join("resume.json").is_file());
        fs::remove_dir_all(&tmp).unwrap();
    }
}
