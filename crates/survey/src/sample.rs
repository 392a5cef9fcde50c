//! How many respondents a unit needs: the Krejcie & Morgan minimum sample.

/// χ² for one degree of freedom at α = 0,05.
const CHI_SQUARED: f64 = 3.841;
/// The assumed population proportion; 0,5 gives the largest, safest sample.
const P: f64 = 0.5;
/// The margin of error.
const D: f64 = 0.05;

/// Krejcie & Morgan minimum sample: S = χ²NP(1−P)/(d²(N−1)+χ²P(1−P)), χ²=3.841, P=0.5, d=0.05, rounded half-up.
///
/// `population` is the number of service users in the previous period. The result is rounded
/// half-up, not up, to match the published table: 100 000 users need 383 respondents (some
/// copies of the table print 384, which is the figure for a million).
///
/// ```
/// assert_eq!(simpul_survey::krejcie_morgan(1000), 278);
/// ```
pub fn krejcie_morgan(population: u64) -> u64 {
    if population == 0 {
        return 0;
    }
    let n = population as f64;
    let variance = CHI_SQUARED * P * (1.0 - P);
    let s = variance * n / (D * D * (n - 1.0) + variance);
    s.round() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_table_rows_are_reproduced() {
        let rows = [
            (10, 10),
            (50, 44),
            (100, 80),
            (200, 132),
            (500, 217),
            (1000, 278),
            (5000, 357),
            (10000, 370),
            (1000000, 384),
        ];
        for (population, sample) in rows {
            assert_eq!(krejcie_morgan(population), sample, "N = {population}");
        }
    }

    #[test]
    fn a_hundred_thousand_users_need_383_not_384() {
        assert_eq!(krejcie_morgan(100_000), 383);
    }

    #[test]
    fn no_users_need_no_respondents_and_one_user_needs_one() {
        assert_eq!(krejcie_morgan(0), 0);
        assert_eq!(krejcie_morgan(1), 1);
    }

    #[test]
    fn the_sample_grows_with_the_population_but_never_exceeds_it() {
        let mut previous = 0;
        for population in 1..5000 {
            let s = krejcie_morgan(population);
            assert!(s <= population, "N = {population}");
            assert!(s >= previous, "N = {population}");
            previous = s;
        }
        assert_eq!(krejcie_morgan(u64::MAX), 384);
    }
}
