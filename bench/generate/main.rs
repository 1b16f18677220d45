//! Generates a UK-scale partnership register for benchmarks: real councils,
//! N partnerships (default 50,000) with 2–6 member councils each, ledger
//! entries and objective updates, in one transaction per 1,000.
//!
//!   cargo run --release --example generate -- --database-url sqlite://bench/out/bench.db --partnerships 50000
//!
//! Deterministic (fixed seed), so figures are comparable between runs.
//!
//! For bench/matching.sh, `generate match-agreement --database-url URL
//! [--sample 200]` checks the matching prefilter against a full scan on the
//! generated needs: for a fixed sample of public needs, the engine's top 10
//! as a signed-out viewer sees them through the prefilter (at several
//! budgets) against ranking every public open need of other organisations,
//! printing how much of the full scan's top 10 each budget finds and the
//! time a ranking takes (serial, warm).
//!
//! For bench/matching.sh, `generate needs --database-url URL [--needs 100000]
//! [--organisations 25000]` adds organisations (the real councils, then
//! generated ones copying a real council's type, profile and population band)
//! and needs whose texts recombine phrases about twenty everyday council
//! needs, each analysed and indexed as the application does.
//!
//! For bench/health_portfolio.sh, `generate health-portfolio --database-url
//! URL [--partnerships 5000]` gives Birmingham that many partnerships, each
//! with a closed health check (see health.rs).
//!
//! Two more subcommands for bench/notifications.sh:
//!
//!   generate notifications --database-url URL --email lead@birmingham.example --count 10000
//!
//! gives one person COUNT notifications (on a demo database; nothing else),
//! newest last, a fifth of them unread, and
//!
//!   generate reminders --database-url URL [--today YYYY-MM-DD]
//!
//! runs the hourly reminder job's work once (`partnerships::reminders::send`),
//! timing it and counting every SQL statement it sends.

mod health;
mod needs;
mod notifications;
mod partnerships;

use chrono::NaiveDate;

/// A small, fixed-seed generator (xorshift), so no extra crate is needed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let url = arg("--database-url").unwrap_or_else(|| "sqlite://bench/out/bench.db".into());
    match args.get(1).map(String::as_str) {
        Some("notifications") => {
            let email = arg("--email").unwrap_or_else(|| "lead@birmingham.example".into());
            let count: i64 = arg("--count")
                .map(|n| n.parse())
                .transpose()?
                .unwrap_or(10_000);
            return notifications::notifications(&url, &email, count);
        }
        Some("needs") => {
            let needs: usize = arg("--needs")
                .map(|n| n.parse())
                .transpose()?
                .unwrap_or(100_000);
            let orgs: usize = arg("--organisations")
                .map(|n| n.parse())
                .transpose()?
                .unwrap_or(25_000);
            return needs::generate_needs(&url, needs, orgs);
        }
        Some("match-agreement") => {
            let sample: usize = arg("--sample")
                .map(|n| n.parse())
                .transpose()?
                .unwrap_or(200);
            return needs::match_agreement(&url, sample);
        }
        Some("health-portfolio") => {
            let count: usize = arg("--partnerships")
                .map(|n| n.parse())
                .transpose()?
                .unwrap_or(5_000);
            return health::generate(&url, count);
        }
        Some("reminders") => {
            let today = arg("--today")
                .map(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d"))
                .transpose()?
                .unwrap_or_else(|| concord::db::now().date());
            return notifications::reminders(&url, today);
        }
        _ => {}
    }
    let count: usize = arg("--partnerships")
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(50_000);

    partnerships::generate(&url, count)
}
