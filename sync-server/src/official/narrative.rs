//! The report's narrative: for each part a unit may rewrite, the default generated from its
//! results, and the unit's own text when it wrote one.

use chrono::NaiveDate;
use serde::Serialize;
use simpul_survey::IkmReport;

use crate::model::Unit;
use crate::official::data::{long_day, number};
use crate::plan::{Changed, NarrativeField};

/// What the defaults are written from.
pub struct Facts<'a> {
    pub unit: &'a Unit,
    pub period: &'a str,
    pub report: &'a IkmReport,
    pub weakest: Option<&'a str>,
    pub strongest: Option<&'a str>,
    /// The channels of the counted responses: interview, paper, kiosk, web.
    pub channels: &'a [&'a str],
    pub today: NaiveDate,
}

/// One part: the unit's text (`None`: the default is used) and the default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Part {
    pub value: Option<String>,
    pub default: String,
    pub changed: Option<Changed>,
}

/// Every part, in the report's order.
pub fn resolve(
    facts: &Facts<'_>,
    stored: &[(NarrativeField, String, Changed)],
) -> Vec<(NarrativeField, Part)> {
    NarrativeField::ALL
        .into_iter()
        .map(|field| {
            let own = stored.iter().find(|(f, _, _)| *f == field);
            (
                field,
                Part {
                    value: own.map(|(_, text, _)| text.clone()),
                    default: default(field, facts),
                    changed: own.map(|(_, _, changed)| changed.clone()),
                },
            )
        })
        .collect()
}

fn channel_words(channel: &str) -> &'static str {
    match channel {
        "interview" => "wawancara tatap muka oleh petugas",
        "paper" => "kuesioner kertas yang diisi sendiri oleh responden",
        "kiosk" => "kuesioner elektronik di loket pelayanan",
        "web" => "kuesioner elektronik melalui tautan atau kode QR",
        _ => "kuesioner",
    }
}

/// The generated text of `field`.
pub fn default(field: NarrativeField, facts: &Facts<'_>) -> String {
    let unit = facts.unit.name.as_str();
    let period = facts.period;
    let report = facts.report;
    match field {
        NarrativeField::LatarBelakang => format!(
            "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik mewajibkan setiap \
             penyelenggara pelayanan publik melakukan penilaian kinerja secara berkala. Salah \
             satu caranya adalah Survei Kepuasan Masyarakat (SKM), yaitu pengukuran menyeluruh \
             atas kegiatan tentang tingkat kepuasan masyarakat yang diperoleh dari hasil \
             pengukuran atas pendapat masyarakat dalam memperoleh pelayanan.\n\
             Sesuai Peraturan Menteri PANRB Nomor 14 Tahun 2017, {unit} melaksanakan SKM \
             periode {period} untuk mengetahui kinerja pelayanannya dan menjadikan hasilnya \
             dasar perbaikan kualitas pelayanan."
        ),
        NarrativeField::DasarHukum => [
            "Undang-Undang Nomor 25 Tahun 2009 tentang Pelayanan Publik",
            "Peraturan Pemerintah Nomor 96 Tahun 2012 tentang Pelaksanaan Undang-Undang Nomor 25 \
             Tahun 2009 tentang Pelayanan Publik",
            "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 14 \
             Tahun 2017 tentang Pedoman Penyusunan Survei Kepuasan Masyarakat Unit \
             Penyelenggara Pelayanan Publik",
            "Peraturan Menteri Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Nomor 16 \
             Tahun 2017 tentang Pedoman Penyelenggaraan Forum Konsultasi Publik",
        ]
        .join("\n"),
        NarrativeField::MaksudTujuan => format!(
            "Survei ini dimaksudkan untuk mengetahui tingkat kepuasan masyarakat atas pelayanan \
             {unit} sebagai bahan penilaian kinerja penyelenggaraan pelayanan.\n\
             Tujuannya adalah mengetahui kelemahan dan kekuatan tiap unsur pelayanan, \
             mengukur Indeks Kepuasan Masyarakat (IKM) secara berkala, dan menetapkan \
             rencana tindak lanjut perbaikan kualitas pelayanan."
        ),
        NarrativeField::Pelaksana => format!(
            "Survei dilaksanakan secara mandiri oleh {unit} dengan petugas pencacah yang \
             ditunjuk."
        ),
        NarrativeField::Metode => {
            let words: Vec<&str> = facts.channels.iter().map(|c| channel_words(c)).collect();
            let how = if words.is_empty() {
                "kuesioner".to_string()
            } else {
                words.join(", ")
            };
            format!(
                "Data dikumpulkan dengan kuesioner standar sembilan unsur pelayanan sesuai \
                 Peraturan Menteri PANRB Nomor 14 Tahun 2017, melalui {how}. Setiap unsur \
                 dinilai dengan skala 1 sampai 4; nilai rata-rata tertimbang tiap unsur \
                 dijumlahkan menjadi IKM dan dikonversi ke skala 25–100."
            )
        }
        NarrativeField::Lokasi => format!(
            "Pengumpulan data dilakukan di lokasi pelayanan {unit}, pada saat responden \
             selesai menerima pelayanan."
        ),
        NarrativeField::Kesimpulan => match report.ikm {
            None => format!(
                "Belum ada kuesioner yang dapat diolah untuk periode {period}, sehingga IKM \
                 belum dapat dihitung."
            ),
            Some(ikm) => {
                let mut text = format!(
                    "Nilai IKM {unit} periode {period} dari {} responden adalah {}, dengan \
                     mutu pelayanan {} ({}).",
                    report.n,
                    number(Some(ikm), 2),
                    report.grade.map_or("–", |g| g.letter()),
                    report.grade_label.as_deref().unwrap_or("–"),
                );
                if let (Some(weakest), Some(strongest)) = (facts.weakest, facts.strongest) {
                    text.push_str(&format!(
                        " Unsur dengan nilai terendah adalah {weakest}, dan unsur dengan nilai \
                         tertinggi adalah {strongest}."
                    ));
                }
                text
            }
        },
        NarrativeField::Saran => match facts.weakest {
            Some(weakest) => format!(
                "Perbaikan diprioritaskan pada unsur {weakest} sesuai rencana tindak lanjut; \
                 unsur lain yang sudah baik dipertahankan. Hasil survei dan tindak lanjutnya \
                 dipublikasikan kepada masyarakat dan dibahas dalam Forum Konsultasi Publik."
            ),
            None => "Pengumpulan data dilanjutkan hingga jumlah responden minimal terpenuhi."
                .to_string(),
        },
        NarrativeField::Tempat => facts
            .unit
            .instansi
            .as_ref()
            .map_or_else(String::new, ToString::to_string),
        NarrativeField::Tanggal => long_day(facts.today),
        NarrativeField::KepalaJabatan => format!("Kepala {unit}"),
        NarrativeField::KepalaNama => String::new(),
        NarrativeField::KepalaNip => String::new(),
    }
}
