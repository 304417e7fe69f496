//! The knowledge library and the account team (docs/KNOWLEDGE.md).

/// An article's title is at most this many characters.
pub const MAX_TITLE: usize = 200;

/// A knowledge article, as stored (its body is Markdown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub id: i64,
    pub title: String,
    pub body: String,
    /// `None`: public, every client company sees it.
    pub company_id: Option<i64>,
    /// Read with the article: the company's name, "" for a public one.
    pub company_name: String,
    pub author_id: i64,
    pub author_name: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub archived_at: Option<i64>,
}

/// What a caller may list (`policy::article_scope`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleScope {
    /// Staff: every article; archived ones when asked for.
    All { archived: bool },
    /// A contact: the public articles and its company's, none archived.
    Client { company_id: i64 },
}

/// A new article or the new text of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleText {
    pub title: String,
    pub body: String,
    pub company_id: Option<i64>,
}

/// One of the provider's people named on a company's account team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    pub staff_id: i64,
    pub name: String,
    pub email: String,
}

/// A company's account team; every part may be unset.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountTeam {
    pub company_id: i64,
    pub company_name: String,
    pub account_manager: Option<TeamMember>,
    pub technician: Option<TeamMember>,
    pub after_hours_phone: String,
    /// When and by whom it was last set; `None` when never.
    pub updated_at: Option<i64>,
    pub updated_by: String,
}
