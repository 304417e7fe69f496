//! Bad input to the knowledge library (TicketService's articles) and the
//! account team (AccountService.GetAccountTeam, SetAccountTeam): each bad
//! field is named and nothing changes.

use portal_proto::pb;

use super::{Case, Fixture, forged_cursor, long, page, too_long_post};

/// A public article to edit and archive.
pub async fn article(f: &Fixture) -> anyhow::Result<i64> {
    let req = pb::CreateArticleRequest {
        article: Some(good()),
    };
    Ok(f.paula.tickets().create_article(req).await?.into_inner().id)
}

fn good() -> pb::ArticleInput {
    pb::ArticleInput {
        title: "Mapping a network drive".into(),
        body: "Open **This PC**, then *Map network drive*.".into(),
        company_id: 0,
    }
}

#[rustfmt::skip]
pub fn article_cases(f: &Fixture, id: i64, cases: &mut Vec<Case>) {
    let p = || f.paula.tickets();
    let alice = || f.alice.tickets();
    let with = |change: &dyn Fn(&mut pb::ArticleInput)| {
        let mut a = good();
        change(&mut a);
        Some(a)
    };
    let create = |article: Option<pb::ArticleInput>| pb::CreateArticleRequest { article };
    let update = |id: i64, article: Option<pb::ArticleInput>| pb::UpdateArticleRequest { id, article };
    case!(cases, "CreateArticle", "article", "missing", p(), create_article, create(None));
    case!(cases, "CreateArticle", "article.title", "empty", p(), create_article, create(with(&|a| a.title = "  ".into())));
    case!(cases, "CreateArticle", "article.title", "201 characters", p(), create_article, create(with(&|a| a.title = long(201))));
    case!(cases, "CreateArticle", "article.title", "line break", p(), create_article, create(with(&|a| a.title = "two\nlines".into())));
    case!(cases, "CreateArticle", "article.body", "empty", p(), create_article, create(with(&|a| a.body = String::new())));
    case!(cases, "CreateArticle", "article.body", "over 64 KiB", p(), create_article, create(with(&|a| a.body = too_long_post())));
    case!(cases, "CreateArticle", "article.body", "NUL byte", p(), create_article, create(with(&|a| a.body = "a\0b".into())));
    case!(cases, "CreateArticle", "article.company_id", "-1", p(), create_article, create(with(&|a| a.company_id = -1)));
    case!(cases, "CreateArticle", "article.company_id", "no such company", p(), create_article, create(with(&|a| a.company_id = 999_999)));
    case!(cases, "UpdateArticle", "id", "0", p(), update_article, update(0, with(&|_| ())));
    case!(cases, "UpdateArticle", "id", "-1", p(), update_article, update(-1, with(&|_| ())));
    case!(cases, "UpdateArticle", "article", "missing", p(), update_article, update(id, None));
    case!(cases, "UpdateArticle", "article.title", "empty", p(), update_article, update(id, with(&|a| a.title = String::new())));
    case!(cases, "UpdateArticle", "article.body", "escape character", p(), update_article, update(id, with(&|a| a.body = "x\x1b[2J".into())));
    case!(cases, "UpdateArticle", "article.company_id", "no such company", p(), update_article, update(id, with(&|a| a.company_id = 999_999)));
    let archive = |id: i64| pb::ArchiveArticleRequest { id, archived: true };
    case!(cases, "ArchiveArticle", "id", "0", p(), archive_article, archive(0));
    case!(cases, "ArchiveArticle", "id", "-1", p(), archive_article, archive(-1));
    case!(cases, "GetArticle", "id", "0", alice(), get_article, pb::GetArticleRequest { id: 0 });
    case!(cases, "GetArticle", "id", "-1", alice(), get_article, pb::GetArticleRequest { id: -1 });
    let list = |search: String, page: Option<pb::PageRequest>| pb::ListArticlesRequest { search, include_archived: false, page };
    case!(cases, "ListArticles", "search", "201 characters", alice(), list_articles, list(long(201), None));
    case!(cases, "ListArticles", "search", "control character", alice(), list_articles, list("vpn\x07".into(), None));
    case!(cases, "ListArticles", "page.page_size", "201", alice(), list_articles, list(String::new(), page(201, "")));
    case!(cases, "ListArticles", "page.cursor", "forged", alice(), list_articles, list(String::new(), page(0, &forged_cursor())));
    case!(cases, "ListArticles", "page.cursor", "not hex", alice(), list_articles, list(String::new(), page(0, "xyz")));
}

#[rustfmt::skip]
pub fn team_cases(f: &Fixture, cases: &mut Vec<Case>) {
    let p = || f.paula.accounts();
    let get = |company_id: i64| pb::GetAccountTeamRequest { company_id };
    case!(cases, "GetAccountTeam", "company_id", "-1", f.alice.accounts(), get_account_team, get(-1));
    case!(cases, "GetAccountTeam", "company_id", "0 for staff", p(), get_account_team, get(0));
    let set = |change: &dyn Fn(&mut pb::SetAccountTeamRequest)| {
        let mut r = pb::SetAccountTeamRequest { company_id: f.harbor, after_hours_phone: "+1 555 0100".into(), ..Default::default() };
        change(&mut r);
        r
    };
    case!(cases, "SetAccountTeam", "company_id", "0", p(), set_account_team, set(&|r| r.company_id = 0));
    case!(cases, "SetAccountTeam", "company_id", "-1", p(), set_account_team, set(&|r| r.company_id = -1));
    case!(cases, "SetAccountTeam", "account_manager_staff_id", "-1", p(), set_account_team, set(&|r| r.account_manager_staff_id = -1));
    case!(cases, "SetAccountTeam", "account_manager_staff_id", "no such staff", p(), set_account_team, set(&|r| r.account_manager_staff_id = 999_999));
    case!(cases, "SetAccountTeam", "technician_staff_id", "-1", p(), set_account_team, set(&|r| r.technician_staff_id = -1));
    case!(cases, "SetAccountTeam", "technician_staff_id", "no such staff", p(), set_account_team, set(&|r| r.technician_staff_id = 999_999));
    case!(cases, "SetAccountTeam", "after_hours_phone", "letters", p(), set_account_team, set(&|r| r.after_hours_phone = "call Tom".into()));
    case!(cases, "SetAccountTeam", "after_hours_phone", "41 digits", p(), set_account_team, set(&|r| r.after_hours_phone = "1".repeat(41)));
}
