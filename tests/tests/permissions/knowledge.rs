//! docs/ROLES.md rows for the knowledge library (TicketService's articles)
//! and the account team (AccountService.GetAccountTeam, SetAccountTeam),
//! for every role. Allowed, the change is seen afterwards; refused, nothing
//! changed.

use portal_proto::pb;

use super::{DENIED, NOT_FOUND, ROLES, Role, World, YES, check};

fn input(title: &str, company_id: i64) -> pb::ArticleInput {
    pb::ArticleInput {
        title: title.into(),
        body: "## Steps\n\n1. Open the app\n2. Sign in".into(),
        company_id,
    }
}

/// An article written by the provider Admin.
async fn article(w: &World, title: &str, company_id: i64) -> anyhow::Result<pb::Article> {
    let req = pb::CreateArticleRequest {
        article: Some(input(title, company_id)),
    };
    Ok(w.s(Role::ProviderAdmin)
        .tickets()
        .create_article(req)
        .await?
        .into_inner())
}

/// The article as stored (read by the Dispatcher, who reads every one).
async fn stored(w: &World, id: i64) -> anyhow::Result<pb::Article> {
    Ok(w.dispatcher()
        .tickets()
        .get_article(pb::GetArticleRequest { id })
        .await?
        .into_inner())
}

/// How many articles the Dispatcher lists, archived ones included.
async fn count(w: &World) -> anyhow::Result<usize> {
    let req = pb::ListArticlesRequest {
        include_archived: true,
        page: Some(pb::PageRequest {
            page_size: 200,
            cursor: String::new(),
        }),
        ..Default::default()
    };
    let list = w.dispatcher().tickets().list_articles(req).await?;
    Ok(list.into_inner().articles.len())
}

/// A company's team as stored (read by the Dispatcher).
async fn team_of(w: &World, company_id: i64) -> anyhow::Result<pb::AccountTeam> {
    let req = pb::GetAccountTeamRequest { company_id };
    Ok(w.dispatcher()
        .accounts()
        .get_account_team(req)
        .await?
        .into_inner())
}

fn writes(role: Role) -> bool {
    matches!(role, Role::Technician | Role::ProviderAdmin)
}

#[tokio::test]
async fn provider_admins_and_technicians_write_articles() -> anyhow::Result<()> {
    let w = World::new().await?;
    for role in ROLES {
        let before = count(&w).await?;
        let req = pb::CreateArticleRequest {
            article: Some(input(&format!("Written by {role:?}"), 0)),
        };
        let got = w.s(role).tickets().create_article(req).await;
        if let Ok(a) = &got {
            let a = stored(&w, a.get_ref().id).await?;
            assert_eq!(a.title, format!("Written by {role:?}"));
        } else {
            assert_eq!(count(&w).await?, before, "{role:?}");
        }
        let cell = if writes(role) { YES } else { DENIED };
        check("write an article", role, got.map(drop), cell);

        let a = article(&w, "Before", 0).await?;
        let req = pb::UpdateArticleRequest {
            id: a.id,
            article: Some(input("After", w.harbor())),
        };
        let got = w.s(role).tickets().update_article(req).await;
        let now = stored(&w, a.id).await?;
        let want = if got.is_ok() { "After" } else { "Before" };
        assert_eq!(now.title, want, "{role:?}");
        check("edit an article", role, got.map(drop), cell);

        let req = pb::ArchiveArticleRequest {
            id: a.id,
            archived: true,
        };
        let got = w.s(role).tickets().archive_article(req).await;
        assert_eq!(stored(&w, a.id).await?.archived, got.is_ok(), "{role:?}");
        check("archive an article", role, got.map(drop), cell);
    }
    Ok(())
}

#[tokio::test]
async fn everyone_reads_public_articles_clients_never_archived_ones() -> anyhow::Result<()> {
    let w = World::new().await?;
    let public = article(&w, "Resetting a forgotten password", 0).await?;
    let harbor = article(&w, "Harbor's Wi-Fi for guests", w.harbor()).await?;
    let old = article(&w, "The old fax line", 0).await?;
    w.s(Role::ProviderAdmin)
        .tickets()
        .archive_article(pb::ArchiveArticleRequest {
            id: old.id,
            archived: true,
        })
        .await?;
    for role in ROLES {
        for (what, a) in [("public", &public), ("Harbor's", &harbor)] {
            let got = w
                .s(role)
                .tickets()
                .get_article(pb::GetArticleRequest { id: a.id })
                .await;
            if let Ok(read) = &got {
                assert!(read.get_ref().body.contains("Open the app"), "{role:?}");
            }
            check(&format!("read a {what} article"), role, got.map(drop), YES);
        }
        let got = w
            .s(role)
            .tickets()
            .get_article(pb::GetArticleRequest { id: old.id })
            .await;
        let cell = if role.is_staff() { YES } else { NOT_FOUND };
        check("read an archived article", role, got.map(drop), cell);

        let req = pb::ListArticlesRequest {
            search: "password forgotten".into(),
            include_archived: true,
            ..Default::default()
        };
        let list = w.s(role).tickets().list_articles(req).await?.into_inner();
        let ids: Vec<i64> = list.articles.iter().map(|a| a.id).collect();
        assert!(ids.contains(&public.id), "{role:?} searches: {ids:?}");
        let req = pb::ListArticlesRequest {
            include_archived: true,
            page: Some(pb::PageRequest {
                page_size: 200,
                cursor: String::new(),
            }),
            ..Default::default()
        };
        let list = w.s(role).tickets().list_articles(req).await?.into_inner();
        assert!(
            list.articles.iter().all(|a| a.body.is_empty()),
            "titles only"
        );
        let ids: Vec<i64> = list.articles.iter().map(|a| a.id).collect();
        assert!(ids.contains(&harbor.id), "{role:?} lists Harbor's");
        assert_eq!(ids.contains(&old.id), role.is_staff(), "{role:?}: archived");
    }
    Ok(())
}

#[tokio::test]
async fn a_companys_people_and_staff_read_its_team_only_provider_admins_set_it()
-> anyhow::Result<()> {
    let w = World::new().await?;
    let tom = w.id(Role::Technician).id;
    let dina = w.id(Role::Dispatcher).id;
    for role in ROLES {
        let company_id = if role.is_staff() { w.harbor() } else { 0 };
        let got = w
            .s(role)
            .accounts()
            .get_account_team(pb::GetAccountTeamRequest { company_id })
            .await;
        if let Ok(team) = &got {
            assert_eq!(team.get_ref().company_id, w.harbor(), "{role:?}");
        }
        check("read the company's account team", role, got.map(drop), YES);

        let before = team_of(&w, w.harbor()).await?;
        let manager = if before.account_manager.as_ref().map(|m| m.staff_id) == Some(dina) {
            tom
        } else {
            dina
        };
        let req = pb::SetAccountTeamRequest {
            company_id: w.harbor(),
            account_manager_staff_id: manager,
            technician_staff_id: tom,
            after_hours_phone: "+1 555 0199".into(),
        };
        let got = w.s(role).accounts().set_account_team(req).await;
        let after = team_of(&w, w.harbor()).await?;
        if got.is_ok() {
            assert_eq!(after.account_manager.map(|m| m.staff_id), Some(manager));
            assert_eq!(after.after_hours_phone, "+1 555 0199");
        } else {
            assert_eq!(after, before, "{role:?}");
        }
        let cell = if role == Role::ProviderAdmin {
            YES
        } else {
            DENIED
        };
        check("set the account team", role, got.map(drop), cell);
    }
    Ok(())
}
