//! Creating a replica and working with single responses.

use std::io::Read;
use std::process::ExitCode;

use simpul_replica::{
    Author, Captured, NewResponse, PaperSerial, PeriodCode, Replica, Settings, Status, UnitCode,
    current_semester,
};
use simpul_survey::Lang;
use uuid::Uuid;

use super::{author, open, open_read_only, response_id};
use crate::cli::{CaptureArgs, EditArgs, Format, IdArgs, InitArgs, ListArgs, ResolveArgs};
use crate::output::{CliError, json, tr};

pub fn init(args: InitArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let period = match args.period {
        Some(period) => PeriodCode::parse(&period)?,
        None => current_semester(),
    };
    let settings = Settings {
        unit: UnitCode::parse(&args.unit)?,
        period,
        form: args.form,
        device: args.device.unwrap_or_else(default_device_name),
    };
    let replica = Replica::init(&args.data.data, settings)?;
    let s = replica.settings();
    println!(
        "{} {} — {} {}, {} {}, {} {}",
        tr(lang, "Replika dibuat di", "Replica created in"),
        args.data.data.display(),
        tr(lang, "unit", "unit"),
        s.unit,
        tr(lang, "periode", "period"),
        s.period,
        tr(lang, "formulir", "form"),
        s.form
    );
    Ok(ExitCode::SUCCESS)
}

fn default_device_name() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "perangkat".to_string())
}

pub fn capture(args: CaptureArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut replica = open(&args.data)?;
    let mut answers = args.set;
    if args.json {
        answers.extend(answers_from_stdin()?);
    }
    let new = NewResponse {
        channel: args.channel,
        form: args.form,
        unit: args.unit.map(|u| UnitCode::parse(&u)).transpose()?,
        period: args.period.map(|p| PeriodCode::parse(&p)).transpose()?,
        serial: args
            .paper_serial
            .map(|s| PaperSerial::parse(&s))
            .transpose()?,
        answers,
        status: if args.draft {
            Status::Draft
        } else {
            Status::Final
        },
        author: author(&replica, &args.who),
    };
    let captured = replica.capture(new)?;
    if args.format.format == Format::Json {
        json(&captured)?;
    } else {
        println!("{}", describe(&captured, lang));
    }
    Ok(ExitCode::SUCCESS)
}

/// A JSON object of answers; numbers and strings both accepted as values.
fn answers_from_stdin() -> anyhow::Result<Vec<(String, String)>> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(CliError::Stdin)?;
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&input).map_err(CliError::AnswersNotAnObject)?;
    object
        .into_iter()
        .map(|(item, value)| {
            let raw = match value {
                serde_json::Value::String(s) => s,
                serde_json::Value::Null => String::new(),
                serde_json::Value::Number(n) => n.to_string(),
                other => {
                    return Err(CliError::AnswerNotText {
                        item,
                        got: other.to_string(),
                    }
                    .into());
                }
            };
            Ok((item, raw))
        })
        .collect()
}

pub fn describe(captured: &Captured, lang: Lang) -> String {
    match captured {
        Captured::Created { id } => format!("{} {id}", tr(lang, "Tersimpan:", "Saved:")),
        Captured::AlreadyPresent { id } => format!(
            "{} {id}",
            tr(
                lang,
                "Sudah ada, tidak diubah:",
                "Already present, unchanged:"
            )
        ),
        Captured::Merged { id, differing } => format!(
            "{} {id} — {}: {}",
            tr(lang, "Entri kedua disimpan:", "Second entry saved:"),
            tr(lang, "isian berbeda", "differing cells"),
            differing.join(", ")
        ),
    }
}

pub fn list(args: ListArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let replica = open_read_only(&args.data)?;
    let responses = replica.list(&args.filter.to_filter())?;
    if args.format.format == Format::Json {
        json(&responses)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<36}  {:<9}  {:<10}  {:<6}  {:<8}  {}",
        "id",
        tr(lang, "saluran", "channel"),
        tr(lang, "seri", "serial"),
        "status",
        tr(lang, "konflik", "conflicts"),
        tr(lang, "dibuat", "created")
    );
    for r in &responses {
        println!(
            "{:<36}  {:<9}  {:<10}  {:<6}  {:<8}  {}{}",
            r.id,
            r.channel,
            r.serial.as_deref().unwrap_or("-"),
            r.status,
            r.conflicts,
            r.created_at.format("%Y-%m-%d %H:%M"),
            if r.deleted {
                tr(lang, "  (dihapus)", "  (deleted)")
            } else {
                ""
            }
        );
    }
    println!("{} {}", responses.len(), tr(lang, "respons", "responses"));
    Ok(ExitCode::SUCCESS)
}

pub fn show(args: IdArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let replica = open_read_only(&args.data)?;
    let detail = replica.show(response_id(&replica, &args.id)?)?;
    if args.format.format == Format::Json {
        json(&detail)?;
        return Ok(ExitCode::SUCCESS);
    }
    let s = &detail.summary;
    println!("id        {}", s.id);
    println!(
        "{}  {} / {} / {}",
        tr(lang, "formulir", "form    "),
        s.form,
        s.unit,
        s.period
    );
    println!(
        "{}   {}  {}",
        tr(lang, "saluran", "channel"),
        s.channel,
        s.serial.as_deref().unwrap_or("")
    );
    println!(
        "status    {}{}",
        s.status,
        if s.deleted {
            tr(lang, " (dihapus)", " (deleted)")
        } else {
            ""
        }
    );
    println!(
        "{}  {}{}",
        tr(lang, "tinjauan", "review  "),
        s.review,
        s.review_note
            .as_deref()
            .map(|note| format!(" — {note}"))
            .unwrap_or_default()
    );
    println!();
    for a in &detail.answers {
        let conflict = detail.conflicts.iter().find(|c| c.field == a.item);
        match conflict {
            Some(c) => {
                println!(
                    "{:<20} {}  [{}: {}]",
                    a.item,
                    a.value.as_deref().unwrap_or("—"),
                    tr(lang, "KONFLIK", "CONFLICT"),
                    side_by_side(c)
                );
            }
            None => println!("{:<20} {}", a.item, a.value.as_deref().unwrap_or("—")),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Open the replica, find the response, and run one write on it as the current enumerator.
fn write_to(
    data: &crate::cli::Data,
    raw_id: &str,
    who: &crate::cli::Who,
    write: impl FnOnce(&mut Replica, Uuid, &Author) -> simpul_replica::Result<()>,
) -> anyhow::Result<Uuid> {
    let mut replica = open(data)?;
    let id = response_id(&replica, raw_id)?;
    let author = author(&replica, who);
    write(&mut replica, id, &author)?;
    Ok(id)
}

pub fn edit(args: EditArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let id = write_to(&args.data, &args.id, &args.who, |r, id, by| {
        r.edit(id, &args.set, by)
    })?;
    println!("{} {id}", tr(lang, "Diubah:", "Edited:"));
    Ok(ExitCode::SUCCESS)
}

pub fn finalise(args: IdArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let id = write_to(&args.data, &args.id, &args.who, Replica::finalise)?;
    println!("{} {id}", tr(lang, "Selesai:", "Finalised:"));
    Ok(ExitCode::SUCCESS)
}

pub fn delete(args: IdArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let id = write_to(&args.data, &args.id, &args.who, Replica::delete)?;
    println!(
        "{} {id} ({} `simpul restore`)",
        tr(lang, "Dihapus:", "Deleted:"),
        tr(lang, "batalkan dengan", "undo with")
    );
    Ok(ExitCode::SUCCESS)
}

pub fn restore(args: IdArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let id = write_to(&args.data, &args.id, &args.who, Replica::restore)?;
    println!("{} {id}", tr(lang, "Dipulihkan:", "Restored:"));
    Ok(ExitCode::SUCCESS)
}

pub fn conflicts(args: ListArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let replica = open_read_only(&args.data)?;
    let conflicts = replica.conflicts(&args.filter.to_filter())?;
    if args.format.format == Format::Json {
        json(&conflicts)?;
        return Ok(ExitCode::SUCCESS);
    }
    for c in &conflicts {
        println!(
            "{}  {:<10} {:<20} {}",
            c.response,
            c.serial.as_deref().unwrap_or("-"),
            c.field,
            side_by_side(c)
        );
    }
    println!(
        "{} {}",
        conflicts.len(),
        tr(lang, "isian berkonflik", "conflicting fields")
    );
    Ok(ExitCode::SUCCESS)
}

pub fn resolve(args: ResolveArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let id = write_to(&args.data, &args.id, &args.who, |r, id, by| {
        r.resolve(id, &args.field, &args.value, by)
    })?;
    println!(
        "{} {id} {} = {}",
        tr(lang, "Diselesaikan:", "Resolved:"),
        args.field,
        args.value
    );
    Ok(ExitCode::SUCCESS)
}

/// A conflict's values side by side, each with who wrote it: `2 (Budi) | 4 (Sari)`.
fn side_by_side(conflict: &simpul_replica::Conflict) -> String {
    conflict
        .written
        .iter()
        .map(|w| {
            format!(
                "{} ({})",
                w.value.as_deref().unwrap_or("—"),
                w.by.as_deref().unwrap_or("?")
            )
        })
        .collect::<Vec<_>>()
        .join(" | ")
}
