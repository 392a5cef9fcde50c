//! One WebDriver session on the app window, with blocking helpers that speak in the UI's
//! `data-testid`s.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tokio::runtime::Runtime;

use super::framebuffer::Area;
use super::{Display, Driver};

/// How long the window may take to show something before a step fails.
const STEP_DEADLINE: Duration = Duration::from_secs(30);

/// Two windows at once would only fight over two cores: sessions take turns.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The CSS selector of a `data-testid`.
pub fn testid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

/// The app window of `simpul-desktop --data <folder>`.
pub struct Window {
    runtime: Runtime,
    client: Option<Client>,
    screenshots: PathBuf,
    shots: AtomicUsize,
    // Dropped after the client, in this order: the session, the driver, the display.
    _driver: Driver,
    display: Display,
    _turn: MutexGuard<'static, ()>,
}

impl Window {
    /// Opens the app on replica folder `data`; screenshots go to
    /// `target/e2e-screenshots/<run>/`.
    pub fn open(app: &Path, data: &Path, run: &str) -> Window {
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let display = Display::start();
        let driver = Driver::start(&display);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the WebDriver client");
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({
                "application": app,
                "args": ["--data", data],
            }),
        );
        let client = connect(&runtime, &driver, caps);
        let screenshots = screenshot_dir().join(run);
        let _ = std::fs::remove_dir_all(&screenshots);
        std::fs::create_dir_all(&screenshots).expect("the screenshot folder is writable");
        Window {
            runtime,
            client: Some(client),
            screenshots,
            shots: AtomicUsize::new(0),
            _driver: driver,
            display,
            _turn: turn,
        }
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("the session is open")
    }

    /// The element with this test id, waiting for it to appear.
    pub fn find(&self, id: &str) -> Element {
        self.find_css(&testid(id))
    }

    pub fn find_css(&self, css: &str) -> Element {
        self.runtime
            .block_on(async {
                self.client()
                    .wait()
                    .at_most(STEP_DEADLINE)
                    .for_element(Locator::Css(css))
                    .await
            })
            .unwrap_or_else(|e| {
                self.snap("missing");
                let banner = self
                    .all(&testid("error-banner"))
                    .first()
                    .map(|b| self.element_text(b))
                    .unwrap_or_default();
                panic!("`{css}` did not appear within {STEP_DEADLINE:?} ({e}); error banner: {banner:?}")
            })
    }

    /// Every element matching `css` now (no waiting).
    pub fn all(&self, css: &str) -> Vec<Element> {
        self.runtime
            .block_on(self.client().find_all(Locator::Css(css)))
            .unwrap_or_default()
    }

    pub fn exists(&self, id: &str) -> bool {
        !self.all(&testid(id)).is_empty()
    }

    pub fn click(&self, id: &str) {
        let element = self.find(id);
        self.click_element(&element, id);
    }

    pub fn click_element(&self, element: &Element, what: &str) {
        self.runtime
            .block_on(element.click())
            .unwrap_or_else(|e| panic!("clicking `{what}` failed: {e}"));
    }

    /// Types `text` into the field with this test id, after clearing it.
    pub fn fill(&self, id: &str, text: &str) {
        let element = self.find(id);
        self.runtime.block_on(async {
            element.clear().await.expect("the field clears");
            element.send_keys(text).await.expect("the field takes keys");
        });
    }

    /// Keys sent to the element with this test id, as typed (no clearing).
    pub fn keys(&self, id: &str, text: &str) {
        let element = self.find(id);
        self.runtime
            .block_on(element.send_keys(text))
            .unwrap_or_else(|e| panic!("typing into `{id}` failed: {e}"));
    }

    /// Keys sent to whatever has the focus, as a clerk types without touching the mouse.
    pub fn type_active(&self, text: &str) {
        self.runtime.block_on(async {
            let active = self
                .client()
                .active_element()
                .await
                .expect("something has focus");
            active
                .send_keys(text)
                .await
                .expect("the focused element takes keys");
        });
    }

    /// Whether the element with this test id has the focus. Asked of the document's active
    /// element rather than with `:focus`, which WebKit matches only while the window itself is
    /// the active one (a busy X server may briefly hand that to no one).
    pub fn focused(&self, id: &str) -> bool {
        self.runtime.block_on(async {
            let Ok(active) = self.client().active_element().await else {
                return false;
            };
            active.attr("data-testid").await.ok().flatten().as_deref() == Some(id)
        })
    }

    pub fn text(&self, id: &str) -> String {
        let element = self.find(id);
        self.runtime.block_on(element.text()).unwrap_or_default()
    }

    pub fn attr(&self, id: &str, name: &str) -> Option<String> {
        let element = self.find(id);
        self.runtime.block_on(element.attr(name)).ok().flatten()
    }

    pub fn element_text(&self, element: &Element) -> String {
        self.runtime.block_on(element.text()).unwrap_or_default()
    }

    pub fn element_attr(&self, element: &Element, name: &str) -> Option<String> {
        self.runtime.block_on(element.attr(name)).ok().flatten()
    }

    /// Waits until `ready` holds, checking every 200 ms, failing with `what` after `within`.
    pub fn wait_until(&self, what: &str, within: Duration, mut ready: impl FnMut(&Window) -> bool) {
        let deadline = Instant::now() + within;
        loop {
            if ready(self) {
                return;
            }
            if Instant::now() > deadline {
                self.snap(&format!("timeout-{}", what.replace(' ', "-")));
                panic!("waited {within:?} for {what}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Waits for the text of a test id to contain `needle`.
    pub fn wait_for_text(&self, id: &str, needle: &str) {
        self.wait_until(&format!("`{id}` to show {needle}"), STEP_DEADLINE, |w| {
            w.all(&testid(id))
                .first()
                .is_some_and(|e| w.element_text(e).contains(needle))
        });
    }

    /// Saves a screenshot of the window as `NN-<name>.png`, taken from the X screen (see
    /// `framebuffer`) once the page has drawn its last change.
    pub fn snap(&self, name: &str) {
        let Ok((x, y, width, height)) = self.runtime.block_on(async {
            // A frame drawn after the one that carried the last change.
            let _ = self
                .client()
                .execute_async(
                    "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done()));",
                    vec![],
                )
                .await;
            self.client().get_window_rect().await
        }) else {
            eprintln!("no screenshot {name}: the window's place is not known");
            return;
        };
        let area = Area {
            x: x as u32,
            y: y as u32,
            width: width as u32,
            height: height as u32,
        };
        let png = match self.display.capture(area) {
            Ok(png) => png,
            Err(error) => {
                eprintln!("no screenshot {name}: {error}");
                return;
            }
        };
        let n = self.shots.fetch_add(1, Ordering::Relaxed) + 1;
        let shot = self.screenshots.join(format!("{n:02}-{name}.png"));
        std::fs::write(&shot, png).expect("the screenshot is written");
    }

    /// Resizes the window, e.g. to 800×1280 for a tablet held upright.
    pub fn resize(&self, width: u32, height: u32) {
        let _ = self
            .runtime
            .block_on(self.client().set_window_size(width, height));
    }

    pub fn enter() -> String {
        char::from(Key::Enter).to_string()
    }

    pub fn tab() -> String {
        char::from(Key::Tab).to_string()
    }
}

impl Drop for Window {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = self.runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(15), client.close()).await
            });
        }
    }
}

/// A new session on the app. `tauri-driver` listens before `WebKitWebDriver` behind it is
/// ready, and a session asked for in that moment is cut off: ask again, a few times.
fn connect(
    runtime: &Runtime,
    driver: &Driver,
    caps: serde_json::Map<String, serde_json::Value>,
) -> Client {
    let mut attempt = 1;
    loop {
        let session = runtime.block_on(async {
            tokio::time::timeout(
                Duration::from_secs(60),
                ClientBuilder::new(HttpConnector::new())
                    .capabilities(caps.clone())
                    .connect(&driver.url()),
            )
            .await
        });
        match session {
            Ok(Ok(client)) => return client,
            Ok(Err(e)) if attempt < 5 => {
                eprintln!("new WebDriver session, attempt {attempt}: {e}; trying again");
                std::thread::sleep(Duration::from_secs(2));
                attempt += 1;
            }
            Ok(Err(e)) => panic!("tauri-driver did not start a session on the app: {e}"),
            Err(_) => panic!("the app window did not open within 60 s"),
        }
    }
}

fn screenshot_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("e2e-screenshots")
}
