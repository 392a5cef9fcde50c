//! The window's commands: each unpacks the app state and forwards to `simpul_app::App`,
//! where the behaviour lives and is tested without a desktop around it.
//!
//! Every command runs on a blocking worker thread: the body touches SQLite and sometimes
//! the network (blocking reqwest), which must neither freeze the window's main thread nor
//! run inside the async runtime.

use std::collections::BTreeMap;
use std::sync::Arc;

use simpul_app::ipc::*;
use simpul_app::{App, AppError, ErrorCode};
use tauri::{AppHandle, Emitter, Runtime, State};

/// The app as Tauri state: shared with the worker thread each command runs on.
pub type Shared = Arc<App>;

type Reply<T> = Result<T, AppError>;

/// Long work's progress, as the `work` event the window's progress bar follows.
fn progress<R: Runtime>(handle: AppHandle<R>) -> impl Fn(&WorkProgress) {
    move |p: &WorkProgress| {
        // A closed window cannot be told, and the work goes on regardless.
        let _ = handle.emit(crate::WORK_EVENT, p);
    }
}

/// Runs `body` on a blocking worker thread and hands back its answer.
async fn off_main<T: Send + 'static>(
    app: &Shared,
    body: impl FnOnce(&App) -> Reply<T> + Send + 'static,
) -> Reply<T> {
    let app = Arc::clone(app);
    tauri::async_runtime::spawn_blocking(move || body(&app))
        .await
        .unwrap_or_else(|e| {
            Err(AppError::new(
                ErrorCode::Internal,
                format!("perintah berhenti tiba-tiba / the command stopped unexpectedly: {e}"),
            ))
        })
}

#[tauri::command]
pub async fn app_state(app: State<'_, Shared>) -> Reply<AppState> {
    off_main(&app, move |app| app.app_state()).await
}

#[tauri::command]
pub async fn set_language(app: State<'_, Shared>, language: Language) -> Reply<AppState> {
    off_main(&app, move |app| app.set_language(language)).await
}

#[tauri::command]
pub async fn setup_offline(app: State<'_, Shared>, setup: OfflineSetup) -> Reply<AppState> {
    off_main(&app, move |app| app.setup_offline(setup)).await
}

#[tauri::command]
pub async fn setup_server(app: State<'_, Shared>, setup: ServerSetup) -> Reply<AppState> {
    off_main(&app, move |app| app.setup_server(setup)).await
}

#[tauri::command]
pub async fn enrol(app: State<'_, Shared>, setup: ServerSetup) -> Reply<AppState> {
    off_main(&app, move |app| app.enrol(setup)).await
}

#[tauri::command]
pub async fn add_enumerator(
    app: State<'_, Shared>,
    name: String,
    pin: String,
) -> Reply<Enumerator> {
    off_main(&app, move |app| app.add_enumerator(name, pin)).await
}

#[tauri::command]
pub async fn sign_in(app: State<'_, Shared>, id: String, pin: String) -> Reply<Enumerator> {
    off_main(&app, move |app| app.sign_in(id, pin)).await
}

#[tauri::command]
pub async fn sign_out(app: State<'_, Shared>) -> Reply<AppState> {
    off_main(&app, move |app| app.sign_out()).await
}

#[tauri::command]
pub async fn set_kiosk_pin(app: State<'_, Shared>, pin: String) -> Reply<AppState> {
    off_main(&app, move |app| app.set_kiosk_pin(pin)).await
}

#[tauri::command]
pub async fn check_kiosk_pin(app: State<'_, Shared>, pin: String) -> Reply<()> {
    off_main(&app, move |app| app.check_kiosk_pin(pin)).await
}

#[tauri::command]
pub async fn home(app: State<'_, Shared>) -> Reply<Home> {
    off_main(&app, move |app| app.home()).await
}

#[tauri::command]
pub async fn form(app: State<'_, Shared>) -> Reply<FormView> {
    off_main(&app, move |app| app.form()).await
}

#[tauri::command]
pub async fn check_answer(
    app: State<'_, Shared>,
    item: String,
    raw: String,
) -> Reply<Option<String>> {
    off_main(&app, move |app| app.check_answer(item, raw)).await
}

#[tauri::command]
pub async fn draft_open(app: State<'_, Shared>, channel: Channel) -> Reply<Draft> {
    off_main(&app, move |app| app.draft_open(channel)).await
}

#[tauri::command]
pub async fn draft_save(app: State<'_, Shared>, draft: Draft) -> Reply<Draft> {
    off_main(&app, move |app| app.draft_save(draft)).await
}

#[tauri::command]
pub async fn draft_discard(app: State<'_, Shared>, id: String) -> Reply<()> {
    off_main(&app, move |app| app.draft_discard(id)).await
}

#[tauri::command]
pub async fn draft_submit(app: State<'_, Shared>, id: String) -> Reply<Saved> {
    off_main(&app, move |app| app.draft_submit(id)).await
}

#[tauri::command]
pub async fn save_paper_row(app: State<'_, Shared>, row: PaperRow) -> Reply<Saved> {
    off_main(&app, move |app| app.save_paper_row(row)).await
}

#[tauri::command]
pub async fn import_csv<R: Runtime>(
    window: AppHandle<R>,
    app: State<'_, Shared>,
    path: String,
) -> Reply<ImportResult> {
    off_main(&app, move |app| {
        app.import_csv_with(path, &progress(window))
    })
    .await
}

#[tauri::command]
pub async fn export_csv<R: Runtime>(
    window: AppHandle<R>,
    app: State<'_, Shared>,
    path: String,
) -> Reply<Exported> {
    off_main(&app, move |app| {
        app.export_csv_with(path, &progress(window))
    })
    .await
}

#[tauri::command]
pub async fn list_responses(
    app: State<'_, Shared>,
    filter: ResponseFilter,
) -> Reply<Vec<ResponseRow>> {
    off_main(&app, move |app| app.list_responses(filter)).await
}

#[tauri::command]
pub async fn open_response(app: State<'_, Shared>, id: String) -> Reply<ResponseDetail> {
    off_main(&app, move |app| app.open_response(id)).await
}

#[tauri::command]
pub async fn edit_response(
    app: State<'_, Shared>,
    id: String,
    answers: BTreeMap<String, String>,
) -> Reply<ResponseDetail> {
    off_main(&app, move |app| app.edit_response(id, answers)).await
}

#[tauri::command]
pub async fn delete_response(app: State<'_, Shared>, id: String) -> Reply<ResponseDetail> {
    off_main(&app, move |app| app.delete_response(id)).await
}

#[tauri::command]
pub async fn restore_response(app: State<'_, Shared>, id: String) -> Reply<ResponseDetail> {
    off_main(&app, move |app| app.restore_response(id)).await
}

#[tauri::command]
pub async fn resolve_conflict(
    app: State<'_, Shared>,
    id: String,
    field: String,
    value: String,
) -> Reply<ResponseDetail> {
    off_main(&app, move |app| app.resolve_conflict(id, field, value)).await
}

#[tauri::command]
pub async fn conflicts(app: State<'_, Shared>) -> Reply<Vec<ConflictView>> {
    off_main(&app, move |app| app.conflicts()).await
}

#[tauri::command]
pub async fn report(app: State<'_, Shared>, filter: ResponseFilter) -> Reply<ReportView> {
    off_main(&app, move |app| app.report(filter)).await
}

#[tauri::command]
pub async fn sync_state(app: State<'_, Shared>) -> Reply<SyncState> {
    off_main(&app, move |app| app.sync_state()).await
}

#[tauri::command]
pub async fn sync_now(app: State<'_, Shared>) -> Reply<SyncState> {
    off_main(&app, move |app| app.sync_now()).await
}

#[tauri::command]
pub async fn export_bundle<R: Runtime>(
    window: AppHandle<R>,
    app: State<'_, Shared>,
    path: String,
) -> Reply<BundleResult> {
    off_main(&app, move |app| {
        app.export_bundle_with(path, &progress(window))
    })
    .await
}

#[tauri::command]
pub async fn import_bundle<R: Runtime>(
    window: AppHandle<R>,
    app: State<'_, Shared>,
    path: String,
) -> Reply<BundleResult> {
    off_main(&app, move |app| {
        app.import_bundle_with(path, &progress(window))
    })
    .await
}

/// Stop the running import or export at its next whole row; it answers with what it did.
#[tauri::command]
pub async fn cancel_work(app: State<'_, Shared>) -> Reply<()> {
    off_main(&app, move |app| app.cancel_work()).await
}
