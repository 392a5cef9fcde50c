//! The real programs as separate processes: a [`Server`] (`simpul-server serve` on a free
//! port over a fresh data directory) and [`Device`]s (`simpul` replicas in temporary
//! folders), each command a process of its own, as scripts and operators run them.
//!
//! The binaries are not built here: `cargo build --workspace --bins` must run
//! first (`scripts/test` does). They are looked for beside the test executable's profile
//! directory (`target/debug` for `cargo test`), or in `SIMPUL_BIN_DIR` when set, and a
//! missing or out-of-date binary fails the test with the command that fixes it.

mod device;
pub mod postgres;
mod process;
mod server;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

pub use device::Device;
pub use process::{Run, Running};
pub use server::Server;

/// The unit and period every device collects for, so paper ids agree between devices.
pub const UNIT: &str = "U-CAPIL";
pub const UNIT_NAME: &str = "Dinas Kependudukan dan Pencatatan Sipil";
pub const PERIOD: &str = "2025-S1";

/// How long any one command may take before the test gives up on it.
pub const COMMAND_DEADLINE: Duration = Duration::from_secs(240);

const BUILD: &str = "cargo build --workspace --bins";

/// The path of binary `name` (`simpul` or `simpul-server`), checked to exist and to be
/// newer than every source file it was built from.
pub fn binary(name: &str) -> PathBuf {
    static CHECKED: OnceLock<PathBuf> = OnceLock::new();
    let dir = CHECKED.get_or_init(|| {
        let dir = binary_dir();
        for name in ["simpul", "simpul-server"] {
            check_fresh(&dir.join(name), BUILD);
        }
        dir
    });
    dir.join(name)
}

/// `simpul-desktop`, the app window, checked like [`binary`]. Its UI is compiled in, so
/// `ui/dist` must be built before it (`scripts/test` does both).
pub fn app_binary() -> PathBuf {
    let path = binary_dir().join("simpul-desktop");
    check_fresh(
        &path,
        "(cd ui && npm run build) && cargo build --workspace --bins",
    );
    path
}

fn binary_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SIMPUL_BIN_DIR") {
        return PathBuf::from(dir);
    }
    // A test executable lives in target/<profile>/deps; the binaries in target/<profile>.
    let exe = std::env::current_exe().expect("the test executable has a path");
    let beside = exe
        .parent()
        .filter(|deps| deps.ends_with("deps"))
        .and_then(Path::parent);
    match beside {
        Some(profile_dir) => profile_dir.to_path_buf(),
        None => {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
            target.join("debug")
        }
    }
}

/// Fails unless `binary` exists and no source listed in cargo's dep-info file beside it
/// (`binary.d`) changed after it was built.
fn check_fresh(binary: &Path, build: &str) {
    let built = std::fs::metadata(binary)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| {
            panic!(
                "{} is missing; build the binaries first: {build}",
                binary.display()
            )
        });
    let Ok(deps) = std::fs::read_to_string(binary.with_extension("d")) else {
        return;
    };
    let Some((_, sources)) = deps.split_once(": ") else {
        return;
    };
    let stale = sources
        .replace("\\ ", "\u{0}")
        .split_whitespace()
        .map(|source| PathBuf::from(source.replace('\u{0}', " ")))
        .find(|source| modified(source).is_some_and(|changed| changed > built));
    if let Some(source) = stale {
        panic!(
            "{} is older than {}; rebuild the binaries: {build}",
            binary.display(),
            source.display()
        );
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// A path as `simpul` takes it on its command line.
pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}
