//! "Are you sure you want to delete …?": every delete in a partnership asks
//! on a page of its own (pages work without JavaScript confirm boxes), with
//! a warning button that posts to the delete.

use askama::Template;
use axum::response::Response;

use crate::error::AppResult;
use crate::partnerships::header::Header;
use crate::web::{page, PageCtx};

/// What the page asks and where its button posts.
pub struct Confirm {
    /// The page's title, like "Delete cost".
    pub title: String,
    /// "Are you sure you want to delete the cost of £180,000 for Birmingham?"
    pub question: String,
    /// What happens, like "The partnership's history keeps what it said."
    pub detail: String,
    /// Where the button posts.
    pub action: String,
    /// The button's words, like "Delete cost".
    pub button: String,
    /// The page to go back to, and its name.
    pub back: String,
    pub back_label: String,
}

#[derive(Template)]
#[template(path = "partnerships/confirm_delete.html")]
struct ConfirmPage {
    ctx: PageCtx,
    h: Header,
    c: Confirm,
}

/// Draws the question.
pub fn page_of(ctx: PageCtx, h: Header, c: Confirm) -> AppResult<Response> {
    page(
        ConfirmPage {
            ctx: ctx.with_nav("partnerships"),
            h,
            c,
        },
        false,
    )
}
