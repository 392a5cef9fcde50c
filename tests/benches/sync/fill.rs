//! Filling a device with questionnaires the way an office does: interviews captured on the
//! tablet (through the replica library, as the app's capture command does) and a stack of
//! paper sheets typed into a spreadsheet and imported with `simpul import-csv`.

use std::path::Path;

use anyhow::{Context, Result, ensure};
use simpul_replica::{Channel, PaperSerial, paper_response_id};
use uuid::Uuid;

use crate::sample::{Sheet, Survey, paper_csv};
use crate::tablet::Tablet;

/// Interviews per transaction, as a busy day's worth.
const CHUNK: usize = 500;
/// Who types the paper sheets in.
const TYPIST: &str = "Rina Kurniasih";

/// A response as the benchmarks know it: what was asked and the id it got.
pub struct Response {
    pub id: Uuid,
    pub sheet: Sheet,
}

/// A new tablet in `dir` for `unit`, holding `n` questionnaires of `survey`.
pub fn tablet(
    dir: &Path,
    unit: &str,
    name: &str,
    n: usize,
    survey: &mut Survey,
    paper_by_csv: bool,
) -> Result<(Tablet, Vec<Response>)> {
    let tablet = Tablet::create(dir, unit, name)?;
    let sheets = survey.sheets(n);
    let mut replica = tablet.open()?;
    let settings = replica.settings().clone();
    let mut responses = Vec::with_capacity(n);
    let (paper, electronic): (Vec<&Sheet>, Vec<&Sheet>) = sheets
        .iter()
        .partition(|s| paper_by_csv && s.channel == Channel::Paper);
    for chunk in electronic.chunks(CHUNK) {
        let prepared = chunk
            .iter()
            .map(|sheet| replica.prepare(sheet.new_response()))
            .collect::<Result<Vec<_>, _>>()
            .context("prepare a questionnaire")?;
        let captured = replica.capture_all(prepared).context("capture")?;
        for (sheet, captured) in chunk.iter().zip(captured) {
            responses.push(Response {
                id: captured.id(),
                sheet: (*sheet).clone(),
            });
        }
    }
    drop(replica);

    if !paper.is_empty() {
        let csv = dir.join("paper.csv");
        let sheets: Vec<Sheet> = paper.iter().map(|s| (*s).clone()).collect();
        std::fs::write(&csv, paper_csv(&sheets))?;
        let path = csv.to_str().context("a UTF-8 path")?;
        let imported = tablet
            .run(&[
                "import-csv",
                path,
                "--enumerator",
                TYPIST,
                "--format",
                "json",
            ])?
            .json()?;
        ensure!(
            imported["created"].as_u64() == Some(sheets.len() as u64),
            "every paper sheet imported: {}",
            imported["created"]
        );
        for mut sheet in sheets {
            sheet.by = TYPIST;
            let serial = PaperSerial::parse(sheet.serial.as_deref().unwrap_or_default())?;
            let id = paper_response_id(&settings.unit, &settings.period, &serial);
            responses.push(Response { id, sheet });
        }
    }

    let replica = tablet.open()?;
    let (changes, _) = replica.changes_since(0)?;
    ensure!(
        changes.len() == n,
        "one change per new response: {} for {n}",
        changes.len()
    );
    Ok((tablet, responses))
}
