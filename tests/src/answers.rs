//! Questionnaires of the standard SKM form (PermenPANRB 14/2017) made up from a seed: answer
//! sets for `simpul capture` and CSV stacks for `simpul import-csv`.

use std::collections::BTreeMap;

use crate::rng::Rng;

/// Every item of the `skm-2017` form, in form order. A captured response holds each of them,
/// unanswered ones as null.
pub const ITEMS: [&str; 17] = [
    "tanggal",
    "jenis_kelamin",
    "umur",
    "pendidikan",
    "pekerjaan",
    "pekerjaan_lainnya",
    "layanan",
    "U1",
    "U2",
    "U3",
    "U4",
    "U5",
    "U6",
    "U7",
    "U8",
    "U9",
    "saran",
];

/// The nine scored unsur.
pub const UNSUR: [&str; 9] = ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"];

/// The items these generators fill in (all but `pekerjaan_lainnya`), the columns of a CSV
/// stack after `serial`.
pub const FILLED: [&str; 16] = [
    "tanggal",
    "jenis_kelamin",
    "umur",
    "pendidikan",
    "pekerjaan",
    "layanan",
    "U1",
    "U2",
    "U3",
    "U4",
    "U5",
    "U6",
    "U7",
    "U8",
    "U9",
    "saran",
];

/// One questionnaire's answers by item id; `None` is left blank. Values are written the way
/// the replica stores them, so they compare equal to what `show` prints.
pub type Answers = BTreeMap<String, Option<String>>;

/// A value for `item` that a respondent might give; `saran` is sometimes blank and sometimes
/// needs CSV quoting.
pub fn random_value(rng: &mut Rng, item: &str) -> Option<String> {
    let pick = |rng: &mut Rng, options: &[&str]| Some(rng.pick(options).to_string());
    match item {
        "tanggal" => Some(format!(
            "2025-{:02}-{:02}",
            rng.between(1, 6),
            rng.between(1, 28)
        )),
        "jenis_kelamin" => pick(rng, &["L", "P"]),
        "umur" => Some(rng.between(17, 80).to_string()),
        "pendidikan" => pick(rng, &["SD", "SMP", "SMA", "D1-D3", "S1", "S2"]),
        "pekerjaan" => pick(rng, &["PNS", "SWASTA", "WIRAUSAHA", "TNI"]),
        "layanan" => pick(rng, &["KTP-el", "Akta kelahiran", "Kartu keluarga"]),
        "saran" => match rng.below(4) {
            0 | 1 => None,
            2 => Some("Antrean terlalu panjang, mohon ditambah loket".to_string()),
            _ => Some(format!("Petugas \"ramah\" no. {}", rng.below(1000))),
        },
        "pekerjaan_lainnya" => None,
        unsur => {
            assert!(UNSUR.contains(&unsur), "no generator for item {unsur}");
            Some(rng.between(1, 4).to_string())
        }
    }
}

/// A complete questionnaire: every item of [`ITEMS`], all unsur answered.
pub fn random_answers(rng: &mut Rng) -> Answers {
    ITEMS
        .iter()
        .map(|item| (item.to_string(), random_value(rng, item)))
        .collect()
}

/// `answers` as a second typist reads the sheet: `cells` times, a filled item typed as some
/// other value (the same item may be picked twice).
pub fn misread(rng: &mut Rng, answers: &Answers, cells: u64) -> Answers {
    let mut read = answers.clone();
    for _ in 0..cells {
        let item = *rng.pick(&FILLED);
        let old = read[item].clone();
        let new = loop {
            let value = random_value(rng, item);
            if value != old {
                break value;
            }
        };
        read.insert(item.to_string(), new);
    }
    read
}

/// `--set ITEM=VALUE` arguments for `simpul capture` or `simpul edit`; blank answers are
/// left out of a capture (they are stored as null anyway) and cleared by an edit.
pub fn set_args(answers: &Answers, include_blanks: bool) -> Vec<String> {
    answers
        .iter()
        .filter(|(_, value)| include_blanks || value.is_some())
        .flat_map(|(item, value)| {
            [
                "--set".to_string(),
                format!("{item}={}", value.as_deref().unwrap_or("")),
            ]
        })
        .collect()
}

/// A CSV stack of paper questionnaires: the header `serial` + [`FILLED`], one row each.
pub fn csv(sheets: &[(String, Answers)]) -> String {
    let mut out = line(std::iter::once("serial").chain(FILLED));
    for (serial, answers) in sheets {
        let cells = FILLED
            .iter()
            .map(|item| answers.get(*item).cloned().flatten().unwrap_or_default());
        out.push_str(&line(std::iter::once(serial.clone()).chain(cells)));
    }
    out
}

fn line<S: AsRef<str>>(cells: impl Iterator<Item = S>) -> String {
    let cells: Vec<String> = cells
        .map(|cell| {
            let cell = cell.as_ref();
            if cell.contains([',', '"', '\n']) {
                format!("\"{}\"", cell.replace('"', "\"\""))
            } else {
                cell.to_string()
            }
        })
        .collect();
    format!("{}\n", cells.join(","))
}

/// `count` sheets with serials `PREFIX-00001`, `PREFIX-00002`, …
pub fn random_sheets(rng: &mut Rng, prefix: &str, count: usize) -> Vec<(String, Answers)> {
    (1..=count)
        .map(|i| (format!("{prefix}-{i:05}"), random_answers(rng)))
        .collect()
}

/// The published stack of 29 paper questionnaires (`samples/kuesioner-kertas.csv`), serials
/// K-001…K-029.
pub fn sample_stack() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../samples/kuesioner-kertas.csv"
    ))
    .expect("the sample stack")
}

/// The published sample stack (n = 29) with `changes` cells typed otherwise: (serial,
/// column, value).
pub fn sample_with(changes: &[(&str, &str, &str)]) -> String {
    let sample = sample_stack();
    let mut lines = sample.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let mut out = vec![header.join(",")];
    for line in lines {
        let mut cells: Vec<String> = line.split(',').map(str::to_string).collect();
        for (serial, column, value) in changes {
            if cells[0] == *serial {
                let at = header.iter().position(|c| c == column).expect("a column");
                cells[at] = value.to_string();
            }
        }
        out.push(cells.join(","));
    }
    out.join("\n") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_csv_stack_quotes_cells_that_need_it_and_leaves_blanks_empty() {
        let mut answers = Answers::new();
        answers.insert("saran".into(), Some("ramah, \"cepat\"".into()));
        answers.insert("U1".into(), Some("4".into()));

        let text = csv(&[("K-1".into(), answers)]);

        let mut lines = text.lines();
        assert!(lines.next().unwrap().starts_with("serial,tanggal,"));
        assert_eq!(
            lines.next().unwrap(),
            "K-1,,,,,,,4,,,,,,,,,\"ramah, \"\"cepat\"\"\""
        );
    }

    #[test]
    fn set_args_leave_blanks_out_of_a_capture_and_clear_them_in_an_edit() {
        let mut answers = Answers::new();
        answers.insert("U1".into(), Some("3".into()));
        answers.insert("saran".into(), None);
        assert_eq!(set_args(&answers, false), ["--set", "U1=3"]);
        assert_eq!(
            set_args(&answers, true),
            ["--set", "U1=3", "--set", "saran="]
        );
    }
}
