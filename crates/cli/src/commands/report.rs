//! `report` and `sample-size`.

use std::process::ExitCode;

use serde::Serialize;
use simpul_survey::{IkmReport, Lang, krejcie_morgan, round_to_hundredths};

use super::open_read_only;
use crate::cli::{Format, ReportArgs, SampleSizeArgs};
use crate::output::{json, num, tr};

pub fn report(args: ReportArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let replica = open_read_only(&args.data)?;
    let report = replica.report(&args.filter.to_filter(), args.weight)?;
    if args.format.format == Format::Json {
        json(&report)?;
    } else {
        print_report(&report, lang);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_report(r: &IkmReport, lang: Lang) {
    println!(
        "{} — {}",
        tr(
            lang,
            "Indeks Kepuasan Masyarakat (IKM)",
            "Community Satisfaction Index (IKM)"
        ),
        r.method.title().get(lang)
    );
    println!(
        "{}: {}   {}: {} ({})",
        tr(lang, "Responden", "Respondents"),
        r.n,
        tr(lang, "Bobot", "Weight"),
        num(lang, r.weight, 4),
        match r.weighting {
            simpul_survey::Weighting::Exact =>
                tr(lang, "tepat, 1/jumlah unsur", "exact, 1/number of unsur"),
            simpul_survey::Weighting::Template =>
                tr(lang, "seperti templat", "as printed in the template"),
        }
    );
    println!();
    println!(
        "{:<4} {:<42} {:>6} {:>7} {:>7} {:>9} {:>5}",
        "",
        "Unsur",
        "n",
        tr(lang, "Jumlah", "Total"),
        "NRR",
        tr(lang, "Konversi", "Converted"),
        "Mutu"
    );
    let dash = "—".to_string();
    for u in &r.unsur {
        println!(
            "{:<4} {:<42} {:>6} {:>7} {:>7} {:>9} {:>5}",
            u.id,
            u.name,
            u.n,
            u.total,
            u.nrr.map_or(dash.clone(), |v| num(lang, v, 3)),
            u.converted
                .map_or(dash.clone(), |v| num(lang, round_to_hundredths(v), 2)),
            u.grade.map_or("—", |g| g.letter())
        );
    }
    println!();
    match (r.ikm, r.ikm_interval, r.grade) {
        (Some(ikm), Some(interval), Some(grade)) => {
            println!(
                "{}: {}",
                tr(lang, "IKM (nilai interval)", "IKM (interval value)"),
                num(lang, interval, 4)
            );
            println!(
                "{}: {} — {} {} ({})",
                tr(lang, "IKM unit pelayanan", "IKM of the service unit"),
                num(lang, round_to_hundredths(ikm), 2),
                tr(lang, "mutu pelayanan", "mutu pelayanan"),
                grade.letter(),
                grade.label().get(lang)
            );
            let name = |id: &Option<String>| {
                id.as_ref()
                    .and_then(|id| r.unsur.iter().find(|u| &u.id == id))
                    .map(|u| format!("{} {}", u.id, u.name))
                    .unwrap_or_else(|| "—".into())
            };
            println!(
                "{}: {}; {}: {}",
                tr(lang, "Unsur terlemah", "Weakest unsur"),
                name(&r.weakest),
                tr(lang, "terkuat", "strongest"),
                name(&r.strongest)
            );
        }
        _ => println!(
            "{}",
            tr(
                lang,
                "Belum ada kuesioner selesai untuk dihitung.",
                "No completed questionnaires to compute yet."
            )
        ),
    }
}

#[derive(Serialize)]
struct SampleSize {
    population: u64,
    sample: u64,
}

pub fn sample_size(args: SampleSizeArgs, lang: Lang) -> anyhow::Result<ExitCode> {
    let sample = krejcie_morgan(args.population);
    if args.format.format == Format::Json {
        json(&SampleSize {
            population: args.population,
            sample,
        })?;
    } else {
        println!(
            "{}: {} — {}: {} (Krejcie & Morgan)",
            tr(lang, "Populasi", "Population"),
            args.population,
            tr(lang, "responden minimal", "minimum respondents"),
            sample
        );
    }
    Ok(ExitCode::SUCCESS)
}
