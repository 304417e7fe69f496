//! The knowledge library (`TicketService`'s articles) and the account team
//! (`AccountService`), as the Knowledge screen, the new-ticket form's
//! "these may help" and the team page ask for them.

use portal_proto::pb;

use super::{Client, Res};
use crate::action::Reply;

/// Who asked for articles: the Knowledge screen, or the new-ticket form's
/// "these may help" (each takes only its own answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticlesFor {
    Library,
    Suggestions,
}

#[derive(Debug, Clone, PartialEq)]
pub enum KnowledgeCall {
    /// A page of articles (the first when `cursor` is empty), or the best
    /// matches of `search`; `seq` tells answers apart as the search changes.
    List {
        to: ArticlesFor,
        seq: u64,
        search: String,
        archived: bool,
        cursor: String,
        page_size: u32,
    },
    Get {
        to: ArticlesFor,
        id: i64,
    },
    /// Creates (`id` 0) or updates an article.
    Save {
        id: i64,
        article: pb::ArticleInput,
    },
    Archive {
        id: i64,
        archived: bool,
    },
    /// A company's account team (0: one's own).
    Team {
        company_id: i64,
    },
    SetTeam(pb::SetAccountTeamRequest),
}

impl Client {
    pub(super) async fn knowledge_call(&self, call: KnowledgeCall) -> Res<Reply> {
        Ok(match call {
            KnowledgeCall::List {
                to,
                seq,
                search,
                archived,
                cursor,
                page_size,
            } => {
                let request = pb::ListArticlesRequest {
                    search,
                    include_archived: archived,
                    page: Some(pb::PageRequest { page_size, cursor }),
                };
                let list = self.tickets().list_articles(self.authed(request)).await?;
                Reply::Articles {
                    to,
                    seq,
                    list: list.into_inner(),
                }
            }
            KnowledgeCall::Get { to, id } => {
                let request = pb::GetArticleRequest { id };
                let article = self.tickets().get_article(self.authed(request)).await?;
                Reply::Article {
                    to,
                    article: Box::new(article.into_inner()),
                }
            }
            KnowledgeCall::Save { id, article } => {
                Reply::ArticleSaved(Box::new(self.save_article(id, article).await?))
            }
            KnowledgeCall::Archive { id, archived } => {
                let request = pb::ArchiveArticleRequest { id, archived };
                let article = self.tickets().archive_article(self.authed(request)).await?;
                Reply::ArticleSaved(Box::new(article.into_inner()))
            }
            KnowledgeCall::Team { company_id } => {
                let request = pb::GetAccountTeamRequest { company_id };
                let team = self
                    .account()
                    .get_account_team(self.authed(request))
                    .await?;
                Reply::Team(Box::new(team.into_inner()))
            }
            KnowledgeCall::SetTeam(request) => {
                let team = self
                    .account()
                    .set_account_team(self.authed(request))
                    .await?;
                Reply::TeamSaved(Box::new(team.into_inner()))
            }
        })
    }

    async fn save_article(&self, id: i64, article: pb::ArticleInput) -> Res<pb::Article> {
        let article = Some(article);
        let saved = if id == 0 {
            let request = pb::CreateArticleRequest { article };
            self.tickets().create_article(self.authed(request)).await?
        } else {
            let request = pb::UpdateArticleRequest { id, article };
            self.tickets().update_article(self.authed(request)).await?
        };
        Ok(saved.into_inner())
    }
}
