//! Steps every window test takes.

use std::path::PathBuf;
use std::time::Duration;

use simpul_e2e::harness::{PERIOD, UNIT};
use simpul_e2e::window::{Window, testid};
use simpul_e2e::{Server, harness};
use tempfile::TempDir;

pub const ENUMERATOR: &str = "Sari";
pub const PIN: &str = "2468";
pub const POPULATION: &str = "1200";

/// A server whose unit has an active period and a population, and the app window on a fresh
/// replica folder.
pub struct Setup {
    pub server: Server,
    pub window: Window,
    _data: TempDir,
}

impl Setup {
    pub fn open(run: &str) -> Setup {
        let server = Server::start();
        server
            .admin(&[
                "unit",
                "set",
                UNIT,
                "--period",
                PERIOD,
                "--population",
                POPULATION,
            ])
            .ok();
        let data = tempfile::tempdir().expect("a temporary directory");
        let window = Window::open(&app_binary(), &data.path().join("app"), run);
        Setup {
            server,
            window,
            _data: data,
        }
    }
}

/// `simpul-desktop`, built and fresh (see [`harness::binary`]).
pub fn app_binary() -> PathBuf {
    harness::app_binary()
}

/// First run: the server's address and a one-time code, then the first enumerator, then the
/// home screen once the server's period has arrived.
pub fn first_run_with_server(setup: &Setup) {
    let w = &setup.window;
    w.find("screen-setup");
    w.snap("setup");
    w.click("setup-mode-server");
    w.fill("setup-server", &setup.server.url());
    w.fill("setup-code", &setup.server.enrolment_code());
    w.fill("setup-device", "Tablet loket 1");
    w.snap("setup-server");
    submit_setup_and_add_the_first_enumerator(w);
    // The first sync brings the unit's active period; paper ids depend on it.
    w.wait_until(
        "the server's period on the home screen",
        Duration::from_secs(60),
        |w| {
            w.all(&testid("home-period"))
                .first()
                .is_some_and(|e| w.element_text(e).contains(PERIOD))
        },
    );
    w.snap("home");
}

pub fn sign_in_if_asked(w: &Window) {
    w.wait_until("sign-in or home", Duration::from_secs(30), |w| {
        w.exists("screen-signin") || w.exists("screen-home")
    });
    if w.exists("screen-signin") {
        w.snap("signin");
        w.click("signin-enumerator");
        w.fill("signin-pin", PIN);
        w.click("signin-submit");
    }
}

/// Goes to a screen by its navigation button, waits for it, and keeps a screenshot.
pub fn go(w: &Window, screen: &str) {
    w.click(&format!("nav-{screen}"));
    w.find(&format!("screen-{screen}"));
    w.snap(screen);
}

/// First run without a server: the unit typed in by hand, then the first enumerator.
pub fn first_run_offline(w: &Window) {
    w.find("screen-setup");
    w.click("setup-mode-offline");
    w.fill("setup-unit", UNIT);
    w.fill("setup-unit-name", "Dinas Kependudukan dan Pencatatan Sipil");
    w.fill("setup-period", PERIOD);
    w.fill("setup-population", POPULATION);
    w.fill("setup-device", "Laptop entri 1");
    w.snap("setup-offline");
    submit_setup_and_add_the_first_enumerator(w);
}

/// The setup form sent, then the first enumerator with a PIN, then signed in at home.
fn submit_setup_and_add_the_first_enumerator(w: &Window) {
    w.click("setup-submit");
    w.find("enumerator-name");
    w.fill("enumerator-name", ENUMERATOR);
    w.fill("enumerator-pin", PIN);
    w.snap("first-enumerator");
    w.click("enumerator-submit");
    sign_in_if_asked(w);
    w.find("screen-home");
}

/// Answers whatever the current questionnaire screen asks, screen after screen, until
/// `done` holds: each unsur gets `score`, the profile a fixed respondent. Moves on with
/// `next`, or `save` where a screen has no `next`.
pub fn answer_until(w: &Window, score: u8, done: impl Fn(&Window) -> bool) {
    for _ in 0..40 {
        if done(w) {
            return;
        }
        let mut choices: Vec<String> = (1..=9).map(|u| format!("answer-U{u}-{score}")).collect();
        choices.extend(
            [
                ("jenis_kelamin", "P"),
                ("pendidikan", "SMA"),
                ("pekerjaan", "SWASTA"),
            ]
            .map(|(item, code)| format!("answer-{item}-{code}")),
        );
        for id in &choices {
            if let Some(button) = w.all(&testid(id)).first() {
                w.click_element(button, id);
            }
        }
        for (item, text) in [
            ("umur", "34"),
            ("layanan", "KTP-el"),
            ("saran", "Antrean lebih cepat"),
        ] {
            let id = format!("input-{item}");
            if let Some(field) = w.all(&testid(&id)).first()
                && w.element_attr(field, "value")
                    .unwrap_or_default()
                    .is_empty()
            {
                w.fill(&id, text);
            }
        }
        std::thread::sleep(Duration::from_millis(150));
        if done(w) {
            return;
        }
        if w.exists("next") {
            w.click("next");
        } else if w.exists("save") {
            w.click("save");
        }
        std::thread::sleep(Duration::from_millis(150));
    }
    panic!("the questionnaire never finished");
}

/// Types one paper sheet from the keyboard: the serial, then the nine unsur digits (each
/// digit moves on by itself), then Enter.
pub fn type_sheet(w: &Window, serial: &str, digits: &str) {
    w.fill("paper-serial", serial);
    w.click("paper-cell-U1");
    w.type_active(digits);
    w.type_active(&Window::enter());
}

/// How many rows the paper screen lists as saved.
pub fn saved_rows(w: &Window) -> usize {
    w.all(&testid("paper-saved-row")).len()
}

/// Presses the sync button and waits for "up to date".
pub fn sync_now(w: &Window) {
    go(w, "sync");
    w.click("sync-now");
    w.wait_until("the sync to finish", Duration::from_secs(90), |w| {
        w.all(&testid("sync-state"))
            .first()
            .and_then(|e| w.element_attr(e, "data-phase"))
            .is_some_and(|phase| phase == "up_to_date")
    });
}

/// The first number shown by a test id, ignoring any words around it.
pub fn number(w: &Window, id: &str) -> u64 {
    let text = w.text(id);
    *numbers(&text)
        .first()
        .unwrap_or_else(|| panic!("`{id}` shows no number: {text:?}"))
}

/// Every whole number in `text`, in order ("12 dari 291 responden" → 12, 291).
pub fn numbers(text: &str) -> Vec<u64> {
    text.split(|c: char| !c.is_ascii_digit())
        .filter_map(|run| run.parse().ok())
        .collect()
}
