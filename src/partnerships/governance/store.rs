//! Reads and changes to the agreements behind a partnership. Changes take a
//! checked [`AgreementInput`] and are audited in the same transaction.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::model::*;
use crate::db::schema::agreements;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::partnerships::model::Partnership;
use crate::work::Work;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = agreements)]
struct Agreement {
    id: i64,
    kind: AgreementKind,
    title: String,
    signed_on: Option<NaiveDate>,
    starts_on: Option<NaiveDate>,
    ends_on: Option<NaiveDate>,
    renewal_due: Option<NaiveDate>,
    document_url: String,
    updated_at: crate::time::Timestamp,
}

impl Agreement {
    fn view(self, today: NaiveDate) -> AgreementView {
        AgreementView {
            id: self.id,
            kind: self.kind,
            title: self.title,
            signed_on: self.signed_on,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            renewal_due: self.renewal_due,
            renewal: renewal(self.renewal_due, today),
            document_url: self.document_url,
            updated_at: self.updated_at,
        }
    }
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
    Ok(rows.into_iter().map(|a| a.view(today)).collect())
}

/// One agreement, if it belongs to this partnership.
pub fn get(
    conn: &mut DbConn,
    partnership_id: i64,
    agreement_id: i64,
    today: NaiveDate,
) -> AppResult<AgreementView> {
    agreements::table
        .filter(agreements::partnership_id.eq(partnership_id))
        .filter(agreements::id.eq(agreement_id))
        .select(Agreement::as_select())
        .first(conn)
        .optional()?
        .map(|a| a.view(today))
        .ok_or(AppError::NotFound)
}

/// What the history page shows of an agreement.
fn audit_json(a: &AgreementView) -> serde_json::Value {
    serde_json::json!({
        "kind": a.kind.code(),
        "title": a.title,
        "signed_on": a.signed_on,
        "starts_on": a.starts_on,
        "ends_on": a.ends_on,
        "renewal_due": a.renewal_due,
        "document_url": a.document_url,
        "agreement": a.id,
    })
}

/// The columns a person sets, for both INSERT and UPDATE.
macro_rules! agreement_fields {
    ($input:expr) => {
        (
            agreements::kind.eq($input.kind),
            agreements::title.eq(&$input.title),
            agreements::signed_on.eq($input.signed_on),
            agreements::starts_on.eq($input.starts_on),
            agreements::ends_on.eq($input.ends_on),
            agreements::renewal_due.eq($input.renewal_due),
            agreements::document_url.eq(&$input.document_url),
        )
    };
}

pub fn create(
    w: &mut Work<'_, Partnership>,
    input: &AgreementInput,
    today: NaiveDate,
) -> AppResult<AgreementView> {
    let pid = w.record.id;
    let now = crate::db::now();
    let id: i64 = diesel::insert_into(agreements::table)
        .values((
            agreements::partnership_id.eq(pid),
            agreement_fields!(input),
            agreements::created_at.eq(now),
            agreements::updated_at.eq(now),
        ))
        .returning(agreements::id)
        .get_result(w.conn)?;
    let view = get(w.conn, pid, id, today)?;
    w.audit(
        "partnership.agreement.create",
        None,
        Some(audit_json(&view)),
    )?;
    Ok(view)
}

/// Replaces what can be set on `before` (found through this partnership).
pub fn update(
    w: &mut Work<'_, Partnership>,
    before: &AgreementView,
    input: &AgreementInput,
    today: NaiveDate,
) -> AppResult<AgreementView> {
    let pid = w.record.id;
    diesel::update(
        agreements::table
            .filter(agreements::partnership_id.eq(pid))
            .filter(agreements::id.eq(before.id)),
    )
    .set((
        agreement_fields!(input),
        agreements::updated_at.eq(crate::db::now()),
    ))
    .execute(w.conn)?;
    let after = get(w.conn, pid, before.id, today)?;
    w.audit(
        "partnership.agreement.update",
        Some(audit_json(before)),
        Some(audit_json(&after)),
    )?;
    Ok(after)
}

/// Deletes `before` (found through this partnership); the history keeps what it said.
pub fn delete(w: &mut Work<'_, Partnership>, before: &AgreementView) -> AppResult<()> {
    let pid = w.record.id;
    let deleted = diesel::delete(
        agreements::table
            .filter(agreements::partnership_id.eq(pid))
            .filter(agreements::id.eq(before.id)),
    )
    .execute(w.conn)?;
    if deleted == 0 {
        return Err(AppError::NotFound);
    }
    w.audit(
        "partnership.agreement.delete",
        Some(audit_json(before)),
        None,
    )
}
