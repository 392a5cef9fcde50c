//! The server as a replica: the follower behind the change log fills the materialised tables
//! without being asked, and a report reads them.

use std::time::{Duration, Instant};

use simpul_server::model::UnitCode;
use simpul_server::report::{ReportFilter, unit_report};
use simpul_survey::Weighting;

use crate::helpers::{SyncRequest, interview_in, spawn_app};

#[tokio::test]
async fn pushed_responses_reach_the_servers_tables_by_themselves() {
    let app = spawn_app().await;
    let tablet = app.device("U-X", "tablet").await;
    let mut batch = interview_in("U-X", 9);
    batch.extend(interview_in("U-X", 9));
    let pushed = app
        .sync(&tablet, SyncRequest::new().push(&batch))
        .await
        .ok();
    assert_eq!(pushed.stored, 18);

    // The follower works behind the push; wait for it, with a generous deadline.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let fresh = app.storage.freshness().unwrap();
        if fresh.behind() == 0 && fresh.head == 18 {
            break;
        }
        assert!(Instant::now() < deadline, "still behind: {fresh:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let unit = UnitCode::parse("U-X").unwrap();
    let report = unit_report(
        app.storage.as_ref(),
        &unit,
        &ReportFilter::default(),
        Weighting::Exact,
    )
    .unwrap();
    assert_eq!(report.n, 2);
    // interview_in answers U1…U9 with 1, 2, 3, 4, 1, 2, 3, 4, 1.
    let nrr: Vec<Option<f64>> = report.unsur.iter().map(|u| u.nrr).collect();
    assert_eq!(nrr[..4], [Some(1.0), Some(2.0), Some(3.0), Some(4.0)]);
}
