//! A respondent answers on a phone through a survey link, loses the signal halfway, finishes
//! anyway, and the answers arrive once the signal returns: once, in the server's report, and
//! on the unit's tablet after its next sync.

use std::time::{Duration, Instant};

use simpul_e2e::browser::Browser;
use simpul_e2e::{Device, Server, UNIT};

/// What the respondent answers, screen by screen, in the form's order.
const ANSWERS: &[(&str, Kind, &str)] = &[
    ("jenis_kelamin", Kind::Option, "P"),
    ("umur", Kind::Input, "34"),
    ("pendidikan", Kind::Option, "SMA"),
    ("pekerjaan", Kind::Option, "SWASTA"),
    ("layanan", Kind::Input, "KTP-el"),
    ("U1", Kind::Score, "4"),
    ("U2", Kind::Score, "3"),
    ("U3", Kind::Score, "4"),
    ("U4", Kind::Score, "4"),
    ("U5", Kind::Score, "3"),
    ("U6", Kind::Score, "4"),
    ("U7", Kind::Score, "4"),
    ("U8", Kind::Score, "4"),
    ("U9", Kind::Score, "2"),
    ("saran", Kind::Input, "Ruang tunggu kurang sejuk"),
];

#[derive(Clone, Copy)]
enum Kind {
    Option,
    Score,
    Input,
}

fn answer(web: &Browser, item: &str, kind: Kind, value: &str) {
    match kind {
        Kind::Option => web.click(&format!("survey-option-{item}-{value}")),
        Kind::Score => web.click(&format!("survey-score-{item}-{value}")),
        Kind::Input => web.fill(&format!("survey-input-{item}"), value),
    }
}

fn state(web: &Browser) -> Option<String> {
    web.attrs("[data-testid=\"survey-status\"]", "data-state")
        .into_iter()
        .next()
        .flatten()
}

#[test]
fn answers_given_offline_on_a_phone_arrive_once_when_the_signal_returns() {
    let server = Server::start();
    let link = server.survey_link();
    let tablet = Device::enrolled("tablet", &server, &server.url());
    let before = server.change_count();

    let web = Browser::open("survey", 390, 844);
    web.goto(&link);
    web.wait_for_text("survey-unit", "Dinas Kependudukan");
    web.snap("survey-start");
    web.click("survey-start");
    let (last, rest) = ANSWERS.split_last().unwrap();
    for (index, &(item, kind, value)) in rest.iter().enumerate() {
        // The signal goes halfway through the unsur.
        if item == "U5" {
            web.set_offline(true);
        }
        answer(&web, item, kind, value);
        if index == 5 {
            web.snap("survey-question");
        }
        web.click("survey-next");
    }
    answer(&web, last.0, last.1, last.2);
    web.click("survey-send");
    web.find("survey-thanks");
    web.wait_until("the set to wait for a signal", |web| {
        state(web).as_deref() == Some("waiting")
    });
    web.wait_for_text("survey-status", "sinyal");
    web.snap("survey-waiting");
    assert_eq!(
        server.change_count(),
        before,
        "nothing arrived while offline"
    );

    // The signal returns; the page sends by itself, without a reload.
    web.set_offline(false);
    web.wait_until("the set to be sent", |web| {
        state(web).as_deref() == Some("sent")
    });
    web.snap("survey-sent");
    assert_eq!(server.change_count(), before + 1, "sent once");

    server.wait_until_materialised(Duration::from_secs(30));
    let report = server.json(&["report", "--unit", UNIT, "--channel", "web"]);
    assert_eq!(report["n"], 1, "{report}");
    tablet.sync_ok();
    let web_responses: Vec<_> = tablet
        .responses()
        .into_iter()
        .filter(|response| response["channel"] == "web")
        .collect();
    assert_eq!(web_responses.len(), 1, "the tablet holds the web answer");
    assert_eq!(
        web_responses[0]["service"], "KTP-el",
        "{}",
        web_responses[0]
    );

    // A page loaded again sends nothing more: the outbox is empty.
    web.goto(&link);
    web.find("survey-start");
    let settle = Instant::now() + Duration::from_secs(2);
    while Instant::now() < settle {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(server.change_count(), before + 1, "still once");
}

/// Whether the answer button with this test id is shown as chosen.
fn pressed(web: &Browser, id: &str) -> bool {
    web.attrs(&format!("[data-testid=\"{id}\"]"), "aria-pressed")
        .into_iter()
        .next()
        .flatten()
        .as_deref()
        == Some("true")
}

#[test]
fn a_page_reloaded_halfway_offers_to_carry_on_at_the_same_question_with_the_answers_given() {
    let server = Server::start();
    let link = server.survey_link();
    let before = server.change_count();

    let web = Browser::open("survey-resume", 390, 844);
    web.goto(&link);
    web.click("survey-start");
    for &(item, kind, value) in &ANSWERS[..3] {
        answer(&web, item, kind, value);
        if item != "pendidikan" {
            web.click("survey-next");
        }
    }
    // The phone drops the tab and loads the page again, on the pendidikan question.
    web.goto(&link);
    web.find("survey-resume-note");
    web.snap("survey-resume");
    web.click("survey-start");
    web.find("survey-option-pendidikan-SMA");
    assert!(
        pressed(&web, "survey-option-pendidikan-SMA"),
        "the answer kept"
    );
    web.click("survey-back");
    web.find("survey-input-umur");
    assert_eq!(
        web.eval("return document.querySelector('[data-testid=\"survey-input-umur\"]').value"),
        "34"
    );
    web.click("survey-next");
    web.click("survey-next");
    let (last, rest) = ANSWERS.split_last().unwrap();
    for &(item, kind, value) in &rest[3..] {
        answer(&web, item, kind, value);
        web.click("survey-next");
    }
    answer(&web, last.0, last.1, last.2);
    web.click("survey-send");
    web.wait_until("the set to be sent", |web| {
        state(web).as_deref() == Some("sent")
    });
    assert_eq!(server.change_count(), before + 1, "one answer set");

    // What was answered before the reload is in the stored set.
    let csv = server.scratch("web.csv");
    server
        .run(&[
            "export",
            "csv",
            "--unit",
            UNIT,
            "--out",
            csv.to_str().unwrap(),
        ])
        .ok();
    let rows = std::fs::read_to_string(&csv).unwrap();
    let row = rows.lines().nth(1).expect("one response");
    assert!(row.contains(",34,") && row.contains("SMA"), "{rows}");

    // Sent: the next visit starts afresh, and a fresh start drops a draft for good.
    web.goto(&link);
    web.find("survey-start");
    assert!(!web.exists("survey-resume-note"));
    web.click("survey-start");
    answer(&web, "jenis_kelamin", Kind::Option, "L");
    web.goto(&link);
    web.click("survey-restart");
    assert!(
        !pressed(&web, "survey-option-jenis_kelamin-L"),
        "a clean sheet"
    );
    web.goto(&link);
    web.find("survey-start");
    assert!(!web.exists("survey-resume-note"));
}
