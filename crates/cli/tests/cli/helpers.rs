//! Running `simpul` against a throwaway replica, and making CSV files of questionnaires.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use serde_json::Value;
use tempfile::TempDir;

/// The binary under test, built by cargo for this test run.
pub const SIMPUL: &str = env!("CARGO_BIN_EXE_simpul");

/// The unit and period every test replica collects for, so paper ids agree between replicas.
pub const UNIT: &str = "U-CAPIL";
pub const PERIOD: &str = "2025-S1";

/// A sample file shipped in `samples/`.
pub fn sample(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../samples")
        .join(name)
        .to_str()
        .expect("the workspace path is UTF-8")
        .to_string()
}

/// What one run of `simpul` did.
#[derive(Debug)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    fn from(output: std::process::Output) -> Output {
        Output {
            status: output.status,
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Asserts the run succeeded.
    #[track_caller]
    pub fn ok(self) -> Output {
        assert!(
            self.status.success(),
            "simpul failed with {}\nstdout:\n{}\nstderr:\n{}",
            self.status,
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts the run failed with exit status 1, the status for a refusal.
    #[track_caller]
    pub fn refused(self) -> Output {
        assert_eq!(
            self.status.code(),
            Some(1),
            "expected exit status 1\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Standard output parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!("stdout is not JSON ({e}):\n{}", self.stdout);
        })
    }
}

/// Run `simpul` with `args` and nothing on standard input.
pub fn simpul(args: &[&str]) -> Output {
    run(bare_command(args), None)
}

fn bare_command(args: &[&str]) -> Command {
    let mut command = Command::new(SIMPUL);
    command
        .args(args)
        .env_remove("SIMPUL_LANG")
        .env_remove("SIMPUL_ENUMERATOR");
    command
}

fn run(mut command: Command, stdin: Option<&str>) -> Output {
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("simpul starts");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin is piped");
        pipe.write_all(input.as_bytes())
            .expect("simpul reads stdin");
    }
    Output::from(child.wait_with_output().expect("simpul runs"))
}

/// A replica in a fresh temporary folder, and room beside it for the files tests hand it.
pub struct Simpul {
    dir: TempDir,
}

impl Simpul {
    /// A replica for [`UNIT`] in [`PERIOD`].
    pub fn new() -> Simpul {
        Simpul::on_device("perangkat-uji")
    }

    /// A replica on a device with this name; the name is recorded with every change.
    pub fn on_device(device: &str) -> Simpul {
        Simpul::in_unit(UNIT, device)
    }

    /// A replica of another unit than [`UNIT`].
    pub fn in_unit(unit: &str, device: &str) -> Simpul {
        let simpul = Simpul {
            dir: tempfile::tempdir().expect("a temporary folder"),
        };
        let data = simpul.data();
        run(
            bare_command(&[
                "init", "--data", &data, "--unit", unit, "--period", PERIOD, "--device", device,
            ]),
            None,
        )
        .ok();
        simpul
    }

    /// The replica's folder, as `--data` takes it.
    pub fn data(&self) -> String {
        self.path("replica")
    }

    /// The SQLite file inside the replica's folder.
    pub fn database(&self) -> PathBuf {
        Path::new(&self.data()).join("simpul.sqlite3")
    }

    /// A path beside the replica (not inside it), for files going in or out.
    pub fn path(&self, name: &str) -> String {
        self.dir
            .path()
            .join(name)
            .to_str()
            .expect("temporary paths are UTF-8")
            .to_string()
    }

    /// Write `contents` to a file beside the replica and return its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> String {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("the file is written");
        path
    }

    /// The command `simpul ARGS --data DIR`, ready to spawn.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = bare_command(args);
        command.args(["--data", &self.data()]);
        command
    }

    /// Run `simpul ARGS --data DIR`.
    pub fn run(&self, args: &[&str]) -> Output {
        run(self.command(args), None)
    }

    /// Run `simpul ARGS --data DIR` with `input` on standard input.
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        run(self.command(args), Some(input))
    }

    /// Run `simpul ARGS --data DIR --format json`, which must succeed, and parse its output.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.extend(["--format", "json"]);
        self.run(&args).ok().json()
    }

    /// `list --format json` with extra filter arguments.
    #[track_caller]
    pub fn list(&self, filter: &[&str]) -> Vec<Value> {
        let mut args = vec!["list"];
        args.extend(filter);
        match self.json(&args) {
            Value::Array(responses) => responses,
            other => panic!("list gave {other}"),
        }
    }

    /// The ids of the listed (not deleted) responses.
    #[track_caller]
    pub fn ids(&self) -> BTreeSet<String> {
        self.list(&[])
            .iter()
            .map(|r| text(&r["id"]).to_string())
            .collect()
    }

    /// The serials of the listed responses, sorted.
    #[track_caller]
    pub fn serials(&self) -> Vec<String> {
        let mut serials: Vec<String> = self
            .list(&[])
            .iter()
            .map(|r| text(&r["serial"]).to_string())
            .collect();
        serials.sort();
        serials
    }

    /// `import-csv FILE` in plain text.
    pub fn import(&self, file: &str) -> Output {
        self.run(&["import-csv", file])
    }

    /// Write a bundle of everything this replica holds and return its path.
    #[track_caller]
    pub fn export_bundle(&self, name: &str) -> String {
        let out = self.path(name);
        self.run(&["bundle", "export", "--out", &out]).ok();
        out
    }

    /// Bring every change of `other` into this replica through a bundle file.
    #[track_caller]
    pub fn receive_from(&self, other: &Simpul) -> Value {
        let bundle = other.export_bundle("keluar.simpul");
        self.json(&["bundle", "import", &bundle])
    }

    /// `show --format json` of one response.
    #[track_caller]
    pub fn show(&self, id: &str) -> Value {
        self.json(&["show", id])
    }

    /// The answer to `item` of response `id`, as `show` gives it.
    #[track_caller]
    pub fn answer(&self, id: &str, item: &str) -> Option<String> {
        let shown = self.show(id);
        let answer = shown["answers"]
            .as_array()
            .expect("answers are a list")
            .iter()
            .find(|a| a["item"] == item)
            .unwrap_or_else(|| panic!("no item {item} in {shown}"));
        answer["value"].as_str().map(str::to_string)
    }
}

/// A JSON string's text.
#[track_caller]
pub fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("expected a string, got {value}"))
}

/// A small deterministic random source (SplitMix64): the same seed gives the same data, so a
/// failure can be replayed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "an empty range");
        self.next_u64() % n
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.below(high - low + 1)
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }
}

/// The columns of generated files, in the order of the standard form.
pub const COLUMNS: [&str; 17] = [
    "serial",
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

/// The unsur columns.
pub const UNSUR: [&str; 9] = ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"];

/// One paper questionnaire as a CSV row: a cell per entry of [`COLUMNS`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub cells: Vec<String>,
}

impl Row {
    /// A valid questionnaire with this serial and random answers. Some suggestions hold
    /// commas and quotes, so the file needs proper CSV quoting.
    pub fn random(rng: &mut Rng, serial: &str) -> Row {
        let suggestions = [
            "",
            "",
            "Antrean terlalu panjang",
            "Petugas ramah, terima kasih",
            "Mohon sediakan \"nomor antrean\" daring",
        ];
        let mut cells = vec![
            serial.to_string(),
            format!("2025-{:02}-{:02}", rng.between(1, 6), rng.between(1, 28)),
            rng.pick(&["L", "P"]).to_string(),
            rng.between(17, 80).to_string(),
            rng.pick(&["SD", "SMP", "SMA", "D1-D3", "S1", "S2"])
                .to_string(),
            rng.pick(&["PNS", "SWASTA", "WIRAUSAHA", "TNI"]).to_string(),
            rng.pick(&["KTP-el", "Akta kelahiran", "Kartu keluarga"])
                .to_string(),
        ];
        cells.extend((0..UNSUR.len()).map(|_| rng.between(1, 4).to_string()));
        cells.push(rng.pick(&suggestions).to_string());
        Row { cells }
    }

    fn index(column: &str) -> usize {
        COLUMNS
            .iter()
            .position(|c| *c == column)
            .unwrap_or_else(|| panic!("no column {column}"))
    }

    pub fn get(&self, column: &str) -> &str {
        &self.cells[Row::index(column)]
    }

    pub fn set(&mut self, column: &str, value: &str) -> &mut Row {
        self.cells[Row::index(column)] = value.to_string();
        self
    }

    pub fn serial(&self) -> &str {
        self.get("serial")
    }

    /// The sum of the nine unsur scores.
    pub fn score_total(&self) -> u64 {
        UNSUR
            .iter()
            .map(|u| self.get(u).parse::<u64>().expect("a generated score"))
            .sum()
    }

    /// The row as one CSV line (without the line break).
    pub fn line(&self) -> String {
        csv_line(&self.cells)
    }

    /// The row spoiled by `defect`, as a CSV line.
    pub fn spoiled(&self, defect: Defect) -> String {
        let mut row = self.clone();
        match defect {
            Defect::ScoreOutOfRange => row.set("U3", "7").line(),
            Defect::ImpossibleDate => row.set("tanggal", "2025-02-30").line(),
            Defect::UnknownGender => row.set("jenis_kelamin", "X").line(),
            Defect::AgeNotANumber => row.set("umur", "tiga puluh").line(),
            Defect::MissingSerial => row.set("serial", "").line(),
            Defect::MissingField => csv_line(&row.cells[..row.cells.len() - 1]),
            Defect::ExtraField => {
                row.cells.push("lebih".into());
                row.line()
            }
        }
    }
}

/// The ways a typed row can be wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Defect {
    ScoreOutOfRange,
    ImpossibleDate,
    UnknownGender,
    AgeNotANumber,
    MissingSerial,
    MissingField,
    ExtraField,
}

impl Defect {
    pub const ALL: [Defect; 7] = [
        Defect::ScoreOutOfRange,
        Defect::ImpossibleDate,
        Defect::UnknownGender,
        Defect::AgeNotANumber,
        Defect::MissingSerial,
        Defect::MissingField,
        Defect::ExtraField,
    ];

    /// Words the Indonesian rejection of a row with this defect must contain.
    pub fn reason(self) -> &'static str {
        match self {
            Defect::ScoreOutOfRange => "isian U3: `7` tidak diterima",
            Defect::ImpossibleDate => "isian tanggal: `2025-02-30` tidak diterima",
            Defect::UnknownGender => "isian jenis_kelamin: `X` tidak diterima",
            Defect::AgeNotANumber => "isian umur: `tiga puluh` tidak diterima",
            Defect::MissingSerial => "wajib punya nomor seri",
            Defect::MissingField => "baris ini punya 16 kolom, padahal kepala kolom punya 17",
            Defect::ExtraField => "baris ini punya 18 kolom, padahal kepala kolom punya 17",
        }
    }
}

/// `count` valid questionnaires with serials `PREFIX-00001`, `PREFIX-00002`, … in file order.
pub fn random_rows(rng: &mut Rng, count: usize, prefix: &str) -> Vec<Row> {
    (1..=count)
        .map(|i| Row::random(rng, &format!("{prefix}-{i:05}")))
        .collect()
}

/// A CSV file: the header of [`COLUMNS`], then one line per row.
pub fn csv_file(rows: &[Row]) -> String {
    csv_lines(rows.iter().map(Row::line))
}

/// A CSV file from lines already made (some perhaps spoiled), under the standard header.
pub fn csv_lines(lines: impl IntoIterator<Item = String>) -> String {
    let mut file = csv_line(&COLUMNS);
    file.push('\n');
    for line in lines {
        file.push_str(&line);
        file.push('\n');
    }
    file
}

fn csv_line(cells: &[impl AsRef<str>]) -> String {
    cells
        .iter()
        .map(|cell| {
            let cell = cell.as_ref();
            if cell.contains([',', '"', '\n']) {
                format!("\"{}\"", cell.replace('"', "\"\""))
            } else {
                cell.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Lines of `stdout` that report a row as newly imported, as (line number, serial).
pub fn imported(stdout: &str) -> Vec<(u64, String)> {
    stdout
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("baris ")?;
            let (number, rest) = rest.split_once(": seri ")?;
            let serial = rest.strip_suffix(" diimpor")?;
            Some((number.parse().ok()?, serial.to_string()))
        })
        .collect()
}
