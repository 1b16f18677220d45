//! One scoped unit of work for records that have a visibility and member
//! organisations (partnerships today; needs, health-check rounds, trials and
//! threads next). Pages and API alike go through it:
//!
//! ```text
//! Partnership::act(&db, caller, id, Action::EditPartnership, move |w| {
//!     let input = RiskInput::parse(draft, &members(w.conn, w.record.id)?)?;
//!     store::create(w, &input)
//! })
//! ```
//!
//! In one transaction it loads the record, works out how the caller's
//! organisation relates to it, asks the policy, runs the action, and the
//! action's [`Work::audit`] writes the audit entry. The answer when the
//! caller may not go on is always decided in the same order:
//! not visible → 404; visible but signed out → 401 (pages: sign in);
//! signed in but not allowed → 403.

use std::future::Future;

use crate::audit::{self, Change};
use crate::auth::SessionUser;
use crate::db::{Db, DbConn};
use crate::error::{AppError, AppResult};
use crate::policy::{allows, authorize, Action, Actor, Relation};

/// A kind of record that the unit of work can load and check.
pub trait Scoped: Sized + Send + 'static {
    /// The record's name in audit entries and domain events, e.g. "partnership".
    const KIND: &'static str;

    fn id(&self) -> i64;

    /// The record and how `actor`'s organisation relates to it; `None` if
    /// there is no such record.
    fn load(
        conn: &mut DbConn,
        id: i64,
        actor: Option<&Actor>,
    ) -> AppResult<Option<(Self, Relation)>>;

    /// The policy's "may see it" question for this kind of record.
    fn view_action(rel: Relation) -> Action;

    /// The organisations a change concerns (for domain events).
    fn organisations(&self, conn: &mut DbConn) -> AppResult<Vec<i64>>;

    /// The organisation whose audit trail the record's changes belong in, if
    /// it has one owner (a need); a partnership's belong to all its members.
    fn trail_organisation(&self) -> Option<i64> {
        None
    }

    /// Runs after every audited change, e.g. to mark the record as updated.
    fn touched(&self, _conn: &mut DbConn) -> AppResult<()> {
        Ok(())
    }

    /// Reads from a record the caller may see (404 otherwise).
    fn view<T, F>(
        db: &Db,
        caller: Option<&SessionUser>,
        id: i64,
        f: F,
    ) -> impl Future<Output = AppResult<T>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&mut Work<'_, Self>) -> AppResult<T> + Send + 'static,
    {
        Self::view_as(db, caller, id, Self::view_action, f)
    }

    /// Reads, for someone allowed `action` (a form to change the record, say),
    /// in a read transaction.
    fn view_as<T, F>(
        db: &Db,
        caller: Option<&SessionUser>,
        id: i64,
        action: fn(Relation) -> Action,
        f: F,
    ) -> impl Future<Output = AppResult<T>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&mut Work<'_, Self>) -> AppResult<T> + Send + 'static,
    {
        in_work(db, caller, id, action, Transaction::Read, f)
    }

    /// Does `action` to a record in one write transaction.
    fn act<T, F>(
        db: &Db,
        caller: Option<&SessionUser>,
        id: i64,
        action: fn(Relation) -> Action,
        f: F,
    ) -> impl Future<Output = AppResult<T>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&mut Work<'_, Self>) -> AppResult<T> + Send + 'static,
    {
        in_work(db, caller, id, action, Transaction::Write, f)
    }
}

#[derive(Clone, Copy)]
enum Transaction {
    Read,
    Write,
}

/// Opens the work on a pooled connection off the async runtime, in a read
/// or a write transaction, and runs `f` in it.
fn in_work<R, T, F>(
    db: &Db,
    caller: Option<&SessionUser>,
    id: i64,
    action: fn(Relation) -> Action,
    transaction: Transaction,
    f: F,
) -> impl Future<Output = AppResult<T>> + Send
where
    R: Scoped,
    T: Send + 'static,
    F: FnOnce(&mut Work<'_, R>) -> AppResult<T> + Send + 'static,
{
    let (caller, db) = (caller.cloned(), db.clone());
    let run = move |conn: &mut DbConn| f(&mut Work::open(conn, id, caller, action)?);
    async move {
        match transaction {
            Transaction::Read => db.read(run).await,
            Transaction::Write => db.write(run).await,
        }
    }
}

/// Who a unit of work acts for.
#[derive(Clone, Debug)]
enum Doer {
    /// Someone signed in, or nobody (reads of public records).
    Person(Option<SessionUser>),
    /// The importer, the demo loader or a test fixture.
    System(audit::Actor),
}

/// A loaded record, how the caller relates to it, and the transaction's
/// connection. Store functions that change a scoped record take this.
pub struct Work<'c, R> {
    pub conn: &'c mut DbConn,
    pub record: R,
    pub rel: Relation,
    doer: Doer,
}

impl<'c, R: Scoped> Work<'c, R> {
    /// Loads the record and applies the one order of answers, inside a
    /// transaction the caller already has (`act` and `view` open one).
    pub fn open(
        conn: &'c mut DbConn,
        id: i64,
        caller: Option<SessionUser>,
        action: fn(Relation) -> Action,
    ) -> AppResult<Work<'c, R>> {
        let actor = caller.as_ref().map(SessionUser::actor);
        let (record, rel) = R::load(conn, id, actor.as_ref())?.ok_or(AppError::NotFound)?;
        if !allows(actor.as_ref(), R::view_action(rel)) {
            return Err(AppError::NotFound);
        }
        authorize(actor.as_ref(), action(rel))?;
        Ok(Work {
            conn,
            record,
            rel,
            doer: Doer::Person(caller),
        })
    }

    /// Work done by the system rather than a person: no policy is asked.
    /// For the demo loader, imports run as the platform, and test fixtures.
    pub fn system(conn: &'c mut DbConn, id: i64, label: &str) -> AppResult<Work<'c, R>> {
        let (record, rel) = R::load(conn, id, None)?.ok_or(AppError::NotFound)?;
        Ok(Work {
            conn,
            record,
            rel,
            doer: Doer::System(audit::Actor::system(label)),
        })
    }

    /// The signed-in person doing this (401 for system work or nobody).
    pub fn user(&self) -> AppResult<&SessionUser> {
        match &self.doer {
            Doer::Person(Some(user)) => Ok(user),
            _ => Err(AppError::Unauthenticated),
        }
    }

    /// The person, if someone signed in (not the system) is doing this.
    pub fn person(&self) -> Option<&SessionUser> {
        self.user().ok()
    }

    /// The person's id, if a person (not the system) is doing this.
    pub fn user_id(&self) -> Option<i64> {
        self.user().ok().map(|u| u.id)
    }

    /// The person's organisation, if a person is doing this.
    pub fn organisation_id(&self) -> Option<i64> {
        self.user().ok().map(|u| u.organisation_id)
    }

    pub fn actor(&self) -> AppResult<audit::Actor> {
        match &self.doer {
            Doer::Person(Some(user)) => Ok(user.audit_actor()),
            Doer::Person(None) => Err(AppError::Unauthenticated),
            Doer::System(actor) => Ok(actor.clone()),
        }
    }

    /// Asks the policy about a further action inside this work, such as
    /// changing who may see the record. System work is not asked.
    pub fn allow(&self, action: Action) -> AppResult<()> {
        match &self.doer {
            Doer::System(_) => Ok(()),
            Doer::Person(user) => authorize(user.as_ref().map(SessionUser::actor).as_ref(), action),
        }
    }

    /// Records a change to (something inside) the record in its history and
    /// publishes the domain event, in this transaction.
    pub fn audit(
        &mut self,
        action: &str,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> AppResult<()> {
        let actor = self.actor()?;
        self.record.touched(self.conn)?;
        let organisations = if audit::has_subscribers() {
            self.record.organisations(self.conn)?
        } else {
            Vec::new()
        };
        let id = self.record.id();
        let mut change = Change::new(action, R::KIND, id)
            .concerning(organisations)
            .scoped(R::KIND, id);
        change.organisation_id = self.record.trail_organisation();
        change.before = before;
        change.after = after;
        audit::record(self.conn, &actor, change)?;
        Ok(())
    }

    /// Reloads the record after a change, keeping the caller's relation.
    pub fn reload(&mut self) -> AppResult<()> {
        let actor = match &self.doer {
            Doer::Person(user) => user.as_ref().map(SessionUser::actor),
            Doer::System(_) => None,
        };
        let (record, _) =
            R::load(self.conn, self.record.id(), actor.as_ref())?.ok_or(AppError::NotFound)?;
        self.record = record;
        Ok(())
    }
}

/// Work that is not about one existing record (starting a partnership, an
/// import): 401 when signed out, 403 when the policy says no, then `f` in
/// one write transaction.
pub async fn unscoped<T, F>(
    db: &Db,
    caller: Option<&SessionUser>,
    action: Action,
    f: F,
) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn, &SessionUser) -> AppResult<T> + Send + 'static,
{
    let user = caller.cloned().ok_or(AppError::Unauthenticated)?;
    authorize(Some(&user.actor()), action)?;
    db.write(move |conn| f(conn, &user)).await
}
