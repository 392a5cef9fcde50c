//! A respondent's answer set from the survey page, checked against the unit's form and written
//! as an ordinary response document authored by the server, channel `web`, so that it counts
//! in the unit's reports and reaches its devices at their next sync like any other response.
//!
//! Everything wrong with a set is named at once, per question, in both languages: a
//! respondent fixes what the page shows and sends again, and nothing is stored meanwhile.
//!
//! A set sent from a paper sheet's QR code carries the sheet's serial and takes the sheet's
//! identity (UUIDv5 of unit, period and serial). It is written as if by a replica that never
//! saw the sheet typed — a fresh actor, no dependencies — so a sheet answered both on paper
//! and by phone is one response, and any answer given differently holds both values: a
//! conflict for a supervisor, as when two clerks type one sheet differently.

use std::collections::BTreeMap;

use automerge::Automerge;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use simpul_document::write::{Author, Capture, Header};
use simpul_document::{PaperSerial, paper_response_id};
use simpul_survey::{Form, ItemKind, Text};
use uuid::Uuid;

use crate::model::{IncomingChange, PeriodCode, UnitCode};

/// Who a web answer's change names as its author.
pub const WEB_AUTHOR: &str = "Responden (web)";

/// The channel a web answer is filed under, as devices name it.
pub const WEB_CHANNEL: &str = "web";

/// The item a link's service fills.
const SERVICE_ITEM: &str = "layanan";

/// `POST /f/TOKEN/responses`, as the survey page sends it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebAnswerBody {
    /// Made by the browser once per answer set: a retry of the same set carries it again.
    pub id: Uuid,
    /// The paper sheet's serial, when the page was opened from the sheet's QR code.
    #[serde(default)]
    pub serial: Option<String>,
    /// Item id (or alias) to answer, as text or a number.
    pub answers: BTreeMap<String, serde_json::Value>,
    /// A field people never see: a bot that fills every field fills it.
    #[serde(default)]
    pub website: Option<String>,
}

/// One thing wrong with an answer set, for the respondent: which question, and why, in both
/// languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldProblem {
    pub item: String,
    pub id: String,
    pub en: String,
}

impl FieldProblem {
    fn new(item: &str, text: Text) -> FieldProblem {
        FieldProblem {
            item: item.to_string(),
            id: text.id,
            en: text.en,
        }
    }
}

/// Where an answer set lands: the link's unit, period and service, and the day it arrived.
pub struct Target<'a> {
    pub form: &'a Form,
    pub unit: &'a UnitCode,
    pub period: &'a PeriodCode,
    pub service: Option<&'a str>,
    /// Fills the form's date items, which the page does not ask.
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
}

/// An answer set that passed every check, written as one change of its response.
#[derive(Debug)]
pub struct Prepared {
    pub response: Uuid,
    pub change: IncomingChange,
}

/// Checks `body` against the target's form and writes it as one change; every problem at once
/// when it cannot be taken.
pub fn prepare(body: &WebAnswerBody, target: &Target<'_>) -> Result<Prepared, Vec<FieldProblem>> {
    let form = target.form;
    let mut problems = Vec::new();
    if body
        .website
        .as_deref()
        .is_some_and(|w| !w.trim().is_empty())
    {
        problems.push(FieldProblem::new(
            "website",
            Text::new(
                "Kolom ini harus dibiarkan kosong.",
                "This field must be left empty.",
            ),
        ));
    }
    let serial = match body.serial.as_deref().map(PaperSerial::parse) {
        None => None,
        Some(Ok(serial)) => Some(serial),
        Some(Err(error)) => {
            problems.push(FieldProblem::new(
                "serial",
                Text::new(
                    format!("Nomor lembar tidak dapat dibaca ({error})."),
                    format!("The sheet number cannot be read ({error})."),
                ),
            ));
            None
        }
    };

    let mut answers: BTreeMap<String, Option<String>> = form
        .items
        .iter()
        .map(|item| (item.id.clone(), None))
        .collect();
    for (name, value) in &body.answers {
        let Some(item) = form.find_item(name) else {
            problems.push(FieldProblem::new(
                name,
                Text::new(
                    format!("Pertanyaan “{name}” tidak ada di kuesioner ini."),
                    format!("This questionnaire has no question “{name}”."),
                ),
            ));
            continue;
        };
        let raw = match value {
            serde_json::Value::String(text) => text.clone(),
            serde_json::Value::Number(number) => number.to_string(),
            serde_json::Value::Null => String::new(),
            _ => {
                problems.push(FieldProblem::new(
                    &item.id,
                    Text::new(
                        format!("{}: jawaban harus berupa teks atau angka.", item.label.id),
                        format!("{}: the answer must be text or a number.", item.label.en),
                    ),
                ));
                continue;
            }
        };
        match form.parse_answer(&item.id, &raw) {
            Ok(answer) => {
                answers.insert(item.id.clone(), answer.map(|a| a.to_raw()));
            }
            Err(_) => problems.push(FieldProblem::new(
                &item.id,
                Text::new(
                    format!(
                        "{}: jawaban “{raw}” tidak dapat diterima; yang boleh: {}.",
                        item.label.id,
                        item.kind.allowed().id
                    ),
                    format!(
                        "{}: the answer “{raw}” cannot be taken; expected {}.",
                        item.label.en,
                        item.kind.allowed().en
                    ),
                ),
            )),
        }
    }

    for item in &form.items {
        let slot = answers.entry(item.id.clone()).or_default();
        if matches!(item.kind, ItemKind::Date) && slot.is_none() {
            *slot = Some(target.today.format("%Y-%m-%d").to_string());
        }
        if item.id == SERVICE_ITEM
            && let Some(service) = target.service
        {
            let fixed = form
                .parse_answer(&item.id, service)
                .ok()
                .flatten()
                .map(|a| a.to_raw());
            match (&*slot, fixed) {
                (Some(given), Some(fixed)) if *given != fixed => problems.push(FieldProblem::new(
                    &item.id,
                    Text::new(
                        format!("Tautan ini untuk layanan “{service}”, bukan “{given}”."),
                        format!("This link is for the service “{service}”, not “{given}”."),
                    ),
                )),
                (_, Some(fixed)) => *slot = Some(fixed),
                (_, None) => problems.push(FieldProblem::new(
                    &item.id,
                    Text::new(
                        format!("Layanan tautan ini, “{service}”, tidak ada di kuesioner."),
                        format!("This link's service, “{service}”, is not on the questionnaire."),
                    ),
                )),
            }
        }
    }
    for item in form.items.iter().filter(|item| item.required) {
        let answered = answers.get(&item.id).is_some_and(Option::is_some);
        let already = problems.iter().any(|p| p.item == item.id);
        if !answered && !already {
            problems.push(FieldProblem::new(
                &item.id,
                Text::new(
                    format!("{}: wajib dijawab.", item.label.id),
                    format!("{}: an answer is required.", item.label.en),
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }

    let response = match &serial {
        Some(serial) => paper_response_id(target.unit, target.period, serial),
        None => Uuid::now_v7(),
    };
    let capture = Capture {
        header: Header {
            id: response,
            form: &form.id,
            method: form.method.code(),
            unit: target.unit.as_str(),
            period: target.period.as_str(),
            channel: WEB_CHANNEL,
            serial: serial.as_ref().map(PaperSerial::as_str),
            status: "final",
        },
        answers: &answers,
        paper: false,
    };
    // A document of its own, with a fresh actor: merged into a sheet typed elsewhere, each
    // answer given differently keeps both values.
    let mut doc = Automerge::new();
    let change = capture
        .write(&mut doc, &Author::new(WEB_AUTHOR, target.now))
        .expect("a capture into an empty document cannot fail");
    Ok(Prepared {
        response,
        change: IncomingChange {
            hash: change.hash().0,
            doc: response,
            bytes: change.raw_bytes().to_vec(),
            creates: true,
        },
    })
}

#[cfg(test)]
mod tests {
    use simpul_document::read::Response;

    use super::*;

    fn body(answers: serde_json::Value) -> WebAnswerBody {
        serde_json::from_value(serde_json::json!({
            "id": "0193a4f0-0000-7000-8000-000000000001",
            "answers": answers,
            "website": "",
        }))
        .unwrap()
    }

    fn full() -> serde_json::Value {
        serde_json::json!({
            "jenis_kelamin": "P", "umur": 34, "pendidikan": "SMA", "pekerjaan": "SWASTA",
            "layanan": "KTP-el",
            "U1": 4, "U2": "3", "U3": 4, "U4": 4, "U5": 3, "U6": 4, "U7": 4, "U8": 4, "U9": 2,
            "saran": "Ruang tunggu panas",
        })
    }

    fn target<'a>(form: &'a Form, unit: &'a UnitCode, period: &'a PeriodCode) -> Target<'a> {
        Target {
            form,
            unit,
            period,
            service: None,
            today: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
            now: Utc::now(),
        }
    }

    fn read(prepared: &Prepared) -> Response {
        let mut doc = Automerge::new();
        doc.load_incremental(&prepared.change.bytes).unwrap();
        Response::read(prepared.response, &doc).unwrap().unwrap()
    }

    #[test]
    fn a_full_set_becomes_a_final_web_response_dated_today() {
        let (form, unit, period) = fixture();
        let prepared = prepare(&body(full()), &target(&form, &unit, &period)).unwrap();
        let response = read(&prepared);
        assert_eq!(response.channel, "web");
        assert_eq!(response.status, "final");
        assert_eq!(response.unit, "U-CAPIL");
        assert_eq!(response.period, "2026-S2");
        assert_eq!(response.answers["U9"].as_deref(), Some("2"));
        assert_eq!(response.answers["tanggal"].as_deref(), Some("2026-11-30"));
        assert_eq!(response.created_by.as_deref(), Some(WEB_AUTHOR));
        assert!(prepared.change.creates);
    }

    #[test]
    fn every_problem_is_named_at_once_in_both_languages() {
        let (form, unit, period) = fixture();
        let mut answers = full();
        answers["U3"] = serde_json::json!(7);
        answers["umur"] = serde_json::json!("tua");
        answers["U5"] = serde_json::json!(null);
        answers["U99"] = serde_json::json!(1);
        answers["U1"] = serde_json::json!([4]);
        let mut sent = body(answers);
        sent.website = Some("http://spam.example".into());
        let problems = prepare(&sent, &target(&form, &unit, &period)).unwrap_err();
        let mut items: Vec<&str> = problems.iter().map(|p| p.item.as_str()).collect();
        items.sort_unstable();
        assert_eq!(items, ["U1", "U3", "U5", "U99", "umur", "website"]);
        let u3 = problems.iter().find(|p| p.item == "U3").unwrap();
        assert!(u3.id.contains("“7”") && u3.id.contains("1–4"), "{u3:?}");
        assert!(u3.en.contains("“7”") && u3.en.contains("1–4"), "{u3:?}");
        let u5 = problems.iter().find(|p| p.item == "U5").unwrap();
        assert!(
            u5.id.contains("wajib") && u5.en.contains("required"),
            "{u5:?}"
        );
    }

    #[test]
    fn a_links_service_fills_the_question_and_a_different_one_is_refused() {
        let (form, unit, period) = fixture();
        let mut fixed = target(&form, &unit, &period);
        fixed.service = Some("Akta kelahiran");
        let mut answers = full();
        answers.as_object_mut().unwrap().remove("layanan");
        let prepared = prepare(&body(answers), &fixed).unwrap();
        assert_eq!(
            read(&prepared).answers["layanan"].as_deref(),
            Some("Akta kelahiran")
        );
        let problems = prepare(&body(full()), &fixed).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].en.contains("Akta kelahiran"), "{problems:?}");
    }

    #[test]
    fn a_sheets_serial_gives_the_sheets_paper_identity() {
        let (form, unit, period) = fixture();
        let mut sent = body(full());
        sent.serial = Some(" k-007 ".into());
        let prepared = prepare(&sent, &target(&form, &unit, &period)).unwrap();
        let serial = PaperSerial::parse("K-007").unwrap();
        assert_eq!(
            prepared.response,
            paper_response_id(&unit, &period, &serial)
        );
        assert_eq!(read(&prepared).serial.as_deref(), Some("K-007"));
        // Two answer sets from one sheet are two changes of one response.
        let again = prepare(&sent, &target(&form, &unit, &period)).unwrap();
        assert_eq!(again.response, prepared.response);
        assert_ne!(again.change.hash, prepared.change.hash);
    }

    fn fixture() -> (Form, UnitCode, PeriodCode) {
        (
            simpul_survey::skm_2017(),
            UnitCode::parse("U-CAPIL").unwrap(),
            PeriodCode::parse("2026-S2").unwrap(),
        )
    }
}
