use serde_json::Value;

use crate::helpers::{COLUMNS, Rng, Simpul, csv_file, imported, random_rows};

/// Suggestions a spreadsheet would run as formulas, or that look like an escaped one.
const HOSTILE: [&str; 9] = [
    "=HYPERLINK(\"http://contoh.invalid\",\"klik\")",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "'=1+1",
    "'halo",
    "''",
    "=1+1",
    "Antrean 'panjang' = lama",
];

/// Every cell of a CSV file, row by row, header first.
fn cells(path: &str) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .expect("the export opens");
    reader
        .records()
        .map(|r| r.expect("a CSV row").iter().map(str::to_string).collect())
        .collect()
}

/// The suggestion of every listed response, by id.
fn suggestions(simpul: &Simpul) -> Vec<(String, Option<String>)> {
    let mut all: Vec<(String, Option<String>)> = simpul
        .ids()
        .into_iter()
        .map(|id| {
            let saran = simpul.answer(&id, "saran");
            (id, saran)
        })
        .collect();
    all.sort();
    all
}

#[test]
fn formulas_in_suggestions_are_neutralised_in_the_export_and_import_back_unchanged() {
    let a = Simpul::new();
    for hostile in HOSTILE {
        let mut args = vec!["capture".to_string()];
        for u in crate::helpers::UNSUR {
            args.extend(["--set".to_string(), format!("{u}=4")]);
        }
        args.extend(["--set".to_string(), format!("saran={hostile}")]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        a.run(&args).ok();
    }
    let stored: Vec<Option<String>> = suggestions(&a).into_iter().map(|(_, s)| s).collect();
    for hostile in HOSTILE {
        assert!(stored.contains(&Some(hostile.to_string())), "{stored:?}");
    }

    let out = a.path("ekspor.csv");
    a.run(&["export", "csv", "--out", &out]).ok();
    let rows = cells(&out);
    assert_eq!(rows.len(), HOSTILE.len() + 1);
    for cell in rows.iter().flatten() {
        assert!(
            !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
            "a live formula in the export: {cell:?}"
        );
    }
    // Scores are numbers, not text: written bare.
    let u1 = rows[0].iter().position(|c| c == "U1").unwrap();
    assert!(rows[1..].iter().all(|r| r[u1] == "4"));

    let b = Simpul::on_device("kantor");
    let imported = b.json(&["import-csv", &out]);
    assert_eq!(imported["created"], HOSTILE.len(), "{imported}");
    assert_eq!(suggestions(&b), suggestions(&a));
}

/// A small file of valid rows whose third data row has a score out of range.
fn with_a_bad_third_row() -> (String, Vec<crate::helpers::Row>) {
    let mut rng = Rng::new(7);
    let mut rows = random_rows(&mut rng, 4, "E");
    rows[2].set("U3", "9");
    (csv_file(&rows), rows)
}

#[test]
fn crlf_and_lf_files_name_the_same_line_for_the_same_bad_row() {
    let (lf, _) = with_a_bad_third_row();
    let crlf = lf.replace('\n', "\r\n");

    for (name, contents) in [("lf.csv", &lf), ("crlf.csv", &crlf)] {
        let simpul = Simpul::new();
        let out = simpul.import(&simpul.write(name, contents)).refused();
        assert!(
            out.stdout.contains("baris 4: seri E-00003 DITOLAK"),
            "{name}:\n{}",
            out.stdout
        );
        let lines: Vec<u64> = imported(&out.stdout).iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 3, 5], "{name}:\n{}", out.stdout);
    }
}

#[test]
fn a_file_saved_by_excel_with_semicolons_imports() {
    let mut rng = Rng::new(8);
    let rows = random_rows(&mut rng, 3, "S");
    let mut file = COLUMNS.join(";");
    file.push_str("\r\n");
    for row in &rows {
        let cells: Vec<String> = row
            .cells
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect();
        file.push_str(&cells.join(";"));
        file.push_str("\r\n");
    }
    let simpul = Simpul::new();
    let out = simpul.import(&simpul.write("excel.csv", file)).ok();

    assert_eq!(imported(&out.stdout).len(), 3, "{}", out.stdout);
    assert_eq!(simpul.serials(), ["S-00001", "S-00002", "S-00003"]);
    let id = crate::import_csv::id_of(&simpul, "S-00001");
    assert_eq!(simpul.answer(&id, "U1").as_deref(), Some(rows[0].get("U1")));
}

#[test]
fn a_tab_separated_file_imports() {
    let mut rng = Rng::new(9);
    let rows = random_rows(&mut rng, 2, "T");
    let mut file = COLUMNS.join("\t");
    file.push('\n');
    for row in &rows {
        file.push_str(&row.cells.join("\t"));
        file.push('\n');
    }
    let simpul = Simpul::new();
    simpul.import(&simpul.write("tab.csv", file)).ok();
    assert_eq!(simpul.serials(), ["T-00001", "T-00002"]);
}

#[test]
fn a_windows_1252_file_imports_with_the_right_text() {
    let mut rng = Rng::new(10);
    let mut rows = random_rows(&mut rng, 1, "W");
    rows[0].set("saran", "Jl. Cikini No. 5 – café");
    // Windows-1252: the en dash is 0x96 and é is 0xE9.
    let bytes: Vec<u8> = csv_file(&rows)
        .chars()
        .map(|c| match c {
            '–' => 0x96,
            'é' => 0xE9,
            c if c.is_ascii() => c as u8,
            c => panic!("no Windows-1252 byte for {c}"),
        })
        .collect();
    assert!(std::str::from_utf8(&bytes).is_err());

    let simpul = Simpul::new();
    simpul.import(&simpul.write("windows.csv", bytes)).ok();
    let id = crate::import_csv::id_of(&simpul, "W-00001");
    assert_eq!(
        simpul.answer(&id, "saran").as_deref(),
        Some("Jl. Cikini No. 5 – café")
    );
}

#[test]
fn a_runaway_cell_is_refused_at_its_line_with_a_short_message_and_nothing_imported() {
    let mut rng = Rng::new(12);
    let mut rows = random_rows(&mut rng, 1, "B");
    let huge = "x".repeat(50 * 1024 * 1024);
    rows[0].set("saran", &huge);
    let simpul = Simpul::new();
    let file = simpul.write("besar.csv", csv_file(&rows));
    drop(huge);

    let out = simpul.run(&["import-csv", &file]);
    assert!(!out.status.success());
    assert!(out.stdout.len() + out.stderr.len() < 500, "{out:?}");
    assert!(out.stderr.contains("baris 2"), "{}", out.stderr);
    assert!(simpul.list(&[]).is_empty());
}

#[test]
fn a_long_bad_value_is_quoted_cut_short() {
    let mut rng = Rng::new(13);
    let mut rows = random_rows(&mut rng, 1, "L");
    let long = "y".repeat(5000);
    rows[0].set("layanan", &long);
    let simpul = Simpul::new();
    let out = simpul
        .import(&simpul.write("panjang.csv", csv_file(&rows)))
        .refused();
    assert!(
        out.stdout.contains("baris 2: seri L-00001 DITOLAK"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.len() < 500, "{}", out.stdout);
    assert!(out.stdout.contains('…'), "{}", out.stdout);
    let listed: Vec<Value> = simpul.list(&[]);
    assert!(listed.is_empty(), "{listed:?}");
}
