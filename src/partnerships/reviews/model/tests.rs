use super::*;
use crate::partnerships::model::ActiveMember;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn members() -> ActiveMembers {
    ActiveMembers(vec![
        ActiveMember {
            organisation_id: 1,
            code: "BIR".into(),
            name: "Birmingham City Council".into(),
        },
        ActiveMember {
            organisation_id: 2,
            code: "LDS".into(),
            name: "Leeds City Council".into(),
        },
    ])
}

fn review(actions: Vec<ActionDraft>) -> ReviewDraft {
    ReviewDraft {
        held_on: Some(d(2026, 3, 1)),
        findings: "Savings on track".into(),
        decision: "continue".into(),
        actions,
    }
}

fn action(description: &str, owner: &str, due_on: Option<NaiveDate>) -> ActionDraft {
    ActionDraft {
        description: description.into(),
        owner: owner.into(),
        due_on,
    }
}

fn parse(
    draft: &ReviewDraft,
    today: NaiveDate,
    names: &ActionNames,
) -> Result<ReviewInput, Vec<FieldError>> {
    let members = members();
    ReviewInput::parse(
        draft,
        &ReviewContext {
            today,
            members: &members,
            names,
        },
    )
}

fn messages(r: Result<ReviewInput, Vec<FieldError>>) -> Vec<(String, String)> {
    r.unwrap_err()
        .into_iter()
        .map(|e| (e.field, e.message))
        .collect()
}

#[test]
fn statuses_come_from_the_dates() {
    let today = d(2026, 6, 1);
    assert_eq!(status(d(2026, 5, 31), None, today), ActionStatus::Overdue);
    assert_eq!(
        status(d(2026, 6, 1), None, today),
        ActionStatus::Open,
        "due today is not yet overdue"
    );
    assert_eq!(
        status(d(2026, 5, 1), Some(d(2026, 5, 20)), today),
        ActionStatus::Done
    );
}

#[test]
fn a_review_needs_a_past_date_findings_and_a_decision() {
    let today = d(2026, 3, 1);
    assert_eq!(
        parse(&review(vec![]), today, &ActionNames::Api),
        Ok(ReviewInput {
            held_on: today,
            findings: "Savings on track".into(),
            decision: Decision::Continue,
            actions: vec![],
        }),
        "held today is fine"
    );
    let bad = ReviewDraft {
        held_on: Some(d(2026, 3, 2)),
        findings: " ".into(),
        decision: "shrug".into(),
        actions: vec![],
    };
    assert_eq!(
        messages(parse(&bad, today, &ActionNames::Api)),
        [
            (
                "held_on".into(),
                "The date the review was held must be today or in the past".into()
            ),
            ("findings".into(), "Enter what the review found".into()),
            (
                "decision".into(),
                "Select the review's decision: continue, improve, renegotiate or exit".into()
            ),
        ]
    );
    let undated = ReviewDraft {
        held_on: None,
        ..review(vec![])
    };
    assert_eq!(
        messages(parse(&undated, today, &ActionNames::Api))[0].1,
        "Enter the date the review was held"
    );
    let ancient = ReviewDraft {
        held_on: Some(d(1026, 3, 1)),
        ..review(vec![])
    };
    assert_eq!(
        messages(parse(&ancient, today, &ActionNames::Api)),
        [(
            "held_on".into(),
            "The date the review was held must be between 1900 and 2200".into()
        )]
    );
    let long = ReviewDraft {
        findings: "x".repeat(MAX_TEXT + 1),
        ..review(vec![])
    };
    assert_eq!(
        messages(parse(&long, today, &ActionNames::Api)),
        [(
            "findings".into(),
            format!("Findings must be {MAX_TEXT} characters or fewer")
        )]
    );
}

#[test]
fn each_action_needs_a_description_a_member_owner_and_a_due_date() {
    let today = d(2026, 3, 1);
    let ok = review(vec![
        action(" Renegotiate the licence ", "lds", Some(d(2026, 9, 1))),
        action("Report to cabinet", "BIR", Some(d(2026, 3, 1))),
    ]);
    assert_eq!(
        parse(&ok, today, &ActionNames::Api).unwrap().actions,
        vec![
            ActionInput {
                description: "Renegotiate the licence".into(),
                owner: 2,
                due_on: d(2026, 9, 1)
            },
            ActionInput {
                description: "Report to cabinet".into(),
                owner: 1,
                due_on: d(2026, 3, 1)
            },
        ]
    );
    let bad = review(vec![
        action("", "CON", Some(d(2026, 2, 1))),
        action("Tell the press", "", None),
    ]);
    assert_eq!(
        messages(parse(&bad, today, &ActionNames::Api)),
        [
            (
                "actions[0].description".into(),
                "Action 1: enter a description of the action".into()
            ),
            (
                "actions[0].owner".into(),
                "Action 1: CON is not an active member of this partnership".into()
            ),
            (
                "actions[0].due_on".into(),
                "Action 1: the due date must be on or after the date the review was held".into()
            ),
            (
                "actions[1].owner".into(),
                "Action 2: select the organisation that owns it".into()
            ),
            (
                "actions[1].due_on".into(),
                "Action 2: enter the due date".into()
            ),
        ]
    );
    // The form names rows its own way.
    let one = review(vec![action("Tell the press", "", Some(d(2026, 4, 1)))]);
    assert_eq!(
        messages(parse(&one, today, &ActionNames::FormRows(vec![2]))),
        [(
            "action2_owner".into(),
            "Action 2: select the organisation that owns it".into()
        )]
    );
    let odd = review(vec![
        action(&"x".repeat(MAX_ACTION_TEXT + 1), "BIR", Some(d(2026, 4, 1))),
        action("Tell the press", "BIR", Some(d(2300, 4, 1))),
    ]);
    assert_eq!(
        messages(parse(&odd, today, &ActionNames::Api)),
        [
            (
                "actions[0].description".into(),
                format!("Action 1: the description must be {MAX_ACTION_TEXT} characters or fewer")
            ),
            (
                "actions[1].due_on".into(),
                "Action 2: the due date must be between 1900 and 2200".into()
            ),
        ]
    );
    let many = review(
        (0..=MAX_ACTIONS)
            .map(|_| action("x", "BIR", Some(d(2026, 4, 1))))
            .collect(),
    );
    assert_eq!(
        messages(parse(&many, today, &ActionNames::Api))[0].0,
        "actions"
    );
}

#[test]
fn actions_still_to_do_come_first_soonest_due_first() {
    let view = |id: i64, due: NaiveDate, done: Option<NaiveDate>| ActionView {
        owner_id: 0,
        id,
        review_id: 1,
        review_held_on: d(2026, 1, 1),
        description: format!("Action {id}"),
        owner_code: "BIR".into(),
        owner_name: "Birmingham City Council".into(),
        due_on: due,
        done_on: done,
        status: status(due, done, d(2026, 3, 1)),
    };
    let reviews = vec![ReviewView {
        id: 1,
        held_on: d(2026, 1, 1),
        findings: String::new(),
        decision: Decision::Continue,
        created_at: crate::time::Timestamp::default(),
        actions: vec![
            view(1, d(2026, 2, 1), Some(d(2026, 2, 1))),
            view(2, d(2026, 6, 1), None),
            view(3, d(2026, 2, 15), None),
        ],
    }];
    let ids: Vec<i64> = all_actions(&reviews).iter().map(|a| a.id).collect();
    assert_eq!(ids, [3, 2, 1]);
    assert_eq!(cadence_label(Some(1)), "Every month");
    assert_eq!(cadence_label(Some(12)), "Every 12 months");
    assert_eq!(cadence_label(None), "No review cadence set");
}
