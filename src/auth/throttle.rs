//! Slowing down password guessing without locking the owner out.
//!
//! Failures are counted in a window, three ways, and each count beyond a
//! free allowance makes the next attempt wait after the last failure:
//! - one account from one address: after 5, wait 1, 2, 4 … seconds (at most 5 minutes);
//! - one address, any account: after 10, wait 1, 2, 4 … seconds (at most 2 minutes),
//!   which slows guessing across many accounts;
//! - one account, any address: after 20, attempts must be 30 seconds apart, so
//!   guessing from many addresses is slowed, yet the owner can still get in by
//!   waiting half a minute: nobody can lock another person out.
//!
//! A success clears that account's failures from that address.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::sign_in_failures;
use crate::db::DbConn;
use crate::error::AppResult;

pub const WINDOW_MINUTES: i64 = 15;
const PAIR_FREE: i64 = 5;
const PAIR_MAX_WAIT_SECONDS: i64 = 300;
const CLIENT_FREE: i64 = 10;
const CLIENT_MAX_WAIT_SECONDS: i64 = 120;
const ACCOUNT_FREE: i64 = 20;
const ACCOUNT_WAIT_SECONDS: i64 = 30;

/// Whether a sign-in may be tried now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Go,
    /// Too many failures for this account: try again after this many seconds.
    Wait(i64),
    /// Too many failures from this address: try again after this many seconds.
    WaitAddress(i64),
}

/// 1, 2, 4 … seconds for each failure beyond the free ones, up to `max`.
fn doubling(failures: i64, free: i64, max: i64) -> i64 {
    let exponent = u32::try_from(failures - free).unwrap_or(u32::MAX).min(16);
    2i64.pow(exponent).min(max)
}

fn failures(
    conn: &mut DbConn,
    email: Option<&str>,
    client: Option<&str>,
    since: NaiveDateTime,
) -> AppResult<(i64, Option<NaiveDateTime>)> {
    let mut query = sign_in_failures::table
        .filter(sign_in_failures::occurred_at.gt(since))
        .into_boxed();
    if let Some(email) = email {
        query = query.filter(sign_in_failures::email.eq(email.to_string()));
    }
    if let Some(client) = client {
        query = query.filter(sign_in_failures::client.eq(client.to_string()));
    }
    Ok(query
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::max(sign_in_failures::occurred_at),
        ))
        .first(conn)?)
}

pub fn verdict(
    conn: &mut DbConn,
    email: &str,
    client: &str,
    now: NaiveDateTime,
) -> AppResult<Verdict> {
    let since = now - Duration::minutes(WINDOW_MINUTES);
    let left = |last: Option<NaiveDateTime>, wait: i64| -> Option<i64> {
        let left = wait - (now - last?).num_seconds();
        (left > 0).then_some(left)
    };
    let (from_client, client_last) = failures(conn, None, Some(client), since)?;
    if from_client >= CLIENT_FREE {
        let wait = doubling(from_client, CLIENT_FREE, CLIENT_MAX_WAIT_SECONDS);
        if let Some(left) = left(client_last, wait) {
            return Ok(Verdict::WaitAddress(left));
        }
    }
    let (pair, pair_last) = failures(conn, Some(email), Some(client), since)?;
    if pair >= PAIR_FREE {
        if let Some(left) = left(pair_last, doubling(pair, PAIR_FREE, PAIR_MAX_WAIT_SECONDS)) {
            return Ok(Verdict::Wait(left));
        }
    }
    let (account, account_last) = failures(conn, Some(email), None, since)?;
    if account >= ACCOUNT_FREE {
        if let Some(left) = left(account_last, ACCOUNT_WAIT_SECONDS) {
            return Ok(Verdict::Wait(left));
        }
    }
    Ok(Verdict::Go)
}

pub fn record_failure(
    conn: &mut DbConn,
    email: &str,
    client: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    diesel::insert_into(sign_in_failures::table)
        .values((
            sign_in_failures::email.eq(email),
            sign_in_failures::client.eq(client),
            sign_in_failures::occurred_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// After a success: this account's failures from this address are
/// forgiven, and failures older than the window are of no use to anyone.
pub fn clear(conn: &mut DbConn, email: &str, client: &str, now: NaiveDateTime) -> AppResult<()> {
    diesel::delete(
        sign_in_failures::table
            .filter(sign_in_failures::email.eq(email))
            .filter(sign_in_failures::client.eq(client)),
    )
    .execute(conn)?;
    let since = now - Duration::minutes(WINDOW_MINUTES);
    diesel::delete(sign_in_failures::table.filter(sign_in_failures::occurred_at.le(since)))
        .execute(conn)?;
    Ok(())
}
