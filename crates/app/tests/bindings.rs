//! The TypeScript twins of the IPC types in `ui/src/bindings/` are generated from Rust and
//! committed; this test fails when they drift. `SIMPUL_UPDATE_BINDINGS=1 cargo test -p
//! simpul-app --test bindings` rewrites them.

use std::path::{Path, PathBuf};

use simpul_app::ipc::*;
use simpul_app::{AppError, ErrorCode};
use ts_rs::{Config, TS};

const HEADER: &str = "// Generated from crates/app/src/ipc.rs by ts-rs. Do not edit: run\n// `SIMPUL_UPDATE_BINDINGS=1 cargo test -p simpul-app --test bindings`.\n";

fn bindings_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/bindings")
}

/// Every exported type with its dependencies, as `(file name, text)`.
fn generated() -> Vec<(String, String)> {
    let cfg = Config::default();
    let mut out = Vec::new();
    macro_rules! each {
        ($($t:ty),* $(,)?) => {$(
            out.push((
                format!("{}.ts", <$t as TS>::name(&cfg)),
                format!("{HEADER}{}", <$t as TS>::export_to_string(&cfg).expect("ts-rs renders the type")),
            ));
        )*};
    }
    each!(
        AppError,
        ErrorCode,
        Language,
        AppState,
        OfflineSetup,
        ServerSetup,
        Enumerator,
        Home,
        FormView,
        ItemView,
        ItemKindView,
        ChoiceView,
        Channel,
        Draft,
        Saved,
        SavedOutcome,
        PaperRow,
        ImportLine,
        ImportResult,
        ResponseFilter,
        ResponseRow,
        ResponseDetail,
        AnswerView,
        ConflictView,
        ConflictValue,
        ReportView,
        UnsurView,
        Breakdown,
        Bar,
        SyncState,
        SyncPhase,
        BundleResult,
        Exported,
        WorkKind,
        WorkProgress,
    );
    out.push(("channels.ts".to_string(), channels()));
    out
}

/// The values of `Channel` as a constant, so the window's filters and labels take the one
/// list of channels instead of keeping a second one (ts-rs renders types only).
fn channels() -> String {
    let codes: Vec<String> = Channel::ALL
        .iter()
        .map(|c| format!("\"{}\"", c.code()))
        .collect();
    format!(
        "{HEADER}import type {{ Channel }} from \"./Channel\";\n\n\
         /** Every channel, in the backend's order (`Channel::ALL`). */\n\
         export const CHANNELS: readonly Channel[] = [{}];\n",
        codes.join(", ")
    )
}

#[test]
fn committed_bindings_match_the_rust_types() {
    let dir = bindings_dir();
    let update = std::env::var_os("SIMPUL_UPDATE_BINDINGS").is_some();
    let mut stale = Vec::new();
    for (name, text) in generated() {
        let path = dir.join(&name);
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "ui/src/bindings is out of date for {stale:?}; run SIMPUL_UPDATE_BINDINGS=1 cargo test -p simpul-app --test bindings"
    );
}
