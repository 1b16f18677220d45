//! Red, amber or green for one progress update: how far the measure has moved
//! from its baseline towards its target, against how much of the time from
//! start to due date has gone.

use chrono::NaiveDate;

use super::model::Rag;

/// Slack for floating-point arithmetic, so that exactly on a boundary counts
/// as on it (0.5 - 0.1 is not exactly 0.4 in binary).
const EPSILON: f64 = 1e-9;

/// How far `value` has moved from `baseline` towards `target`: 0 at the
/// baseline, 1 at the target. Works for targets below the baseline too
/// (fewer complaints, shorter waits). `None` if baseline and target are equal.
pub fn progress(baseline: f64, target: f64, value: f64) -> Option<f64> {
    let span = target - baseline;
    if span == 0.0 || !span.is_finite() {
        return None;
    }
    Some((value - baseline) / span)
}

/// The fraction of the time from `start` to `due` that has gone by `on`, 0 to 1.
pub fn expected(start: NaiveDate, due: NaiveDate, on: NaiveDate) -> f64 {
    let total = (due - start).num_days();
    if total <= 0 {
        return 1.0;
    }
    ((on - start).num_days() as f64 / total as f64).clamp(0.0, 1.0)
}

/// Green when the target is met or progress is within 10 points of where it
/// should be by now; amber within 25 points; otherwise red. From the due date
/// on, anything short of the target is red.
pub fn rag(
    baseline: f64,
    target: f64,
    start: NaiveDate,
    due: NaiveDate,
    value: f64,
    on: NaiveDate,
) -> Rag {
    // A target equal to its baseline cannot be saved; treat it as met if reached.
    let Some(progress) = progress(baseline, target, value) else {
        return if value == target {
            Rag::Green
        } else {
            Rag::Red
        };
    };
    if progress >= 1.0 - EPSILON {
        return Rag::Green;
    }
    if on >= due {
        return Rag::Red;
    }
    let expected = expected(start, due, on);
    if progress >= expected - 0.10 - EPSILON {
        Rag::Green
    } else if progress >= expected - 0.25 - EPSILON {
        Rag::Amber
    } else {
        Rag::Red
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    // A 100-day objective from 0 to 100: halfway through, 50% is expected.
    fn start() -> NaiveDate {
        d(2025, 1, 1)
    }

    fn due() -> NaiveDate {
        start() + chrono::Days::new(100)
    }

    fn halfway() -> NaiveDate {
        start() + chrono::Days::new(50)
    }

    #[test]
    fn progress_runs_from_baseline_to_target_either_way() {
        assert_eq!(progress(0.0, 100.0, 25.0), Some(0.25));
        assert_eq!(
            progress(200.0, 100.0, 150.0),
            Some(0.5),
            "a target below the baseline"
        );
        assert_eq!(
            progress(200.0, 100.0, 250.0),
            Some(-0.5),
            "moving the wrong way is negative"
        );
        assert_eq!(progress(10.0, 10.0, 10.0), None);
    }

    #[test]
    fn expected_is_the_fraction_of_time_gone_clamped() {
        assert_eq!(expected(start(), due(), halfway()), 0.5);
        assert_eq!(
            expected(start(), due(), start() - chrono::Days::new(10)),
            0.0
        );
        assert_eq!(expected(start(), due(), due() + chrono::Days::new(10)), 1.0);
        assert_eq!(
            expected(due(), start(), halfway()),
            1.0,
            "a due date before the start counts as all time gone"
        );
    }

    #[test]
    fn green_amber_red_against_time_elapsed() {
        let at = |value: f64| rag(0.0, 100.0, start(), due(), value, halfway());
        assert_eq!(at(50.0), Rag::Green, "on track");
        assert_eq!(
            at(40.0),
            Rag::Green,
            "exactly 10 points behind is still green"
        );
        assert_eq!(at(39.0), Rag::Amber);
        assert_eq!(at(25.0), Rag::Amber, "exactly 25 points behind is amber");
        assert_eq!(at(24.0), Rag::Red);
        assert_eq!(at(-5.0), Rag::Red);
        assert_eq!(at(100.0), Rag::Green, "target met early");
    }

    #[test]
    fn targets_that_go_down() {
        // Cut missed collections from 500 to 300: halfway, 400 is on track.
        let at = |value: f64| rag(500.0, 300.0, start(), due(), value, halfway());
        assert_eq!(at(400.0), Rag::Green);
        assert_eq!(at(430.0), Rag::Amber);
        assert_eq!(at(460.0), Rag::Red);
        assert_eq!(at(520.0), Rag::Red, "worse than the baseline");
        assert_eq!(at(250.0), Rag::Green, "beyond the target");
    }

    #[test]
    fn on_or_after_the_due_date_only_a_met_target_is_green() {
        assert_eq!(rag(0.0, 100.0, start(), due(), 99.0, due()), Rag::Red);
        assert_eq!(
            rag(
                0.0,
                100.0,
                start(),
                due(),
                99.0,
                due() + chrono::Days::new(30)
            ),
            Rag::Red
        );
        assert_eq!(rag(0.0, 100.0, start(), due(), 100.0, due()), Rag::Green);
        assert_eq!(
            rag(
                0.0,
                100.0,
                start(),
                due(),
                120.0,
                due() + chrono::Days::new(1)
            ),
            Rag::Green
        );
        // The day before, 99% is well ahead of 99% expected minus 10 points.
        assert_eq!(
            rag(
                0.0,
                100.0,
                start(),
                due(),
                99.0,
                due() - chrono::Days::new(1)
            ),
            Rag::Green
        );
    }

    #[test]
    fn at_the_start_nothing_is_expected_yet() {
        assert_eq!(rag(0.0, 100.0, start(), due(), 0.0, start()), Rag::Green);
        assert_eq!(
            rag(0.0, 100.0, start(), due(), -10.0, start()),
            Rag::Green,
            "10 points behind nothing expected"
        );
        assert_eq!(rag(0.0, 100.0, start(), due(), -20.0, start()), Rag::Amber);
        assert_eq!(rag(0.0, 100.0, start(), due(), -30.0, start()), Rag::Red);
    }

    #[test]
    fn codes_are_what_the_summary_reads() {
        assert_eq!(
            [Rag::Red.code(), Rag::Amber.code(), Rag::Green.code()],
            ["red", "amber", "green"]
        );
        assert_eq!(Rag::parse("amber"), Some(Rag::Amber));
    }
}
