//! Files a user carries away — bundles, CSV exports, reports — are written here and nowhere
//! else: into a temporary file beside the target, synced, renamed over the target, and the
//! folder synced. A cut-off write, a full USB stick or a failing writer leaves the previous
//! file untouched and no half file under the name; a power cut right after success cannot
//! lose the rename.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Write `path` through `write`, atomically. On any error the target is left as it was and
/// the temporary file is removed.
pub fn write_atomically<T>(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<T>,
) -> Result<T> {
    let tmp = temporary_beside(path);
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let result = (|| {
        let file = File::create(&tmp).map_err(io)?;
        let mut out = BufWriter::new(file);
        let value = write(&mut out)?;
        let file = out.into_inner().map_err(|e| io(e.into_error()))?;
        file.sync_all().map_err(io)?;
        drop(file);
        std::fs::rename(&tmp, path).map_err(io)?;
        Ok(value)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
        return result;
    }
    sync_folder(path).map_err(io)?;
    result
}

/// A hidden name in the target's own folder, so the rename never crosses file systems.
fn temporary_beside(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "simpul".into());
    path.with_file_name(format!(".{name}.{}.partial", std::process::id()))
}

/// Make the rename itself durable: the folder's entry is data too.
fn sync_folder(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let folder = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        File::open(folder)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_writer_failing_midway_leaves_the_old_file_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("ekspor.csv");
        std::fs::write(&target, "lama").unwrap();

        let result = write_atomically(&target, |w| {
            w.write_all(&[b'x'; 100_000]).unwrap();
            Err::<(), _>(Error::MissingSerial)
        });

        assert!(result.is_err());
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "lama");
        assert_eq!(names(dir.path()), ["ekspor.csv"]);
    }

    #[test]
    fn a_successful_write_replaces_the_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("ekspor.csv");
        std::fs::write(&target, "lama").unwrap();

        let n = write_atomically(&target, |w| {
            w.write_all(b"baru").unwrap();
            Ok(4)
        })
        .unwrap();

        assert_eq!(n, 4);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "baru");
        assert_eq!(names(dir.path()), ["ekspor.csv"]);
    }
}
