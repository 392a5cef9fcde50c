//! Where the replica and the user's files live.

use std::ffi::OsString;
use std::path::PathBuf;

use tauri::{AppHandle, Manager, Runtime};

pub struct Dirs {
    /// The replica's folder.
    pub data: PathBuf,
    /// Where bundle and CSV files are offered by default.
    pub files: PathBuf,
}

impl Dirs {
    /// `--data DIR` on the command line wins over the platform's app data folder, so tests
    /// and a second profile get a folder of their own.
    pub fn resolve<R: Runtime>(
        app: &AppHandle<R>,
        args: impl IntoIterator<Item = OsString>,
    ) -> tauri::Result<Dirs> {
        let paths = app.path();
        let data = match data_arg(args) {
            Some(dir) => dir,
            None => paths.app_data_dir()?,
        };
        let files = paths
            .document_dir()
            .or_else(|_| paths.home_dir())
            .unwrap_or_else(|_| data.clone());
        Ok(Dirs { data, files })
    }
}

fn data_arg(args: impl IntoIterator<Item = OsString>) -> Option<PathBuf> {
    let mut args = args.into_iter().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--data" {
            return args.next().map(PathBuf::from);
        }
        if let Some(dir) = arg.to_str().and_then(|a| a.strip_prefix("--data=")) {
            return Some(PathBuf::from(dir));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn data_folder_is_taken_from_either_spelling_of_the_flag() {
        assert_eq!(
            data_arg(args(&["simpul-desktop", "--data", "/tmp/a"])),
            Some(PathBuf::from("/tmp/a"))
        );
        assert_eq!(
            data_arg(args(&["simpul-desktop", "--data=/tmp/b"])),
            Some(PathBuf::from("/tmp/b"))
        );
    }

    #[test]
    fn without_the_flag_the_platform_folder_is_used() {
        assert_eq!(data_arg(args(&["simpul-desktop", "--other", "x"])), None);
    }
}
