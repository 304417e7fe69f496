//! The knowledge library (docs/KNOWLEDGE.md): articles by provider staff,
//! read by clients (the public ones and their company's) and searched.

use portal_proto::pb;
use tonic::{Request, Status};

use super::Tickets;
use crate::domain::knowledge::{Article, ArticleText, MAX_TITLE};
use crate::domain::{AuditAction, Caller};
use crate::policy;
use crate::service::authn::caller;
use crate::service::convert::knowledge as conv;
use crate::service::events::{Audience, TicketEvent};
use crate::service::status::invalid;
use crate::service::{input, keyset};
use crate::store::audit::{self, AuditEvent};
use crate::store::{knowledge, now_ms};

/// An article's title, body and audience, checked; errors name `article.*`.
fn article_text(a: Option<&pb::ArticleInput>) -> Result<ArticleText, Status> {
    let a = a.ok_or_else(|| invalid("article", "required"))?;
    Ok(ArticleText {
        title: input::text("article.title", &a.title, MAX_TITLE, true)?,
        body: input::long_text("article.body", &a.body, true)?,
        company_id: input::optional_id("article.company_id", a.company_id)?,
    })
}

/// The audit event of a change to an article: the company's for a
/// company-only one (its Admins read it), the provider's for a public one.
fn article_event(
    caller: &Caller,
    action: AuditAction,
    id: i64,
    (title, company_id): (&str, Option<i64>),
) -> AuditEvent {
    let mut event = AuditEvent::by(caller, action, &format!("article {id}"), company_id);
    title.clone_into(&mut event.detail);
    event
}

impl Tickets {
    /// Tells the article's readers (and staff) that it changed, so lists
    /// on show follow.
    fn announce(&self, actor_name: String, article: &Article, what: &str) {
        self.tell_readers(actor_name, (&article.title, article.company_id), what);
    }

    /// Tells the readers of an article titled so and shown to that company
    /// (None: everyone) what became of it.
    fn tell_readers(
        &self,
        actor_name: String,
        (title, company_id): (&str, Option<i64>),
        what: &str,
    ) {
        self.state.events.publish(TicketEvent {
            kind: pb::EventKind::ArticleChanged,
            ticket_number: 0,
            at_ms: now_ms(),
            actor_name,
            summary: format!("Article “{title}” {what}"),
            audience: Audience::Readers { company_id },
        });
    }

    pub(super) fn articles(
        &self,
        request: &Request<pb::ListArticlesRequest>,
    ) -> Result<pb::ListArticlesResponse, Status> {
        let p = caller(request)?.principal.clone();
        let req = request.get_ref();
        let search = input::text("search", &req.search, MAX_TITLE, false)?;
        let limit = keyset::page_size(req.page.as_ref())?;
        let before = keyset::decode::<(i64, i64)>(req.page.as_ref())?;
        let scope = policy::article_scope(&p, req.include_archived);
        let mut list = self.state.read_inline(|conn| {
            Ok(if search.is_empty() {
                knowledge::list(conn, scope, before, limit as usize + 1)?
            } else {
                knowledge::search(conn, scope, &search, limit as usize)?
            })
        })?;
        let next_cursor = keyset::finish(&mut list, limit, |a| (a.updated_at, a.id));
        Ok(pb::ListArticlesResponse {
            articles: list.into_iter().map(|a| conv::article(a, false)).collect(),
            next_cursor,
        })
    }

    pub(super) fn article(
        &self,
        request: &Request<pb::GetArticleRequest>,
    ) -> Result<pb::Article, Status> {
        let p = caller(request)?.principal.clone();
        let id = input::id("id", request.get_ref().id)?;
        let article = self.state.read_inline(|conn| {
            let a = knowledge::get(conn, id)?;
            policy::view_article(&p, a.company_id, a.archived_at.is_some())?;
            Ok(a)
        })?;
        Ok(conv::article(article, true))
    }

    pub(super) async fn new_article(
        &self,
        request: Request<pb::CreateArticleRequest>,
    ) -> Result<pb::Article, Status> {
        let who = caller(&request)?.clone();
        let text = article_text(request.get_ref().article.as_ref())?;
        policy::write_articles(&who.principal)?;
        let now = now_ms();
        let actor = who.name.clone();
        let article = self
            .state
            .write(move |conn| {
                let author = (who.principal.subject_id(), who.name.as_str());
                let id = knowledge::create(conn, &text, author, now)?;
                let about = (text.title.as_str(), text.company_id);
                let event = article_event(&who, AuditAction::ArticleCreated, id, about);
                audit::record(conn, now, &event)?;
                Ok(knowledge::get(conn, id)?)
            })
            .await?;
        self.announce(actor, &article, "published");
        Ok(conv::article(article, true))
    }

    pub(super) async fn edit_article(
        &self,
        request: Request<pb::UpdateArticleRequest>,
    ) -> Result<pb::Article, Status> {
        let who = caller(&request)?.clone();
        let req = request.into_inner();
        let id = input::id("id", req.id)?;
        let text = article_text(req.article.as_ref())?;
        policy::write_articles(&who.principal)?;
        let now = now_ms();
        let actor = who.name.clone();
        let (before, article) = self
            .state
            .write(move |conn| {
                let before = knowledge::get(conn, id)?;
                knowledge::update(conn, id, &text, now)?;
                let about = (text.title.as_str(), text.company_id);
                let event = article_event(&who, AuditAction::ArticleUpdated, id, about);
                audit::record(conn, now, &event)?;
                Ok((before, knowledge::get(conn, id)?))
            })
            .await?;
        // Moved to one company: those who read it until now (another
        // company's people, or every client) drop it from their lists, told
        // only the title they knew.
        if article.company_id.is_some() && before.company_id != article.company_id {
            let known = (before.title.as_str(), before.company_id);
            self.tell_readers(actor.clone(), known, "withdrawn");
        }
        self.announce(actor, &article, "updated");
        Ok(conv::article(article, true))
    }

    pub(super) async fn archive_or_restore(
        &self,
        request: Request<pb::ArchiveArticleRequest>,
    ) -> Result<pb::Article, Status> {
        let who = caller(&request)?.clone();
        let req = request.into_inner();
        let id = input::id("id", req.id)?;
        policy::write_articles(&who.principal)?;
        let now = now_ms();
        let actor = who.name.clone();
        let article = self
            .state
            .write(move |conn| {
                let before = knowledge::get(conn, id)?;
                let (at, action) = if req.archived {
                    (
                        Some(before.archived_at.unwrap_or(now)),
                        AuditAction::ArticleArchived,
                    )
                } else {
                    (None, AuditAction::ArticleRestored)
                };
                if at != before.archived_at {
                    knowledge::set_archived(conn, id, at)?;
                    let about = (before.title.as_str(), before.company_id);
                    audit::record(conn, now, &article_event(&who, action, id, about))?;
                }
                Ok(knowledge::get(conn, id)?)
            })
            .await?;
        let what = if article.archived_at.is_some() {
            "archived"
        } else {
            "restored"
        };
        self.announce(actor, &article, what);
        Ok(conv::article(article, true))
    }
}
