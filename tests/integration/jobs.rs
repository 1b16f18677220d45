//! Jobs: two instances sharing one database run each job once, scheduled
//! runs are queued once however many instances ask, and a job that fails
//! or panics is retried and then parked with its error.

use std::sync::Mutex;

use chrono::NaiveDateTime;
use concord::db::Db;
use concord::error::AppResult;
use concord::jobs::{self, Kind, Schedule};
use diesel::prelude::*;

use crate::common::{backend, TestDb};

/// What the test kinds did, in order (each test runs in its own process).
static RAN: Mutex<Vec<i64>> = Mutex::new(Vec::new());

fn note(_: &Db, payload: &serde_json::Value) -> AppResult<()> {
    // Long enough for the other instance to try to take the same job.
    std::thread::sleep(std::time::Duration::from_millis(2));
    RAN.lock()
        .unwrap()
        .push(payload["n"].as_i64().unwrap_or(-1));
    Ok(())
}

fn fail(_: &Db, _: &serde_json::Value) -> AppResult<()> {
    Err(concord::error::AppError::Unavailable(
        "the partner system did not answer".into(),
    ))
}

fn panic(_: &Db, _: &serde_json::Value) -> AppResult<()> {
    panic!("a bug in a job")
}

const KINDS: &[Kind] = &[
    Kind {
        name: "note",
        run: note,
        schedule: Schedule::OnDemand,
    },
    Kind {
        name: "hourly",
        run: note,
        schedule: Schedule::Hourly,
    },
    Kind {
        name: "fail",
        run: fail,
        schedule: Schedule::OnDemand,
    },
    Kind {
        name: "panic",
        run: panic,
        schedule: Schedule::OnDemand,
    },
];

fn queue(db: &Db, kind: &str, n: i64) -> i64 {
    db.write_blocking(|c| {
        jobs::enqueue(
            c,
            kind,
            &serde_json::json!({ "n": n }),
            concord::db::now(),
            None,
        )
    })
    .unwrap()
    .unwrap()
}

fn later(seconds: i64) -> NaiveDateTime {
    concord::db::now() + chrono::Duration::seconds(seconds)
}

#[test]
fn two_instances_run_every_job_exactly_once() {
    let test_db = TestDb::new(backend());
    for n in 0..150 {
        queue(&test_db.db, "note", n);
    }
    // Two separate pools on one database, as two processes would have.
    let instances: Vec<Db> = (0..2)
        .map(|_| Db::connect(&test_db.url, 2).unwrap())
        .collect();
    let now = concord::db::now();
    let counts: Vec<usize> = std::thread::scope(|s| {
        let runs: Vec<_> = instances
            .iter()
            .map(|db| s.spawn(move || jobs::run_due(db, KINDS, now).unwrap()))
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let mut ran = RAN.lock().unwrap().clone();
    ran.sort();
    // 150 queued, plus this hour's scheduled run, queued once between them.
    assert_eq!(counts.iter().sum::<usize>(), 151, "ran {counts:?}");
    assert_eq!(ran.len(), 151);
    ran.dedup();
    assert_eq!(ran.len(), 151, "no job ran twice");
    assert_eq!(test_db.count("jobs WHERE status = 'done'"), 151);
    // The next run this hour queues nothing new.
    assert_eq!(jobs::run_due(&instances[0], KINDS, now).unwrap(), 0);
    assert_eq!(test_db.count("jobs WHERE kind = 'hourly'"), 1);
}

#[test]
fn a_failing_job_is_retried_with_backoff_then_parked_with_its_error() {
    let test_db = TestDb::new(backend());
    let db = &test_db.db;
    let id = queue(db, "fail", 0);
    assert_eq!(
        jobs::run_due(db, KINDS, concord::db::now()).unwrap(),
        2,
        "with the hourly run"
    );
    let job = db.read_blocking(|c| jobs::find(c, id)).unwrap();
    assert_eq!((job.status, job.attempts), (jobs::Status::Queued, 1));
    assert!(job.last_error.unwrap().contains("did not answer"));
    // Not again until its wait is over.
    assert_eq!(jobs::run_due(db, &KINDS[2..], later(20)).unwrap(), 0);
    let mut at = 0;
    for _ in 1..job.max_attempts {
        at += 6 * 3_600 + 60;
        assert_eq!(jobs::run_due(db, &KINDS[2..], later(at)).unwrap(), 1);
    }
    let job = db.read_blocking(|c| jobs::find(c, id)).unwrap();
    assert_eq!(job.status, jobs::Status::Failed);
    assert_eq!(job.attempts, job.max_attempts);
    assert_eq!(
        jobs::run_due(db, &KINDS[2..], later(at + 86_400)).unwrap(),
        0,
        "parked"
    );

    // An admin queues it again: it runs, with fresh attempts.
    assert!(db.write_blocking(|c| jobs::retry(c, id)).unwrap());
    assert_eq!(jobs::run_due(db, &KINDS[2..], later(1)).unwrap(), 1);
    let job = db.read_blocking(|c| jobs::find(c, id)).unwrap();
    assert_eq!((job.status, job.attempts), (jobs::Status::Queued, 1));
}

#[test]
fn a_panic_in_a_job_is_an_error_like_any_other_and_the_queue_goes_on() {
    let test_db = TestDb::new(backend());
    let db = &test_db.db;
    let bad = queue(db, "panic", 0);
    let good = queue(db, "note", 7);
    let unknown = queue(db, "no-such-kind", 0);
    jobs::run_due(db, &[KINDS[0], KINDS[3]], concord::db::now()).unwrap();
    let bad = db.read_blocking(|c| jobs::find(c, bad)).unwrap();
    assert_eq!(bad.status, jobs::Status::Queued);
    assert!(bad.last_error.unwrap().contains("a bug in a job"));
    assert_eq!(
        db.read_blocking(|c| jobs::find(c, good)).unwrap().status,
        jobs::Status::Done
    );
    assert_eq!(RAN.lock().unwrap().as_slice(), &[7]);
    let unknown = db.read_blocking(|c| jobs::find(c, unknown)).unwrap();
    assert!(unknown
        .last_error
        .unwrap()
        .contains("no job kind called 'no-such-kind'"));

    // Cancelled jobs stay cancelled.
    assert!(db.write_blocking(|c| jobs::cancel(c, unknown.id)).unwrap());
    assert!(db.write_blocking(|c| jobs::cancel(c, bad.id)).unwrap());
    assert_eq!(jobs::run_due(db, &[KINDS[0]], later(3_600)).unwrap(), 0);
    let statuses: Vec<String> = db
        .read_blocking(|c| {
            use concord::db::schema::jobs::dsl as j;
            Ok(j::jobs.order(j::id).select(j::status).load(c)?)
        })
        .unwrap();
    assert_eq!(statuses, ["cancelled", "done", "cancelled"]);
}
