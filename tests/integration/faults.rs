//! Faults: real `concord` processes killed, stopped, starved of their
//! database and crowded by a second writer. Acknowledged writes are never
//! lost, and nobody is answered with a 500.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{backend, TestDb};
use concord::db::Backend;

const BIN: &str = env!("CARGO_BIN_EXE_concord");

/// A `concord serve` process on a test database.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(url: &str, extra: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0", "--database-url", url])
            .args(extra)
            .env("CONCORD_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start concord");
        let mut line = String::new();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        while !line.contains("ready at") {
            line.clear();
            assert!(
                out.read_line(&mut line).unwrap() > 0,
                "concord exited before it was ready"
            );
        }
        let base = line
            .split("ready at ")
            .nth(1)
            .unwrap()
            .trim()
            .trim_end_matches('/')
            .to_string();
        Server { child, base }
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to end; how long it took.
    fn wait(mut self, limit: Duration) -> Duration {
        let start = Instant::now();
        while start.elapsed() < limit {
            if self.child.try_wait().unwrap().is_some() {
                return start.elapsed();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("concord did not exit within {limit:?}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .args(args)
        .env("CONCORD_LOG", "warn")
        .output()
        .expect("run concord")
}

/// A demo database with a partners-only partnership Birmingham leads, and a
/// token for its lead: (test database, partnership id, token).
fn prepared() -> (TestDb, i64, String) {
    let test_db = TestDb::with_reference_data(backend());
    let out = run(&[
        "user",
        "token",
        "--email",
        "lead@birmingham.example",
        "--database-url",
        &test_db.url,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let id = test_db
        .db
        .write_blocking(|c| {
            let lead = concord::orgs::store::find(c, "BIR")?;
            let draft = crate::common::partnership_draft("Fault tolerant", "partners");
            let input = concord::partnerships::model::PartnershipInput::parse(&draft).unwrap();
            Ok(concord::partnerships::store::create(
                c,
                &input,
                &lead,
                None,
                &concord::audit::Actor::system("test"),
            )?
            .id)
        })
        .unwrap();
    (test_db, id, token)
}

/// Adds SWOT items `from..to` concurrently; the texts of those acknowledged.
async fn write_items(
    base: &str,
    id: i64,
    token: &str,
    range: std::ops::Range<usize>,
    at_once: usize,
) -> (Vec<String>, Vec<StatusCode>) {
    let http = reqwest::Client::new();
    let url = format!("{base}/api/v1/partnerships/{id}/swot");
    let mut acknowledged = Vec::new();
    let mut others = Vec::new();
    let texts: Vec<String> = range.map(|i| format!("Item {i}")).collect();
    for batch in texts.chunks(at_once) {
        let sends = batch.iter().map(|text| {
            let req = http
                .post(&url)
                .bearer_auth(token)
                .json(&json!({ "quadrant": "strengths", "text": text }));
            async move { (text.clone(), req.send().await) }
        });
        for (text, result) in futures_join(sends).await {
            match result {
                Ok(r) if r.status() == StatusCode::CREATED => acknowledged.push(text),
                Ok(r) => others.push(r.status()),
                Err(_) => {} // the server went away mid-request: not acknowledged
            }
        }
    }
    (acknowledged, others)
}

async fn futures_join<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = futures.map(|f| Box::pin(f)).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await);
    }
    out
}

fn stored_items(test_db: &TestDb) -> Vec<String> {
    use diesel::prelude::*;
    test_db
        .db
        .read_blocking(|c| {
            Ok(concord::db::schema::swot_items::table
                .select(concord::db::schema::swot_items::text)
                .load(c)?)
        })
        .unwrap()
}

/// SIGKILL in the middle of writing: every write the server acknowledged
/// is there after a restart.
#[tokio::test(flavor = "multi_thread")]
async fn a_killed_server_loses_no_acknowledged_write() {
    let (test_db, id, token) = prepared();
    let server = Server::start(&test_db.url, &[]);
    let base = server.base.clone();
    let writer = {
        let (base, token) = (base.clone(), token.clone());
        tokio::spawn(async move { write_items(&base, id, &token, 0..500, 8).await })
    };
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.signal("-KILL");
    server.wait(Duration::from_secs(5));
    let (acknowledged, _) = writer.await.unwrap();
    assert!(
        !acknowledged.is_empty() && acknowledged.len() < 500,
        "the kill came mid-way: {}",
        acknowledged.len()
    );

    let again = Server::start(&test_db.url, &[]);
    let stored = stored_items(&test_db);
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|t| !stored.contains(t))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged writes lost: {lost:?}",
        lost.len()
    );
    // The figures README quotes (`--no-capture` shows them).
    eprintln!(
        "killed mid-way: {} of 500 writes acknowledged, all {} found after restart ({} rows stored)",
        acknowledged.len(),
        acknowledged.len(),
        stored.len()
    );
    // And the restarted server carries on.
    let (more, others) = write_items(&again.base, id, &token, 500..510, 5).await;
    assert_eq!((more.len(), others), (10, vec![]));
}

/// SIGTERM: requests in flight finish, and a client trickling its headers
/// cannot keep the process alive past the deadline.
#[tokio::test(flavor = "multi_thread")]
async fn sigterm_exits_by_the_deadline_whatever_a_slow_client_does() {
    let (test_db, _, _) = prepared();
    let server = Server::start(&test_db.url, &["--shutdown-timeout", "2"]);
    let address = server.base.trim_start_matches("http://").to_string();
    let mut slow = TcpStream::connect(&address).unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let trickle = std::thread::spawn(move || {
        for i in 0..40 {
            if slow
                .write_all(format!("X-Slow-{i}: 1\r\n").as_bytes())
                .is_err()
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    });
    std::thread::sleep(Duration::from_millis(300));
    server.signal("-TERM");
    // The deadline is 2 s and the client would trickle for 10 s: a bound of
    // 6 s tells the two apart without racing a busy machine.
    let took = server.wait(Duration::from_secs(12));
    assert!(took < Duration::from_secs(6), "exited after {took:?}");
    let _ = trickle.join();
}

/// Two instances starting together on an empty PostgreSQL database both
/// come up: migrations take turns.
#[tokio::test(flavor = "multi_thread")]
async fn two_instances_migrate_an_empty_database_together() {
    if backend() != Backend::Postgres {
        return; // SQLite's single writer already serialises them.
    }
    for _ in 0..3 {
        let empty = TestDb::empty_database();
        let (a, b) = (
            Command::new(BIN)
                .args(["migrate", "--database-url", &empty.url])
                .output(),
            Command::new(BIN)
                .args(["migrate", "--database-url", &empty.url])
                .output(),
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
        assert!(b.status.success(), "{}", String::from_utf8_lossy(&b.stderr));
        let tables = empty.db.describe_tables().unwrap();
        assert!(tables.iter().any(|(t, _)| t == "partnerships"));
    }
}

/// Two processes writing to one SQLite file (two servers here; an import
/// beside the server is the same): writes wait their turn, none fails.
#[tokio::test(flavor = "multi_thread")]
async fn a_second_writer_makes_writes_wait_not_fail() {
    if backend() != Backend::Sqlite {
        return; // PostgreSQL has writers wait for rows, never for the whole database.
    }
    let (test_db, id, token) = prepared();
    let (one, two) = (
        Server::start(&test_db.url, &[]),
        Server::start(&test_db.url, &[]),
    );
    let (a, b) = tokio::join!(
        write_items(&one.base, id, &token, 0..200, 4),
        write_items(&two.base, id, &token, 200..400, 4),
    );
    assert_eq!((a.1, b.1), (vec![], vec![]), "every write answered 201");
    let stored = stored_items(&test_db);
    let acknowledged: Vec<String> = a.0.into_iter().chain(b.0).collect();
    assert_eq!(acknowledged.len(), 400);
    assert!(
        acknowledged.iter().all(|t| stored.contains(t)),
        "and every one is there"
    );
}

/// A TCP forwarder to PostgreSQL that can be switched off, standing in for a
/// database server going away and coming back.
struct Link {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    port: u16,
}

impl Link {
    fn open(to: &'static str, port: u16) -> Link {
        use std::sync::atomic::{AtomicBool, Ordering};
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let halt = stop.clone();
        std::thread::spawn(move || {
            let mut pairs: Vec<(TcpStream, TcpStream)> = Vec::new();
            while !halt.load(Ordering::Relaxed) {
                if let Ok((client, _)) = listener.accept() {
                    if let Ok(server) = TcpStream::connect(to) {
                        client.set_nonblocking(false).unwrap();
                        for (mut from, mut into) in [
                            (client.try_clone().unwrap(), server.try_clone().unwrap()),
                            (server.try_clone().unwrap(), client.try_clone().unwrap()),
                        ] {
                            std::thread::spawn(move || {
                                let _ = std::io::copy(&mut from, &mut into);
                                let _ = into.shutdown(std::net::Shutdown::Both);
                            });
                        }
                        pairs.push((client, server));
                    }
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            for (a, b) in pairs {
                let _ = a.shutdown(std::net::Shutdown::Both);
                let _ = b.shutdown(std::net::Shutdown::Both);
            }
        });
        Link { stop, port }
    }

    fn close(&self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// While the database is down, /healthz says so within a second and pages
/// answer 503 at once; when it returns, everything recovers by itself.
#[tokio::test(flavor = "multi_thread")]
async fn a_database_that_goes_away_is_noticed_at_once_and_recovered_from() {
    if backend() != Backend::Postgres {
        return; // An SQLite file does not go away.
    }
    let (test_db, _, _) = prepared();
    let link = Link::open("127.0.0.1:5432", 0);
    let port = link.port;
    let url = test_db
        .url
        .replace("127.0.0.1:5432", &format!("127.0.0.1:{port}"));
    let server = Server::start(&url, &[]);
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(format!("{}{path}", server.base)).send();
    assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK);

    // The bounds below sit well under the pool's 5 s connection timeout,
    // which is what a caller waited before, and well over the expected 1 s.
    link.close();
    let start = Instant::now();
    assert_eq!(
        get("/healthz").await.unwrap().status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "healthz took {:?}",
        start.elapsed()
    );
    get("/organisations").await.unwrap();
    let start = Instant::now();
    let page = get("/organisations").await.unwrap();
    assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.headers().contains_key("retry-after"));
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "a page took {:?} to give up",
        start.elapsed()
    );

    let _back = Link::open("127.0.0.1:5432", port);
    let start = Instant::now();
    while get("/organisations").await.unwrap().status() != StatusCode::OK {
        assert!(start.elapsed() < Duration::from_secs(10), "did not recover");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(get("/healthz").await.unwrap().status(), StatusCode::OK);
}
