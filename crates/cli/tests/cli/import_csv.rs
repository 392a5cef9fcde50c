use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::helpers::{
    COLUMNS, Defect, Rng, Row, Simpul, csv_file, csv_lines, imported, random_rows, sample, text,
};

#[test]
fn the_sample_stack_imports_every_row_and_exits_zero() {
    let simpul = Simpul::new();
    let out = simpul.import(&sample("kuesioner-kertas.csv")).ok();

    let expected: Vec<(u64, String)> = (1..=29).map(|i| (i + 1, format!("K-{i:03}"))).collect();
    assert_eq!(imported(&out.stdout), expected);
    assert!(
        out.stdout
            .contains("Ringkasan: 29 baru, 0 entri kedua, 0 sudah ada, 0 ditolak"),
        "{}",
        out.stdout
    );
    let responses = simpul.list(&[]);
    assert_eq!(responses.len(), 29);
    for r in &responses {
        assert_eq!(r["channel"], "paper");
        assert_eq!(r["status"], "final");
        assert_eq!(r["unit"], "U-CAPIL");
        assert_eq!(r["period"], "2025-S1");
    }
}

#[test]
fn the_mistyped_sample_names_each_bad_line_and_its_reason_and_keeps_only_good_rows() {
    let simpul = Simpul::new();
    let out = simpul
        .import(&sample("kuesioner-salah-ketik.csv"))
        .refused();

    for (line, reason) in [
        (3, "seri K-102 DITOLAK: isian U3: `7` tidak diterima"),
        (
            4,
            "seri K-103 DITOLAK: isian tanggal: `2025-04-31` tidak diterima",
        ),
        (
            5,
            "seri K-104 DITOLAK: isian jenis_kelamin: `X` tidak diterima",
        ),
        (6, "seri - DITOLAK: kuesioner kertas wajib punya nomor seri"),
    ] {
        let expected = format!("baris {line}: {reason}");
        assert!(
            out.stdout.lines().any(|l| l.starts_with(&expected)),
            "no `{expected}` in:\n{}",
            out.stdout
        );
    }
    assert_eq!(
        imported(&out.stdout),
        [(2, "K-101".to_string()), (7, "K-106".to_string())]
    );
    assert_eq!(simpul.serials(), ["K-101", "K-106"]);
}

#[test]
fn rejections_are_in_english_with_lang_en_and_in_json_with_format_json() {
    let simpul = Simpul::new();
    let english = simpul
        .run(&[
            "--lang",
            "en",
            "import-csv",
            &sample("kuesioner-salah-ketik.csv"),
        ])
        .refused();
    assert!(
        english
            .stdout
            .contains("line 3: serial K-102 REJECTED: item U3: `7` is not allowed"),
        "{}",
        english.stdout
    );
    assert!(english.stdout.contains("line 7: serial K-106 imported"));

    let other = Simpul::new();
    let out = other
        .run(&[
            "import-csv",
            &sample("kuesioner-salah-ketik.csv"),
            "--format",
            "json",
        ])
        .refused();
    let report = out.json();
    let rejected: Vec<u64> = report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| !row["error"].is_null())
        .map(|row| row["line"].as_u64().unwrap())
        .collect();
    assert_eq!(rejected, [3, 4, 5, 6]);
    assert_eq!(report["created"], 2);
    assert_eq!(report["rejected"], 4);
}

#[test]
fn every_kind_of_bad_row_is_named_by_its_line_among_random_good_rows() {
    let mut rng = Rng::new(7);
    let rows = random_rows(&mut rng, 40, "R");
    // Spoil one row per defect at random places; line 1 is the header.
    let mut spoiled: BTreeMap<usize, Defect> = BTreeMap::new();
    for defect in Defect::ALL {
        loop {
            let at = rng.below(rows.len() as u64) as usize;
            if let std::collections::btree_map::Entry::Vacant(slot) = spoiled.entry(at) {
                slot.insert(defect);
                break;
            }
        }
    }
    let lines = rows
        .iter()
        .enumerate()
        .map(|(i, row)| match spoiled.get(&i) {
            Some(defect) => row.spoiled(*defect),
            None => row.line(),
        });
    let simpul = Simpul::new();
    let file = simpul.write("tumpukan.csv", csv_lines(lines));
    let out = simpul.import(&file).refused();

    for (&i, defect) in &spoiled {
        let line = i + 2;
        let report = out
            .stdout
            .lines()
            .find(|l| l.starts_with(&format!("baris {line}: ")))
            .unwrap_or_else(|| panic!("line {line} ({defect:?}) not reported:\n{}", out.stdout));
        assert!(report.contains("DITOLAK"), "{report}");
        assert!(report.contains(defect.reason()), "{defect:?}: {report}");
    }
    let good: BTreeSet<String> = rows
        .iter()
        .enumerate()
        .filter(|(i, _)| !spoiled.contains_key(i))
        .map(|(_, row)| row.serial().to_string())
        .collect();
    let listed: BTreeSet<String> = simpul.serials().into_iter().collect();
    assert_eq!(listed, good);
}

#[test]
fn line_numbers_count_the_lines_of_a_suggestion_spanning_several() {
    let mut rng = Rng::new(11);
    let mut rows = random_rows(&mut rng, 3, "M");
    rows[0].set("saran", "Baris pertama\nbaris kedua\nbaris ketiga");
    let lines = vec![
        rows[0].line(),
        rows[1].spoiled(Defect::ScoreOutOfRange),
        rows[2].line(),
    ];
    let simpul = Simpul::new();
    let out = simpul
        .import(&simpul.write("banyak-baris.csv", csv_lines(lines)))
        .refused();

    // The first row takes lines 2–4, so the bad one starts on line 5.
    assert!(
        out.stdout.contains("baris 5: seri M-00002 DITOLAK"),
        "{}",
        out.stdout
    );
    assert_eq!(
        imported(&out.stdout),
        [(2, "M-00001".to_string()), (6, "M-00003".to_string())]
    );
    let id = id_of(&simpul, "M-00001");
    assert_eq!(
        simpul.answer(&id, "saran").as_deref(),
        Some("Baris pertama\nbaris kedua\nbaris ketiga")
    );
}

#[test]
fn headers_match_in_any_case_and_order_with_english_aliases() {
    let header = [
        "SUGGESTION",
        "u9",
        "Service",
        "u8",
        "OCCUPATION",
        "u7",
        "Education",
        "u6",
        "AGE",
        "u5",
        "Gender",
        "u4",
        "date",
        "u3",
        "Serial",
        "u2",
        "U1",
    ];
    let file = format!(
        "{}\n{}\n",
        header.join(","),
        "Cepat sekali,1,KTP-el,2,SWASTA,3,S1,4,41,1,P,2,2025-05-06,3,e-9,4,1"
    );
    let simpul = Simpul::new();
    let out = simpul.import(&simpul.write("acak.csv", file)).ok();
    // Reported as typed, stored upper-cased.
    assert_eq!(imported(&out.stdout), [(2, "e-9".to_string())]);

    let id = id_of(&simpul, "E-9");
    let shown = simpul.show(&id);
    let answers: BTreeMap<String, Option<String>> = shown["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                text(&a["item"]).to_string(),
                a["value"].as_str().map(str::to_string),
            )
        })
        .collect();
    let expected = [
        ("tanggal", "2025-05-06"),
        ("jenis_kelamin", "P"),
        ("umur", "41"),
        ("pendidikan", "S1"),
        ("pekerjaan", "SWASTA"),
        ("layanan", "KTP-el"),
        ("U1", "1"),
        ("U2", "4"),
        ("U3", "3"),
        ("U4", "2"),
        ("U5", "1"),
        ("U6", "4"),
        ("U7", "3"),
        ("U8", "2"),
        ("U9", "1"),
        ("saran", "Cepat sekali"),
    ];
    for (item, value) in expected {
        assert_eq!(answers[item].as_deref(), Some(value), "{item}");
    }
    assert_eq!(answers["pekerjaan_lainnya"], None);
}

#[test]
fn an_unknown_column_rejects_the_whole_file_and_writes_nothing() {
    let mut rng = Rng::new(3);
    let rows = random_rows(&mut rng, 5, "X");
    let mut file = csv_file(&rows);
    file = file.replacen("saran", "warna_favorit", 1);
    let simpul = Simpul::new();
    let out = simpul
        .import(&simpul.write("kolom-asing.csv", file))
        .refused();

    assert!(out.stderr.contains("warna_favorit"), "{}", out.stderr);
    assert!(imported(&out.stdout).is_empty(), "{}", out.stdout);
    assert!(simpul.list(&["--include-deleted"]).is_empty());
}

#[test]
fn a_file_without_a_serial_column_is_refused_whole() {
    let mut rng = Rng::new(4);
    let rows = random_rows(&mut rng, 3, "X");
    let lines = rows.iter().map(|r| r.cells[1..].join(","));
    let mut file = COLUMNS[1..].join(",");
    file.push('\n');
    for line in lines {
        file.push_str(&line);
        file.push('\n');
    }
    let simpul = Simpul::new();
    let out = simpul
        .import(&simpul.write("tanpa-seri.csv", file))
        .refused();
    assert!(out.stderr.contains("serial"), "{}", out.stderr);
    assert!(simpul.list(&[]).is_empty());
}

#[test]
fn a_row_with_the_wrong_number_of_fields_is_reported_with_its_line_number() {
    let mut rng = Rng::new(5);
    let rows = random_rows(&mut rng, 4, "F");
    let lines = vec![
        rows[0].line(),
        rows[1].spoiled(Defect::MissingField),
        rows[2].line(),
        rows[3].spoiled(Defect::ExtraField),
    ];
    let simpul = Simpul::new();
    let out = simpul
        .import(&simpul.write("kolom-kurang.csv", csv_lines(lines)))
        .refused();

    for line in [3, 5] {
        let report = out
            .stdout
            .lines()
            .find(|l| l.starts_with(&format!("baris {line}: ")))
            .unwrap_or_else(|| panic!("line {line} not reported:\n{}", out.stdout));
        assert!(report.contains("DITOLAK"), "{report}");
        assert!(
            report.contains("kolom, padahal kepala kolom punya 17"),
            "{report}"
        );
    }
    assert_eq!(simpul.serials(), ["F-00001", "F-00003"]);
}

#[test]
fn importing_the_same_file_again_creates_nothing_new() {
    let simpul = Simpul::new();
    let file = sample("kuesioner-kertas.csv");
    simpul.import(&file).ok();
    let before = simpul.list(&[]);

    let again = simpul.json(&["import-csv", &file]);
    assert_eq!(again["created"], 0);
    assert_eq!(again["merged"], 0);
    assert_eq!(again["already_present"], 29);
    let text = simpul.import(&file).ok();
    assert!(imported(&text.stdout).is_empty(), "{}", text.stdout);
    assert!(
        text.stdout
            .contains("baris 2: seri K-001 sudah ada, dilewati")
    );

    assert_eq!(simpul.list(&[]), before);
    assert!(simpul.json(&["conflicts"]).as_array().unwrap().is_empty());
}

#[test]
fn the_same_file_on_another_replica_gives_the_same_responses_and_merges_into_nothing_new() {
    let first = Simpul::on_device("laptop-1");
    let second = Simpul::on_device("laptop-2");
    let file = sample("kuesioner-kertas.csv");
    first.import(&file).ok();
    second.import(&file).ok();
    let ids = first.ids();
    assert_eq!(ids.len(), 29);
    assert_eq!(second.ids(), ids);

    let applied = second.receive_from(&first);
    assert_eq!(applied["created"], Value::Array(vec![]));
    assert_eq!(second.ids(), ids);
    first.receive_from(&second);
    assert_eq!(first.ids(), ids);
    assert!(first.json(&["conflicts"]).as_array().unwrap().is_empty());
    assert!(second.json(&["conflicts"]).as_array().unwrap().is_empty());
}

#[test]
fn the_second_typing_of_the_sample_conflicts_in_exactly_its_two_differing_cells() {
    let office = Simpul::on_device("kantor");
    let laptop = Simpul::on_device("laptop-2");
    office.import(&sample("kuesioner-kertas.csv")).ok();
    laptop
        .run(&[
            "import-csv",
            "--enumerator",
            "Budi",
            &sample("kuesioner-kertas-entri-kedua.csv"),
        ])
        .ok();
    office.receive_from(&laptop);

    let conflicts = office.json(&["conflicts"]);
    let found: BTreeSet<(String, String, Vec<String>)> = conflicts
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (serial_field(c).0, serial_field(c).1, values(c)))
        .collect();
    let expected = BTreeSet::from([
        ("K-004".into(), "U3".into(), vec!["2".into(), "4".into()]),
        (
            "K-017".into(),
            "umur".into(),
            vec!["27".into(), "37".into()],
        ),
    ]);
    assert_eq!(found, expected);
    let k004 = conflicts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["serial"] == "K-004")
        .unwrap();
    let by: BTreeSet<&str> = k004["written"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| text(&w["by"]))
        .collect();
    assert!(by.contains("Budi"), "{k004}");
}

#[test]
fn the_same_serials_typed_differently_on_two_replicas_conflict_exactly_in_the_differing_cells() {
    let mut rng = Rng::new(0x5EED);
    let rows = random_rows(&mut rng, 60, "D");
    // The second clerk mistypes some cells: a score, a profile field, a blank for an answer.
    let mut retyped = rows.clone();
    let mut differing: BTreeSet<(String, String)> = BTreeSet::new();
    for _ in 0..25 {
        let i = rng.below(rows.len() as u64) as usize;
        let column = *rng.pick(&COLUMNS[1..16]);
        let current = retyped[i].get(column).to_string();
        let other = match column {
            "tanggal" => "2025-07-01".to_string(),
            "jenis_kelamin" => if current == "L" { "P" } else { "L" }.to_string(),
            "umur" => (current.parse::<u64>().unwrap() + 1).to_string(),
            "pendidikan" => if current == "S3" { "SD" } else { "S3" }.to_string(),
            "pekerjaan" => if current == "POLRI" { "PNS" } else { "POLRI" }.to_string(),
            "layanan" => format!("{current} baru"),
            _ if rng.below(4) == 0 => String::new(),
            // A blank cell becomes 1; a score becomes the next one round the scale.
            _ => (current.parse::<u64>().unwrap_or(0) % 4 + 1).to_string(),
        };
        retyped[i].set(column, &other);
        let key = (rows[i].serial().to_string(), column.to_string());
        if rows[i].get(column) == other {
            differing.remove(&key);
        } else {
            differing.insert(key);
        }
    }
    let first = Simpul::on_device("laptop-1");
    let second = Simpul::on_device("laptop-2");
    first
        .import(&first.write("entri-pertama.csv", csv_file(&rows)))
        .ok();
    second
        .import(&second.write("entri-kedua.csv", csv_file(&retyped)))
        .ok();
    assert!(first.json(&["conflicts"]).as_array().unwrap().is_empty());
    assert!(second.json(&["conflicts"]).as_array().unwrap().is_empty());

    first.receive_from(&second);
    second.receive_from(&first);

    assert_eq!(first.ids().len(), rows.len());
    assert_eq!(second.ids(), first.ids());
    let conflicts = first.json(&["conflicts"]);
    assert_eq!(second.json(&["conflicts"]), conflicts);
    let by_row: BTreeMap<&str, (&Row, &Row)> = rows
        .iter()
        .zip(&retyped)
        .map(|(a, b)| (a.serial(), (a, b)))
        .collect();
    let ids: BTreeMap<String, Value> = first
        .list(&[])
        .into_iter()
        .map(|r| (text(&r["serial"]).to_string(), r["id"].clone()))
        .collect();
    let mut found = BTreeSet::new();
    for c in conflicts.as_array().unwrap() {
        let (serial, field) = serial_field(c);
        assert_eq!(c["response"], ids[&serial], "{c}");
        let (a, b) = by_row[serial.as_str()];
        let mut expected: Vec<String> = [a.get(&field), b.get(&field)]
            .iter()
            .map(|v| v.to_string())
            .collect();
        expected.sort();
        assert_eq!(values(c), expected, "{c}");
        assert_eq!(c["written"].as_array().unwrap().len(), 2, "{c}");
        found.insert((serial, field));
    }
    assert_eq!(found, differing);
    let flagged = first.list(&["--has-conflict"]).len();
    let rows_differing: BTreeSet<&String> = differing.iter().map(|(s, _)| s).collect();
    assert_eq!(flagged, rows_differing.len());
}

#[test]
fn importing_both_typings_again_after_their_conflicts_were_resolved_brings_none_back() {
    let office = Simpul::new();
    let first = sample("kuesioner-kertas.csv");
    let second = sample("kuesioner-kertas-entri-kedua.csv");
    office.import(&first).ok();
    office.import(&second).ok();
    let conflicts = office.json(&["conflicts"]);
    assert_eq!(conflicts.as_array().unwrap().len(), 2);
    for c in conflicts.as_array().unwrap() {
        let chosen = text(&c["values"][0]);
        office
            .run(&["resolve", text(&c["response"]), text(&c["field"]), chosen])
            .ok();
    }
    assert!(office.json(&["conflicts"]).as_array().unwrap().is_empty());

    office.import(&first).ok();
    office.import(&second).ok();
    let conflicts = office.json(&["conflicts"]);
    assert!(conflicts.as_array().unwrap().is_empty(), "{conflicts}");
}

/// The id of the response with this serial.
#[track_caller]
pub fn id_of(simpul: &Simpul, serial: &str) -> String {
    let responses = simpul.list(&["--include-deleted"]);
    let found = responses
        .iter()
        .find(|r| r["serial"] == serial)
        .unwrap_or_else(|| panic!("no response with serial {serial}"));
    text(&found["id"]).to_string()
}

fn serial_field(conflict: &Value) -> (String, String) {
    (
        text(&conflict["serial"]).to_string(),
        text(&conflict["field"]).to_string(),
    )
}

/// A conflict's values, a blank shown as "", sorted.
fn values(conflict: &Value) -> Vec<String> {
    let mut values: Vec<String> = conflict["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap_or("").to_string())
        .collect();
    values.sort();
    values
}
