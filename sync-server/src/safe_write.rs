//! The one way the server writes a file a person carries away (an export): into a temporary
//! file beside it, synced, then renamed over the target, and the folder synced. A crash or a
//! full disk half-way leaves the previous file (or none), never half a file.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::{Error, Result};

/// Writes `path` with whatever `fill` writes, atomically. Nothing is left behind on failure.
pub fn write_file<T>(path: &Path, fill: impl FnOnce(&mut dyn Write) -> Result<T>) -> Result<T> {
    place_file(path, |temp| {
        let io = |source| Error::Output {
            path: path.to_path_buf(),
            source,
        };
        let mut out = BufWriter::new(File::create(temp).map_err(io)?);
        let value = fill(&mut out)?;
        out.into_inner().map_err(|e| io(e.into_error()))?;
        Ok(value)
    })
}

/// Puts the file `make` creates at the path it is given (a temporary one beside `path`) in
/// place of `path`, atomically, once it is synced: for files another program writes, such as
/// SQLite's `VACUUM INTO`. Nothing is left behind on failure.
pub fn place_file<T>(path: &Path, make: impl FnOnce(&Path) -> Result<T>) -> Result<T> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().ok_or_else(|| Error::InvalidValue {
        what: "output file",
        value: path.display().to_string(),
        reason: "name a file, not a folder",
    })?;
    let io = |source| Error::Output {
        path: path.to_path_buf(),
        source,
    };
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let _ = fs::remove_file(&temp);
    let written = (|| {
        let value = make(&temp)?;
        File::open(&temp).and_then(|f| f.sync_all()).map_err(io)?;
        fs::rename(&temp, path).map_err(io)?;
        Ok(value)
    })();
    if written.is_err() {
        let _ = fs::remove_file(&temp);
        return written;
    }
    // The rename is durable once the folder's entry is.
    File::open(&dir).and_then(|d| d.sync_all()).map_err(io)?;
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        fs::write(&path, "old").unwrap();
        let result: Result<()> = write_file(&path, |out| {
            out.write_all(b"half a fi")?;
            Err(Error::RejectWithoutNote)
        });
        assert!(result.is_err());
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_finished_write_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        fs::write(&path, "old").unwrap();
        write_file(&path, |out| Ok(out.write_all(b"new")?)).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
