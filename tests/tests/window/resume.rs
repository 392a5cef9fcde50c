//! Closing the app in the middle of an interview loses nothing.

use std::time::Duration;

use simpul_e2e::window::Window;
use tempfile::TempDir;

use crate::steps::*;

#[test]
fn an_interview_cut_short_by_closing_the_app_resumes_where_it_stopped() {
    let data = TempDir::new().expect("a temporary directory");
    let folder = data.path().join("app");
    {
        let w = Window::open(&app_binary(), &folder, "resume-before");
        first_run_offline(&w);
        go(&w, "interview");
        // The profile and the first two unsur, then the tablet is switched off.
        answer_until(&w, 2, |w| w.exists("answer-U3-2"));
        w.snap("interview-cut-short");
    }

    let w = Window::open(&app_binary(), &folder, "resume-after");
    sign_in_if_asked(&w);
    w.find("screen-home");
    go(&w, "interview");
    assert!(
        w.exists("answer-U3-2"),
        "the interview reopens on the question it stopped at"
    );
    answer_until(&w, 2, |w| w.exists("screen-review"));
    let review = w.text("screen-review");
    assert!(
        review.contains("SMA"),
        "the profile typed before closing is kept: {review}"
    );
    w.click("save");
    w.find("saved-message");
    go(&w, "report");
    w.wait_until("the report to count it", Duration::from_secs(30), |w| {
        number(w, "report-n") == 1
    });
}
