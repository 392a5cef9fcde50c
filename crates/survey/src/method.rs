//! The survey methods: which unsur a result is made of, how it is weighted and how it is graded.
//!
//! A result means nothing without its method — the 2004 grades are looser than the 2017 ones —
//! so every form and every report carries one.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::text::Text;

/// The regulation a survey follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Method {
    /// Peraturan Menteri PANRB Nomor 14 Tahun 2017: nine unsur, the method in force.
    #[serde(rename = "permenpanrb-14-2017")]
    Permenpanrb14_2017,
    /// Keputusan Menteri PAN Nomor 25 Tahun 2004: fourteen unsur, still found in archives.
    #[serde(rename = "kepmenpan-25-2004")]
    Kepmenpan25_2004,
}

/// One element (unsur) of service that a method measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unsur {
    /// The id results are keyed by, e.g. `"U1"`.
    pub id: &'static str,
    /// The name the regulation gives it, in Bahasa Indonesia, e.g. `"Persyaratan"`.
    pub name: &'static str,
}

const fn unsur(id: &'static str, name: &'static str) -> Unsur {
    Unsur { id, name }
}

const UNSUR_2017: [Unsur; 9] = [
    unsur("U1", "Persyaratan"),
    unsur("U2", "Sistem, Mekanisme, dan Prosedur"),
    unsur("U3", "Waktu Penyelesaian"),
    unsur("U4", "Biaya/Tarif"),
    unsur("U5", "Produk Spesifikasi Jenis Pelayanan"),
    unsur("U6", "Kompetensi Pelaksana"),
    unsur("U7", "Perilaku Pelaksana"),
    unsur("U8", "Penanganan Pengaduan, Saran dan Masukan"),
    unsur("U9", "Sarana dan Prasarana"),
];

const UNSUR_2004: [Unsur; 14] = [
    unsur("U1", "Prosedur pelayanan"),
    unsur("U2", "Persyaratan pelayanan"),
    unsur("U3", "Kejelasan petugas pelayanan"),
    unsur("U4", "Kedisiplinan petugas pelayanan"),
    unsur("U5", "Tanggung jawab petugas pelayanan"),
    unsur("U6", "Kemampuan petugas pelayanan"),
    unsur("U7", "Kecepatan pelayanan"),
    unsur("U8", "Keadilan mendapatkan pelayanan"),
    unsur("U9", "Kesopanan dan keramahan petugas"),
    unsur("U10", "Kewajaran biaya pelayanan"),
    unsur("U11", "Kepastian biaya pelayanan"),
    unsur("U12", "Kepastian jadwal pelayanan"),
    unsur("U13", "Kenyamanan lingkungan"),
    unsur("U14", "Keamanan pelayanan"),
];

impl Method {
    /// The stable code stored with every result.
    pub fn code(self) -> &'static str {
        match self {
            Method::Permenpanrb14_2017 => "permenpanrb-14-2017",
            Method::Kepmenpan25_2004 => "kepmenpan-25-2004",
        }
    }

    /// Reads a method code in any case, or the short forms `2017` and `2004`.
    pub fn parse(s: &str) -> Result<Method> {
        let code = s.trim();
        [Method::Permenpanrb14_2017, Method::Kepmenpan25_2004]
            .into_iter()
            .find(|m| code.eq_ignore_ascii_case(m.code()) || code == m.year())
            .ok_or_else(|| Error::UnknownMethod(s.to_owned()))
    }

    fn year(self) -> &'static str {
        match self {
            Method::Permenpanrb14_2017 => "2017",
            Method::Kepmenpan25_2004 => "2004",
        }
    }

    /// The regulation's short citation, as reports print it.
    pub fn title(self) -> Text {
        let title = match self {
            Method::Permenpanrb14_2017 => "PermenPANRB 14/2017",
            Method::Kepmenpan25_2004 => "KepMenPAN 25/2004",
        };
        Text::new(title, title)
    }

    /// The unsur the method measures, in the regulation's order.
    pub fn unsur(self) -> &'static [Unsur] {
        match self {
            Method::Permenpanrb14_2017 => &UNSUR_2017,
            Method::Kepmenpan25_2004 => &UNSUR_2004,
        }
    }

    /// The weight as the official spreadsheet template prints it: 1/9 and 1/14 rounded to
    /// three decimals. Only for reproducing reports made with that template; the intent of
    /// both regulations is the exact fraction.
    pub fn printed_weight(self) -> f64 {
        match self {
            Method::Permenpanrb14_2017 => 0.111,
            Method::Kepmenpan25_2004 => 0.071,
        }
    }

    /// The mutu pelayanan of a converted value (25–100).
    ///
    /// The regulation's bands are written with two decimals and leave gaps between them
    /// (64,99 | 65,00), so the value is first rounded half-up to two decimals with
    /// [`round_to_hundredths`], as a person reading the printed figure would. Values outside
    /// 25–100 fall in the nearest band.
    pub fn grade(self, converted: f64) -> Grade {
        // Upper bounds of D, C and B, in hundredths.
        let [d, c, b] = match self {
            Method::Permenpanrb14_2017 => [6499, 7660, 8830],
            Method::Kepmenpan25_2004 => [4375, 6250, 8125],
        };
        match hundredths(converted) {
            h if h <= d => Grade::D,
            h if h <= c => Grade::C,
            h if h <= b => Grade::B,
            _ => Grade::A,
        }
    }
}

/// Rounds half-up to two decimals, the way the published figures are rounded.
///
/// A decimal like 76,605 has no exact binary form (it is stored as 76,60499…), so plain
/// rounding would give 76,60. The value is first snapped to a millionth of a hundredth, which
/// sheds that representation error while keeping every meaningful digit, and then rounded.
/// Print figures with this so that the printed number and its grade always agree.
pub fn round_to_hundredths(value: f64) -> f64 {
    hundredths(value) as f64 / 100.0
}

fn hundredths(value: f64) -> i64 {
    let snapped = (value * 1e8).round() / 1e6;
    snapped.round() as i64
}

/// Mutu pelayanan: the quality grade of a unit, A best.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Grade {
    /// Sangat baik.
    A,
    /// Baik.
    B,
    /// Kurang baik.
    C,
    /// Tidak baik.
    D,
}

impl Grade {
    /// The letter, `"A"` to `"D"`.
    pub fn letter(self) -> &'static str {
        match self {
            Grade::A => "A",
            Grade::B => "B",
            Grade::C => "C",
            Grade::D => "D",
        }
    }

    /// The kinerja unit pelayanan the grade stands for.
    pub fn label(self) -> Text {
        match self {
            Grade::A => Text::new("Sangat baik", "Very good"),
            Grade::B => Text::new("Baik", "Good"),
            Grade::C => Text::new("Kurang baik", "Poor"),
            Grade::D => Text::new("Tidak baik", "Very poor"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const M17: Method = Method::Permenpanrb14_2017;
    const M04: Method = Method::Kepmenpan25_2004;

    #[test]
    fn codes_and_short_forms_parse_in_any_case() {
        assert_eq!(Method::parse("permenpanrb-14-2017"), Ok(M17));
        assert_eq!(Method::parse("PermenPANRB-14-2017"), Ok(M17));
        assert_eq!(Method::parse("2017"), Ok(M17));
        assert_eq!(Method::parse("KEPMENPAN-25-2004"), Ok(M04));
        assert_eq!(Method::parse(" 2004 "), Ok(M04));
        for m in [M17, M04] {
            assert_eq!(Method::parse(m.code()), Ok(m));
        }
    }

    #[test]
    fn an_unknown_method_is_named_in_the_error() {
        assert_eq!(
            Method::parse("permenpanrb-16-2014"),
            Err(Error::UnknownMethod("permenpanrb-16-2014".into()))
        );
    }

    #[test]
    fn method_serialises_as_its_code() {
        for m in [M17, M04] {
            assert_eq!(
                serde_json::to_string(&m).unwrap(),
                format!("\"{}\"", m.code())
            );
        }
    }

    #[test]
    fn the_2017_method_has_the_nine_unsur_of_the_regulation() {
        let list = M17.unsur();
        assert_eq!(list.len(), 9);
        assert_eq!(list[0], unsur("U1", "Persyaratan"));
        assert_eq!(list[1].name, "Sistem, Mekanisme, dan Prosedur");
        assert_eq!(list[7].name, "Penanganan Pengaduan, Saran dan Masukan");
        assert_eq!(list[8], unsur("U9", "Sarana dan Prasarana"));
    }

    #[test]
    fn the_2004_method_has_fourteen_unsur_numbered_in_order() {
        let list = M04.unsur();
        assert_eq!(list.len(), 14);
        for (i, u) in list.iter().enumerate() {
            assert_eq!(u.id, format!("U{}", i + 1));
        }
        assert_eq!(list[0].name, "Prosedur pelayanan");
        assert_eq!(list[13].name, "Keamanan pelayanan");
    }

    #[test]
    fn printed_weights_are_the_templates_rounded_fractions() {
        assert_eq!(M17.printed_weight(), 0.111);
        assert_eq!(M04.printed_weight(), 0.071);
    }

    #[test]
    fn grade_bands_of_2017_meet_at_their_printed_edges() {
        let cases = [
            (25.0, Grade::D),
            (64.99, Grade::D),
            (65.00, Grade::C),
            (76.60, Grade::C),
            (76.605, Grade::B),
            (76.61, Grade::B),
            (88.30, Grade::B),
            (88.304, Grade::B),
            (88.31, Grade::A),
            (100.0, Grade::A),
        ];
        for (value, grade) in cases {
            assert_eq!(M17.grade(value), grade, "{value}");
        }
    }

    #[test]
    fn a_value_between_two_bands_takes_the_band_it_rounds_into() {
        assert_eq!(M17.grade(64.994), Grade::D);
        assert_eq!(M17.grade(64.995), Grade::C);
        assert_eq!(M17.grade(88.305), Grade::A);
    }

    #[test]
    fn grade_bands_of_2004_meet_at_their_printed_edges() {
        let cases = [
            (25.0, Grade::D),
            (43.75, Grade::D),
            (43.754, Grade::D),
            (43.755, Grade::C),
            (43.76, Grade::C),
            (62.50, Grade::C),
            (62.51, Grade::B),
            (81.25, Grade::B),
            (81.26, Grade::A),
            (100.0, Grade::A),
        ];
        for (value, grade) in cases {
            assert_eq!(M04.grade(value), grade, "{value}");
        }
    }

    #[test]
    fn the_same_value_can_grade_differently_under_each_method() {
        assert_eq!(M17.grade(63.0), Grade::D);
        assert_eq!(M04.grade(63.0), Grade::B);
    }

    #[test]
    fn rounding_to_hundredths_goes_half_up_on_the_written_decimal() {
        assert_eq!(round_to_hundredths(76.605), 76.61);
        assert_eq!(round_to_hundredths(91.475_095), 91.48);
        assert_eq!(round_to_hundredths(88.304), 88.30);
        assert_eq!(round_to_hundredths(1.005), 1.01);
        // Stored just below the half, so `(x * 100.0).round()` alone would round these down.
        assert_eq!(round_to_hundredths(64.085), 64.09);
        assert_eq!(round_to_hundredths(32.035), 32.04);
    }

    #[test]
    fn grades_serialise_as_letters_and_carry_their_labels() {
        assert_eq!(serde_json::to_string(&Grade::A).unwrap(), r#""A""#);
        assert_eq!(Grade::C.letter(), "C");
        assert_eq!(Grade::A.label(), Text::new("Sangat baik", "Very good"));
        assert_eq!(Grade::D.label().id, "Tidak baik");
    }
}
