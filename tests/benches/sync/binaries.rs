//! The bench drives release builds of `simpul` and `simpul-server`, which it does not build
//! itself. They are looked for where `simpul_e2e::harness` looks (beside the bench's own
//! profile directory, `target/release`, or in `SIMPUL_BIN_DIR`); a missing or stale one stops
//! the bench with the command that fixes it.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, Result, bail};

const BUILD: &str = "cargo build --release --workspace --bins";

pub fn require() -> Result<()> {
    let dir = dir()?;
    for name in ["simpul", "simpul-server"] {
        let binary = dir.join(name);
        let Some(built) = modified(&binary) else {
            bail!(
                "{} is missing; build the binaries first: {BUILD}",
                binary.display()
            );
        };
        if let Some(source) = newer_source(&binary, built) {
            bail!(
                "{} is older than {}; rebuild the binaries: {BUILD}",
                binary.display(),
                source.display()
            );
        }
    }
    Ok(())
}

/// The cargo profile the binaries were built in, as the name of their directory
/// (`release`, or `debug` when the bench itself runs in the dev profile, as the tests do).
pub fn profile() -> String {
    dir()
        .ok()
        .and_then(|dir| {
            dir.file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("SIMPUL_BIN_DIR") {
        return Ok(PathBuf::from(dir));
    }
    // A bench executable lives in target/release/deps; the binaries in target/release.
    let exe = std::env::current_exe().context("the bench executable has a path")?;
    exe.parent()
        .filter(|deps| deps.ends_with("deps"))
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .with_context(|| format!("{} is not in a cargo target directory", exe.display()))
}

/// A source file listed in cargo's dep-info file beside `binary` that changed after it.
fn newer_source(binary: &Path, built: SystemTime) -> Option<PathBuf> {
    let deps = std::fs::read_to_string(binary.with_extension("d")).ok()?;
    let (_, sources) = deps.split_once(": ")?;
    sources
        .replace("\\ ", "\u{0}")
        .split_whitespace()
        .map(|source| PathBuf::from(source.replace('\u{0}', " ")))
        .find(|source| modified(source).is_some_and(|changed| changed > built))
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}
