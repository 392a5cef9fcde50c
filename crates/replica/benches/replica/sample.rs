//! Realistic SKM questionnaires, reproducible from a seed: the profile, the nine unsur, a
//! service from a civil-registry office's list and, for some respondents, a suggestion.

use chrono::{DateTime, Duration, TimeZone, Utc};
use simpul_replica::{
    Author, Channel, NewResponse, PaperSerial, PeriodCode, Settings, Status, UnitCode,
};

/// splitmix64: small, fast and the same on every machine, so every run measures the same data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64) < p * (1u64 << 53) as f64
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

pub const UNIT: &str = "U-CAPIL";
pub const PERIOD: &str = "2025-S1";

/// The services of the sample unit; a report filtered by one covers about a fifth.
pub const SERVICES: [&str; 5] = [
    "KTP-el",
    "Kartu Keluarga",
    "Akta Kelahiran",
    "Akta Kematian",
    "Surat Pindah",
];

const ENUMERATORS: [&str; 3] = ["Sari Wulandari", "Budi Santoso", "Dewi Lestari"];
const EDUCATION: [&str; 8] = ["SD", "SMP", "SMA", "SMA", "SMA", "D1-D3", "S1", "S2"];
const OCCUPATION: [&str; 7] = [
    "PNS",
    "SWASTA",
    "SWASTA",
    "WIRAUSAHA",
    "WIRAUSAHA",
    "LAINNYA",
    "LAINNYA",
];
const OTHER_OCCUPATION: [&str; 5] = [
    "Petani",
    "Nelayan",
    "Ibu rumah tangga",
    "Pelajar/mahasiswa",
    "Pedagang pasar",
];
const REMARKS: [&str; 9] = [
    "Pelayanan sudah baik",
    "Petugas ramah dan cepat",
    "Antrean terlalu panjang",
    "Ruang tunggu panas dan sempit",
    "Sistem sering offline sehingga harus datang lagi",
    "Informasi persyaratan kurang jelas",
    "Parkir motor penuh",
    "Blangko KTP-el sering habis",
    "Saya harus bolak-balik tiga kali",
];
const REQUESTS: [&str; 8] = [
    "mohon ditambah loket pelayanan",
    "perlu kipas angin atau AC di ruang tunggu",
    "mohon jam layanan diperpanjang sampai sore",
    "sebaiknya ada nomor antrean online",
    "tolong persyaratan dipasang di papan pengumuman",
    "pertahankan",
    "mohon petugas tidak istirahat bersamaan",
    "sediakan formulir yang sudah diisi sebagai contoh",
];

/// The replica settings every benchmark uses.
pub fn settings() -> Settings {
    Settings {
        unit: UnitCode::parse(UNIT).expect("a valid code"),
        period: PeriodCode::parse(PERIOD).expect("a valid code"),
        form: "skm-2017".into(),
        device: "tablet-1".into(),
    }
}

/// One filled-in questionnaire, every item of the form in order, blanks as `""`.
#[derive(Clone, Debug)]
pub struct Sheet {
    pub channel: Channel,
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

/// Questionnaires as a unit collects them over a period: interviews and paper sheets, some
/// respondents leaving a suggestion.
pub struct Survey {
    rng: Rng,
    clock: DateTime<Utc>,
    serials: u32,
    /// Share of paper sheets; the rest are tablet interviews.
    pub paper_share: f64,
    /// Share of respondents who write a suggestion.
    pub suggestion_share: f64,
}

impl Survey {
    pub fn new(seed: u64) -> Survey {
        Survey {
            rng: Rng::new(seed),
            // 08:00 WIB on the first Monday of the period.
            clock: Utc.with_ymd_and_hms(2025, 1, 6, 1, 0, 0).unwrap(),
            serials: 0,
            paper_share: 0.5,
            suggestion_share: 0.4,
        }
    }

    pub fn next_sheet(&mut self) -> Sheet {
        let rng = &mut self.rng;
        self.clock += Duration::seconds(60 + rng.below(600) as i64);
        let paper = rng.chance(self.paper_share);
        let serial = paper.then(|| {
            self.serials += 1;
            format!("P-{:06}", self.serials)
        });
        // A sheet left partly blank is normal on paper; an interview asks everything.
        let blank = |rng: &mut Rng| paper && rng.chance(0.08);
        let mut answers: Vec<(&'static str, String)> = Vec::with_capacity(17);
        let mut profile = |item, value: String, rng: &mut Rng| {
            answers.push((item, if blank(rng) { String::new() } else { value }));
        };
        let tanggal = (self.clock + Duration::hours(7))
            .format("%Y-%m-%d")
            .to_string();
        profile("tanggal", tanggal, rng);
        let sex = if rng.chance(0.5) { "L" } else { "P" };
        profile("jenis_kelamin", sex.into(), rng);
        let age = 17 + rng.below(60);
        profile("umur", age.to_string(), rng);
        let education = rng.pick(&EDUCATION).to_string();
        profile("pendidikan", education, rng);
        let occupation = *rng.pick(&OCCUPATION);
        profile("pekerjaan", occupation.into(), rng);
        answers.push((
            "pekerjaan_lainnya",
            if occupation == "LAINNYA" {
                rng.pick(&OTHER_OCCUPATION).to_string()
            } else {
                String::new()
            },
        ));
        answers.push(("layanan", rng.pick(&SERVICES).to_string()));
        for unsur in ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9"] {
            answers.push((unsur, score(rng).to_string()));
        }
        let suggestion = if rng.chance(self.suggestion_share) {
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

/// Mostly "sesuai" (3), as real SKM data is: an IKM near 79, grade B.
fn score(rng: &mut Rng) -> u8 {
    match rng.below(100) {
        0..2 => 1,
        2..12 => 2,
        12..70 => 3,
        _ => 4,
    }
}
