use std::path::Path;
use std::time::SystemTime;

use crate::helpers::{Simpul, UNSUR, text};

/// Every file in `dir` with its size and modification time.
fn files(dir: &Path) -> Vec<(String, u64, SystemTime)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let m = e.metadata().unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            (name, m.len(), m.modified().unwrap())
        })
        .collect();
    files.sort();
    files
}

fn with_two_interviews() -> Simpul {
    let simpul = Simpul::new();
    let mut args = vec!["capture".to_string()];
    for u in UNSUR {
        args.extend(["--set".to_string(), format!("{u}=4")]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    simpul.run(&args).ok();
    simpul.run(&args).ok();
    simpul
}

/// Every command that only reads, with files going out beside the replica.
fn read_everything(simpul: &Simpul) {
    let id = text(&simpul.list(&[])[0]["id"]).to_string();
    assert_eq!(simpul.list(&[]).len(), 2);
    simpul.run(&["show", &id]).ok();
    simpul.run(&["report"]).ok();
    simpul.run(&["conflicts"]).ok();
    simpul.run(&["status"]).ok();
    simpul
        .run(&["export", "csv", "--out", &simpul.path("salinan.csv")])
        .ok();
    simpul
        .run(&["bundle", "export", "--out", &simpul.path("salinan.simpul")])
        .ok();
}

#[test]
fn reading_commands_create_and_change_no_file_in_the_replica_folder() {
    let simpul = with_two_interviews();
    let folder = simpul.data();
    let before = files(Path::new(&folder));
    // A clean close checkpointed the log: the database file alone is the whole replica.
    assert_eq!(
        before.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        ["simpul.sqlite3"]
    );

    read_everything(&simpul);

    assert_eq!(files(Path::new(&folder)), before);
}

#[test]
fn a_replica_in_a_read_only_folder_is_read_and_a_write_is_refused_clearly() {
    use std::os::unix::fs::PermissionsExt;

    let simpul = with_two_interviews();
    let folder = simpul.data();
    let set_mode = |path: &Path, mode| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap()
    };
    set_mode(&simpul.database(), 0o444);
    set_mode(Path::new(&folder), 0o555);
    let before = files(Path::new(&folder));

    read_everything(&simpul);
    let mut args = vec!["capture".to_string()];
    for u in UNSUR {
        args.extend(["--set".to_string(), format!("{u}=1")]);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = simpul.run(&args).refused();
    assert!(out.stderr.contains("hanya-baca"), "{}", out.stderr);
    assert!(simpul.run(&["--lang", "en", "report"]).status.success());

    assert_eq!(files(Path::new(&folder)), before);
    assert_eq!(simpul.list(&[]).len(), 2);
    set_mode(Path::new(&folder), 0o755);
    set_mode(&simpul.database(), 0o644);
}
