//! Declares the app's own commands so the capability file can allow them one by one.

/// Every command in `src/commands.rs`; `capabilities/default.json` allows exactly these.
const COMMANDS: &[&str] = &[
    "app_state",
    "set_language",
    "setup_offline",
    "setup_server",
    "enrol",
    "add_enumerator",
    "sign_in",
    "sign_out",
    "set_kiosk_pin",
    "check_kiosk_pin",
    "home",
    "form",
    "check_answer",
    "draft_open",
    "draft_save",
    "draft_discard",
    "draft_submit",
    "save_paper_row",
    "import_csv",
    "export_csv",
    "list_responses",
    "open_response",
    "edit_response",
    "delete_response",
    "restore_response",
    "resolve_conflict",
    "conflicts",
    "report",
    "sync_state",
    "sync_now",
    "export_bundle",
    "import_bundle",
    "cancel_work",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build: the app manifest and tauri.conf.json are valid");
}
