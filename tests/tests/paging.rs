//! Every list other than tickets pages with keyset cursors: read a few rows
//! at a time it yields the whole list once, in order, and its last page
//! hands out no cursor to an empty one.

use std::future::Future;

use portal_e2e::{Session, TestServer, demo};
use portal_proto::pb;
use tonic::Status;

type Page = (Vec<i64>, String);

/// The ids of every page of a list read `size` rows at a time.
async fn pages<F, Fut>(size: u32, fetch: &F) -> anyhow::Result<Vec<Vec<i64>>>
where
    F: Fn(Option<pb::PageRequest>) -> Fut,
    Fut: Future<Output = Result<Page, Status>>,
{
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let (ids, next) = fetch(Some(pb::PageRequest {
            page_size: size,
            cursor,
        }))
        .await?;
        out.push(ids);
        if next.is_empty() {
            return Ok(out);
        }
        anyhow::ensure!(out.len() <= 10_000, "the list never ends");
        cursor = next;
    }
}

/// Paging 1, 2 and 3 at a time gives what the largest pages give, and no
/// page is empty or over its size. Returns the whole list.
async fn check<F, Fut>(what: &str, fetch: F) -> anyhow::Result<Vec<i64>>
where
    F: Fn(Option<pb::PageRequest>) -> Fut,
    Fut: Future<Output = Result<Page, Status>>,
{
    let whole = pages(200, &fetch).await?.concat();
    for size in [1, 2, 3] {
        let paged = pages(size, &fetch).await?;
        anyhow::ensure!(
            paged
                .iter()
                .all(|p| !p.is_empty() && p.len() <= size as usize),
            "{what}, {size} at a time: pages {paged:?}"
        );
        anyhow::ensure!(paged.concat() == whole, "{what}, {size} at a time");
    }
    Ok(whole)
}

async fn company_ids(s: &Session) -> anyhow::Result<Vec<i64>> {
    Ok(s.staff()
        .list_companies(pb::ListCompaniesRequest::default())
        .await?
        .into_inner()
        .companies
        .iter()
        .map(|c| c.id)
        .collect())
}

#[tokio::test]
async fn every_list_pages_whole_and_ends_without_an_empty_page() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let admin = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let anonymous = server.anonymous().await?;

    let staff = check("staff", |page| {
        let s = admin.clone();
        async move {
            let r = s
                .staff()
                .list_staff(pb::ListStaffRequest {
                    include_inactive: true,
                    page,
                })
                .await?
                .into_inner();
            Ok((r.staff.iter().map(|m| m.id).collect(), r.next_cursor))
        }
    })
    .await?;
    assert!(staff.len() >= 3, "{staff:?}");

    check("companies", |page| {
        let s = admin.clone();
        async move {
            let r = s
                .staff()
                .list_companies(pb::ListCompaniesRequest {
                    include_inactive: true,
                    page,
                    ..Default::default()
                })
                .await?
                .into_inner();
            Ok((r.companies.iter().map(|c| c.id).collect(), r.next_cursor))
        }
    })
    .await?;

    let mut asked = 0;
    for company_id in company_ids(&admin).await? {
        check("contacts", |page| {
            let s = admin.clone();
            async move {
                let r = s
                    .accounts()
                    .list_users(pb::ListUsersRequest {
                        company_id,
                        include_inactive: true,
                        page,
                        ..Default::default()
                    })
                    .await?
                    .into_inner();
                Ok((r.contacts.iter().map(|c| c.id).collect(), r.next_cursor))
            }
        })
        .await?;
        // Every contact asks for a password reset: pending requests to page.
        let contacts = admin
            .accounts()
            .list_users(pb::ListUsersRequest {
                company_id,
                page: Some(pb::PageRequest {
                    page_size: 200,
                    cursor: String::new(),
                }),
                ..Default::default()
            })
            .await?
            .into_inner()
            .contacts;
        for contact in contacts {
            anonymous
                .auth()
                .forgot_password(pb::ForgotPasswordRequest {
                    email: contact.email,
                })
                .await?;
            asked += 1;
        }
    }

    let requests = check("pending requests", |page| {
        let s = admin.clone();
        async move {
            let r = s
                .accounts()
                .list_pending_requests(pb::ListPendingRequestsRequest {
                    company_id: 0,
                    page,
                })
                .await?
                .into_inner();
            Ok((r.requests.iter().map(|q| q.id).collect(), r.next_cursor))
        }
    })
    .await?;
    assert!(requests.len() >= 6, "{requests:?}");

    let audit = check("audit log", |page| {
        let s = admin.clone();
        async move {
            let r = s
                .staff()
                .list_audit_log(pb::ListAuditLogRequest {
                    page,
                    ..Default::default()
                })
                .await?
                .into_inner();
            Ok((r.entries.iter().map(|e| e.id).collect(), r.next_cursor))
        }
    })
    .await?;
    // Each reset asked for and the admin's sign-in left an entry at least.
    assert!(
        audit.len() > asked,
        "{} audit entries after {asked} resets asked for",
        audit.len()
    );
    Ok(())
}
