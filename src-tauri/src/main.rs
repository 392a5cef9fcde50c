// No console window behind the app on Windows builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    webkit_renderer();
    simpul_tauri::run()
}

/// On Linux, WebKitGTK's DMA-BUF renderer keeps about 80 MiB more in the web process when
/// it falls back to software rendering, as it does on office PCs and tablets without a
/// supported GPU (measured by the start-up benchmark: 186 against 105 MiB PSS), and it shows
/// a blank window on some GPU drivers. A form app gains nothing from it, so it is off unless
/// the user's environment says otherwise.
fn webkit_renderer() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_DMABUF_RENDERER").is_none() {
        // SAFETY: the first thing `main` does, before any thread exists that could read
        // the environment at the same time.
        unsafe { std::env::set_var("WEBKIT_DISABLE_DMABUF_RENDERER", "1") };
    }
}
