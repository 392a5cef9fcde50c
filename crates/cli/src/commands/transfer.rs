//! Moving data out and in: bundle files between replicas, CSV for spreadsheets.

use std::path::Path;
use std::process::ExitCode;

use simpul_survey::Lang;

use super::{open, open_read_only};
use crate::cli::{Data, FilterArgs, Format};
use crate::output::{json, tr};

pub fn bundle_export(
    data: &Data,
    out: &Path,
    since: i64,
    format: Format,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let replica = open_read_only(data)?;
    let exported = replica.export_bundle_file(out, since)?;
    if format == Format::Json {
        json(&exported)?;
    } else {
        println!(
            "{} {}: {} {}, {} {}, {} byte. {} --since {}",
            tr(lang, "Bundel ditulis ke", "Bundle written to"),
            out.display(),
            exported.responses,
            tr(lang, "respons", "responses"),
            exported.changes,
            tr(lang, "perubahan", "changes"),
            exported.bytes,
            tr(lang, "Ekspor berikutnya:", "Next export:"),
            exported.last_seq
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn bundle_import(
    data: &Data,
    file: &Path,
    format: Format,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let mut replica = open(data)?;
    let applied = replica.import_bundle_file(file)?;
    if format == Format::Json {
        json(&applied)?;
    } else {
        println!(
            "{}: {} {}, {} {}; {} {}, {} {}{}",
            tr(lang, "Bundel diterapkan", "Bundle applied"),
            applied.created.len(),
            tr(lang, "respons baru", "new responses"),
            applied.updated.len(),
            tr(lang, "respons diperbarui", "responses updated"),
            applied.new_changes,
            tr(lang, "perubahan baru", "new changes"),
            applied.duplicates,
            tr(lang, "sudah ada", "already present"),
            if applied.waiting > 0 {
                format!(
                    "; {} {}",
                    applied.waiting,
                    tr(
                        lang,
                        "menunggu perubahan sebelumnya",
                        "waiting for earlier changes"
                    )
                )
            } else {
                String::new()
            }
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn export_csv(
    data: &Data,
    out: &Path,
    filter: &FilterArgs,
    lang: Lang,
) -> anyhow::Result<ExitCode> {
    let replica = open_read_only(data)?;
    let n = simpul_replica::write_atomically(out, |w| replica.export_csv(w, &filter.to_filter()))?;
    println!(
        "{} {n} {} {}",
        tr(lang, "Diekspor", "Exported"),
        tr(lang, "respons ke", "responses to"),
        out.display()
    );
    Ok(ExitCode::SUCCESS)
}
