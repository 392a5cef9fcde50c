use serde_json::Value;

use crate::helpers::{Simpul, sample, simpul, text};

/// The published data set of SKM.md: unsur totals of 29 questionnaires.
const TOTALS: [u64; 9] = [105, 101, 100, 116, 102, 105, 106, 105, 115];

fn with_sample() -> Simpul {
    let simpul = Simpul::new();
    simpul.import(&sample("kuesioner-kertas.csv")).ok();
    simpul
}

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("expected a number, got {value}"))
}

fn hundredths(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[test]
fn the_sample_report_reproduces_the_published_index_with_exact_weights() {
    let report = with_sample().json(&["report"]);

    assert_eq!(report["n"], 29);
    assert_eq!(report["weighting"], "exact");
    assert!((number(&report["weight"]) - 1.0 / 9.0).abs() < 1e-12);
    let ikm = number(&report["ikm"]);
    assert_eq!(hundredths(ikm), 91.48);
    let exact = 25.0 * TOTALS.iter().sum::<u64>() as f64 / (29.0 * 9.0);
    assert!((ikm - exact).abs() < 1e-9, "{ikm} against {exact}");
    assert!((number(&report["ikm_interval"]) * 25.0 - ikm).abs() < 1e-9);
    assert_eq!(report["grade"], "A");
    assert_eq!(report["grade_label"], "Sangat baik");
    assert_eq!(report["weakest"], "U3");
    assert_eq!(report["strongest"], "U4");

    let unsur = report["unsur"].as_array().unwrap();
    let ids: Vec<&str> = unsur.iter().map(|u| text(&u["id"])).collect();
    assert_eq!(ids, ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"]);
    assert_eq!(unsur[0]["name"], "Persyaratan");
    assert_eq!(unsur[2]["name"], "Waktu Penyelesaian");
    for (u, total) in unsur.iter().zip(TOTALS) {
        assert_eq!(u["n"], 29, "{u}");
        assert_eq!(u["total"], total, "{u}");
        let nrr = total as f64 / 29.0;
        assert!((number(&u["nrr"]) - nrr).abs() < 1e-12, "{u}");
        assert!((number(&u["converted"]) - nrr * 25.0).abs() < 1e-9, "{u}");
        let grade = match hundredths(nrr * 25.0) {
            c if c >= 88.31 => "A",
            c if c >= 76.61 => "B",
            c if c >= 65.0 => "C",
            _ => "D",
        };
        assert_eq!(u["grade"], grade, "{u}");
    }
}

#[test]
fn the_template_weight_reproduces_the_spreadsheet_figure() {
    let report = with_sample().json(&["report", "--weight", "template"]);
    assert_eq!(report["weighting"], "template");
    assert_eq!(report["weight"], 0.111);
    assert_eq!(hundredths(number(&report["ikm"])), 91.38);
    assert_eq!(report["grade"], "A");
}

#[test]
fn deleted_and_draft_questionnaires_do_not_count() {
    let simpul = with_sample();
    let k001 = simpul
        .list(&[])
        .into_iter()
        .find(|r| r["serial"] == "K-001")
        .unwrap();
    simpul.run(&["delete", text(&k001["id"])]).ok();
    simpul
        .run(&["capture", "--draft", "--set", "U1=1", "--set", "U2=1"])
        .ok();

    let report = simpul.json(&["report"]);
    assert_eq!(report["n"], 28);
    // K-001 answered 4,4,4,4,3,4,4,4,4.
    assert_eq!(report["unsur"][4]["total"], TOTALS[4] - 3);
    assert_eq!(report["unsur"][0]["total"], TOTALS[0] - 4);
}

#[test]
fn an_empty_replica_reports_no_index_rather_than_a_number() {
    let report = Simpul::new().json(&["report"]);
    assert_eq!(report["n"], 0);
    assert!(report["ikm"].is_null(), "{report}");
    assert!(report["grade"].is_null(), "{report}");
}

#[test]
fn sample_sizes_follow_the_krejcie_morgan_table() {
    for (population, size) in [
        (10, 10),
        (50, 44),
        (100, 80),
        (200, 132),
        (500, 217),
        (1_000, 278),
        (5_000, 357),
        (10_000, 370),
        (100_000, 383),
        (1_000_000, 384),
    ] {
        let out = simpul(&[
            "sample-size",
            "--population",
            &population.to_string(),
            "--format",
            "json",
        ])
        .ok();
        let json = out.json();
        assert_eq!(json["population"], population, "{json}");
        assert_eq!(json["sample"], size, "population {population}");
    }
}

#[test]
fn the_text_report_is_in_indonesian_by_default() {
    let out = with_sample().run(&["report"]).ok();
    for words in [
        "Indeks Kepuasan Masyarakat (IKM)",
        "Responden: 29",
        "IKM unit pelayanan: 91,48 — mutu pelayanan A (Sangat baik)",
        "Unsur terlemah: U3 Waktu Penyelesaian; terkuat: U4 Biaya/Tarif",
    ] {
        assert!(
            out.stdout.contains(words),
            "no `{words}` in:\n{}",
            out.stdout
        );
    }
}

#[test]
fn the_text_report_is_in_english_with_lang_en() {
    let out = with_sample().run(&["--lang", "en", "report"]).ok();
    for words in [
        "Community Satisfaction Index (IKM)",
        "Respondents: 29",
        "IKM of the service unit: 91.48",
        "Weakest unsur: U3 Waktu Penyelesaian; strongest: U4 Biaya/Tarif",
    ] {
        assert!(
            out.stdout.contains(words),
            "no `{words}` in:\n{}",
            out.stdout
        );
    }
    assert!(!out.stdout.contains("terlemah"), "{}", out.stdout);
    assert!(!out.stdout.contains("91,48"), "{}", out.stdout);

    let size = simpul(&["sample-size", "--population", "100", "--lang", "en"]).ok();
    assert!(
        size.stdout.contains("minimum respondents: 80"),
        "{}",
        size.stdout
    );
}
