//! The knowledge library and the account team live (docs/KNOWLEDGE.md):
//! a change reaches, over the event stream, those who read it and nobody
//! else: a company-only article and a company's team its people and
//! staff, a public article every client.

use std::time::Duration;

use portal_e2e::{DEMO_PASSWORD, Session, TestServer, demo};
use portal_proto::pb;
use tokio_stream::StreamExt;

/// A session and its company.
async fn sign_in(server: &TestServer, email: &str) -> anyhow::Result<(Session, i64)> {
    let login = server.login(email, DEMO_PASSWORD).await?;
    let company_id = login.identity.as_ref().map_or(0, |i| i.company_id);
    Ok((
        Session::new(server.channel().await?, &login.token)?,
        company_id,
    ))
}

async fn events(s: &Session) -> anyhow::Result<tonic::Streaming<pb::Event>> {
    Ok(s.events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner())
}

async fn next(s: &mut tonic::Streaming<pb::Event>) -> anyhow::Result<pb::Event> {
    match tokio::time::timeout(Duration::from_secs(10), s.next()).await {
        Ok(Some(Ok(e))) => Ok(e),
        other => Err(anyhow::anyhow!("no event: {other:?}")),
    }
}

fn article(title: &str, company_id: i64) -> pb::CreateArticleRequest {
    pb::CreateArticleRequest {
        article: Some(pb::ArticleInput {
            title: title.into(),
            body: "Text.".into(),
            company_id,
        }),
    }
}

#[tokio::test]
async fn changes_reach_their_readers_live_and_no_other_company() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (paula, _) = sign_in(&server, demo::PROVIDER_ADMIN).await?;
    let (uma, harbor) = sign_in(&server, demo::CLIENT_USER).await?;
    let (una, alder) = sign_in(&server, demo::OTHER_USER).await?;
    let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;
    let (mut harbor_events, mut alder_events, mut staff_events) = (
        events(&uma).await?,
        events(&una).await?,
        events(&dina).await?,
    );

    paula
        .tickets()
        .create_article(article("Harbor's guest Wi-Fi", harbor))
        .await?;
    for stream in [&mut harbor_events, &mut staff_events] {
        let e = next(stream).await?;
        assert_eq!(e.kind, pb::EventKind::ArticleChanged as i32);
        assert_eq!(e.ticket_number, 0);
        assert!(e.summary.contains("Harbor's guest Wi-Fi"), "{}", e.summary);
    }
    paula
        .tickets()
        .create_article(article("Saving a file as PDF", 0))
        .await?;
    // Alder's first event is the public article: Harbor's never came.
    let e = next(&mut alder_events).await?;
    assert!(e.summary.contains("Saving a file as PDF"), "{}", e.summary);
    assert!(
        next(&mut harbor_events)
            .await?
            .summary
            .contains("Saving a file")
    );

    let team = |company_id: i64| pb::SetAccountTeamRequest {
        company_id,
        after_hours_phone: "+1 555 0177".into(),
        ..Default::default()
    };
    paula.accounts().set_account_team(team(harbor)).await?;
    let e = next(&mut harbor_events).await?;
    assert_eq!(e.kind, pb::EventKind::AccountTeamChanged as i32);
    assert!(e.summary.contains("Harbor Dental Group"), "{}", e.summary);
    paula.accounts().set_account_team(team(alder)).await?;
    let e = next(&mut alder_events).await?;
    assert_eq!(e.kind, pb::EventKind::AccountTeamChanged as i32);
    assert!(
        e.summary.contains("Alder"),
        "Harbor's team never came: {}",
        e.summary
    );
    Ok(())
}

/// An article moved to another company leaves the lists of those who read
/// it until then: they are told it was withdrawn, by the title they knew,
/// and the new company is told of it by its new title.
#[tokio::test]
async fn an_article_moved_to_another_company_is_withdrawn_from_the_first() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (paula, _) = sign_in(&server, demo::PROVIDER_ADMIN).await?;
    let (uma, harbor) = sign_in(&server, demo::CLIENT_USER).await?;
    let (una, alder) = sign_in(&server, demo::OTHER_USER).await?;
    let (mut harbor_events, mut alder_events) = (events(&uma).await?, events(&una).await?);
    let created = paula
        .tickets()
        .create_article(article("Harbor's VPN", harbor))
        .await?
        .into_inner();
    assert!(
        next(&mut harbor_events)
            .await?
            .summary
            .contains("Harbor's VPN")
    );

    paula
        .tickets()
        .update_article(pb::UpdateArticleRequest {
            id: created.id,
            article: Some(pb::ArticleInput {
                title: "Alder's VPN".into(),
                body: "Text.".into(),
                company_id: alder,
            }),
        })
        .await?;
    let e = next(&mut harbor_events).await?;
    assert_eq!(e.kind, pb::EventKind::ArticleChanged as i32);
    assert_eq!(e.summary, "Article “Harbor's VPN” withdrawn");
    let e = next(&mut alder_events).await?;
    assert_eq!(e.summary, "Article “Alder's VPN” updated");
    // Harbor heard nothing of the new title.
    let quiet = tokio::time::timeout(Duration::from_millis(300), harbor_events.next()).await;
    assert!(quiet.is_err(), "{quiet:?}");
    Ok(())
}
