//! Made-up but plausible SKM questionnaires, the same on every run: a civil-registry office's
//! interviews and paper sheets, scores leaning to "sesuai" and "sangat sesuai", a suggestion
//! from about three respondents in ten.

use chrono::{DateTime, Duration, TimeZone, Utc};
use simpul_e2e::Rng;
use simpul_replica::{Author, Channel, NewResponse, PaperSerial, Status};

pub use simpul_e2e::answers::ITEMS;

const SERVICES: [&str; 5] = [
    "KTP-el",
    "Kartu Keluarga",
    "Akta Kelahiran",
    "Akta Kematian",
    "Surat Pindah",
];
const ENUMERATORS: [&str; 3] = ["Sari Wulandari", "Budi Santoso", "Dewi Lestari"];
const EDUCATION: [&str; 8] = ["SD", "SMP", "SMA", "SMA", "SMA", "D1-D3", "S1", "S2"];
const OCCUPATION: [&str; 6] = ["PNS", "SWASTA", "SWASTA", "WIRAUSAHA", "LAINNYA", "LAINNYA"];
const OTHER_OCCUPATION: [&str; 4] = ["Petani", "Nelayan", "Ibu rumah tangga", "Pedagang pasar"];
const REMARKS: [&str; 7] = [
    "Pelayanan sudah baik",
    "Petugas ramah dan cepat",
    "Antrean terlalu panjang",
    "Ruang tunggu panas",
    "Sistem sering offline, harus datang lagi",
    "Persyaratan kurang jelas",
    "Blangko KTP-el sering habis",
];
const REQUESTS: [&str; 6] = [
    "mohon ditambah loket",
    "perlu kipas angin di ruang tunggu",
    "jam layanan diperpanjang",
    "sebaiknya ada antrean online",
    "persyaratan dipasang di papan pengumuman",
    "pertahankan",
];

/// One filled-in questionnaire: every item of [`ITEMS`] in order, blanks as `""`.
#[derive(Clone, Debug)]
pub struct Sheet {
    pub channel: Channel,
    /// The number printed on a paper sheet; `None` for an interview.
    pub serial: Option<String>,
    pub by: &'static str,
    pub at: DateTime<Utc>,
    pub answers: Vec<(&'static str, String)>,
}

impl Sheet {
    pub fn new_response(&self) -> NewResponse {
        NewResponse {
            channel: self.channel,
            form: None,
            unit: None,
            period: None,
            serial: self
                .serial
                .as_deref()
                .map(|s| PaperSerial::parse(s).expect("a valid serial")),
            answers: self
                .answers
                .iter()
                .map(|(item, value)| (item.to_string(), value.clone()))
                .collect(),
            status: Status::Final,
            author: Author::new(self.by, self.at),
        }
    }
}

/// Questionnaires as one office collects them over a semester.
pub struct Survey {
    rng: Rng,
    clock: DateTime<Utc>,
    serials: u32,
    serial_prefix: String,
    /// Share of paper sheets; the rest are tablet interviews.
    paper_share: f64,
}

impl Survey {
    /// `serial_prefix` keeps the paper serials of different surveys apart.
    pub fn new(seed: u64, serial_prefix: &str, paper_share: f64) -> Survey {
        Survey {
            rng: Rng::new(seed),
            // 08:00 WIB on the first Monday of the period.
            clock: Utc.with_ymd_and_hms(2025, 1, 6, 1, 0, 0).unwrap(),
            serials: 0,
            serial_prefix: serial_prefix.to_string(),
            paper_share,
        }
    }

    pub fn sheets(&mut self, n: usize) -> Vec<Sheet> {
        (0..n).map(|_| self.next_sheet()).collect()
    }

    pub fn next_sheet(&mut self) -> Sheet {
        let rng = &mut self.rng;
        self.clock += Duration::seconds(60 + rng.below(600) as i64);
        let paper = rng.chance(self.paper_share);
        let serial = paper.then(|| {
            self.serials += 1;
            format!("{}-{:06}", self.serial_prefix, self.serials)
        });
        let mut answers: Vec<(&'static str, String)> = Vec::with_capacity(ITEMS.len());
        // Paper sheets come back with a profile field left blank now and then; an interview
        // asks everything.
        let mut profile = |rng: &mut Rng, item, value: String| {
            let blank = paper && rng.chance(0.08);
            answers.push((item, if blank { String::new() } else { value }));
        };
        let day = (self.clock + Duration::hours(7)).format("%Y-%m-%d");
        profile(rng, "tanggal", day.to_string());
        let sex = if rng.chance(0.5) { "L" } else { "P" };
        profile(rng, "jenis_kelamin", sex.to_string());
        let age = rng.between(17, 75);
        profile(rng, "umur", age.to_string());
        let education = rng.pick(&EDUCATION).to_string();
        profile(rng, "pendidikan", education);
        let occupation = *rng.pick(&OCCUPATION);
        profile(rng, "pekerjaan", occupation.to_string());
        let other = if occupation == "LAINNYA" {
            rng.pick(&OTHER_OCCUPATION).to_string()
        } else {
            String::new()
        };
        answers.push(("pekerjaan_lainnya", other));
        answers.push(("layanan", rng.pick(&SERVICES).to_string()));
        for unsur in &ITEMS[7..16] {
            answers.push((unsur, score(rng).to_string()));
        }
        let suggestion = if rng.chance(0.3) {
            format!("{}, {}.", rng.pick(&REMARKS), rng.pick(&REQUESTS))
        } else {
            String::new()
        };
        answers.push(("saran", suggestion));
        let by = *rng.pick(&ENUMERATORS);
        Sheet {
            channel: if paper {
                Channel::Paper
            } else {
                Channel::Interview
            },
            serial,
            by,
            at: self.clock,
            answers,
        }
    }
}

/// 1–4, mostly 3 ("sesuai") and 4, as real SKM data is.
fn score(rng: &mut Rng) -> u8 {
    match rng.below(100) {
        0..3 => 1,
        3..15 => 2,
        15..65 => 3,
        _ => 4,
    }
}

/// A CSV stack of the paper sheets among `sheets`, as `simpul import-csv` reads it.
pub fn paper_csv(sheets: &[Sheet]) -> String {
    let mut out = String::from("serial");
    for item in ITEMS {
        out.push(',');
        out.push_str(item);
    }
    out.push('\n');
    for sheet in sheets {
        let Some(serial) = &sheet.serial else {
            continue;
        };
        out.push_str(&cell(serial));
        for (_, value) in &sheet.answers {
            out.push(',');
            out.push_str(&cell(value));
        }
        out.push('\n');
    }
    out
}

fn cell(value: &str) -> String {
    if value.contains([',', '"', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}
