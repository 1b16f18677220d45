//! Agreements behind a partnership (MoUs, contracts, statutory delegations):
//! checks, reads and changes, each audited in the same transaction.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::audit::Actor as AuditActor;
use crate::db::schema::agreements;
use crate::db::DbConn;
use crate::error::{AppError, AppResult, FieldError};
use crate::partnerships::legacy::record;

crate::vocabulary!(
    /// The legal form of an agreement between partners.
    AgreementKind {
        Mou = "mou": "Memorandum of understanding",
        Contract = "contract": "Contract",
        S101 = "s101": "Section 101 delegation (Local Government Act 1972)",
        S113 = "s113": "Section 113 shared staff (Local Government Act 1972)",
        S75 = "s75": "Section 75 pooled budget (NHS Act 2006)",
        Articles = "articles": "Articles of association (company)",
        Other = "other": "Other",
    }
);

/// How many days ahead a renewal counts as due soon.
pub const RENEWAL_WARNING_DAYS: u64 = 90;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = agreements)]
pub struct Agreement {
    pub id: i64,
    pub partnership_id: i64,
    pub kind: String,
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub renewal_due: Option<NaiveDate>,
    pub document_url: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What can be set on an agreement. Dates are optional: an agreement may be
/// recorded before it is signed.
#[derive(Deserialize, Serialize, Clone, Debug, Default, ToSchema)]
#[serde(default)]
pub struct AgreementInput {
    /// One of `mou`, `contract`, `s101`, `s113`, `s75`, `articles`, `other`.
    pub kind: String,
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    pub starts_on: Option<NaiveDate>,
    /// After the start date.
    pub ends_on: Option<NaiveDate>,
    pub renewal_due: Option<NaiveDate>,
    /// A link to the signed document; http or https.
    pub document_url: String,
}

/// Absent keeps the value, `null` clears it: tells the two apart for PATCH.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A change to some of an agreement's fields; those left out keep their
/// value, and a date set to `null` is cleared.
#[derive(Deserialize, Clone, Debug, Default, ToSchema)]
#[serde(default)]
pub struct AgreementPatch {
    pub kind: Option<String>,
    pub title: Option<String>,
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub signed_on: Option<Option<NaiveDate>>,
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub starts_on: Option<Option<NaiveDate>>,
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub ends_on: Option<Option<NaiveDate>>,
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub renewal_due: Option<Option<NaiveDate>>,
    pub document_url: Option<String>,
}

impl AgreementPatch {
    pub fn apply(self, mut input: AgreementInput) -> AgreementInput {
        input.kind = self.kind.unwrap_or(input.kind);
        input.title = self.title.unwrap_or(input.title);
        input.signed_on = self.signed_on.unwrap_or(input.signed_on);
        input.starts_on = self.starts_on.unwrap_or(input.starts_on);
        input.ends_on = self.ends_on.unwrap_or(input.ends_on);
        input.renewal_due = self.renewal_due.unwrap_or(input.renewal_due);
        input.document_url = self.document_url.unwrap_or(input.document_url);
        input
    }
}

crate::vocabulary!(
    /// Whether an agreement's renewal needs attention.
    Renewal {
        DueSoon = "due_soon": "Renewal due soon",
        Overdue = "overdue": "Renewal overdue",
    }
);

impl Renewal {
    pub fn tag_class(self) -> &'static str {
        match self {
            Renewal::DueSoon => "govuk-tag--yellow",
            Renewal::Overdue => "govuk-tag--red",
        }
    }
}

/// Overdue once the renewal date has passed; due soon from 90 days before it.
pub fn renewal(renewal_due: Option<NaiveDate>, today: NaiveDate) -> Option<Renewal> {
    let due = renewal_due?;
    if due < today {
        Some(Renewal::Overdue)
    } else if due <= today + chrono::Days::new(RENEWAL_WARNING_DAYS) {
        Some(Renewal::DueSoon)
    } else {
        None
    }
}

/// An agreement as pages and the API show it.
#[derive(Serialize, Clone, Debug, ToSchema)]
pub struct AgreementView {
    pub id: i64,
    pub kind: AgreementKind,
    pub title: String,
    pub signed_on: Option<NaiveDate>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub renewal_due: Option<NaiveDate>,
    pub document_url: String,
    /// Set when the renewal is overdue or due within 90 days.
    pub renewal: Option<Renewal>,
    pub updated_at: NaiveDateTime,
}

impl AgreementView {
    fn of(a: Agreement, today: NaiveDate) -> Self {
        AgreementView {
            id: a.id,
            kind: AgreementKind::parse(&a.kind).unwrap_or(AgreementKind::Other),
            title: a.title,
            signed_on: a.signed_on,
            starts_on: a.starts_on,
            ends_on: a.ends_on,
            renewal_due: a.renewal_due,
            renewal: renewal(a.renewal_due, today),
            document_url: a.document_url,
            updated_at: a.updated_at,
        }
    }

    pub fn input(&self) -> AgreementInput {
        AgreementInput {
            kind: self.kind.code().to_string(),
            title: self.title.clone(),
            signed_on: self.signed_on,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            renewal_due: self.renewal_due,
            document_url: self.document_url.clone(),
        }
    }
}

/// An http(s) address with a host, and nothing a browser would read otherwise.
pub fn valid_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = host.rsplit('@').next().unwrap_or("");
    !host.is_empty()
        && !host.starts_with([':', '.'])
        && url.len() <= 2000
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '\\'))
}

/// Every check on an agreement; pure, so pages can show them with typing errors.
pub fn validate(input: &AgreementInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if AgreementKind::parse(&input.kind).is_none() {
        errors.push(FieldError::new("kind", "Select the type of agreement"));
    }
    let title = input.title.trim();
    if title.is_empty() {
        errors.push(FieldError::new("title", "Enter the agreement's title"));
    } else if title.chars().count() > 200 {
        errors.push(FieldError::new(
            "title",
            "Title must be 200 characters or fewer",
        ));
    }
    if let (Some(s), Some(e)) = (input.starts_on, input.ends_on) {
        if e <= s {
            errors.push(FieldError::new(
                "ends_on",
                "The end date must be after the start date",
            ));
        }
    }
    let url = input.document_url.trim();
    if !url.is_empty() && !valid_url(url) {
        errors.push(FieldError::new("document_url", "Enter the document link as a web address starting with https:// or http://, like https://council.gov.uk/agreement.pdf"));
    }
    errors
}

fn find(conn: &mut DbConn, partnership_id: i64, agreement_id: i64) -> AppResult<Agreement> {
    agreements::table
        .filter(agreements::partnership_id.eq(partnership_id))
        .filter(agreements::id.eq(agreement_id))
        .select(Agreement::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// A partnership's agreements, most recently started first (unstarted last).
pub fn list(
    conn: &mut DbConn,
    partnership_id: i64,
    today: NaiveDate,
) -> AppResult<Vec<AgreementView>> {
    let mut rows: Vec<Agreement> = agreements::table
        .filter(agreements::partnership_id.eq(partnership_id))
        .order(agreements::id.asc())
        .select(Agreement::as_select())
        .load(conn)?;
    // Sorted here: the backends disagree about where NULLs go.
    rows.sort_by_key(|r| std::cmp::Reverse(r.starts_on));
    Ok(rows
        .into_iter()
        .map(|a| AgreementView::of(a, today))
        .collect())
}

pub fn get(
    conn: &mut DbConn,
    partnership_id: i64,
    agreement_id: i64,
    today: NaiveDate,
) -> AppResult<AgreementView> {
    Ok(AgreementView::of(
        find(conn, partnership_id, agreement_id)?,
        today,
    ))
}

fn audit_json(id: i64, input: &AgreementInput) -> serde_json::Value {
    let mut v = serde_json::to_value(input).unwrap_or_default();
    v["agreement"] = id.into();
    v
}

pub fn create(
    conn: &mut DbConn,
    partnership_id: i64,
    input: &AgreementInput,
    actor: &AuditActor,
    today: NaiveDate,
) -> AppResult<AgreementView> {
    let errors = validate(input);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let now = crate::db::now();
    let id: i64 = diesel::insert_into(agreements::table)
        .values((
            agreements::partnership_id.eq(partnership_id),
            agreements::kind.eq(&input.kind),
            agreements::title.eq(input.title.trim()),
            agreements::signed_on.eq(input.signed_on),
            agreements::starts_on.eq(input.starts_on),
            agreements::ends_on.eq(input.ends_on),
            agreements::renewal_due.eq(input.renewal_due),
            agreements::document_url.eq(input.document_url.trim()),
            agreements::created_at.eq(now),
            agreements::updated_at.eq(now),
        ))
        .returning(agreements::id)
        .get_result(conn)?;
    let view = get(conn, partnership_id, id, today)?;
    record(
        conn,
        actor,
        partnership_id,
        "partnership.agreement.create",
        None,
        Some(audit_json(id, &view.input())),
    )?;
    Ok(view)
}

pub fn update(
    conn: &mut DbConn,
    partnership_id: i64,
    agreement_id: i64,
    input: &AgreementInput,
    actor: &AuditActor,
    today: NaiveDate,
) -> AppResult<AgreementView> {
    let before = get(conn, partnership_id, agreement_id, today)?;
    let errors = validate(input);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    diesel::update(agreements::table.find(agreement_id))
        .set((
            agreements::kind.eq(&input.kind),
            agreements::title.eq(input.title.trim()),
            agreements::signed_on.eq(input.signed_on),
            agreements::starts_on.eq(input.starts_on),
            agreements::ends_on.eq(input.ends_on),
            agreements::renewal_due.eq(input.renewal_due),
            agreements::document_url.eq(input.document_url.trim()),
            agreements::updated_at.eq(crate::db::now()),
        ))
        .execute(conn)?;
    let after = get(conn, partnership_id, agreement_id, today)?;
    record(
        conn,
        actor,
        partnership_id,
        "partnership.agreement.update",
        Some(audit_json(agreement_id, &before.input())),
        Some(audit_json(agreement_id, &after.input())),
    )?;
    Ok(after)
}

pub fn delete(
    conn: &mut DbConn,
    partnership_id: i64,
    agreement_id: i64,
    actor: &AuditActor,
    today: NaiveDate,
) -> AppResult<()> {
    let before = get(conn, partnership_id, agreement_id, today)?;
    diesel::delete(agreements::table.find(agreement_id)).execute(conn)?;
    record(
        conn,
        actor,
        partnership_id,
        "partnership.agreement.delete",
        Some(audit_json(agreement_id, &before.input())),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn renewals_are_flagged_90_days_ahead_and_when_passed() {
        let today = d(2026, 1, 1);
        assert_eq!(renewal(None, today), None);
        assert_eq!(
            renewal(Some(d(2025, 12, 31)), today),
            Some(Renewal::Overdue)
        );
        assert_eq!(
            renewal(Some(today), today),
            Some(Renewal::DueSoon),
            "due today is not yet overdue"
        );
        assert_eq!(
            renewal(Some(d(2026, 4, 1)), today),
            Some(Renewal::DueSoon),
            "exactly 90 days ahead"
        );
        assert_eq!(renewal(Some(d(2026, 4, 2)), today), None, "91 days ahead");
    }

    #[test]
    fn document_links_must_be_web_addresses() {
        for ok in [
            "https://birmingham.gov.uk/mou.pdf",
            "http://example.org",
            "HTTPS://Leeds.gov.uk/a?b=c#d",
        ] {
            assert!(valid_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "ftp://example.org/x",
            "https://",
            "https:///path",
            "birmingham.gov.uk/mou.pdf",
            "https://a b.com",
            "https://x.org/\"onmouseover",
            "data:text/html,hi",
        ] {
            assert!(!valid_url(bad), "{bad}");
        }
    }

    #[test]
    fn checks_kind_title_dates_and_link() {
        let input = AgreementInput {
            kind: "treaty".into(),
            title: " ".into(),
            starts_on: Some(d(2026, 4, 1)),
            ends_on: Some(d(2026, 4, 1)),
            document_url: "www.x.org".into(),
            ..Default::default()
        };
        let fields: Vec<String> = validate(&input).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["kind", "title", "ends_on", "document_url"]);
        let good = AgreementInput {
            kind: "s101".into(),
            title: "Delegation of waste functions".into(),
            ..Default::default()
        };
        assert!(validate(&good).is_empty(), "dates and link are optional");
    }

    #[test]
    fn a_patch_can_clear_a_date_or_leave_it() {
        let input = AgreementInput {
            kind: "mou".into(),
            title: "MoU".into(),
            renewal_due: Some(d(2027, 1, 1)),
            ends_on: Some(d(2028, 1, 1)),
            ..Default::default()
        };
        let patch: AgreementPatch =
            serde_json::from_str(r#"{"renewal_due": null, "title": "Signed MoU"}"#).unwrap();
        let out = patch.apply(input);
        assert_eq!(
            (out.title.as_str(), out.renewal_due, out.ends_on),
            ("Signed MoU", None, Some(d(2028, 1, 1)))
        );
    }
}
