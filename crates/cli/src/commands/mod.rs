//! One module per group of commands; each takes its parsed arguments and prints its result.

mod import;
mod report;
mod responses;
mod sync;
mod transfer;

use std::process::ExitCode;

use chrono::Utc;
use simpul_replica::{Author, Replica};
use uuid::Uuid;

use crate::cli::{BundleCommand, Cli, Command, Data, ExportCommand, Who};

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let lang = cli.lang;
    match cli.command {
        Command::Init(args) => responses::init(args, lang),
        Command::Capture(args) => responses::capture(args, lang),
        Command::List(args) => responses::list(args, lang),
        Command::Show(args) => responses::show(args, lang),
        Command::Edit(args) => responses::edit(args, lang),
        Command::Finalise(args) => responses::finalise(args, lang),
        Command::Delete(args) => responses::delete(args, lang),
        Command::Restore(args) => responses::restore(args, lang),
        Command::Conflicts(args) => responses::conflicts(args, lang),
        Command::Resolve(args) => responses::resolve(args, lang),
        Command::ImportCsv(args) => import::import_csv(args, lang),
        Command::Report(args) => report::report(args, lang),
        Command::SampleSize(args) => report::sample_size(args, lang),
        Command::Bundle(BundleCommand::Export {
            data,
            out,
            since,
            format,
        }) => transfer::bundle_export(&data, &out, since, format.format, lang),
        Command::Bundle(BundleCommand::Import { data, file, format }) => {
            transfer::bundle_import(&data, &file, format.format, lang)
        }
        Command::Export(ExportCommand::Csv { data, out, filter }) => {
            transfer::export_csv(&data, &out, &filter, lang)
        }
        Command::Enrol(args) => sync::enrol(args, lang),
        Command::Sync(args) => sync::sync(args, lang),
        Command::Status(args) => sync::status(args, lang),
    }
}

fn open(data: &Data) -> anyhow::Result<Replica> {
    Ok(Replica::open(&data.data)?)
}

/// For commands that only read: works on a replica on read-only media and changes no file.
fn open_read_only(data: &Data) -> anyhow::Result<Replica> {
    Ok(Replica::open_read_only(&data.data)?)
}

/// Who is typing, and now: the enumerator if given, else the device's name.
fn author(replica: &Replica, who: &Who) -> Author {
    let by = who
        .enumerator
        .clone()
        .unwrap_or_else(|| replica.settings().device.clone());
    Author::new(by, Utc::now())
}

/// A response named by its full id or a unique beginning of it.
fn response_id(replica: &Replica, raw: &str) -> anyhow::Result<Uuid> {
    if let Ok(id) = Uuid::parse_str(raw) {
        return Ok(id);
    }
    let all = replica.list(&simpul_replica::Filter {
        include_deleted: true,
        ..Default::default()
    })?;
    let matches: Vec<Uuid> = all
        .iter()
        .map(|s| s.id)
        .filter(|id| id.to_string().starts_with(&raw.to_lowercase()))
        .collect();
    match matches.as_slice() {
        [one] => Ok(*one),
        [] => Err(simpul_replica::Error::UnknownResponse(raw.to_string()).into()),
        _ => Err(crate::output::CliError::AmbiguousId {
            raw: raw.to_string(),
            matches: matches.len(),
        }
        .into()),
    }
}
