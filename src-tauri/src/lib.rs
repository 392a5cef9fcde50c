//! The Simpul enumerator app: a Tauri 2 window around [`simpul_app::App`].
//!
//! Everything the app does lives in `crates/app` and `crates/replica`, tested without a
//! desktop; this crate only opens the window, puts an `App` in Tauri's state, turns the
//! background sync's progress into `sync` events and long work's into `work` events, and forwards each command (see
//! [`commands`]). [`run`] is what `main` calls; [`build`] takes any runtime so tests can
//! drive the same wiring with `tauri::test::mock_builder()`.
//!
//! The replica lives in the app's data directory (`~/.local/share/id.simpul.enumerator` on
//! Linux) unless `--data DIR` is given, which is how a test or a second profile on one
//! machine gets a folder of its own.

pub mod commands;
mod location;

use std::sync::Arc;

use simpul_app::ipc::SyncState;
use simpul_app::{App, Notify};
use tauri::{Emitter, Manager, Runtime};

/// The event the window listens to for the sync light and progress bar.
pub const SYNC_EVENT: &str = "sync";

/// The event carrying an import's or export's progress (see `simpul_app::work`).
pub const WORK_EVENT: &str = "work";

/// Open the window and run until it is closed.
pub fn run() {
    #[cfg(target_os = "linux")]
    draw_without_dmabuf();
    build(tauri::Builder::default())
        .run(tauri::generate_context!())
        .expect("the Simpul window opens");
}

/// Switches off WebKitGTK's DMA-BUF renderer unless whoever started the app chose either way
/// (`WEBKIT_DISABLE_DMABUF_RENDERER`). That renderer draws the page with GL, which on a
/// tablet without a GPU driver is Mesa's software one: it nearly doubles the web process (186
/// against 105 MiB at start-up, docs/benchmarks.md) for a window of forms that gains
/// nothing from it, and it is the renderer known for blank windows on some GPU drivers.
#[cfg(target_os = "linux")]
fn draw_without_dmabuf() {
    const SWITCH: &str = "WEBKIT_DISABLE_DMABUF_RENDERER";
    if std::env::var_os(SWITCH).is_none() {
        // SAFETY: called first thing in `run`, before the app or GTK start any thread that
        // could read the environment at the same time.
        unsafe { std::env::set_var(SWITCH, "1") };
    }
}

/// The app's wiring on any runtime: state, events and commands.
pub fn build<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        // Native open and save dialogs for bundle and CSV files; the page only learns the
        // path the person chose, and the commands read and write it.
        .plugin(tauri_plugin_dialog::init())
        .setup(|app| {
            let dirs = location::Dirs::resolve(app.handle(), std::env::args_os())?;
            let handle = app.handle().clone();
            let notify: Notify = Arc::new(move |state: &SyncState| {
                // A closed window cannot be told; the next `sync_state` call catches it up.
                let _ = handle.emit(SYNC_EVENT, state);
            });
            app.manage::<commands::Shared>(Arc::new(App::open(dirs.data, dirs.files, notify)?));
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_state,
            commands::set_language,
            commands::setup_offline,
            commands::setup_server,
            commands::enrol,
            commands::add_enumerator,
            commands::sign_in,
            commands::sign_out,
            commands::set_kiosk_pin,
            commands::check_kiosk_pin,
            commands::home,
            commands::form,
            commands::check_answer,
            commands::draft_open,
            commands::draft_save,
            commands::draft_discard,
            commands::draft_submit,
            commands::save_paper_row,
            commands::import_csv,
            commands::export_csv,
            commands::list_responses,
            commands::open_response,
            commands::edit_response,
            commands::delete_response,
            commands::restore_response,
            commands::resolve_conflict,
            commands::conflicts,
            commands::report,
            commands::sync_state,
            commands::sync_now,
            commands::export_bundle,
            commands::import_bundle,
            commands::cancel_work
        ])
}
