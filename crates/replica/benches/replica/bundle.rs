//! Bytes per questionnaire on the wire: a Simpul bundle of new responses against the raw
//! Automerge changes, JSON of the same answers (plain and zstd-compressed), and the XForms
//! XML an ODK Collect or KoboToolbox form would submit for each.

use std::fmt::Write;
use std::path::Path;

use anyhow::{Context, Result, ensure};
use serde_json::{Map, Value, json};
use simpul_replica::Replica;
use uuid::Uuid;

use crate::sample::{PERIOD, Sheet, Survey, UNIT};

/// Same level as the sync and bundle frames.
const ZSTD_LEVEL: i32 = 3;

pub struct Sizes {
    pub responses: usize,
    pub bundle: usize,
    pub changes: usize,
    pub payload: usize,
    pub json: usize,
    pub json_zstd: usize,
    pub xml: usize,
    pub xml_largest: usize,
}

/// Capture `n` questionnaires from `survey` into a fresh replica and measure every encoding.
pub fn measure(dir: &Path, n: usize, mut survey: Survey) -> Result<Sizes> {
    let mut replica = Replica::init(dir, crate::sample::settings()).context("init replica")?;
    let sheets: Vec<Sheet> = (0..n).map(|_| survey.next_sheet()).collect();
    let prepared = sheets
        .iter()
        .map(|sheet| replica.prepare(sheet.new_response()))
        .collect::<Result<Vec<_>, _>>()
        .context("prepare")?;
    let ids: Vec<Uuid> = replica
        .capture_all(prepared)
        .context("capture")?
        .iter()
        .map(|captured| captured.id())
        .collect();

    let (bundle, exported) = replica.export_bundle(0).context("export")?;
    ensure!(
        exported.responses == n && exported.changes == n,
        "one change per new response"
    );
    let (entries, _) = replica.changes_since(0).context("read the log")?;
    let changes: usize = entries.iter().map(|e| e.change.len()).sum();
    let payload = simpul_protocol::split(entries, usize::MAX)
        .iter()
        .map(|batch| batch.payload_len())
        .sum();

    let json = serde_json::to_vec(&Value::Array(
        sheets
            .iter()
            .zip(&ids)
            .map(|(s, id)| to_json(*id, s))
            .collect(),
    ))?;
    let json_zstd = zstd::bulk::compress(&json, ZSTD_LEVEL).context("zstd")?;
    let xml: Vec<usize> = sheets
        .iter()
        .zip(&ids)
        .map(|(s, id)| openrosa_submission(*id, s).len())
        .collect();

    Ok(Sizes {
        responses: n,
        bundle: bundle.len(),
        changes,
        payload,
        json: json.len(),
        json_zstd: json_zstd.len(),
        xml: xml.iter().sum(),
        xml_largest: xml.into_iter().max().unwrap_or(0),
    })
}

/// What the response document holds, as a JSON API would carry it.
fn to_json(id: Uuid, sheet: &Sheet) -> Value {
    let answers: Map<String, Value> = sheet
        .answers
        .iter()
        .map(|(item, value)| {
            let value = if value.is_empty() {
                Value::Null
            } else {
                Value::String(value.clone())
            };
            (item.to_string(), value)
        })
        .collect();
    json!({
        "id": id,
        "form": "skm-2017",
        "method": simpul_survey::Method::Permenpanrb14_2017.code(),
        "unit": UNIT,
        "period": PERIOD,
        "channel": sheet.channel.code(),
        "serial": sheet.serial,
        "status": "final",
        "by": sheet.by,
        "at": sheet.at.timestamp_millis(),
        "answers": answers,
    })
}

/// The XForms instance ODK Collect or KoboToolbox posts for one questionnaire, one request
/// each, uncompressed. Kept lean: no `formhub`/`__version__` elements or namespace
/// declarations, which real submissions add; blank fields are empty elements, as they send.
pub fn openrosa_submission(id: Uuid, sheet: &Sheet) -> String {
    let mut xml = String::with_capacity(1024);
    let time = sheet.at.format("%Y-%m-%dT%H:%M:%S%.3f+00:00");
    xml.push_str("<?xml version='1.0' ?>");
    xml.push_str(r#"<data id="skm" version="1">"#);
    write!(xml, "<meta><instanceID>uuid:{id}</instanceID></meta>").unwrap();
    write!(xml, "<start>{time}</start><end>{time}</end>").unwrap();
    element(&mut xml, "enumerator", sheet.by);
    element(&mut xml, "unit", UNIT);
    element(&mut xml, "period", PERIOD);
    element(&mut xml, "channel", sheet.channel.code());
    element(&mut xml, "serial", sheet.serial.as_deref().unwrap_or(""));
    for (item, value) in &sheet.answers {
        element(&mut xml, item, value);
    }
    xml.push_str("</data>");
    xml
}

fn element(xml: &mut String, name: &str, value: &str) {
    if value.is_empty() {
        write!(xml, "<{name}/>").unwrap();
        return;
    }
    write!(xml, "<{name}>").unwrap();
    for c in value.chars() {
        match c {
            '&' => xml.push_str("&amp;"),
            '<' => xml.push_str("&lt;"),
            '>' => xml.push_str("&gt;"),
            c => xml.push(c),
        }
    }
    write!(xml, "</{name}>").unwrap();
}
