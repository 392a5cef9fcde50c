//! `enrol`, `sync` and `status`: the device's link to `simpul-server`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::Duration;

use simpul_replica::sync::{self, SyncOptions};
use simpul_survey::Lang;

use super::{open, open_read_only};
use crate::cli::{EnrolArgs, Format, StatusArgs, SyncArgs};
use crate::output::{json, tr};

pub fn enrol(args: EnrolArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut replica = open(&args.data)?;
    let enrolled = sync::enrol(&mut replica, &args.server, &args.code)?;
    println!(
        "{} {} — unit {} ({}), {} {}",
        tr(lang, "Terdaftar ke", "Enrolled with"),
        args.server,
        enrolled.unit,
        enrolled.unit_name,
        tr(lang, "perangkat", "device"),
        enrolled.device_id
    );
    Ok(ExitCode::SUCCESS)
}

pub fn sync(args: SyncArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let mut replica = open(&args.data)?;
    let options = SyncOptions {
        max_consecutive_failures: args.max_failures.max(1),
        deadline: Duration::from_secs(args.timeout),
    };
    let live = std::io::stderr().is_terminal();
    let synced = sync::sync(&mut replica, options, |p, failure| {
        let line = format!(
            "{} ↑ {} ↓ · {} ↑ {} ↓ · {} {}",
            p.pushed,
            p.pulled,
            kb(p.bytes_up),
            kb(p.bytes_down),
            p.failures,
            tr(lang, "gagal", "failed")
        );
        let mut err = std::io::stderr().lock();
        match failure {
            Some(reason) => {
                let _ = writeln!(
                    err,
                    "{line} — {}: {reason}",
                    tr(lang, "mencoba lagi", "retrying")
                );
            }
            None if live => {
                let _ = write!(err, "\r{line}   ");
            }
            None => {
                let _ = writeln!(err, "{line}");
            }
        }
    })?;
    if live {
        eprintln!();
    }
    if args.format.format == Format::Json {
        json(&synced)?;
    } else {
        println!(
            "{}: {} {}, {} {}; {} {}, {} {}",
            tr(lang, "Sinkron selesai", "Sync complete"),
            synced.progress.pushed,
            tr(lang, "perubahan terkirim", "changes sent"),
            synced.progress.pulled,
            tr(lang, "diterima", "received"),
            synced.created,
            tr(lang, "respons baru", "new responses"),
            synced.updated,
            tr(lang, "diperbarui", "updated"),
        );
        if let Some(changes) = synced.offered_again {
            println!(
                "{} {changes} {}",
                tr(
                    lang,
                    "Server ini dipulihkan dari cadangan atau baru bagi perangkat ini; perangkat \
                     ini mengirim ulang",
                    "This server was restored from a backup or is new to this device; this \
                     device offered again its"
                ),
                tr(lang, "perubahan", "changes"),
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

pub fn status(args: StatusArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let replica = open_read_only(&args.data)?;
    let status = replica.sync_status()?;
    if args.format.format == Format::Json {
        json(&status)?;
        return Ok(ExitCode::SUCCESS);
    }
    match &status.enrolment {
        Some(e) => println!(
            "{}: {} (unit {}, {} {})",
            tr(lang, "Server", "Server"),
            e.server,
            e.unit,
            tr(lang, "perangkat", "device"),
            e.device_id
        ),
        None => println!(
            "{}",
            tr(
                lang,
                "Belum terdaftar ke server (data dapat dipindah dengan berkas bundel).",
                "Not enrolled with a server (data can move by bundle files)."
            )
        ),
    }
    println!(
        "{}: {} {} ({} {})",
        tr(lang, "Belum terkirim", "Pending upload"),
        status.pending_changes,
        tr(lang, "perubahan", "changes"),
        status.pending_responses,
        tr(lang, "respons", "responses")
    );
    println!(
        "{}: {}",
        tr(lang, "Sinkron terakhir", "Last successful sync"),
        status
            .last_sync
            .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_else(|| tr(lang, "belum pernah", "never").to_string())
    );
    println!(
        "{}: {}",
        tr(lang, "Posisi server", "Server cursor"),
        status.cursor
    );
    if let Some(unit) = &status.unit {
        println!(
            "{}: {} — {} {}",
            tr(lang, "Unit", "Unit"),
            unit.name.as_deref().unwrap_or(&unit.code),
            tr(lang, "periode aktif", "active period"),
            unit.period.as_deref().unwrap_or("-")
        );
        if let Some(target) = unit.sample_target {
            println!(
                "{}: {} / {} (Krejcie & Morgan, {} {})",
                tr(lang, "Responden periode ini", "Respondents this period"),
                unit.collected,
                target,
                tr(lang, "populasi", "population"),
                unit.population.unwrap_or(0)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
