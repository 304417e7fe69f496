//! The knowledge library and the account team across companies: another
//! company's company-only article and its account team answer NOT_FOUND
//! exactly as ids that do not exist, are never listed or found by search,
//! and nothing of Harbor's changes.

use portal_e2e::{TestServer, demo, expect_code};
use portal_proto::pb;
use tonic::Code;

use super::sign_in;

#[tokio::test]
async fn another_companys_articles_and_team_are_not_found() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (paula, _) = sign_in(&server, demo::PROVIDER_ADMIN).await?;
    let (uma, uma_id) = sign_in(&server, demo::CLIENT_USER).await?;
    let harbor = uma_id.company_id;
    let secret = paula
        .tickets()
        .create_article(pb::CreateArticleRequest {
            article: Some(pb::ArticleInput {
                title: "Harbor's door codes zebrafish".into(),
                body: "Only for Harbor: the zebrafish code.".into(),
                company_id: harbor,
            }),
        })
        .await?
        .into_inner();
    paula
        .accounts()
        .set_account_team(pb::SetAccountTeamRequest {
            company_id: harbor,
            after_hours_phone: "+1 555 0142".into(),
            ..Default::default()
        })
        .await?;
    // Harbor's own people read it.
    let read = uma
        .tickets()
        .get_article(pb::GetArticleRequest { id: secret.id })
        .await?;
    assert!(read.into_inner().body.contains("zebrafish"));

    for email in [demo::OTHER_USER, demo::OTHER_MANAGER, demo::OTHER_ADMIN] {
        let (other, me) = sign_in(&server, email).await?;
        let t = other.tickets();
        let got = expect_code(
            t.clone()
                .get_article(pb::GetArticleRequest { id: secret.id })
                .await,
            Code::NotFound,
        );
        let absent = expect_code(
            t.clone()
                .get_article(pb::GetArticleRequest { id: 999_999_999 })
                .await,
            Code::NotFound,
        );
        assert_eq!(got.message(), absent.message(), "GetArticle as {email}");
        for search in ["zebrafish", ""] {
            let list = t
                .clone()
                .list_articles(pb::ListArticlesRequest {
                    search: search.into(),
                    include_archived: true,
                    page: Some(pb::PageRequest {
                        page_size: 200,
                        cursor: String::new(),
                    }),
                })
                .await?
                .into_inner();
            assert!(
                list.articles
                    .iter()
                    .all(|a| a.id != secret.id
                        && (a.company_id == 0 || a.company_id == me.company_id)),
                "{email} searching {search:?}: {:?}",
                list.articles
            );
        }
        let a = other.accounts();
        let got = expect_code(
            a.clone()
                .get_account_team(pb::GetAccountTeamRequest { company_id: harbor })
                .await,
            Code::NotFound,
        );
        let absent = expect_code(
            a.clone()
                .get_account_team(pb::GetAccountTeamRequest {
                    company_id: 999_999_999,
                })
                .await,
            Code::NotFound,
        );
        assert_eq!(got.message(), absent.message(), "GetAccountTeam as {email}");
        // Their own team is theirs, not Harbor's.
        let own = a
            .clone()
            .get_account_team(pb::GetAccountTeamRequest::default())
            .await?
            .into_inner();
        assert_eq!(own.company_id, me.company_id);
        assert_ne!(own.after_hours_phone, "+1 555 0142");
        // Nor can they change Harbor's article.
        expect_code(
            t.clone()
                .update_article(pb::UpdateArticleRequest {
                    id: secret.id,
                    article: Some(pb::ArticleInput {
                        title: "Mine now".into(),
                        body: "x".into(),
                        company_id: 0,
                    }),
                })
                .await,
            Code::PermissionDenied,
        );
    }
    let kept = paula
        .tickets()
        .get_article(pb::GetArticleRequest { id: secret.id })
        .await?
        .into_inner();
    assert_eq!((kept.title, kept.company_id), (secret.title, harbor));
    Ok(())
}
