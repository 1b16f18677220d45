//! Reads and changes to the ledger. Changes take a checked [`LedgerInput`]
//! and are audited in the same transaction.

use diesel::prelude::*;

use super::model::*;
use crate::db::schema::{ledger_entries, organisations};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::money;
use crate::partnerships::model::Partnership;
use crate::partnerships::store as partnerships;
use crate::work::Work;

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = ledger_entries)]
struct Entry {
    id: i64,
    organisation_id: i64,
    entry_type: EntryType,
    basis: Basis,
    financial_year: i32,
    amount_pence: i64,
    description: String,
    created_at: crate::time::Timestamp,
}

fn view(e: Entry, code: String, name: String) -> EntryView {
    EntryView {
        id: e.id,
        organisation_id: e.organisation_id,
        organisation_code: code,
        organisation_name: name,
        entry_type: e.entry_type,
        basis: e.basis,
        financial_year: e.financial_year,
        financial_year_label: money::financial_year_label(e.financial_year),
        amount_pence: e.amount_pence,
        description: e.description,
        created_at: e.created_at,
    }
}

/// A partnership's entries, by financial year, then partner.
pub fn list(conn: &mut DbConn, partnership_id: i64) -> AppResult<Vec<EntryView>> {
    let rows: Vec<(Entry, String, String)> = ledger_entries::table
        .inner_join(organisations::table)
        .filter(ledger_entries::partnership_id.eq(partnership_id))
        .order((
            ledger_entries::financial_year.asc(),
            organisations::name.asc(),
            ledger_entries::id.asc(),
        ))
        .select((Entry::as_select(), organisations::code, organisations::name))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(e, code, name)| view(e, code, name))
        .collect())
}

/// One entry, if it belongs to this partnership.
pub fn get(conn: &mut DbConn, partnership_id: i64, entry_id: i64) -> AppResult<EntryView> {
    let (e, code, name): (Entry, String, String) = ledger_entries::table
        .inner_join(organisations::table)
        .filter(ledger_entries::id.eq(entry_id))
        .filter(ledger_entries::partnership_id.eq(partnership_id))
        .select((Entry::as_select(), organisations::code, organisations::name))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok(view(e, code, name))
}

/// Totals for the partnership, each active member (and any former member
/// with entries) and each financial year.
pub fn totals_of(conn: &mut DbConn, partnership_id: i64) -> AppResult<LedgerTotals> {
    let entries = list(conn, partnership_id)?;
    let members = partnerships::active_members(conn, partnership_id)?;
    Ok(totals(&entries, &members))
}

/// Records an entry: for one's own organisation, or by the lead for any
/// member (`owned::allow`).
pub fn create(w: &mut Work<'_, Partnership>, input: &LedgerInput) -> AppResult<EntryView> {
    crate::partnerships::owned::allow(w, input.organisation)?;
    let pid = w.record.id;
    let created_by = w.user_id();
    let id: i64 = diesel::insert_into(ledger_entries::table)
        .values((
            ledger_entries::partnership_id.eq(pid),
            ledger_entries::organisation_id.eq(input.organisation),
            ledger_entries::entry_type.eq(input.entry_type),
            ledger_entries::basis.eq(input.basis),
            ledger_entries::financial_year.eq(input.financial_year),
            ledger_entries::amount_pence.eq(input.amount_pence),
            ledger_entries::description.eq(&input.description),
            ledger_entries::created_by.eq(created_by),
            ledger_entries::created_at.eq(crate::db::now()),
        ))
        .returning(ledger_entries::id)
        .get_result(w.conn)?;
    let entry = get(w.conn, pid, id)?;
    w.audit(
        "partnership.ledger.create",
        None,
        crate::audit::to_json(&entry),
    )?;
    Ok(entry)
}

/// Deletes an entry of this partnership, if the person may: its
/// organisation's people or the lead (`owned::allow`). The history keeps
/// what it said. Returns the entry as it was.
pub fn delete(w: &mut Work<'_, Partnership>, entry_id: i64) -> AppResult<EntryView> {
    let entry = get(w.conn, w.record.id, entry_id)?;
    crate::partnerships::owned::allow(w, entry.organisation_id)?;
    diesel::delete(ledger_entries::table.find(entry.id)).execute(w.conn)?;
    w.audit(
        "partnership.ledger.delete",
        crate::audit::to_json(&entry),
        None,
    )?;
    Ok(entry)
}
