//! A broker's dashboard: introductions made, accepted and converted, by
//! month, and an SVG bar chart of the same figures (drawn on the server,
//! presentation attributes only, with the table as its text alternative).

use std::collections::BTreeMap;
use std::fmt::Write;

use chrono::Datelike;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{Introduction, IntroductionStatus, IntroductionView};
use crate::db::schema::{introduction_parties as ip, introductions};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::orgs::model::OrgRef;
use crate::policy::{allows, Actor};
use crate::time::Timestamp;
use crate::work::Scoped;

/// Introductions made, accepted and converted.
#[derive(Serialize, Clone, Copy, Debug, Default, PartialEq, Eq, ToSchema)]
pub struct IntroductionCounts {
    pub made: i64,
    pub accepted: i64,
    pub converted: i64,
}

/// One month's counts: made by when proposed, accepted by when the last
/// party accepted, converted by when converted.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct IntroductionMonth {
    /// "2026-11".
    pub month: String,
    #[serde(flatten)]
    pub counts: IntroductionCounts,
}

impl IntroductionMonth {
    /// "November 2026".
    pub fn label(&self) -> String {
        month_label(&self.month)
    }
}

fn month_label(month: &str) -> String {
    chrono::NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map(|d| d.format("%B %Y").to_string())
        .unwrap_or_else(|_| month.to_string())
}

/// A broker's dashboard.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct BrokerDashboard {
    pub broker: OrgRef,
    pub totals: IntroductionCounts,
    /// Months with any activity, oldest first.
    pub months: Vec<IntroductionMonth>,
    /// The broker's introductions the caller may see, newest first (none
    /// for platform administrators outside the broker: they see counts).
    pub introductions: Vec<IntroductionView>,
}

fn month_of(t: &Timestamp) -> String {
    format!("{:04}-{:02}", t.0.year(), t.0.month())
}

/// Counts by month from (created, accepted, converted) moments.
pub fn by_month(
    events: &[(Timestamp, Option<Timestamp>, Option<Timestamp>)],
) -> Vec<IntroductionMonth> {
    let mut months: BTreeMap<String, IntroductionCounts> = BTreeMap::new();
    for (made, accepted, converted) in events {
        months.entry(month_of(made)).or_default().made += 1;
        if let Some(a) = accepted {
            months.entry(month_of(a)).or_default().accepted += 1;
        }
        if let Some(c) = converted {
            months.entry(month_of(c)).or_default().converted += 1;
        }
    }
    months
        .into_iter()
        .map(|(month, counts)| IntroductionMonth { month, counts })
        .collect()
}

pub fn load(
    conn: &mut DbConn,
    broker: OrgRef,
    broker_id: i64,
    viewer: &Actor,
) -> AppResult<BrokerDashboard> {
    let rows: Vec<Introduction> = introductions::table
        .filter(introductions::broker_organisation_id.eq(broker_id))
        .order((introductions::created_at.desc(), introductions::id.desc()))
        .select(Introduction::as_select())
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    // When the last party answered: the moment an accepted introduction became so.
    let answered: Vec<(i64, Option<Timestamp>)> = ip::table
        .filter(ip::introduction_id.eq_any(&ids))
        .select((ip::introduction_id, ip::responded_at))
        .load(conn)?;
    let mut last: BTreeMap<i64, Timestamp> = BTreeMap::new();
    for (id, at) in answered {
        if let Some(at) = at {
            let e = last.entry(id).or_insert(at);
            if at.0 > e.0 {
                *e = at;
            }
        }
    }
    let events: Vec<_> = rows
        .iter()
        .map(|r| {
            let accepted = matches!(
                r.status,
                IntroductionStatus::Accepted | IntroductionStatus::Converted
            )
            .then(|| last.get(&r.id).copied())
            .flatten();
            (r.created_at, accepted, r.converted_at)
        })
        .collect();
    let months = by_month(&events);
    let totals = months
        .iter()
        .fold(IntroductionCounts::default(), |t, m| IntroductionCounts {
            made: t.made + m.counts.made,
            accepted: t.accepted + m.counts.accepted,
            converted: t.converted + m.counts.converted,
        });
    let mut introductions = Vec::new();
    for intro in &rows {
        let Some((_, rel)) = Introduction::load(conn, intro.id, Some(viewer))? else {
            continue;
        };
        if allows(Some(viewer), Introduction::view_action(rel)) {
            introductions.push(super::store::view(conn, intro, Some(viewer))?);
        }
    }
    Ok(BrokerDashboard {
        broker,
        totals,
        months,
        introductions,
    })
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Three bars a month (made, accepted, converted), or None with nothing to draw.
pub fn svg(months: &[IntroductionMonth]) -> Option<String> {
    const SERIES: [(&str, &str); 3] = [
        ("Made", "#1d70b8"),
        ("Accepted", "#00703c"),
        ("Converted", "#4c2c92"),
    ];
    let max = months
        .iter()
        .map(|m| m.counts.made.max(m.counts.accepted).max(m.counts.converted))
        .max()
        .unwrap_or(0);
    if max <= 0 {
        return None;
    }
    let (left, top, bottom, bar, gap) = (40i64, 40i64, 220i64, 16i64, 24i64);
    let group = bar * 3 + gap;
    let width = left + group * months.len() as i64 + gap;
    let height = bottom + 40;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg class="concord-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-labelledby="intro-chart-title" aria-describedby="intro-chart-desc"><title id="intro-chart-title">Introductions by month</title><desc id="intro-chart-desc">Introductions made, accepted and converted each month, from {} to {}. The table below gives the same figures.</desc>"##,
        escape(&months[0].label()),
        escape(&months[months.len() - 1].label())
    );
    for (i, (name, colour)) in SERIES.iter().enumerate() {
        let x = left + i as i64 * 110;
        let _ = write!(
            s,
            r##"<rect x="{x}" y="8" width="12" height="12" fill="{colour}"></rect><text x="{}" y="19">{name}</text>"##,
            x + 16
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{left}" y1="{bottom}" x2="{width}" y2="{bottom}" stroke="#0b0c0c"></line><text x="{}" y="{}" text-anchor="end">{max}</text><text x="{}" y="{bottom}" text-anchor="end">0</text>"##,
        left - 6,
        top + 4,
        left - 6
    );
    for (i, m) in months.iter().enumerate() {
        let x0 = left + gap / 2 + group * i as i64;
        for (j, value) in [m.counts.made, m.counts.accepted, m.counts.converted]
            .into_iter()
            .enumerate()
        {
            let h = value * (bottom - top) / max;
            let _ = write!(
                s,
                r##"<rect x="{}" y="{}" width="{bar}" height="{h}" fill="{}"></rect>"##,
                x0 + j as i64 * bar,
                bottom - h,
                SERIES[j].1
            );
        }
        let _ = write!(
            s,
            r##"<text x="{}" y="{}" text-anchor="middle">{}</text>"##,
            x0 + bar * 3 / 2,
            bottom + 18,
            escape(&m.month)
        );
    }
    s.push_str("</svg>");
    Some(s)
}

/// The dashboard of the broker `code` names (the caller's own organisation
/// when none), for its people and platform admins. Naming no organisation,
/// or one that never brokered, is a mistake in the query (422), once the
/// caller may ask at all.
pub fn for_caller(
    conn: &mut DbConn,
    user: &crate::auth::SessionUser,
    code: Option<&str>,
) -> AppResult<BrokerDashboard> {
    use crate::error::AppError;
    let target = match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => match crate::orgs::store::find(conn, code) {
            Err(AppError::NotFound) => {
                return Err(AppError::invalid(
                    "broker",
                    format!("No organisation has the code '{code}'"),
                ))
            }
            other => other?,
        },
        None => crate::orgs::store::find_by_id(conn, user.organisation_id)?,
    };
    let made: i64 = introductions::table
        .filter(introductions::broker_organisation_id.eq(target.id))
        .count()
        .get_result(conn)?;
    let brokers = made > 0 || super::store::is_broker(conn, target.id)?;
    let own = target.id == user.organisation_id;
    crate::policy::authorize(
        Some(&user.actor()),
        crate::policy::Action::ViewBrokerDashboard {
            broker: own && brokers,
        },
    )?;
    if !brokers {
        return Err(AppError::invalid(
            "broker",
            format!("{} is not a broker", target.name),
        ));
    }
    let broker = OrgRef {
        code: target.code.clone(),
        name: target.name.clone(),
        short_name: target.short_name.clone(),
    };
    load(conn, broker, target.id, &user.actor())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32) -> Timestamp {
        Timestamp(
            chrono::NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(12, 0, 0)
                .unwrap(),
        )
    }

    #[test]
    fn counts_fall_in_the_month_each_thing_happened() {
        let months = by_month(&[
            (
                at(2026, 10, 30),
                Some(at(2026, 11, 2)),
                Some(at(2026, 11, 3)),
            ),
            (at(2026, 11, 5), None, None),
        ]);
        assert_eq!(months.len(), 2);
        assert_eq!(
            (months[0].month.as_str(), months[0].counts.made),
            ("2026-10", 1)
        );
        assert_eq!(
            months[1].counts,
            IntroductionCounts {
                made: 1,
                accepted: 1,
                converted: 1
            }
        );
        assert_eq!(months[1].label(), "November 2026");
        let chart = svg(&months).unwrap();
        assert!(chart.contains("role=\"img\"") && !chart.contains("style="));
        assert!(svg(&[]).is_none());
    }
}
