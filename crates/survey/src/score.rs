//! The IKM (Indeks Kepuasan Masyarakat) from per-unsur sums, as PermenPANRB 14/2017 computes it.
//!
//! Scoring starts from [`UnsurTally`] — a sum and a count per unsur — rather than from
//! questionnaires, so a device can compute a report straight from a `GROUP BY` over thousands
//! of stored answers, and a province can add up its units' tallies without their raw data.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::method::{Grade, Method};

/// How each unsur's NRR is weighted.
///
/// The official spreadsheet template prints 1/9 rounded to 0,111, and reports made with it come
/// out lower than the exact computation (91,38 against 91,48 on one published data set). Exact
/// is the regulation's intent and the default; Template exists only to reproduce such a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weighting {
    /// 1 ÷ the number of unsur.
    #[default]
    Exact,
    /// The template's printed weight, [`Method::printed_weight`].
    Template,
}

impl Weighting {
    /// Reads `exact` or `template`, ignoring case and surrounding spaces.
    pub fn parse(s: &str) -> Result<Weighting> {
        let name = s.trim();
        [Weighting::Exact, Weighting::Template]
            .into_iter()
            .find(|w| name.eq_ignore_ascii_case(w.code()))
            .ok_or_else(|| Error::UnknownWeighting(s.to_owned()))
    }

    /// The name [`Weighting::parse`] reads, as it is printed in reports.
    pub fn code(self) -> &'static str {
        match self {
            Weighting::Exact => "exact",
            Weighting::Template => "template",
        }
    }
}

/// Sum and count of one unsur's scores over a set of questionnaires (what a SQL GROUP BY gives).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnsurTally {
    /// The method's unsur id, e.g. `"U1"`.
    pub id: String,
    /// Sum of the scores given.
    pub total: u64,
    /// Number of questionnaires that answered this unsur.
    pub n: u64,
}

/// One unsur's line in the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnsurResult {
    /// The method's unsur id.
    pub id: String,
    /// The unsur's name in the regulation.
    pub name: String,
    /// Questionnaires that answered it.
    pub n: u64,
    /// Sum of their scores.
    pub total: u64,
    /// Nilai rata-rata: `total / n`, 1–4.
    pub nrr: Option<f64>,
    /// NRR tertimbang: NRR × the report's weight.
    pub weighted: Option<f64>,
    /// NRR × 25, on the 25–100 scale of the IKM.
    pub converted: Option<f64>,
    /// The mutu pelayanan of `converted`.
    pub grade: Option<Grade>,
}

/// The IKM of a set of questionnaires, with every figure a report prints.
///
/// Values are unrounded; print them with
/// [`round_to_hundredths`](crate::round_to_hundredths) so each figure agrees with its grade.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IkmReport {
    /// The method the figures follow.
    pub method: Method,
    /// How the NRR were weighted.
    pub weighting: Weighting,
    /// The weight each unsur with data carried.
    pub weight: f64,
    /// Questionnaires in the set.
    pub n: u64,
    /// Nilai interval konversi, 25–100; `None` when there is no data.
    pub ikm: Option<f64>,
    /// Nilai interval, 1–4.
    pub ikm_interval: Option<f64>,
    /// The mutu pelayanan of `ikm`.
    pub grade: Option<Grade>,
    /// The grade's Indonesian label, e.g. "Sangat baik", as reports print it.
    pub grade_label: Option<String>,
    /// Every unsur of the method, in its order.
    pub unsur: Vec<UnsurResult>,
    /// The unsur with the lowest NRR (the first in order on a tie): the follow-up priority.
    pub weakest: Option<String>,
    /// The unsur with the highest NRR (the first in order on a tie).
    pub strongest: Option<String>,
}

/// Computes the IKM of `n` questionnaires from their per-unsur tallies.
///
/// `tallies` may come in any order and may omit unsur; tallies for ids the method does not have
/// are ignored, and several tallies for one unsur are added up. Each unsur's NRR is its
/// `total / n`; the IKM interval is Σ NRR × weight and the converted IKM is that × 25. Nothing
/// is rounded on the way.
///
/// An unsur with no answers (n = 0) gets no NRR, converted value or grade, and is left out of
/// the sum. With [`Weighting::Exact`] the weight is 1 ÷ the number of unsur that *have* data,
/// so an IKM is still the mean NRR × 25 and a set of all-4 answers still gives exactly 100
/// when, say, a unit charges no fee and skips U4. With [`Weighting::Template`] the printed
/// weight stays as it is, as it would in the spreadsheet, and a missing unsur lowers the IKM.
pub fn compute(method: Method, weighting: Weighting, n: u64, tallies: &[UnsurTally]) -> IkmReport {
    let mut unsur: Vec<UnsurResult> = method
        .unsur()
        .iter()
        .map(|u| {
            let (total, count) = tallies
                .iter()
                .filter(|t| t.id == u.id)
                .fold((0, 0), |(total, count), t| (total + t.total, count + t.n));
            let nrr = (count > 0).then(|| total as f64 / count as f64);
            let converted = nrr.map(|nrr| nrr * 25.0);
            UnsurResult {
                id: u.id.to_owned(),
                name: u.name.to_owned(),
                n: count,
                total,
                nrr,
                weighted: None,
                converted,
                grade: converted.map(|c| method.grade(c)),
            }
        })
        .collect();

    let nrrs: Vec<f64> = unsur.iter().filter_map(|u| u.nrr).collect();
    let weight = match weighting {
        // With no data at all, the nominal 1/k of the method.
        Weighting::Exact if nrrs.is_empty() => 1.0 / unsur.len() as f64,
        Weighting::Exact => 1.0 / nrrs.len() as f64,
        Weighting::Template => method.printed_weight(),
    };
    for u in &mut unsur {
        u.weighted = u.nrr.map(|nrr| nrr * weight);
    }
    let ikm_interval = (!nrrs.is_empty()).then(|| {
        let sum: f64 = nrrs.iter().sum();
        match weighting {
            // The mean, by one correctly rounded division rather than through an inexact 1/k:
            // the mean of equal NRRs is then provably that NRR, so all-4 answers give exactly
            // 100 (adding up 4 × 1/9 nine times does not).
            Weighting::Exact => sum / nrrs.len() as f64,
            Weighting::Template => sum * weight,
        }
    });
    let ikm = ikm_interval.map(|interval| interval * 25.0);
    let grade = ikm.map(|ikm| method.grade(ikm));

    IkmReport {
        method,
        weighting,
        weight,
        n,
        ikm,
        ikm_interval,
        grade,
        grade_label: grade.map(|g| g.label().id),
        weakest: extreme(&unsur, |candidate, best| candidate < best),
        strongest: extreme(&unsur, |candidate, best| candidate > best),
        unsur,
    }
}

/// The id of the unsur whose NRR beats every earlier one, so ties go to the first in order.
fn extreme(unsur: &[UnsurResult], beats: fn(f64, f64) -> bool) -> Option<String> {
    unsur
        .iter()
        .filter_map(|u| Some((u, u.nrr?)))
        .reduce(|best, next| if beats(next.1, best.1) { next } else { best })
        .map(|(u, _)| u.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::method::round_to_hundredths;
    use proptest::prelude::*;

    const M17: Method = Method::Permenpanrb14_2017;

    /// The published data set of n = 29 questionnaires.
    const PUBLISHED_TOTALS: [u64; 9] = [105, 101, 100, 116, 102, 105, 106, 105, 115];

    fn tallies(totals: &[u64], n: u64) -> Vec<UnsurTally> {
        totals
            .iter()
            .enumerate()
            .map(|(i, &total)| UnsurTally {
                id: format!("U{}", i + 1),
                total,
                n,
            })
            .collect()
    }

    fn published(weighting: Weighting) -> IkmReport {
        compute(M17, weighting, 29, &tallies(&PUBLISHED_TOTALS, 29))
    }

    #[test]
    fn exact_weight_reproduces_the_published_91_48() {
        let report = published(Weighting::Exact);
        assert_eq!(round_to_hundredths(report.ikm.unwrap()), 91.48);
        assert_eq!(report.weight, 1.0 / 9.0);
        assert_eq!(report.grade, Some(Grade::A));
        assert_eq!(report.grade_label.as_deref(), Some("Sangat baik"));
        assert_eq!(report.n, 29);
    }

    #[test]
    fn template_weight_reproduces_the_published_91_38() {
        let report = published(Weighting::Template);
        assert_eq!(round_to_hundredths(report.ikm.unwrap()), 91.38);
        assert_eq!(report.weight, 0.111);
    }

    #[test]
    fn a_weight_of_0_11_would_give_the_published_90_56() {
        // Computed independently of `compute`, to show what the 0,11 convention does to the
        // same data and that it differs from both supported weightings.
        let sum_nrr: f64 = PUBLISHED_TOTALS.iter().map(|&t| t as f64 / 29.0).sum();
        let ikm = sum_nrr * 0.11 * 25.0;
        assert_eq!(round_to_hundredths(ikm), 90.56);
        for weighting in [Weighting::Exact, Weighting::Template] {
            assert_ne!(
                round_to_hundredths(published(weighting).ikm.unwrap()),
                90.56
            );
        }
    }

    #[test]
    fn each_unsur_reports_its_nrr_converted_value_and_grade() {
        let report = published(Weighting::Exact);
        let u4 = &report.unsur[3];
        assert_eq!((u4.id.as_str(), u4.name.as_str()), ("U4", "Biaya/Tarif"));
        assert_eq!((u4.n, u4.total), (29, 116));
        assert_eq!(u4.nrr, Some(4.0));
        assert_eq!(u4.converted, Some(100.0));
        assert_eq!(u4.weighted, Some(4.0 / 9.0));
        assert_eq!(u4.grade, Some(Grade::A));
        let u3 = &report.unsur[2];
        assert_eq!(round_to_hundredths(u3.converted.unwrap()), 86.21);
        assert_eq!(u3.grade, Some(Grade::B));
    }

    #[test]
    fn the_interval_is_the_converted_ikm_over_25() {
        let report = published(Weighting::Exact);
        let interval = report.ikm_interval.unwrap();
        assert_eq!(interval * 25.0, report.ikm.unwrap());
        assert!((interval - 955.0 / 29.0 / 9.0).abs() < 1e-12);
    }

    #[test]
    fn weakest_and_strongest_follow_the_nrr() {
        let report = published(Weighting::Exact);
        assert_eq!(report.weakest.as_deref(), Some("U3"));
        assert_eq!(report.strongest.as_deref(), Some("U4"));
    }

    #[test]
    fn ties_name_the_first_unsur_in_order() {
        let report = compute(M17, Weighting::Exact, 10, &tallies(&[30; 9], 10));
        assert_eq!(report.weakest.as_deref(), Some("U1"));
        assert_eq!(report.strongest.as_deref(), Some("U1"));
        let mut totals = [30; 9];
        totals[4] = 20;
        totals[7] = 20;
        totals[2] = 40;
        totals[6] = 40;
        let report = compute(M17, Weighting::Exact, 10, &tallies(&totals, 10));
        assert_eq!(report.weakest.as_deref(), Some("U5"));
        assert_eq!(report.strongest.as_deref(), Some("U3"));
    }

    #[test]
    fn all_fours_give_exactly_100() {
        for n in [1, 3, 7, 29, 4901] {
            let report = compute(M17, Weighting::Exact, n, &tallies(&[4 * n; 9], n));
            assert_eq!(report.ikm, Some(100.0), "n = {n}");
            assert_eq!(report.ikm_interval, Some(4.0));
        }
        let m04 = Method::Kepmenpan25_2004;
        let report = compute(m04, Weighting::Exact, 5, &tallies(&[20; 14], 5));
        assert_eq!(report.ikm, Some(100.0));
    }

    #[test]
    fn all_fours_give_exactly_100_however_many_unsur_have_data() {
        let m04 = Method::Kepmenpan25_2004;
        for k in 1..=14 {
            let report = compute(m04, Weighting::Exact, 3, &tallies(&vec![12; k], 3));
            assert_eq!(report.ikm, Some(100.0), "{k} unsur");
        }
    }

    #[test]
    fn all_ones_give_exactly_25() {
        let report = compute(M17, Weighting::Exact, 12, &tallies(&[12; 9], 12));
        assert_eq!(report.ikm, Some(25.0));
        assert_eq!(report.grade, Some(Grade::D));
    }

    #[test]
    fn tallies_may_come_in_any_order() {
        let mut shuffled = tallies(&PUBLISHED_TOTALS, 29);
        shuffled.reverse();
        shuffled.swap(0, 4);
        assert_eq!(
            compute(M17, Weighting::Exact, 29, &shuffled),
            published(Weighting::Exact)
        );
    }

    #[test]
    fn an_unsur_without_answers_is_left_out_and_exact_weight_follows() {
        // U4 omitted: a unit that charges nothing and does not ask.
        let mut t = tallies(&[40; 9], 10);
        t.remove(3);
        let report = compute(M17, Weighting::Exact, 10, &t);
        assert_eq!(report.ikm, Some(100.0));
        assert_eq!(report.weight, 1.0 / 8.0);
        let u4 = &report.unsur[3];
        assert_eq!(
            (u4.n, u4.nrr, u4.converted, u4.grade),
            (0, None, None, None)
        );
        assert_eq!(u4.weighted, None);
        assert_eq!(report.unsur.len(), 9);
    }

    #[test]
    fn template_weight_does_not_stretch_over_a_missing_unsur() {
        let mut t = tallies(&[40; 9], 10);
        t.remove(3);
        let report = compute(M17, Weighting::Template, 10, &t);
        assert_eq!(report.weight, 0.111);
        assert!((report.ikm.unwrap() - 8.0 * 4.0 * 0.111 * 25.0).abs() < 1e-9);
    }

    #[test]
    fn tallies_for_unknown_unsur_are_ignored() {
        let mut t = tallies(&PUBLISHED_TOTALS, 29);
        t.push(UnsurTally {
            id: "U10".into(),
            total: 29,
            n: 29,
        });
        assert_eq!(
            compute(M17, Weighting::Exact, 29, &t),
            published(Weighting::Exact)
        );
    }

    #[test]
    fn tallies_for_one_unsur_add_up() {
        let mut t = tallies(&PUBLISHED_TOTALS, 29);
        t.push(UnsurTally {
            id: "U1".into(),
            total: 1,
            n: 1,
        });
        let u1 = &compute(M17, Weighting::Exact, 30, &t).unsur[0];
        assert_eq!((u1.total, u1.n), (106, 30));
    }

    #[test]
    fn no_data_gives_no_index() {
        let report = compute(M17, Weighting::Exact, 0, &[]);
        assert_eq!(report.ikm, None);
        assert_eq!(report.ikm_interval, None);
        assert_eq!(report.grade, None);
        assert_eq!(report.grade_label, None);
        assert_eq!(report.weakest, None);
        assert_eq!(report.strongest, None);
        assert_eq!(report.weight, 1.0 / 9.0);
        assert!(report.unsur.iter().all(|u| u.n == 0 && u.nrr.is_none()));
    }

    #[test]
    fn the_2004_method_weighs_fourteen_unsur() {
        let report = compute(
            Method::Kepmenpan25_2004,
            Weighting::Exact,
            10,
            &tallies(&[30; 14], 10),
        );
        assert_eq!(report.weight, 1.0 / 14.0);
        assert_eq!(report.ikm, Some(75.0));
        assert_eq!(report.grade, Some(Grade::B));
        assert_eq!(report.unsur.len(), 14);
    }

    #[test]
    fn weightings_parse_by_name() {
        assert_eq!(Weighting::parse("exact"), Ok(Weighting::Exact));
        assert_eq!(Weighting::parse(" Template "), Ok(Weighting::Template));
        assert_eq!(
            Weighting::parse("0.11"),
            Err(Error::UnknownWeighting("0.11".into()))
        );
        assert_eq!(Weighting::default(), Weighting::Exact);
        for w in [Weighting::Exact, Weighting::Template] {
            assert_eq!(Weighting::parse(w.code()), Ok(w));
            assert_eq!(
                serde_json::to_string(&w).unwrap(),
                format!("\"{}\"", w.code())
            );
        }
    }

    fn questionnaires() -> impl Strategy<Value = Vec<[u8; 9]>> {
        proptest::collection::vec(proptest::array::uniform9(1u8..=4), 1..200)
    }

    proptest! {
        #[test]
        fn exact_ikm_of_complete_questionnaires_is_25_times_the_mean_score(rows in questionnaires()) {
            let n = rows.len() as u64;
            let mut totals = [0u64; 9];
            for row in &rows {
                for (total, &score) in totals.iter_mut().zip(row) {
                    *total += u64::from(score);
                }
            }
            let all: u64 = rows.iter().flatten().map(|&s| u64::from(s)).sum();
            let expected = 25.0 * all as f64 / (n * 9) as f64;

            let report = compute(M17, Weighting::Exact, n, &tallies(&totals, n));
            prop_assert!((report.ikm.unwrap() - expected).abs() < 1e-9);
            prop_assert!((25.0..=100.0).contains(&report.ikm.unwrap()));
        }
    }
}
