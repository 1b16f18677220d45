//! Email that is never lost: a real SMTP conversation that fails for a while,
//! refuses, goes down, or hangs while its sender is killed. Every message
//! queued is delivered once, or marked failed with the server's words, and
//! a resend after a crash carries the same Message-ID.

use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::NaiveDateTime;
use concord::outbox::{self, Delivered, Mail, Sender};

use crate::common::mail::{Reply, SmtpServer};
use crate::common::{backend, TestDb};

fn queue(test_db: &TestDb, to: &str, subject: &str) -> i64 {
    test_db
        .db
        .write_blocking(|c| outbox::enqueue(c, &Mail::text(to, subject, "A message from Concord.")))
        .unwrap()
}

fn sender(server: &SmtpServer) -> Sender {
    Sender::new(
        Some(&server.url()),
        None,
        "Concord <no-reply@concord.example>",
        Duration::from_secs(60),
    )
    .unwrap()
}

/// Sends what is due at `now` (off the async runtime: the sender blocks).
async fn deliver(test_db: &TestDb, sender: &Sender, now: NaiveDateTime) -> Delivered {
    let (db, sender) = (test_db.db.clone(), sender.clone());
    tokio::task::spawn_blocking(move || outbox::deliver_due(&db, &sender, now))
        .await
        .unwrap()
        .unwrap()
}

fn status(test_db: &TestDb, id: i64) -> (String, i32, Option<String>) {
    use concord::db::schema::outbox::dsl as o;
    use diesel::prelude::*;
    test_db
        .db
        .read_blocking(|c| {
            Ok(o::outbox
                .find(id)
                .select((o::status, o::attempts, o::last_error))
                .first::<(String, i32, Option<String>)>(c)?)
        })
        .unwrap()
}

fn later(seconds: i64) -> NaiveDateTime {
    concord::db::now() + chrono::Duration::seconds(seconds)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_temporary_refusal_is_retried_later_with_the_same_message_id() {
    let test_db = TestDb::new(backend());
    let server = SmtpServer::start().await;
    server.then(&[Reply::Temporary]);
    let sender = sender(&server);
    let id = queue(&test_db, "kerra@cornwall.example", "Review due");

    let first = deliver(&test_db, &sender, concord::db::now()).await;
    assert_eq!(
        first,
        Delivered {
            sent: 0,
            retrying: 1,
            failed: 0
        }
    );
    let (s, attempts, error) = status(&test_db, id);
    assert_eq!((s.as_str(), attempts), ("queued", 1));
    assert!(
        error.unwrap().contains("451"),
        "the server's answer is kept"
    );

    // Not before its retry time ...
    let early = deliver(&test_db, &sender, later(30)).await;
    assert_eq!(early, Delivered::default());
    // ... and then sent.
    let second = deliver(&test_db, &sender, later(61)).await;
    assert_eq!(
        second,
        Delivered {
            sent: 1,
            retrying: 0,
            failed: 0
        }
    );
    assert_eq!(status(&test_db, id), ("sent".to_string(), 2, None));

    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].1.message_id, seen[1].1.message_id);
    assert!(seen[0].1.message_id.ends_with("@concord.example"));
    assert_eq!(server.accepted().len(), 1);
    assert_eq!(server.accepted()[0].to, "kerra@cornwall.example");
    assert_eq!(server.accepted()[0].subject, "Review due");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_permanent_refusal_is_marked_failed_and_others_still_go() {
    let test_db = TestDb::new(backend());
    let server = SmtpServer::start().await;
    server.then(&[Reply::Permanent]);
    let sender = sender(&server);
    let refused = queue(&test_db, "nobody@cornwall.example", "Invitation");
    let fine = queue(&test_db, "kerra@cornwall.example", "Invitation");

    let done = deliver(&test_db, &sender, concord::db::now()).await;
    assert_eq!(
        done,
        Delivered {
            sent: 1,
            retrying: 0,
            failed: 1
        }
    );
    let (s, attempts, error) = status(&test_db, refused);
    assert_eq!((s.as_str(), attempts), ("failed", 1));
    assert!(error.unwrap().contains("550"));
    assert_eq!(status(&test_db, fine).0, "sent");
    // A failed message is not tried again.
    assert_eq!(
        deliver(&test_db, &sender, later(86_400)).await,
        Delivered::default()
    );
    assert_eq!(server.attempts(), 2);

    // An admin's retry queues it once more.
    test_db
        .db
        .write_blocking(|c| outbox::retry(c, refused))
        .unwrap();
    assert_eq!(deliver(&test_db, &sender, later(1)).await.sent, 1);
    assert_eq!(server.accepted().len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn mail_waits_while_the_server_is_down_and_goes_when_it_is_back() {
    let test_db = TestDb::new(backend());
    let server = SmtpServer::start().await;
    let sender = sender(&server);
    let port = server.stop();
    let ids: Vec<i64> = (0..3)
        .map(|i| queue(&test_db, &format!("person{i}@leeds.example"), "Digest"))
        .collect();

    // Down: one attempt fails and the pass stops there (the rest wait).
    let down = deliver(&test_db, &sender, concord::db::now()).await;
    assert_eq!(
        down,
        Delivered {
            sent: 0,
            retrying: 1,
            failed: 0
        }
    );
    let attempts: Vec<i32> = ids.iter().map(|id| status(&test_db, *id).1).collect();
    assert_eq!(attempts, vec![1, 0, 0]);

    // Back on the same port: everything goes, each once.
    let server = SmtpServer::on(port).await;
    let up = deliver(&test_db, &sender, later(61)).await;
    assert_eq!(
        up,
        Delivered {
            sent: 3,
            retrying: 0,
            failed: 0
        }
    );
    let mut to: Vec<String> = server.accepted().into_iter().map(|m| m.to).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "person0@leeds.example",
            "person1@leeds.example",
            "person2@leeds.example"
        ]
    );
    assert_eq!(
        deliver(&test_db, &sender, later(3_600)).await,
        Delivered::default()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn retries_stop_after_the_last_attempt_with_the_error_kept() {
    let test_db = TestDb::new(backend());
    let server = SmtpServer::start().await;
    server.then(&[Reply::Temporary; outbox::MAX_ATTEMPTS as usize]);
    let sender = sender(&server);
    let id = queue(&test_db, "kerra@cornwall.example", "Reminder");
    let mut at = 0;
    for _ in 0..outbox::MAX_ATTEMPTS {
        deliver(&test_db, &sender, later(at)).await;
        at += 13 * 3_600;
    }
    let (s, attempts, error) = status(&test_db, id);
    assert_eq!((s.as_str(), attempts), ("failed", outbox::MAX_ATTEMPTS));
    assert!(error.unwrap().contains("451"));
    assert_eq!(server.attempts(), outbox::MAX_ATTEMPTS as usize);
}

/// The sender is killed after the server has the message but before it says
/// so. Once the lease runs out the next worker sends it again with the same
/// Message-ID: delivered at least once, and the copy can be recognised.
#[tokio::test(flavor = "multi_thread")]
async fn a_worker_killed_mid_send_leaves_the_message_to_the_next_one() {
    let test_db = TestDb::new(backend());
    let server = SmtpServer::start().await;
    server.then(&[Reply::Hang]);
    let id = queue(&test_db, "kerra@cornwall.example", "Invitation");
    let worker = |url: &str| {
        Command::new(env!("CARGO_BIN_EXE_concord"))
            .args(["worker", "--once", "--database-url", &test_db.url])
            .args(["--smtp-url", url, "--mail-lease-seconds", "1"])
            .args(["--mail-from", "Concord <no-reply@concord.example>"])
            .env("CONCORD_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut first = worker(&server.url());
    for _ in 0..200 {
        if server.attempts() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(server.attempts(), 1, "the server has the message");
    first.kill().unwrap();
    first.wait().unwrap();
    assert_eq!(
        status(&test_db, id).0,
        "sending",
        "nobody knows it was sent"
    );

    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let out = tokio::task::spawn_blocking({
        let second = worker(&server.url());
        move || second.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("1 email(s) sent"), "{said}");
    assert_eq!(status(&test_db, id).0, "sent");
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].1.message_id, seen[1].1.message_id);
    assert_eq!(server.accepted().len(), 1);
}

/// Two senders (as two instances would run) over one queue: every message
/// goes exactly once.
#[tokio::test(flavor = "multi_thread")]
async fn two_senders_send_each_message_once() {
    let test_db = TestDb::new(backend());
    let server = SmtpServer::start().await;
    for i in 0..60 {
        queue(&test_db, &format!("person{i}@leeds.example"), "Digest");
    }
    let instances: Vec<concord::db::Db> = (0..2)
        .map(|_| concord::db::Db::connect(&test_db.url, 2).unwrap())
        .collect();
    let senders: Vec<_> = instances
        .into_iter()
        .map(|db| {
            let s = sender(&server);
            tokio::task::spawn_blocking(move || {
                outbox::deliver_due(&db, &s, concord::db::now()).unwrap()
            })
        })
        .collect();
    let mut sent = 0;
    for s in senders {
        sent += s.await.unwrap().sent;
    }
    assert_eq!(sent, 60);
    let mut to: Vec<String> = server.accepted().into_iter().map(|m| m.to).collect();
    assert_eq!(to.len(), 60, "none twice");
    to.sort();
    to.dedup();
    assert_eq!(to.len(), 60);
    assert_eq!(test_db.count("outbox WHERE status = 'sent'"), 60);
}
