//! What a unit prints for the electronic channel, as PDFs typeset with the official report's
//! Typst world: a survey link's poster for the counter, and paper questionnaires whose every
//! sheet carries its serial and a QR code of its own survey address (`/f/TOKEN?serial=…`).
//! A respondent may then answer on paper or by phone, and both land on the sheet's response.

use serde::Serialize;
use simpul_document::PaperSerial;
use simpul_survey::{Form, ItemKind};

use crate::links::Link;
use crate::model::Unit;
use crate::official::world;
use crate::{Error, Result};

const POSTER: &str = include_str!("poster.typ");
const QUESTIONNAIRE: &str = include_str!("questionnaire.typ");

/// Most sheets one file holds: a stack for a season, not a print shop's run.
pub const MAX_SHEETS: u32 = 1000;

/// Longer texts make codes too dense to scan from paper or a screen.
pub const MAX_QR_TEXT: usize = 512;

/// The QR code of `text`, as SVG of its squares only (error correction M: a smudge or a
/// screen's glare still reads).
pub fn qr_svg(text: &str) -> Result<String> {
    if text.is_empty() || text.len() > MAX_QR_TEXT {
        return Err(Error::InvalidValue {
            what: "QR text",
            value: format!("{} bytes", text.len()),
            reason: "give 1 to 512 bytes to encode",
        });
    }
    let code =
        qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::M).map_err(|_| {
            Error::InvalidValue {
                what: "QR text",
                value: format!("{} bytes", text.len()),
                reason: "it cannot be a QR code",
            }
        })?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .quiet_zone(true)
        .build())
}

#[derive(Serialize)]
struct PosterData<'a> {
    unit: &'a str,
    instansi: Option<&'a str>,
    service: Option<&'a str>,
    qr: String,
    /// The address without its scheme, as people type it.
    short: &'a str,
}

/// A4 poster of `link`, whose address is `url`.
pub fn poster(unit: &Unit, link: &Link, url: &str) -> Result<Vec<u8>> {
    let data = PosterData {
        unit: unit.name.as_str(),
        instansi: unit.instansi.as_ref().map(|name| name.as_str()),
        service: link.service.as_deref(),
        qr: qr_svg(url)?,
        short: url
            .trim_start_matches("https://")
            .trim_start_matches("http://"),
    };
    typeset(POSTER, &data)
}

/// Which sheets to print: serials `PREFIX-NNN` from `from`, `count` of them.
#[derive(Clone, Debug)]
pub struct Sheets {
    pub prefix: String,
    pub from: u32,
    pub count: u32,
}

impl Sheets {
    /// The serials, zero-padded to three digits at least so that they sort as printed.
    pub fn serials(&self) -> Result<Vec<PaperSerial>> {
        if self.count == 0 || self.count > MAX_SHEETS {
            return Err(Error::InvalidValue {
                what: "count",
                value: self.count.to_string(),
                reason: "print 1 to 1000 sheets at a time",
            });
        }
        let last = self
            .from
            .checked_add(self.count - 1)
            .ok_or(Error::InvalidValue {
                what: "from",
                value: self.from.to_string(),
                reason: "the serials would run past the largest number",
            })?;
        (self.from..=last)
            .map(|n| {
                Ok(PaperSerial::parse(&format!(
                    "{}-{n:03}",
                    self.prefix.trim()
                ))?)
            })
            .collect()
    }
}

#[derive(Serialize)]
struct QuestionnaireData<'a> {
    unit: &'a str,
    period: String,
    service: Option<&'a str>,
    items: Vec<PrintedItem>,
    sheets: Vec<PrintedSheet>,
}

#[derive(Serialize)]
struct PrintedItem {
    number: usize,
    label: String,
    label_en: String,
    kind: &'static str,
    options: Vec<String>,
    /// A free text worth three lines (the suggestion).
    long: bool,
}

#[derive(Serialize)]
struct PrintedSheet {
    serial: String,
    qr: String,
}

/// The paper questionnaires of `link`'s unit and period, one sheet per serial, each with a QR
/// code of `url?serial=…`. Items the respondent does not answer on paper (the date, which
/// the clerk types from the stack; the service, when the link fixes it) are left off.
pub fn questionnaires(
    unit: &Unit,
    link: &Link,
    period: &str,
    form: &Form,
    url: &str,
    sheets: &Sheets,
) -> Result<Vec<u8>> {
    let items = form
        .items
        .iter()
        .filter(|item| !matches!(item.kind, ItemKind::Date))
        .filter(|item| !(item.id == "layanan" && link.service.is_some()))
        .enumerate()
        .map(|(index, item)| {
            let (kind, options, long) = match &item.kind {
                ItemKind::Scored { options, .. } => (
                    "scored",
                    options.iter().map(|o| o.id.clone()).collect(),
                    false,
                ),
                ItemKind::Choice { options, .. } => (
                    "choice",
                    options.iter().map(|o| o.label.id.clone()).collect(),
                    false,
                ),
                ItemKind::Text { max_len } => ("text", Vec::new(), *max_len > 200),
                ItemKind::Integer { .. } | ItemKind::Date => ("integer", Vec::new(), false),
            };
            PrintedItem {
                number: index + 1,
                label: item.label.id.clone(),
                label_en: item.label.en.clone(),
                kind,
                options,
                long,
            }
        })
        .collect();
    let sheets = sheets
        .serials()?
        .into_iter()
        .map(|serial| {
            let address = format!("{url}?serial={}", encode_serial(serial.as_str()));
            Ok(PrintedSheet {
                qr: qr_svg(&address)?,
                serial: serial.to_string(),
            })
        })
        .collect::<Result<_>>()?;
    let data = QuestionnaireData {
        unit: unit.name.as_str(),
        period: period.to_string(),
        service: link.service.as_deref(),
        items,
        sheets,
    };
    typeset(QUESTIONNAIRE, &data)
}

/// A serial as a query value: letters, digits and `-`, `.`, `_` as they are, the rest
/// percent-encoded.
fn encode_serial(serial: &str) -> String {
    serial
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn typeset(template: &str, data: &impl Serialize) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(data).map_err(|error| Error::Typeset(error.to_string()))?;
    world::render(template, json)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_count_from_the_first_and_sort_as_printed() {
        let sheets = Sheets {
            prefix: "k".into(),
            from: 98,
            count: 3,
        };
        let serials: Vec<String> = sheets
            .serials()
            .unwrap()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(serials, ["K-098", "K-099", "K-100"]);
        for count in [0, MAX_SHEETS + 1] {
            let sheets = Sheets {
                prefix: "K".into(),
                from: 1,
                count,
            };
            assert!(sheets.serials().is_err(), "{count} sheets");
        }
    }

    #[test]
    fn a_serial_in_an_address_keeps_its_letters_and_encodes_the_rest() {
        assert_eq!(encode_serial("K-001"), "K-001");
        assert_eq!(encode_serial("A 1/2"), "A%201%2F2");
    }

    #[test]
    fn a_qr_code_is_squares_only_and_an_empty_or_long_text_is_refused() {
        let svg = qr_svg("https://skm.example.go.id/f/abcdefghjkmn").unwrap();
        assert!(
            svg.contains("<svg") && !svg.contains("abcdefghjkmn"),
            "{svg}"
        );
        assert!(qr_svg("").is_err());
        assert!(qr_svg(&"x".repeat(MAX_QR_TEXT + 1)).is_err());
    }
}
