//! The supervisors' web in a real browser: Debian's `chromium`, headless, opened by Debian's
//! `chromedriver` and steered over WebDriver (fantoccini) by the pages' `data-testid`s, as
//! [`crate::window`] steers the app. Nothing downloads a browser of its own: a missing
//! `chromium` or `chromedriver` fails the test with the packages to install.
//!
//! Every [`Browser`] has its own driver and profile folder, and saves a screenshot of each
//! page it is asked to ([`Browser::snap`]) under `target/e2e-screenshots/<run>/`.

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;
use tempfile::TempDir;
use tokio::runtime::Runtime;

use crate::window::testid;

/// How long a page may take to show something before a step fails.
const STEP_DEADLINE: Duration = Duration::from_secs(20);

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A headless Chromium of `width`×`height`.
pub struct Browser {
    runtime: Runtime,
    client: Option<Client>,
    screenshots: PathBuf,
    shots: AtomicUsize,
    driver: Child,
    _profile: TempDir,
}

impl Browser {
    pub fn open(run: &str, width: u32, height: u32) -> Browser {
        for (path, package) in [(CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")] {
            assert!(
                Path::new(path).exists(),
                "{path} is missing: install Debian's {package} (scripts/test does)"
            );
        }
        let port = free_port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not listen on {port} within 20 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().expect("a profile folder");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the WebDriver client");
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless=new",
                    // Root in a container: Chromium's sandbox needs namespaces it lacks.
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--no-first-run",
                    "--disable-extensions",
                    "--lang=id",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.path().display()),
                ],
            }),
        );
        let client = runtime
            .block_on(async {
                tokio::time::timeout(
                    Duration::from_secs(60),
                    ClientBuilder::new(HttpConnector::new())
                        .capabilities(caps)
                        .connect(&format!("http://127.0.0.1:{port}")),
                )
                .await
            })
            .expect("chromium starts within 60 s")
            .expect("chromedriver opens a session");
        let screenshots = screenshot_dir().join(run);
        let _ = std::fs::remove_dir_all(&screenshots);
        std::fs::create_dir_all(&screenshots).expect("the screenshot folder is writable");
        Browser {
            runtime,
            client: Some(client),
            screenshots,
            shots: AtomicUsize::new(0),
            driver,
            _profile: profile,
        }
    }

    fn client(&self) -> &Client {
        self.client.as_ref().expect("the session is open")
    }

    pub fn goto(&self, url: &str) {
        self.runtime
            .block_on(self.client().goto(url))
            .unwrap_or_else(|e| panic!("opening {url} failed: {e}"));
    }

    /// Signs `name` in on the web at `server` and waits for the overview.
    pub fn sign_in(&self, server: &str, name: &str, password: &str) {
        self.goto(server);
        self.fill("sign-in-username", name);
        self.fill("sign-in-password", password);
        self.click("sign-in-submit");
        self.find("page-overview");
    }

    /// The address the browser shows.
    pub fn url(&self) -> String {
        self.runtime
            .block_on(self.client().current_url())
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    /// The page as the browser now holds it (HTML after the script drew it).
    pub fn page_source(&self) -> String {
        self.runtime
            .block_on(self.client().source())
            .expect("the page source")
    }

    /// The element with this test id, waiting for it to appear.
    pub fn find(&self, id: &str) -> Element {
        let css = testid(id);
        self.runtime
            .block_on(async {
                self.client()
                    .wait()
                    .at_most(STEP_DEADLINE)
                    .for_element(Locator::Css(&css))
                    .await
            })
            .unwrap_or_else(|e| {
                self.snap(&format!("missing-{id}"));
                panic!("`{id}` did not appear within {STEP_DEADLINE:?} ({e})")
            })
    }

    pub fn exists(&self, id: &str) -> bool {
        self.runtime
            .block_on(self.client().find_all(Locator::Css(&testid(id))))
            .is_ok_and(|all| !all.is_empty())
    }

    pub fn click(&self, id: &str) {
        let element = self.find(id);
        self.runtime
            .block_on(element.click())
            .unwrap_or_else(|e| panic!("clicking `{id}` failed: {e}"));
    }

    /// Types `text` into the field with this test id, after clearing it.
    pub fn fill(&self, id: &str, text: &str) {
        let element = self.find(id);
        self.runtime.block_on(async {
            element.clear().await.expect("the field clears");
            element.send_keys(text).await.expect("the field takes keys");
        });
    }

    /// Chooses the option whose value is `value` in the select with this test id.
    pub fn select(&self, id: &str, value: &str) {
        let element = self.find(id);
        self.runtime
            .block_on(element.select_by_value(value))
            .unwrap_or_else(|e| panic!("choosing {value:?} in `{id}` failed: {e}"));
    }

    /// The attribute `name` of every element matching `css`, in document order.
    pub fn attrs(&self, css: &str, name: &str) -> Vec<Option<String>> {
        self.runtime.block_on(async {
            let all = self
                .client()
                .find_all(Locator::Css(css))
                .await
                .unwrap_or_default();
            let mut values = Vec::with_capacity(all.len());
            for element in all {
                values.push(element.attr(name).await.ok().flatten());
            }
            values
        })
    }

    pub fn text(&self, id: &str) -> String {
        let element = self.find(id);
        self.runtime.block_on(element.text()).unwrap_or_default()
    }

    /// Waits until `ready` holds, checking every 200 ms.
    pub fn wait_until(&self, what: &str, mut ready: impl FnMut(&Browser) -> bool) {
        let deadline = Instant::now() + STEP_DEADLINE;
        loop {
            if ready(self) {
                return;
            }
            if Instant::now() > deadline {
                self.snap(&format!("timeout-{}", what.replace(' ', "-")));
                panic!("waited {STEP_DEADLINE:?} for {what}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Waits for the text of a test id to contain `needle`.
    pub fn wait_for_text(&self, id: &str, needle: &str) {
        self.wait_until(&format!("`{id}` to show {needle}"), |b| {
            b.exists(id) && b.text(id).contains(needle)
        });
    }

    /// Waits for the text of a test id to be exactly `expected`.
    pub fn wait_for_exact(&self, id: &str, expected: &str) {
        self.wait_until(&format!("`{id}` to read {expected}"), |b| {
            b.exists(id) && b.text(id).trim() == expected
        });
    }

    /// What the link with this test id downloads, fetched by the page itself (its session
    /// cookie included), as a person clicking it would get it.
    pub fn download(&self, id: &str) -> Vec<u8> {
        let link = self.find(id);
        let href = self
            .runtime
            .block_on(link.prop("href"))
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("`{id}` links nowhere"));
        let script = "const [url, done] = arguments;
            fetch(url, { credentials: 'same-origin' })
              .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(r.status)))
              .then((b) => done(Array.from(new Uint8Array(b))), (e) => done(String(e)));";
        let value = self
            .runtime
            .block_on(self.client().execute_async(script, vec![json!(href)]))
            .unwrap_or_else(|e| panic!("fetching {href} failed: {e}"));
        value
            .as_array()
            .unwrap_or_else(|| panic!("fetching {href} failed: {value}"))
            .iter()
            .map(|byte| byte.as_u64().expect("a byte") as u8)
            .collect()
    }

    /// The natural width of the image with this test id once the browser has drawn it; 0
    /// while it loads or when it failed to (a broken image has no size).
    pub fn image_width(&self, id: &str) -> u64 {
        self.find(id);
        let script = "const image = document.querySelector(arguments[0]);
            return image && image.complete ? image.naturalWidth : 0;";
        self.runtime
            .block_on(self.client().execute(script, vec![json!(testid(id))]))
            .ok()
            .and_then(|value| value.as_u64())
            .unwrap_or(0)
    }

    /// Saves a screenshot of the page as `NN-<name>.png`.
    pub fn snap(&self, name: &str) {
        let png = self.runtime.block_on(self.client().screenshot());
        let Ok(png) = png else { return };
        let n = self.shots.fetch_add(1, Ordering::Relaxed) + 1;
        let shot = self.screenshots.join(format!("{n:02}-{name}.png"));
        std::fs::write(&shot, png).expect("the screenshot is written");
    }

    /// Scrolls the element with this test id to the top of the view, then saves a screenshot.
    pub fn snap_at(&self, id: &str, name: &str) {
        self.find(id);
        let script = "document.querySelector(arguments[0]).scrollIntoView({block: 'start'});";
        let _ = self
            .runtime
            .block_on(self.client().execute(script, vec![json!(testid(id))]));
        self.snap(name);
    }

    /// Cuts the page's network (`offline`) or gives it back, as a phone losing its signal.
    pub fn set_offline(&self, offline: bool) {
        self.set_network(offline, Duration::ZERO, None);
    }

    /// Emulates a link: `latency` added to each round trip and at most `bytes_per_second`
    /// each way (`None`: unlimited), or none at all (`offline`). Chromedriver's network
    /// conditions, which DevTools applies to the page's requests.
    pub fn set_network(&self, offline: bool, latency: Duration, bytes_per_second: Option<u64>) {
        let throughput = bytes_per_second.map_or(-1, |b| i64::try_from(b).unwrap_or(i64::MAX));
        let conditions = NetworkConditions(json!({
            "network_conditions": {
                "offline": offline,
                "latency": latency.as_millis() as u64,
                "download_throughput": throughput,
                "upload_throughput": throughput,
            }
        }));
        self.runtime
            .block_on(self.client().issue_cmd(conditions))
            .unwrap_or_else(|e| panic!("setting the network conditions failed: {e}"));
    }

    /// Runs `script` in the page (a function body; `return` gives its value).
    pub fn eval(&self, script: &str) -> serde_json::Value {
        self.runtime
            .block_on(self.client().execute(script, Vec::new()))
            .unwrap_or_else(|e| panic!("the script failed: {e}"))
    }

    pub fn resize(&self, width: u32, height: u32) {
        let _ = self
            .runtime
            .block_on(self.client().set_window_size(width, height));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            let _ = self.runtime.block_on(async {
                tokio::time::timeout(Duration::from_secs(15), client.close()).await
            });
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn screenshot_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("e2e-screenshots")
}

/// `POST /session/{id}/chromium/network_conditions`, chromedriver's own command.
#[derive(Debug)]
struct NetworkConditions(serde_json::Value);

impl fantoccini::wd::WebDriverCompatibleCommand for NetworkConditions {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        let session = session_id.expect("a session is open");
        base_url.join(&format!("session/{session}/chromium/network_conditions"))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(self.0.to_string()))
    }
}
