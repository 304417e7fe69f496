//! Tickets end to end: the catalog, creation and its validation, lists
//! (filters, sorting, keyset paging, full-text search), detail, posts and
//! internal notes, the status machine, priority and assignment,
//! subscribers, tasks, attachments, figures and events.

#![allow(
    clippy::too_many_lines,
    reason = "each end-to-end scenario reads as one story; product code keeps the 120-line limit"
)]

use std::collections::HashSet;
use std::time::Duration;

use portal_e2e::{DEMO_PASSWORD, Session, TestServer, demo, expect_code, utc_date};
use portal_proto::pb;
use portal_proto::pb::upload_attachment_request::Part;
use sha2::{Digest, Sha256};
use tokio_stream::StreamExt;
use tonic::Code;

/// A signed-in demo account and who it is.
async fn sign_in(server: &TestServer, email: &str) -> anyhow::Result<(Session, pb::Identity)> {
    let login = server.login(email, DEMO_PASSWORD).await?;
    let identity = login.identity.unwrap_or_default();
    Ok((
        Session::new(server.channel().await?, &login.token)?,
        identity,
    ))
}

/// A valid request for a plain ticket of the "Other" type.
async fn plain_ticket(s: &Session, title: &str) -> anyhow::Result<pb::CreateTicketRequest> {
    Ok(pb::CreateTicketRequest {
        title: title.into(),
        description: "Details follow.".into(),
        service_type_id: s.service_type("Other").await?.id,
        ..Default::default()
    })
}

async fn create(s: &Session, title: &str) -> anyhow::Result<pb::Ticket> {
    let req = plain_ticket(s, title).await?;
    Ok(s.tickets().create_ticket(req).await?.into_inner())
}

async fn detail(s: &Session, number: i64) -> Result<pb::TicketDetail, tonic::Status> {
    s.tickets()
        .get_ticket(pb::GetTicketRequest { number })
        .await
        .map(tonic::Response::into_inner)
}

async fn list(s: &Session, req: pb::ListTicketsRequest) -> anyhow::Result<pb::ListTicketsResponse> {
    Ok(s.tickets().list_tickets(req).await?.into_inner())
}

/// Every ticket a list request matches, walking all pages.
async fn walk(
    s: &Session,
    mut req: pb::ListTicketsRequest,
    size: u32,
) -> anyhow::Result<(Vec<pb::Ticket>, u64)> {
    let mut out = Vec::new();
    let mut total = None;
    loop {
        req.page = Some(pb::PageRequest {
            page_size: size,
            cursor: req.page.take().map(|p| p.cursor).unwrap_or_default(),
        });
        let page = list(s, req.clone()).await?;
        assert!(page.tickets.len() <= size as usize);
        let t = *total.get_or_insert(page.total);
        assert_eq!(t, page.total, "the total stays the same while paging");
        out.extend(page.tickets);
        if page.next_cursor.is_empty() {
            break;
        }
        req.page = Some(pb::PageRequest {
            page_size: size,
            cursor: page.next_cursor,
        });
    }
    Ok((out, total.unwrap_or(0)))
}

/// `req` lists exactly the tickets of `all` (every ticket) that `keep`
/// picks, and they are not none: a filter that drops or lets through a
/// ticket fails, and so does one with nothing to filter.
async fn filter_lists_exactly(
    s: &Session,
    all: &[pb::Ticket],
    req: pb::ListTicketsRequest,
    keep: impl Fn(&pb::Ticket) -> bool,
) -> anyhow::Result<()> {
    let mut expected: Vec<i64> = all.iter().filter(|t| keep(t)).map(|t| t.number).collect();
    expected.sort_unstable();
    anyhow::ensure!(!expected.is_empty(), "no ticket matches {req:?}");
    let (listed, total) = walk(s, req.clone(), 200).await?;
    let mut listed: Vec<i64> = listed.iter().map(|t| t.number).collect();
    listed.sort_unstable();
    anyhow::ensure!(
        listed == expected,
        "{req:?} listed {} tickets, {} expected; first differences: listed only {:?}, missing {:?}",
        listed.len(),
        expected.len(),
        listed
            .iter()
            .filter(|n| !expected.contains(n))
            .take(5)
            .collect::<Vec<_>>(),
        expected
            .iter()
            .filter(|n| !listed.contains(n))
            .take(5)
            .collect::<Vec<_>>(),
    );
    anyhow::ensure!(total == expected.len() as u64, "{req:?}: total {total}");
    Ok(())
}

/// Signs off a Completed ticket as `name`.
async fn sign_off(
    s: &Session,
    number: i64,
    name: &str,
) -> Result<pb::SignOffRecord, tonic::Status> {
    s.work()
        .sign_off(pb::SignOffRequest {
            number,
            full_name: name.into(),
            comment: String::new(),
        })
        .await
        .map(tonic::Response::into_inner)
}

async fn move_to(
    s: &Session,
    number: i64,
    status: pb::TicketStatus,
    note: &str,
) -> Result<pb::Ticket, tonic::Status> {
    s.tickets()
        .change_status(pb::ChangeStatusRequest {
            number,
            status: status.into(),
            note: note.into(),
        })
        .await
        .map(tonic::Response::into_inner)
}

fn field(key: &str, value: &str) -> pb::FieldValue {
    pb::FieldValue {
        key: key.into(),
        value: value.into(),
    }
}

#[tokio::test]
async fn catalog_lists_in_order_and_only_provider_admins_edit_it() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (uma, _) = sign_in(&server, demo::CLIENT_USER).await?;
    let (paula, _) = sign_in(&server, demo::PROVIDER_ADMIN).await?;
    let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;

    let types = uma
        .tickets()
        .list_service_types(pb::ListServiceTypesRequest::default())
        .await?
        .into_inner()
        .service_types;
    assert!(types.len() >= 5);
    assert_eq!(types.last().map(|t| t.name.as_str()), Some("Other"));
    assert!(types.iter().all(|t| t.active));
    let orders: Vec<i32> = types[..types.len() - 1]
        .iter()
        .map(|t| t.sort_order)
        .collect();
    assert!(orders.windows(2).all(|w| w[0] <= w[1]), "{orders:?}");
    expect_code(
        uma.tickets()
            .list_service_types(pb::ListServiceTypesRequest {
                include_inactive: true,
            })
            .await,
        Code::PermissionDenied,
    );

    let new_type = pb::ServiceType {
        name: "Badge access".into(),
        description: "Door badges".into(),
        sort_order: 50,
        active: true,
        fields: vec![pb::FieldDef {
            key: "door".into(),
            label: "Which door".into(),
            kind: pb::FieldKind::Choice.into(),
            required: true,
            choices: vec!["Front".into(), "Back".into()],
        }],
        ..Default::default()
    };
    expect_code(
        dina.staff().save_service_type(new_type.clone()).await,
        Code::PermissionDenied,
    );
    let mut bad = new_type.clone();
    bad.fields[0].key = "Door!".into();
    let status = expect_code(
        paula.staff().save_service_type(bad).await,
        Code::InvalidArgument,
    );
    assert!(status.message().starts_with("fields[0].key"), "{status:?}");
    let mut bad = new_type.clone();
    bad.fields[0].choices.clear();
    let status = expect_code(
        paula.staff().save_service_type(bad).await,
        Code::InvalidArgument,
    );
    assert!(
        status.message().starts_with("fields[0].choices"),
        "{status:?}"
    );
    let mut bad = new_type.clone();
    bad.fields[0].kind = pb::FieldKind::Unspecified.into();
    expect_code(
        paula.staff().save_service_type(bad).await,
        Code::InvalidArgument,
    );
    let mut bad = new_type.clone();
    bad.name = "other".into();
    let status = expect_code(
        paula.staff().save_service_type(bad).await,
        Code::InvalidArgument,
    );
    assert!(status.message().starts_with("name"), "{status:?}");

    let mut saved = paula
        .staff()
        .save_service_type(new_type)
        .await?
        .into_inner();
    assert!(saved.id > 0);
    let badge = uma.service_type("Badge access").await?;
    assert_eq!(badge.fields.len(), 1);

    // A ticket must answer the type's fields.
    let mut req = plain_ticket(&uma, "Badge broken").await?;
    req.service_type_id = saved.id;
    let status = expect_code(
        uma.tickets().create_ticket(req.clone()).await,
        Code::InvalidArgument,
    );
    assert!(status.message().starts_with("fields.door"), "{status:?}");
    req.fields = vec![field("door", "Side")];
    let status = expect_code(
        uma.tickets().create_ticket(req.clone()).await,
        Code::InvalidArgument,
    );
    assert!(status.message().starts_with("fields.door"), "{status:?}");
    req.fields = vec![field("door", "Back")];
    let t = uma.tickets().create_ticket(req.clone()).await?.into_inner();
    assert_eq!(t.fields, vec![field("door", "Back")]);

    // Retired types leave the list and take no new tickets.
    saved.active = false;
    paula.staff().save_service_type(saved.clone()).await?;
    assert!(uma.service_type("Badge access").await.is_err());
    let all = paula
        .tickets()
        .list_service_types(pb::ListServiceTypesRequest {
            include_inactive: true,
        })
        .await?
        .into_inner();
    assert!(
        all.service_types
            .iter()
            .any(|t| t.id == saved.id && !t.active)
    );
    let status = expect_code(
        uma.tickets().create_ticket(req).await,
        Code::InvalidArgument,
    );
    assert!(
        status.message().starts_with("service_type_id"),
        "{status:?}"
    );
    Ok(())
}

#[tokio::test]
async fn create_validates_every_field_and_stores_nothing_when_refused() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (uma, uma_id) = sign_in(&server, demo::CLIENT_USER).await?;
    let (mark, _) = sign_in(&server, demo::CLIENT_MANAGER).await?;
    let (alice, alice_id) = sign_in(&server, demo::CLIENT_ADMIN).await?;
    let (_, ava_id) = sign_in(&server, demo::OTHER_ADMIN).await?;
    let (una, _) = sign_in(&server, demo::OTHER_USER).await?;
    let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;
    let count =
        || async { anyhow::Ok(list(&dina, pb::ListTicketsRequest::default()).await?.total) };
    let before = count().await?;

    let reset = uma.service_type("Password reset").await?;
    let good = pb::CreateTicketRequest {
        title: "Locked out of e-mail".into(),
        description: "Since this morning.".into(),
        service_type_id: reset.id,
        fields: vec![
            field("account", "E-mail"),
            field("username", "uma"),
            field("locked_out", "yes"),
        ],
        ..Default::default()
    };
    let refused = |change: &dyn Fn(&mut pb::CreateTicketRequest), field_name: &'static str| {
        let mut req = good.clone();
        change(&mut req);
        (req, field_name)
    };
    let cases = [
        refused(&|r| r.title = "   ".into(), "title"),
        refused(&|r| r.title = "x".repeat(201), "title"),
        refused(
            &|r| r.description = "x".repeat(64 * 1024 + 1),
            "description",
        ),
        refused(&|r| r.service_type_id = 0, "service_type_id"),
        refused(&|r| r.service_type_id = 999_999, "service_type_id"),
        refused(
            &|r| r.fields.retain(|f| f.key != "username"),
            "fields.username",
        ),
        refused(&|r| r.fields[0].value = "Fax".into(), "fields.account"),
        refused(&|r| r.fields[2].value = "maybe".into(), "fields.locked_out"),
        refused(
            &|r| r.fields.push(field("shoe_size", "9")),
            "fields.shoe_size",
        ),
        refused(&|r| r.fields[1].value = "u".repeat(201), "fields.username"),
        refused(&|r| r.due_date = "2020-01-01".into(), "due_date"),
        refused(&|r| r.due_date = "2030-02-30".into(), "due_date"),
        refused(&|r| r.due_date = "tomorrow".into(), "due_date"),
        refused(&|r| r.po_number = "P".repeat(51), "po_number"),
        refused(&|r| r.site_id = -1, "site_id"),
        refused(&|r| r.priority = 9, "priority"),
    ];
    for (req, name) in cases {
        let status = expect_code(
            uma.tickets().create_ticket(req).await,
            Code::InvalidArgument,
        );
        assert!(
            status.message().starts_with(&format!("{name}:")),
            "{name}: {status:?}"
        );
    }
    // A site of another company.
    let other_site = list(
        &dina,
        pb::ListTicketsRequest {
            company_id: ava_id.company_id,
            ..Default::default()
        },
    )
    .await?
    .tickets
    .into_iter()
    .find(|t| t.site_id > 0)
    .map(|t| t.site_id);
    if let Some(site_id) = other_site {
        let mut req = good.clone();
        req.site_id = site_id;
        let status = expect_code(
            uma.tickets().create_ticket(req).await,
            Code::InvalidArgument,
        );
        assert!(status.message().starts_with("site_id"), "{status:?}");
    }
    // Only staff set the priority; a User raises tickets for itself only.
    let mut req = good.clone();
    req.priority = 2;
    expect_code(
        uma.tickets().create_ticket(req).await,
        Code::PermissionDenied,
    );
    let mut req = good.clone();
    req.contact_id = alice_id.id;
    expect_code(
        uma.tickets().create_ticket(req).await,
        Code::PermissionDenied,
    );
    // Managers pick contacts of their own company only.
    let mut req = good.clone();
    req.contact_id = ava_id.id;
    expect_code(mark.tickets().create_ticket(req).await, Code::NotFound);
    let mut req = good.clone();
    req.company_id = ava_id.company_id;
    expect_code(alice.tickets().create_ticket(req).await, Code::NotFound);
    // Staff name the contact.
    expect_code(
        dina.tickets().create_ticket(good.clone()).await,
        Code::InvalidArgument,
    );
    // Alder & Finch requires a PO number.
    let mut req = good.clone();
    let status = expect_code(
        una.tickets().create_ticket(req.clone()).await,
        Code::InvalidArgument,
    );
    assert!(status.message().starts_with("po_number"), "{status:?}");
    assert_eq!(count().await?, before, "refused tickets are not stored");

    req.po_number = "PO-7781".into();
    let t = una.tickets().create_ticket(req).await?.into_inner();
    assert_eq!(t.po_number, "PO-7781");

    let t = uma
        .tickets()
        .create_ticket(good.clone())
        .await?
        .into_inner();
    assert!(t.number > 0);
    assert_eq!(t.contact_id, uma_id.id);
    assert_eq!(t.company_id, uma_id.company_id);
    assert_eq!(t.status, pb::TicketStatus::New as i32);
    assert_eq!(t.priority, 3);
    assert!(t.response_due_at.is_some());
    assert_eq!(t.service_type_name, "Password reset");
    let d = detail(&uma, t.number).await?;
    assert!(
        d.subscribers
            .iter()
            .any(|s| s.email == demo::CLIENT_MANAGER),
        "the company's default subscriber follows new tickets"
    );

    let mut req = good.clone();
    req.emergency = true;
    req.contact_id = uma_id.id;
    let t = mark.tickets().create_ticket(req).await?.into_inner();
    assert_eq!(
        (t.priority, t.emergency, t.contact_id),
        (1, true, uma_id.id)
    );

    let mut req = good.clone();
    req.contact_id = ava_id.id;
    req.priority = 4;
    req.po_number = "PO-1".into();
    let t = dina.tickets().create_ticket(req).await?.into_inner();
    assert_eq!((t.company_id, t.priority), (ava_id.company_id, 4));
    assert_eq!(count().await?, before + 4);
    Ok(())
}

/// Which tickets of the whole list a filter keeps.
type Keep = Box<dyn Fn(&pb::Ticket) -> bool>;

/// A date filter (set to one day) and the ticket time it filters on.
type DayRange = (
    fn(&mut pb::ListTicketsRequest, String),
    fn(&pb::Ticket) -> i64,
);

/// What a list sorted by `sort` orders by (ties go by number, the same
/// way); text as SQLite's NOCASE compares it (ASCII letters folded).
type SortKey = (i64, String);

fn sort_key(sort: pb::TicketSort, t: &pb::Ticket) -> SortKey {
    let at = |ts: Option<prost_types::Timestamp>| {
        ts.map_or(i64::MAX, |ts| {
            ts.seconds * 1_000 + i64::from(ts.nanos / 1_000_000)
        })
    };
    match sort {
        pb::TicketSort::Title => (0, t.title.to_ascii_lowercase()),
        pb::TicketSort::Contact => (0, t.contact_name.to_ascii_lowercase()),
        pb::TicketSort::Company => (0, t.company_name.to_ascii_lowercase()),
        pb::TicketSort::Status => (i64::from(t.status), String::new()),
        pb::TicketSort::Priority => (i64::from(t.priority), String::new()),
        pb::TicketSort::Updated | pb::TicketSort::Unspecified => (at(t.updated_at), String::new()),
        pb::TicketSort::Created => (at(t.created_at), String::new()),
        pb::TicketSort::NextDue => (at(t.next_due_at), String::new()),
        pb::TicketSort::Number => (t.number, String::new()),
    }
}

#[tokio::test]
async fn lists_filter_sort_and_page_without_gaps_or_duplicates() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;
    let (uma, uma_id) = sign_in(&server, demo::CLIENT_USER).await?;
    let (mark, mark_id) = sign_in(&server, demo::CLIENT_MANAGER).await?;

    let everything = list(&dina, pb::ListTicketsRequest::default()).await?.total;
    assert!(everything >= 400);
    for sort in [
        pb::TicketSort::Number,
        pb::TicketSort::Title,
        pb::TicketSort::Status,
        pb::TicketSort::Priority,
        pb::TicketSort::Contact,
        pb::TicketSort::Updated,
        pb::TicketSort::Created,
        pb::TicketSort::Company,
        pb::TicketSort::NextDue,
    ] {
        for descending in [false, true] {
            let req = pb::ListTicketsRequest {
                sort: sort.into(),
                descending,
                ..Default::default()
            };
            let (tickets, total) = walk(&dina, req, 97).await?;
            let numbers: HashSet<i64> = tickets.iter().map(|t| t.number).collect();
            assert_eq!(total, everything);
            assert_eq!(tickets.len() as u64, total, "{sort:?} {descending}");
            assert_eq!(
                numbers.len(),
                tickets.len(),
                "{sort:?} {descending}: duplicates"
            );
            let keys: Vec<(SortKey, i64)> = tickets
                .iter()
                .map(|t| (sort_key(sort, t), t.number))
                .collect();
            assert!(
                keys.windows(2)
                    .all(|w| if descending { w[0] > w[1] } else { w[0] < w[1] }),
                "{sort:?} descending={descending}: out of order"
            );
        }
    }
    // Descriptions in lists are cut to 200 characters.
    let long = pb::CreateTicketRequest {
        description: "é".repeat(500),
        ..plain_ticket(&uma, "Long story").await?
    };
    let t = uma.tickets().create_ticket(long).await?.into_inner();
    let listed = list(
        &uma,
        pb::ListTicketsRequest {
            number: t.number,
            ..Default::default()
        },
    )
    .await?;
    assert_eq!(listed.tickets[0].description.chars().count(), 200);
    assert_eq!(
        detail(&uma, t.number)
            .await?
            .ticket
            .unwrap_or_default()
            .description
            .chars()
            .count(),
        500
    );

    // Filters: each lists exactly the tickets of the whole list it keeps.
    let (all, _) = walk(&dina, pb::ListTicketsRequest::default(), 200).await?;
    let (harbor, mark_contact) = (uma_id.company_id, mark_id.id);
    let filters: [(pb::ListTicketsRequest, Keep); 8] = [
        (
            pb::ListTicketsRequest {
                company_id: harbor,
                status_group: pb::StatusGroup::Open.into(),
                ..Default::default()
            },
            Box::new(move |t| t.company_id == harbor && (1..=4).contains(&t.status)),
        ),
        (
            pb::ListTicketsRequest {
                status_group: pb::StatusGroup::Closed.into(),
                ..Default::default()
            },
            Box::new(|t| t.status >= 6),
        ),
        (
            pb::ListTicketsRequest {
                status_group: pb::StatusGroup::Completed.into(),
                ..Default::default()
            },
            Box::new(|t| t.status == pb::TicketStatus::Completed as i32),
        ),
        (
            pb::ListTicketsRequest {
                status: pb::TicketStatus::WaitingOnClient.into(),
                ..Default::default()
            },
            Box::new(|t| t.status == pb::TicketStatus::WaitingOnClient as i32),
        ),
        (
            pb::ListTicketsRequest {
                priority: 1,
                ..Default::default()
            },
            Box::new(|t| t.priority == 1),
        ),
        (
            pb::ListTicketsRequest {
                priority: 4,
                ..Default::default()
            },
            Box::new(|t| t.priority == 4),
        ),
        (
            pb::ListTicketsRequest {
                contact_id: mark_id.id,
                ..Default::default()
            },
            Box::new(move |t| t.contact_id == mark_contact),
        ),
        (
            pb::ListTicketsRequest {
                unassigned: true,
                ..Default::default()
            },
            Box::new(|t| t.assigned_staff_id == 0),
        ),
    ];
    for (req, keep) in filters {
        filter_lists_exactly(&dina, &all, req, keep).await?;
    }
    let some = all
        .iter()
        .find(|t| t.assigned_staff_id == 0)
        .map_or(1, |t| t.service_type_id);
    filter_lists_exactly(
        &dina,
        &all,
        pb::ListTicketsRequest {
            service_type_id: some,
            ..Default::default()
        },
        |t| t.service_type_id == some,
    )
    .await?;
    // A created- or updated-date range of one day holds exactly that day's tickets.
    let sample = list(&dina, pb::ListTicketsRequest::default())
        .await?
        .tickets[7]
        .clone();
    let ranges: [DayRange; 2] = [
        (
            |r, day| (r.created_from, r.created_to) = (day.clone(), day),
            |t| t.created_at.unwrap_or_default().seconds,
        ),
        (
            |r, day| (r.updated_from, r.updated_to) = (day.clone(), day),
            |t| t.updated_at.unwrap_or_default().seconds,
        ),
    ];
    for (set, at) in ranges {
        let day = at(&sample).div_euclid(86_400);
        let mut req = pb::ListTicketsRequest::default();
        set(&mut req, utc_date(day));
        filter_lists_exactly(&dina, &all, req, |t| at(t).div_euclid(86_400) == day).await?;
    }
    let exact = list(
        &dina,
        pb::ListTicketsRequest {
            number: sample.number,
            ..Default::default()
        },
    )
    .await?;
    assert_eq!((exact.total, exact.tickets[0].number), (1, sample.number));

    // Bad filters and paging.
    for req in [
        pb::ListTicketsRequest {
            created_from: "2026-13-01".into(),
            ..Default::default()
        },
        pb::ListTicketsRequest {
            created_from: "2026-03-02".into(),
            created_to: "2026-03-01".into(),
            ..Default::default()
        },
        pb::ListTicketsRequest {
            priority: 7,
            ..Default::default()
        },
        pb::ListTicketsRequest {
            status: 99,
            ..Default::default()
        },
        pb::ListTicketsRequest {
            page: Some(pb::PageRequest {
                page_size: 201,
                cursor: String::new(),
            }),
            ..Default::default()
        },
        pb::ListTicketsRequest {
            page: Some(pb::PageRequest {
                page_size: 5,
                cursor: "zz".into(),
            }),
            ..Default::default()
        },
    ] {
        expect_code(
            dina.tickets().list_tickets(req).await,
            Code::InvalidArgument,
        );
    }
    let page = list(
        &dina,
        pb::ListTicketsRequest {
            sort: pb::TicketSort::Title.into(),
            ..Default::default()
        },
    )
    .await?;
    let wrong = pb::ListTicketsRequest {
        sort: pb::TicketSort::Number.into(),
        page: Some(pb::PageRequest {
            page_size: 5,
            cursor: page.next_cursor,
        }),
        ..Default::default()
    };
    expect_code(
        dina.tickets().list_tickets(wrong).await,
        Code::InvalidArgument,
    );

    // Scopes: a User sees its own and subscribed tickets, a Manager the company's.
    let (mine, _) = walk(&uma, pb::ListTicketsRequest::default(), 50).await?;
    assert!(!mine.is_empty());
    for t in &mine {
        if t.contact_id != uma_id.id {
            let d = detail(&uma, t.number).await?;
            assert!(
                d.subscribers.iter().any(|s| s.contact_id == uma_id.id),
                "#{}",
                t.number
            );
        }
    }
    let (company, total) = walk(&mark, pb::ListTicketsRequest::default(), 200).await?;
    assert!(company.iter().all(|t| t.company_id == mark_id.company_id));
    let staff_view = list(
        &dina,
        pb::ListTicketsRequest {
            company_id: mark_id.company_id,
            ..Default::default()
        },
    )
    .await?;
    assert_eq!(total, staff_view.total);
    assert!(mine.len() < company.len());
    Ok(())
}

#[tokio::test]
async fn full_text_search_covers_titles_descriptions_and_public_posts_only() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (uma, _) = sign_in(&server, demo::CLIENT_USER).await?;
    let (ava, _) = sign_in(&server, demo::OTHER_ADMIN).await?;
    let (tom, _) = sign_in(&server, demo::TECHNICIAN).await?;
    let t = create(&uma, "Zebrafish tank monitor offline").await?;
    let other = create(&uma, "Quiet ticket").await?;
    tom.tickets()
        .add_post(pb::AddPostRequest {
            number: other.number,
            kind: pb::PostKind::Discussion.into(),
            body: "Replaced the flux capacitor".into(),
            chat: false,
        })
        .await?;
    tom.tickets()
        .add_post(pb::AddPostRequest {
            number: other.number,
            kind: pb::PostKind::InternalNote.into(),
            body: "Password is hunter2 quokka".into(),
            chat: false,
        })
        .await?;
    let search = |s: Session, text: &'static str| async move {
        anyhow::Ok(
            list(
                &s,
                pb::ListTicketsRequest {
                    text: text.into(),
                    ..Default::default()
                },
            )
            .await?
            .tickets
            .iter()
            .map(|t| t.number)
            .collect::<Vec<_>>(),
        )
    };
    assert_eq!(search(uma.clone(), "zebrafish").await?, vec![t.number]);
    assert_eq!(
        search(uma.clone(), "ZEBRA").await?,
        vec![t.number],
        "prefix match"
    );
    assert_eq!(search(uma.clone(), "tank zebrafish").await?, vec![t.number]);
    assert_eq!(search(uma.clone(), "capacitor").await?, vec![other.number]);
    assert!(
        search(uma.clone(), "quokka").await?.is_empty(),
        "internal notes are not searchable"
    );
    assert!(search(tom.clone(), "quokka").await?.is_empty());
    assert!(
        search(ava.clone(), "zebrafish").await?.is_empty(),
        "other companies' tickets stay hidden"
    );
    // Search syntax is read as words: an operator, column or quote that
    // worked would change these answers (or fail the query).
    for (hostile, expected) in [
        ("\"", vec![]),
        ("*", vec![]),
        ("(((", vec![]),
        ("zebrafish\" OR \"capacitor", vec![]),
        ("zebrafish OR capacitor", vec![]),
        ("zebrafish NOT capacitor", vec![]),
        ("NEAR(zebrafish tank)", vec![]),
        ("title:zebrafish", vec![]),
        ("'; DROP TABLE tickets; --", vec![]),
        ("日本", vec![]),
        ("😀 zebrafish", vec![t.number]),
        ("zebra*", vec![t.number]),
        ("\"zebrafish\"", vec![t.number]),
    ] {
        assert_eq!(search(uma.clone(), hostile).await?, expected, "{hostile:?}");
    }
    // The store still answers as before.
    assert_eq!(search(uma.clone(), "capacitor").await?, vec![other.number]);
    Ok(())
}

#[tokio::test]
async fn detail_posts_and_internal_notes() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (uma, _) = sign_in(&server, demo::CLIENT_USER).await?;
    let (tom, _) = sign_in(&server, demo::TECHNICIAN).await?;
    let t = create(&uma, "Scanner not scanning").await?;

    let d = detail(&uma, t.number).await?;
    let perms = d.permissions.unwrap_or_default();
    assert!(
        perms.can_post
            && !perms.can_add_internal_note
            && !perms.can_assign
            && !perms.can_set_priority
            && !perms.can_manage_tasks
    );
    assert!(perms.can_manage_subscribers);
    assert_eq!(
        perms.allowed_statuses,
        vec![
            pb::TicketStatus::Cancelled as i32,
            pb::TicketStatus::NoActionRequired as i32
        ]
    );
    let tom_perms = detail(&tom, t.number)
        .await?
        .permissions
        .unwrap_or_default();
    assert!(tom_perms.can_post && tom_perms.can_add_internal_note && tom_perms.can_manage_tasks);
    assert!(
        tom_perms.allowed_statuses.is_empty(),
        "not on the Technician's queue"
    );

    let post = |s: Session, kind: pb::PostKind, body: String| async move {
        s.tickets()
            .add_post(pb::AddPostRequest {
                number: t.number,
                kind: kind.into(),
                body,
                chat: false,
            })
            .await
            .map(tonic::Response::into_inner)
    };
    expect_code(
        post(uma.clone(), pb::PostKind::InternalNote, "psst".into()).await,
        Code::PermissionDenied,
    );
    let s = expect_code(
        post(uma.clone(), pb::PostKind::Discussion, "  ".into()).await,
        Code::InvalidArgument,
    );
    assert!(s.message().starts_with("body"));
    let s = expect_code(
        post(
            uma.clone(),
            pb::PostKind::Discussion,
            "x".repeat(64 * 1024 + 1),
        )
        .await,
        Code::InvalidArgument,
    );
    assert!(s.message().starts_with("body"));

    post(
        uma.clone(),
        pb::PostKind::Discussion,
        "It shows an error.".into(),
    )
    .await?;
    assert!(
        detail(&uma, t.number)
            .await?
            .ticket
            .unwrap_or_default()
            .responded_at
            .is_none()
    );
    post(
        tom.clone(),
        pb::PostKind::InternalNote,
        "Driver is ancient.".into(),
    )
    .await?;
    assert!(
        detail(&uma, t.number)
            .await?
            .ticket
            .unwrap_or_default()
            .responded_at
            .is_none(),
        "internal notes are no response"
    );
    let reply = post(
        tom.clone(),
        pb::PostKind::Discussion,
        "Updating the driver now.".into(),
    )
    .await?;
    assert!(reply.author_is_staff);
    let seen = detail(&uma, t.number).await?;
    let ticket = seen.ticket.unwrap_or_default();
    assert!(ticket.responded_at.is_some());
    let secs = |t: Option<prost_types::Timestamp>| t.map(|t| (t.seconds, t.nanos));
    assert!(secs(ticket.updated_at) >= secs(ticket.created_at));
    let kinds: Vec<i32> = seen.timeline.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        vec![pb::TimelineKind::Discussion as i32; 2],
        "newest first, no internal note"
    );
    assert_eq!(seen.timeline[0].body, "Updating the driver now.");
    let staff_view = detail(&tom, t.number).await?;
    assert_eq!(staff_view.timeline.len(), 3);
    assert_eq!(
        staff_view.timeline[1].kind,
        pb::TimelineKind::InternalNote as i32
    );
    post(
        tom.clone(),
        pb::PostKind::Resolution,
        "Driver updated; scanning works.".into(),
    )
    .await?;

    // Long timelines page backwards without gaps or repeats.
    for i in 0..60 {
        post(uma.clone(), pb::PostKind::Discussion, format!("note {i}")).await?;
    }
    let first = detail(&uma, t.number).await?;
    assert_eq!(first.timeline.len(), 50);
    assert!(!first.timeline_cursor.is_empty());
    let mut ids: Vec<i64> = first.timeline.iter().map(|e| e.id).collect();
    let mut cursor = first.timeline_cursor;
    while !cursor.is_empty() {
        let page = uma
            .tickets()
            .get_timeline(pb::GetTimelineRequest {
                number: t.number,
                page: Some(pb::PageRequest {
                    page_size: 7,
                    cursor,
                }),
            })
            .await?
            .into_inner();
        assert!(
            page.entries
                .iter()
                .all(|e| e.kind != pb::TimelineKind::InternalNote as i32)
        );
        ids.extend(page.entries.iter().map(|e| e.id));
        cursor = page.next_cursor;
    }
    assert_eq!(
        ids.len(),
        63,
        "60 notes, two discussion posts and the resolution"
    );
    assert!(
        ids.windows(2).all(|w| w[0] > w[1]),
        "newest first throughout"
    );
    expect_code(
        uma.tickets()
            .get_timeline(pb::GetTimelineRequest {
                number: t.number,
                page: Some(pb::PageRequest {
                    page_size: 7,
                    cursor: "bogus".into(),
                }),
            })
            .await,
        Code::InvalidArgument,
    );
    Ok(())
}

#[tokio::test]
async fn the_status_machine_for_clients_and_staff() -> anyhow::Result<()> {
    use pb::TicketStatus::{
        Cancelled, Closed, Completed, InProgress, New, NoActionRequired, Scheduled, WaitingOnClient,
    };
    let server = TestServer::demo().await?;
    let (uma, uma_id) = sign_in(&server, demo::CLIENT_USER).await?;
    let uma_name = uma_id.display_name;
    let (mark, _) = sign_in(&server, demo::CLIENT_MANAGER).await?;
    let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;
    let (tom, tom_id) = sign_in(&server, demo::TECHNICIAN).await?;
    let all = [
        New,
        InProgress,
        WaitingOnClient,
        Scheduled,
        Completed,
        Closed,
        Cancelled,
        NoActionRequired,
    ];

    // A new ticket of Uma's driven to `status`.
    let ticket_in = |status: pb::TicketStatus| {
        let (uma, dina, uma_name) = (uma.clone(), dina.clone(), uma_name.clone());
        async move {
            let t = create(&uma, "Status walk").await?;
            let path: &[(bool, pb::TicketStatus)] = match status {
                New | pb::TicketStatus::Unspecified => &[],
                InProgress => &[(true, InProgress)],
                WaitingOnClient => &[(true, WaitingOnClient)],
                Scheduled => &[(true, Scheduled)],
                Completed => &[(true, Completed)],
                Closed => &[(true, Completed), (false, Closed)],
                Cancelled => &[(false, Cancelled)],
                NoActionRequired => &[(false, NoActionRequired)],
            };
            for (staff, step) in path {
                if *step == Closed {
                    // Closing is signing off (docs/TICKETS.md "Sign-off").
                    sign_off(&uma, t.number, &uma_name).await?;
                } else {
                    move_to(if *staff { &dina } else { &uma }, t.number, *step, "").await?;
                }
            }
            anyhow::Ok(t.number)
        }
    };
    let client_moves = |from: pb::TicketStatus| -> Vec<pb::TicketStatus> {
        match from {
            New | InProgress | WaitingOnClient | Scheduled => vec![Cancelled, NoActionRequired],
            Completed => vec![InProgress],
            _ => vec![],
        }
    };
    let staff_moves = |from: pb::TicketStatus| -> Vec<pb::TicketStatus> {
        match from {
            New => vec![InProgress, WaitingOnClient, Scheduled, Completed],
            InProgress => vec![WaitingOnClient, Scheduled, Completed],
            WaitingOnClient => vec![InProgress, Scheduled, Completed],
            Scheduled => vec![InProgress, WaitingOnClient, Completed],
            Completed => vec![InProgress],
            _ => vec![],
        }
    };
    for (who, moves, is_staff) in [
        (&uma, &client_moves as &dyn Fn(_) -> Vec<_>, false),
        (&dina, &staff_moves, true),
    ] {
        for from in all {
            let allowed = moves(from);
            let number = ticket_in(from).await?;
            let perms = detail(who, number).await?.permissions.unwrap_or_default();
            let offered: Vec<i32> = allowed.iter().map(|s| *s as i32).collect();
            assert_eq!(perms.allowed_statuses, offered, "{from:?} staff={is_staff}");
            for to in all {
                if allowed.contains(&to) {
                    continue;
                }
                let status = expect_code(
                    move_to(who, number, to, "note").await,
                    Code::FailedPrecondition,
                );
                assert!(
                    status.message().contains(&format!("from {}", label(from))),
                    "{status:?}"
                );
                let names = allowed
                    .iter()
                    .map(|s| label(*s))
                    .collect::<Vec<_>>()
                    .join(", ");
                let expected = if names.is_empty() {
                    "none".to_owned()
                } else {
                    names
                };
                assert!(
                    status.message().ends_with(&format!("allowed: {expected}")),
                    "{status:?}"
                );
            }
            for to in allowed {
                let number = ticket_in(from).await?;
                let t = move_to(who, number, to, "Because.").await?;
                assert_eq!(t.status, to as i32);
                let d = detail(who, number).await?;
                let entry = &d.timeline[0];
                assert_eq!(entry.kind, pb::TimelineKind::StatusChange as i32);
                assert_eq!(
                    (entry.from_value.as_str(), entry.to_value.as_str()),
                    (label(from), label(to))
                );
                assert_eq!(entry.body, "Because.");
                let ticket = d.ticket.unwrap_or_default();
                assert_eq!(
                    ticket.completed_at.is_some(),
                    matches!(to, Completed) || (from == Completed && to == Closed)
                );
                assert_eq!(
                    ticket.closed_at.is_some(),
                    matches!(to, Closed | Cancelled | NoActionRequired)
                );
                if to == InProgress {
                    // Only staff moving it there respond: a client rejecting
                    // completion does not (docs/TICKETS.md, "SLA").
                    assert_eq!(ticket.responded_at.is_some(), is_staff, "{from:?}");
                }
            }
        }
    }
    // The exact wording for a refused move.
    let n = ticket_in(Completed).await?;
    let status = expect_code(move_to(&uma, n, New, "").await, Code::FailedPrecondition);
    assert_eq!(
        status.message(),
        "cannot move from Completed to New; allowed: In Progress"
    );
    // Rejecting completion needs a note.
    let status = expect_code(
        move_to(&uma, n, InProgress, " ").await,
        Code::InvalidArgument,
    );
    assert!(status.message().starts_with("note"), "{status:?}");
    move_to(&uma, n, InProgress, "Still broken on the second floor.").await?;

    // A Manager acts for the company; a Technician only on its own queue.
    let n = ticket_in(New).await?;
    expect_code(
        move_to(&tom, n, InProgress, "").await,
        Code::PermissionDenied,
    );
    dina.tickets()
        .assign(pb::AssignRequest {
            number: n,
            staff_id: tom_id.id,
            board: String::new(),
        })
        .await?;
    move_to(&tom, n, InProgress, "").await?;
    move_to(&mark, n, Cancelled, "Not needed after all").await?;
    expect_code(
        move_to(&uma, n, pb::TicketStatus::Unspecified, "").await,
        Code::InvalidArgument,
    );
    Ok(())
}

fn label(s: pb::TicketStatus) -> &'static str {
    match s {
        pb::TicketStatus::New => "New",
        pb::TicketStatus::InProgress => "In Progress",
        pb::TicketStatus::WaitingOnClient => "Waiting on Client",
        pb::TicketStatus::Scheduled => "Scheduled",
        pb::TicketStatus::Completed => "Completed",
        pb::TicketStatus::Closed => "Closed",
        pb::TicketStatus::Cancelled => "Cancelled",
        pb::TicketStatus::NoActionRequired => "No Action Required",
        pb::TicketStatus::Unspecified => "",
    }
}

#[tokio::test]
async fn priority_assignment_subscribers_and_tasks() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (uma, uma_id) = sign_in(&server, demo::CLIENT_USER).await?;
    let (alice, alice_id) = sign_in(&server, demo::CLIENT_ADMIN).await?;
    let (ava, ava_id) = sign_in(&server, demo::OTHER_ADMIN).await?;
    let (tom, tom_id) = sign_in(&server, demo::TECHNICIAN).await?;
    let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;
    let (paula, _) = sign_in(&server, demo::PROVIDER_ADMIN).await?;
    let n = create(&uma, "Wi-Fi drops in the back office").await?.number;

    let set_priority = |s: Session, priority: i32| async move {
        s.tickets()
            .set_priority(pb::SetPriorityRequest {
                number: n,
                priority,
                note: "Reviewed".into(),
            })
            .await
            .map(tonic::Response::into_inner)
    };
    expect_code(set_priority(uma.clone(), 1).await, Code::PermissionDenied);
    expect_code(set_priority(alice.clone(), 1).await, Code::PermissionDenied);
    expect_code(set_priority(tom.clone(), 1).await, Code::PermissionDenied);
    expect_code(set_priority(dina.clone(), 6).await, Code::InvalidArgument);
    expect_code(set_priority(dina.clone(), 0).await, Code::InvalidArgument);
    assert_eq!(set_priority(dina.clone(), 2).await?.priority, 2);
    assert_eq!(set_priority(paula.clone(), 1).await?.priority, 1);
    let seen = detail(&uma, n).await?;
    let entry = &seen.timeline[0];
    assert_eq!(entry.kind, pb::TimelineKind::PriorityChange as i32);
    assert_eq!(
        (entry.from_value.as_str(), entry.to_value.as_str()),
        ("2 High", "1 Critical")
    );

    let assign = |s: Session, staff_id: i64, board: &'static str| async move {
        s.tickets()
            .assign(pb::AssignRequest {
                number: n,
                staff_id,
                board: board.into(),
            })
            .await
            .map(tonic::Response::into_inner)
    };
    expect_code(
        assign(uma.clone(), tom_id.id, "").await,
        Code::PermissionDenied,
    );
    expect_code(
        assign(tom.clone(), tom_id.id, "").await,
        Code::PermissionDenied,
    );
    let s = expect_code(
        assign(dina.clone(), 999_999, "").await,
        Code::InvalidArgument,
    );
    assert!(s.message().starts_with("staff_id"));
    let s = expect_code(
        assign(
            dina.clone(),
            tom_id.id,
            Box::leak("b".repeat(51).into_boxed_str()),
        )
        .await,
        Code::InvalidArgument,
    );
    assert!(s.message().starts_with("board"));
    let assigned = assign(dina.clone(), tom_id.id, "Network").await?;
    assert_eq!(
        (assigned.assigned_staff_id, assigned.board.as_str()),
        (tom_id.id, "Network")
    );
    assert!(!assigned.assigned_staff_name.is_empty());
    let entry = &detail(&uma, n).await?.timeline[0];
    assert_eq!(entry.kind, pb::TimelineKind::AssignmentChange as i32);
    assert_eq!(entry.from_value, "Unassigned");
    let mine = list(
        &tom,
        pb::ListTicketsRequest {
            assigned_staff_id: tom_id.id,
            number: n,
            ..Default::default()
        },
    )
    .await?;
    assert_eq!(mine.total, 1);
    assert_eq!(assign(paula.clone(), 0, "").await?.assigned_staff_id, 0);

    // Subscribers: contacts of the ticket's company only.
    let sub = |s: Session, contact_id: i64, add: bool| async move {
        let req = pb::SubscriberRequest {
            number: n,
            contact_id,
        };
        let result = if add {
            s.tickets().add_subscriber(req).await
        } else {
            s.tickets().remove_subscriber(req).await
        };
        result.map(|r| {
            r.into_inner()
                .subscribers
                .iter()
                .map(|s| s.contact_id)
                .collect::<Vec<_>>()
        })
    };
    let subs = sub(uma.clone(), alice_id.id, true).await?;
    assert!(subs.contains(&alice_id.id));
    expect_code(sub(uma.clone(), ava_id.id, true).await, Code::NotFound);
    expect_code(sub(dina.clone(), ava_id.id, true).await, Code::NotFound);
    expect_code(sub(uma.clone(), 0, true).await, Code::InvalidArgument);
    expect_code(sub(ava.clone(), uma_id.id, true).await, Code::NotFound);
    assert!(
        !sub(alice.clone(), alice_id.id, false)
            .await?
            .contains(&alice_id.id)
    );
    assert!(
        !sub(alice.clone(), alice_id.id, false)
            .await?
            .contains(&alice_id.id),
        "removing twice is harmless"
    );

    // Tasks: staff add and check them, everyone sees them.
    let add_task = |s: Session, text: String| async move {
        s.tickets()
            .add_task(pb::AddTaskRequest { number: n, text })
            .await
            .map(tonic::Response::into_inner)
    };
    expect_code(
        add_task(uma.clone(), "Try again".into()).await,
        Code::PermissionDenied,
    );
    expect_code(
        add_task(tom.clone(), " ".into()).await,
        Code::InvalidArgument,
    );
    expect_code(
        add_task(tom.clone(), "x".repeat(501)).await,
        Code::InvalidArgument,
    );
    let task = add_task(tom.clone(), "Survey access points".into()).await?;
    let done = |s: Session, number: i64, task_id: i64, done: bool| async move {
        s.tickets()
            .set_task_done(pb::SetTaskDoneRequest {
                number,
                task_id,
                done,
            })
            .await
            .map(tonic::Response::into_inner)
    };
    expect_code(
        done(uma.clone(), n, task.id, true).await,
        Code::PermissionDenied,
    );
    let other = create(&uma, "Another").await?;
    expect_code(
        done(tom.clone(), other.number, task.id, true).await,
        Code::NotFound,
    );
    let checked = done(tom.clone(), n, task.id, true).await?;
    assert!(checked.done && !checked.done_by.is_empty() && checked.done_at.is_some());
    let seen = detail(&uma, n).await?.tasks;
    assert_eq!((seen.len(), seen[0].done), (1, true));
    let unchecked = done(dina.clone(), n, task.id, false).await?;
    assert!(!unchecked.done && unchecked.done_at.is_none());
    Ok(())
}

fn upload_stream(
    meta: pb::AttachmentMeta,
    data: &[u8],
    chunk: usize,
) -> impl tokio_stream::Stream<Item = pb::UploadAttachmentRequest> + use<> {
    let mut parts = vec![pb::UploadAttachmentRequest {
        part: Some(Part::Meta(meta)),
    }];
    parts.extend(data.chunks(chunk).map(|c| pb::UploadAttachmentRequest {
        part: Some(Part::Data(c.to_vec())),
    }));
    tokio_stream::iter(parts)
}

async fn download(
    s: &Session,
    attachment_id: i64,
) -> Result<(pb::Attachment, Vec<u8>), tonic::Status> {
    let mut stream = s
        .tickets()
        .download_attachment(pb::DownloadAttachmentRequest { attachment_id })
        .await?
        .into_inner();
    let mut meta = None;
    let mut data = Vec::new();
    let mut first = true;
    while let Some(msg) = stream.next().await {
        let msg = msg?;
        assert_eq!(
            msg.attachment.is_some(),
            first,
            "only the first message carries the attachment"
        );
        assert!(msg.data.len() <= 64 * 1024);
        first = false;
        if let Some(a) = msg.attachment {
            meta = Some(a);
        }
        data.extend(msg.data);
    }
    Ok((meta.unwrap_or_default(), data))
}

#[tokio::test]
async fn attachments_round_trip_with_sha256_and_dedup() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (uma, _) = sign_in(&server, demo::CLIENT_USER).await?;
    let (tom, _) = sign_in(&server, demo::TECHNICIAN).await?;
    let (ava, _) = sign_in(&server, demo::OTHER_ADMIN).await?;
    let t = create(&uma, "Printer prints garbage").await?;
    let data: Vec<u8> = (0..300_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let sha = hex::encode(Sha256::digest(&data));
    let meta = pb::AttachmentMeta {
        number: t.number,
        title: "Test page".into(),
        file_name: "test-page.pdf".into(),
        content_type: String::new(),
    };
    let a = uma
        .tickets()
        .upload_attachment(upload_stream(meta.clone(), &data, 50_000))
        .await?
        .into_inner();
    assert_eq!(
        (a.size, a.sha256.as_str(), a.content_type.as_str()),
        (300_000, sha.as_str(), "application/pdf")
    );
    assert_eq!(a.ticket_number, t.number);
    let (got, bytes) = download(&tom, a.id).await?;
    assert_eq!(got, a);
    assert_eq!(hex::encode(Sha256::digest(&bytes)), sha);
    assert_eq!(bytes, data);

    let again = tom
        .tickets()
        .upload_attachment(upload_stream(meta.clone(), &data, 65_536))
        .await?
        .into_inner();
    assert_ne!(again.id, a.id);
    assert_eq!(again.sha256, a.sha256);
    assert_eq!(download(&uma, again.id).await?.1, data);
    let listed = detail(&uma, t.number).await?.attachments;
    assert_eq!(
        listed.iter().map(|x| x.id).collect::<Vec<_>>(),
        vec![a.id, again.id]
    );

    // Bad metadata, and data before metadata.
    for (bad, field) in [
        (
            pb::AttachmentMeta {
                file_name: "../../etc/passwd".into(),
                ..meta.clone()
            },
            "file_name",
        ),
        (
            pb::AttachmentMeta {
                file_name: String::new(),
                ..meta.clone()
            },
            "file_name",
        ),
        (
            pb::AttachmentMeta {
                title: "t".repeat(201),
                ..meta.clone()
            },
            "title",
        ),
        (
            pb::AttachmentMeta {
                content_type: "not a type".into(),
                ..meta.clone()
            },
            "content_type",
        ),
    ] {
        let s = expect_code(
            uma.tickets()
                .upload_attachment(upload_stream(bad, &data, 65_536))
                .await,
            Code::InvalidArgument,
        );
        assert!(s.message().starts_with(field), "{s:?}");
    }
    let data_first = tokio_stream::iter(vec![pb::UploadAttachmentRequest {
        part: Some(Part::Data(vec![1, 2, 3])),
    }]);
    expect_code(
        uma.tickets().upload_attachment(data_first).await,
        Code::InvalidArgument,
    );
    let s = expect_code(
        uma.tickets()
            .upload_attachment(upload_stream(meta.clone(), &[], 1))
            .await,
        Code::InvalidArgument,
    );
    assert!(s.message().starts_with("data"));
    // Another company's ticket and attachment are not there.
    expect_code(
        ava.tickets()
            .upload_attachment(upload_stream(meta, &data, 65_536))
            .await,
        Code::NotFound,
    );
    expect_code(download(&ava, a.id).await, Code::NotFound);
    expect_code(download(&uma, 999_999).await, Code::NotFound);
    assert_eq!(detail(&uma, t.number).await?.attachments.len(), 2);
    Ok(())
}

#[tokio::test]
async fn an_oversized_upload_is_refused_mid_stream_and_nothing_is_stored() -> anyhow::Result<()> {
    let server = TestServer::demo_with(&["--max-upload-mib", "1"]).await?;
    let (uma, _) = sign_in(&server, demo::CLIENT_USER).await?;
    let t = create(&uma, "Huge log").await?;
    let meta = pb::AttachmentMeta {
        number: t.number,
        title: "Log".into(),
        file_name: "huge.log".into(),
        content_type: String::new(),
    };
    // An endless stream: only a refusal while streaming ends the call.
    let endless = tokio_stream::iter(std::iter::once(pb::UploadAttachmentRequest {
        part: Some(Part::Meta(meta.clone())),
    }))
    .chain(tokio_stream::iter(std::iter::repeat_with(|| {
        pb::UploadAttachmentRequest {
            part: Some(Part::Data(vec![7; 64 * 1024])),
        }
    })));
    let result = tokio::time::timeout(
        Duration::from_mins(1),
        uma.tickets().upload_attachment(endless),
    )
    .await?;
    let status = expect_code(result, Code::ResourceExhausted);
    assert!(status.message().contains("1 MiB"), "{status:?}");
    assert!(detail(&uma, t.number).await?.attachments.is_empty());
    // Exactly the limit is fine.
    let ok = uma
        .tickets()
        .upload_attachment(upload_stream(meta, &vec![1; 1024 * 1024], 60_000))
        .await?
        .into_inner();
    assert_eq!(ok.size, 1024 * 1024);
    Ok(())
}

#[tokio::test]
async fn an_upload_may_outlast_the_call_deadline_but_not_stall() -> anyhow::Result<()> {
    // Calls are held to 1 s; an upload only between its pieces.
    let server = TestServer::demo_configured("request_timeout_seconds = 1\n").await?;
    let (uma, _) = sign_in(&server, demo::CLIENT_USER).await?;
    let t = create(&uma, "Slow link").await?;
    let meta = pb::AttachmentMeta {
        number: t.number,
        title: "Scan".into(),
        file_name: "scan.pdf".into(),
        content_type: String::new(),
    };
    let paced = |pause: Duration, pieces: usize| {
        let first = pb::UploadAttachmentRequest {
            part: Some(Part::Meta(meta.clone())),
        };
        let data = futures::stream::unfold(0, move |sent| async move {
            (sent < pieces).then_some(())?;
            tokio::time::sleep(pause).await;
            let piece = pb::UploadAttachmentRequest {
                part: Some(Part::Data(vec![3; 1000])),
            };
            Some((piece, sent + 1))
        });
        tokio_stream::iter(std::iter::once(first)).chain(data)
    };
    // Four pieces 400 ms apart: 1.6 s in all, longer than the deadline.
    let ok = uma
        .tickets()
        .upload_attachment(paced(Duration::from_millis(400), 4))
        .await?
        .into_inner();
    assert_eq!(ok.size, 4000);
    // A client that stops sending is cut off, and nothing is stored.
    let stalled = uma
        .tickets()
        .upload_attachment(paced(Duration::from_millis(2500), 2))
        .await;
    let status = expect_code(stalled, Code::DeadlineExceeded);
    assert!(status.message().starts_with("data:"), "{status:?}");
    assert_eq!(detail(&uma, t.number).await?.attachments.len(), 1);
    Ok(())
}

#[tokio::test]
async fn ticket_figures_cover_what_the_caller_sees() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (uma, _) = sign_in(&server, demo::CLIENT_USER).await?;
    let (alice, alice_id) = sign_in(&server, demo::CLIENT_ADMIN).await?;
    let (ava, ava_id) = sign_in(&server, demo::OTHER_ADMIN).await?;
    let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;
    create(&uma, "Counted").await?;
    let stats = |s: Session, company_id: i64, months: u32| async move {
        s.reports()
            .ticket_stats(pb::TicketStatsRequest { company_id, months })
            .await
            .map(tonic::Response::into_inner)
    };
    for s in [uma.clone(), alice.clone(), dina.clone()] {
        let figures = stats(s.clone(), 0, 0).await?;
        let open = list(
            &s,
            pb::ListTicketsRequest {
                status_group: pb::StatusGroup::Open.into(),
                ..Default::default()
            },
        )
        .await?;
        assert_eq!(figures.open, open.total);
        let waiting = list(
            &s,
            pb::ListTicketsRequest {
                status: pb::TicketStatus::WaitingOnClient.into(),
                ..Default::default()
            },
        )
        .await?;
        assert_eq!(figures.awaiting_client, waiting.total);
        let all = list(&s, pb::ListTicketsRequest::default()).await?.total;
        assert_eq!(figures.by_status.iter().map(|c| c.count).sum::<u64>(), all);
        assert_eq!(figures.by_month.len(), 12);
        assert!(figures.created_this_month >= 1);
        assert_eq!(
            figures.by_month.last().map(|m| m.created),
            Some(figures.created_this_month)
        );
        assert!(figures.created_this_year >= figures.created_this_month);
    }
    let harbor = stats(dina.clone(), alice_id.company_id, 18).await?;
    assert_eq!(harbor.by_month.len(), 18);
    assert_eq!(harbor.open, stats(alice.clone(), 0, 1).await?.open);
    assert!(harbor.by_month.iter().any(|m| m.completed > 0));
    expect_code(
        stats(ava.clone(), alice_id.company_id, 0).await,
        Code::NotFound,
    );
    assert_eq!(
        stats(ava.clone(), ava_id.company_id, 0).await?.open,
        stats(ava, 0, 0).await?.open
    );
    expect_code(stats(dina, 0, 37).await, Code::InvalidArgument);
    Ok(())
}

#[tokio::test]
async fn events_reach_those_who_may_see_the_ticket() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (uma, _) = sign_in(&server, demo::CLIENT_USER).await?;
    let (ava, _) = sign_in(&server, demo::OTHER_ADMIN).await?;
    let (tom, _) = sign_in(&server, demo::TECHNICIAN).await?;
    let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;
    let t = create(&uma, "Monitor flickers").await?;
    let theirs = pb::CreateTicketRequest {
        po_number: "PO-42".into(),
        ..plain_ticket(&ava, "Plotter jammed").await?
    };
    let theirs = ava.tickets().create_ticket(theirs).await?.into_inner();

    let mut uma_events = uma
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner();
    let mut ava_events = ava
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner();
    let mut dina_events = dina
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner();
    // A subscription is registered before the call returns (the server sends
    // the stream's headers only then): every change from here on is seen.

    let post = |kind: pb::PostKind, body: &str| pb::AddPostRequest {
        number: t.number,
        kind: kind.into(),
        body: body.into(),
        chat: false,
    };
    tom.tickets()
        .add_post(post(pb::PostKind::InternalNote, "between us"))
        .await?;
    tom.tickets()
        .add_post(post(pb::PostKind::Discussion, "On my way"))
        .await?;
    dina.tickets()
        .set_priority(pb::SetPriorityRequest {
            number: t.number,
            priority: 2,
            note: String::new(),
        })
        .await?;
    tom.tickets()
        .add_post(pb::AddPostRequest {
            number: theirs.number,
            kind: pb::PostKind::Discussion.into(),
            body: "Clearing it".into(),
            chat: false,
        })
        .await?;

    let e = next(&mut uma_events).await?;
    assert_eq!(
        (e.kind, e.ticket_number),
        (pb::EventKind::PostAdded as i32, t.number),
        "the internal note is skipped"
    );
    assert!(!e.actor_name.is_empty());
    let e = next(&mut uma_events).await?;
    assert_eq!(
        (e.kind, e.ticket_number),
        (pb::EventKind::TicketUpdated as i32, t.number)
    );

    let e = next(&mut ava_events).await?;
    assert_eq!(
        e.ticket_number, theirs.number,
        "nothing about another company's ticket"
    );

    let staff_seen: Vec<(i32, i64)> = {
        let mut v = Vec::new();
        for _ in 0..4 {
            let e = next(&mut dina_events).await?;
            v.push((e.kind, e.ticket_number));
        }
        v
    };
    assert_eq!(
        staff_seen,
        vec![
            (pb::EventKind::PostAdded as i32, t.number),
            (pb::EventKind::PostAdded as i32, t.number),
            (pb::EventKind::TicketUpdated as i32, t.number),
            (pb::EventKind::PostAdded as i32, theirs.number),
        ]
    );
    Ok(())
}

/// events.proto: a stream resumed after the last event it saw gets every
/// later event it may see, in order, each once; one that cannot be resumed
/// (events no longer held, or a restarted server) starts with RESYNC.
#[tokio::test]
async fn an_event_stream_resumes_after_the_last_event_it_saw() -> anyhow::Result<()> {
    let mut server = TestServer::demo().await?;
    let (uma, _) = sign_in(&server, demo::CLIENT_USER).await?;
    let login = server.login(demo::TECHNICIAN, DEMO_PASSWORD).await?;
    let tom = Session::new(server.channel().await?, &login.token)?;
    let t = create(&uma, "Docking station dead").await?;
    let post = |kind: pb::PostKind, body: &str| pb::AddPostRequest {
        number: t.number,
        kind: kind.into(),
        body: body.into(),
        chat: false,
    };
    let subscribe = |after_id: u64| {
        let mut events = uma.events();
        async move {
            anyhow::Ok(
                events
                    .subscribe(pb::SubscribeRequest { after_id })
                    .await?
                    .into_inner(),
            )
        }
    };

    let mut stream = subscribe(0).await?;
    tom.tickets()
        .add_post(post(pb::PostKind::Discussion, "one"))
        .await?;
    let first = next(&mut stream).await?;
    assert_eq!(first.kind, pb::EventKind::PostAdded as i32);
    drop(stream);
    // While Uma is away: two posts she may see and a note she may not.
    tom.tickets()
        .add_post(post(pb::PostKind::Discussion, "two"))
        .await?;
    tom.tickets()
        .add_post(post(pb::PostKind::InternalNote, "hush"))
        .await?;
    tom.tickets()
        .add_post(post(pb::PostKind::Discussion, "three"))
        .await?;

    let mut stream = subscribe(first.id).await?;
    tom.tickets()
        .add_post(post(pb::PostKind::Discussion, "four"))
        .await?;
    let mut ids = vec![first.id];
    for _ in 0..3 {
        let e = next(&mut stream).await?;
        assert_eq!(
            (e.kind, e.ticket_number),
            (pb::EventKind::PostAdded as i32, t.number)
        );
        ids.push(e.id);
    }
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "in order, each once: {ids:?}"
    );
    // Four events reached Uma and the note's id was skipped over: the last
    // one is the live "four", not a repeat.
    assert_eq!(ids[3] - ids[0], 4, "{ids:?}");

    // An id older than anything held cannot be resumed from.
    let mut stream = subscribe(1).await?;
    let e = next(&mut stream).await?;
    assert_eq!(e.kind, pb::EventKind::Resync as i32);
    assert_eq!(e.id, ids[3], "RESYNC carries the latest id");
    drop(stream);

    // Neither can one from before a restart; ids keep increasing across it.
    server.kill().await?;
    server.start().await?;
    let (uma, _) = sign_in(&server, demo::CLIENT_USER).await?;
    let mut stream = uma
        .events()
        .subscribe(pb::SubscribeRequest { after_id: ids[3] })
        .await?
        .into_inner();
    let e = next(&mut stream).await?;
    assert_eq!(e.kind, pb::EventKind::Resync as i32);
    let tom = Session::new(server.channel().await?, &login.token)?;
    tom.tickets()
        .add_post(post(pb::PostKind::Discussion, "five"))
        .await?;
    let e = next(&mut stream).await?;
    assert_eq!(e.kind, pb::EventKind::PostAdded as i32);
    assert!(e.id > ids[3], "{} after {}", e.id, ids[3]);
    Ok(())
}

#[tokio::test]
async fn an_event_stream_ends_with_its_session() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (uma, uma_id) = sign_in(&server, demo::CLIENT_USER).await?;
    let (mark, _) = sign_in(&server, demo::CLIENT_MANAGER).await?;
    let (alice, _) = sign_in(&server, demo::CLIENT_ADMIN).await?;
    let mut uma_events = uma
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner();
    let mut mark_events = mark
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner();

    // Signing out ends the stream at once, with no event needed to notice.
    mark.auth().logout(pb::LogoutRequest::default()).await?;
    let status = ended(&mut mark_events).await?;
    assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");

    // So does an Admin disabling the user; other streams go on.
    let mut alice_events = alice
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner();
    alice
        .accounts()
        .set_user_active(pb::SetUserActiveRequest {
            contact_id: uma_id.id,
            active: false,
        })
        .await?;
    let status = ended(&mut uma_events).await?;
    assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    let t = create(&alice, "Still listening").await?;
    assert_eq!(next(&mut alice_events).await?.ticket_number, t.number);
    Ok(())
}

#[tokio::test]
async fn unanswered_completed_tickets_close_by_themselves() -> anyhow::Result<()> {
    // Closing after a second: every Completed ticket of the demo is overdue.
    let server = TestServer::demo_configured("auto_close_days = 0.00001\n").await?;
    let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;
    let completed = |dina: Session| async move {
        let page = dina
            .tickets()
            .list_tickets(pb::ListTicketsRequest {
                status: pb::TicketStatus::Completed.into(),
                ..Default::default()
            })
            .await?
            .into_inner();
        anyhow::Ok(page.total)
    };
    let mut left = completed(dina.clone()).await?;
    for _ in 0..50 {
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        left = completed(dina.clone()).await?;
    }
    assert_eq!(left, 0, "Completed tickets were left open");

    // Each says so on its timeline, as the system rather than a person.
    let closed = dina
        .tickets()
        .list_tickets(pb::ListTicketsRequest {
            text: String::new(),
            status: pb::TicketStatus::Closed.into(),
            sort: pb::TicketSort::Updated.into(),
            descending: true,
            ..Default::default()
        })
        .await?
        .into_inner();
    let newest = closed.tickets.first().expect("a closed ticket");
    let detail = dina
        .tickets()
        .get_ticket(pb::GetTicketRequest {
            number: newest.number,
        })
        .await?
        .into_inner();
    let entry = detail.timeline.first().expect("a timeline entry");
    assert_eq!(
        (
            entry.kind(),
            entry.author_name.as_str(),
            entry.author_is_staff
        ),
        (pb::TimelineKind::StatusChange, "Portal", false)
    );
    assert_eq!(
        (entry.from_value.as_str(), entry.to_value.as_str()),
        ("Completed", "Closed")
    );
    assert!(entry.body.contains("Closed automatically"), "{entry:?}");
    Ok(())
}

/// The error a stream ends with.
async fn ended(s: &mut tonic::Streaming<pb::Event>) -> anyhow::Result<tonic::Status> {
    match tokio::time::timeout(Duration::from_secs(10), s.next()).await {
        Ok(Some(Err(status))) => Ok(status),
        other => Err(anyhow::anyhow!("the stream did not end: {other:?}")),
    }
}

async fn next(s: &mut tonic::Streaming<pb::Event>) -> anyhow::Result<pb::Event> {
    match tokio::time::timeout(Duration::from_secs(10), s.next()).await {
        Ok(Some(Ok(e))) => Ok(e),
        other => Err(anyhow::anyhow!("no event: {other:?}")),
    }
}

/// EventService carries estimates, sign-offs and time entries (the last to
/// staff only): docs/TICKETS.md "Estimates" and "Sign-off".
#[tokio::test]
async fn estimate_sign_off_and_time_events_reach_who_may_see_them() -> anyhow::Result<()> {
    use pb::EventKind::{
        EstimateDecided, EstimateProposed, SignedOff, TicketUpdated, TimeEntryChanged,
    };
    let server = TestServer::demo().await?;
    let (uma, uma_id) = sign_in(&server, demo::CLIENT_USER).await?;
    let (mark, _) = sign_in(&server, demo::CLIENT_MANAGER).await?;
    let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;
    let t = create(&uma, "Needs a quote").await?;
    let mut uma_events = uma
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner();
    let mut dina_events = dina
        .events()
        .subscribe(pb::SubscribeRequest::default())
        .await?
        .into_inner();

    let estimate = dina
        .work()
        .propose_estimate(pb::ProposeEstimateRequest {
            number: t.number,
            description: "New dock".into(),
            amount_cents: 19_900,
            expires_on: String::new(),
        })
        .await?
        .into_inner();
    let work_type = dina
        .work()
        .list_work_types(pb::ListWorkTypesRequest::default())
        .await?
        .into_inner()
        .work_types[0]
        .id;
    dina.work()
        .log_time(pb::LogTimeRequest {
            number: t.number,
            time: Some(pb::TimeInput {
                work_type_id: work_type,
                minutes: 15,
                ..Default::default()
            }),
        })
        .await?;
    mark.work()
        .decide_estimate(pb::DecideEstimateRequest {
            estimate_id: estimate.id,
            approve: true,
            comment: String::new(),
        })
        .await?;
    move_to(&dina, t.number, pb::TicketStatus::Completed, "").await?;
    sign_off(&uma, t.number, &uma_id.display_name).await?;

    let mut client_seen = Vec::new();
    for _ in 0..4 {
        client_seen.push(next(&mut uma_events).await?.kind);
    }
    assert_eq!(
        client_seen,
        [EstimateProposed, EstimateDecided, TicketUpdated, SignedOff].map(|k| k as i32),
        "time entries reach staff only"
    );
    let mut staff_seen = Vec::new();
    for _ in 0..5 {
        staff_seen.push(next(&mut dina_events).await?.kind);
    }
    assert_eq!(
        staff_seen,
        [
            EstimateProposed,
            TimeEntryChanged,
            EstimateDecided,
            TicketUpdated,
            SignedOff
        ]
        .map(|k| k as i32)
    );
    Ok(())
}

/// docs/TICKETS.md "Assignees": a primary plus others, each with the
/// ticket in their queue and told on their own event stream when they
/// become one (not when they assign themselves).
#[tokio::test]
async fn other_assignees_have_it_in_their_queue_and_are_told() -> anyhow::Result<()> {
    use pb::EventKind::{AssignedToMe, TicketUpdated};
    let server = TestServer::demo().await?;
    let (uma, _) = sign_in(&server, demo::CLIENT_USER).await?;
    let (tom, tom_id) = sign_in(&server, demo::TECHNICIAN).await?;
    let (raj, raj_id) = sign_in(&server, "raj@keystone.example").await?;
    let (dina, dina_id) = sign_in(&server, demo::DISPATCHER).await?;
    let (tom_id, raj_id, dina_id) = (tom_id.id, raj_id.id, dina_id.id);
    let t = create(&uma, "Laptop will not dock").await?;
    let subscribe = |s: &Session| {
        let mut e = s.events();
        async move {
            e.subscribe(pb::SubscribeRequest::default())
                .await
                .map(tonic::Response::into_inner)
        }
    };
    let (mut tom_events, mut raj_events, mut dina_events, mut uma_events) = (
        subscribe(&tom).await?,
        subscribe(&raj).await?,
        subscribe(&dina).await?,
        subscribe(&uma).await?,
    );
    let number = t.number;
    let queue = |staff_id: i64| pb::ListTicketsRequest {
        assigned_staff_id: staff_id,
        number,
        ..Default::default()
    };
    let unassigned = pb::ListTicketsRequest {
        unassigned: true,
        number,
        ..Default::default()
    };
    assert_eq!(list(&dina, unassigned.clone()).await?.total, 1);

    dina.tickets()
        .assign(pb::AssignRequest {
            number,
            staff_id: tom_id,
            board: String::new(),
        })
        .await?;
    let other = |staff_id| pb::AssigneeRequest { number, staff_id };
    let shown = dina
        .tickets()
        .add_assignee(other(raj_id))
        .await?
        .into_inner();
    assert_eq!(shown.assigned_staff_id, tom_id);
    let names: Vec<&str> = shown
        .other_assignees
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["Raj Menon-Price"]);
    dina.tickets().add_assignee(other(dina_id)).await?;

    let kinds = |events: Vec<pb::Event>| -> Vec<(i32, i64)> {
        events.iter().map(|e| (e.kind, e.ticket_number)).collect()
    };
    let mut seen = Vec::new();
    for _ in 0..4 {
        seen.push(next(&mut tom_events).await?);
    }
    assert_eq!(
        kinds(seen.clone()),
        [
            (AssignedToMe as i32, number),
            (TicketUpdated as i32, number),
            (TicketUpdated as i32, number),
            (TicketUpdated as i32, number),
        ],
        "Tom is told once, when he became the primary"
    );
    assert!(seen[0].summary.contains("assigned to you"), "{:?}", seen[0]);
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(next(&mut raj_events).await?);
    }
    assert_eq!(
        kinds(seen),
        [
            (TicketUpdated as i32, number),
            (AssignedToMe as i32, number),
            (TicketUpdated as i32, number),
        ],
    );
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(next(&mut dina_events).await?);
    }
    assert!(
        seen.iter().all(|e| e.kind == TicketUpdated as i32),
        "assigning herself tells Dina nothing new: {seen:?}"
    );
    let e = next(&mut uma_events).await?;
    assert_eq!((e.kind, e.ticket_number), (TicketUpdated as i32, number));

    for staff_id in [tom_id, raj_id, dina_id] {
        assert_eq!(list(&dina, queue(staff_id)).await?.total, 1, "{staff_id}");
    }
    assert_eq!(list(&dina, unassigned.clone()).await?.total, 0);
    // Another assignee may move the ticket along, as the primary may.
    raj.tickets()
        .change_status(pb::ChangeStatusRequest {
            number,
            status: pb::TicketStatus::InProgress.into(),
            note: String::new(),
        })
        .await?;

    let d = dina
        .tickets()
        .remove_assignee(other(raj_id))
        .await?
        .into_inner();
    assert!(d.other_assignees.iter().all(|a| a.staff_id != raj_id));
    assert_eq!(list(&dina, queue(raj_id)).await?.total, 0);
    // The requester sees who works on it too.
    let seen_by_uma = detail(&uma, number).await?.ticket.unwrap_or_default();
    assert_eq!(seen_by_uma.other_assignees.len(), 1);
    let history = detail(&dina, number).await?.timeline;
    assert!(
        history
            .iter()
            .any(|e| e.kind == pb::TimelineKind::AssignmentChange as i32
                && e.to_value == "Tom Brandvold (+ Raj Menon-Price)"),
        "{history:?}"
    );
    Ok(())
}

/// The requester corrects their phone and e-mail for one ticket: stored on
/// it, shown to staff, not to clients; the profile stays as it was.
#[tokio::test]
async fn a_requester_gives_a_phone_and_email_for_one_ticket() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let (alice, _) = sign_in(&server, demo::CLIENT_ADMIN).await?;
    let (dina, _) = sign_in(&server, demo::DISPATCHER).await?;
    let number = alice
        .tickets()
        .create_ticket(pb::CreateTicketRequest {
            title: "Call me on my mobile".into(),
            description: "I am out of the office today.".into(),
            service_type_id: alice.service_type("Other").await?.id,
            contact_phone: " +1 (207) 555-0199 ".into(),
            contact_email: "alice.away@harbor.example".into(),
            ..Default::default()
        })
        .await?
        .into_inner()
        .number;
    let get = |s: &Session| {
        let mut t = s.tickets();
        async move {
            anyhow::Ok(
                t.get_ticket(pb::GetTicketRequest { number })
                    .await?
                    .into_inner(),
            )
        }
    };
    let staff = get(&dina).await?;
    assert_eq!(staff.contact_phone, "+1 (207) 555-0199");
    assert_eq!(staff.contact_email, "alice.away@harbor.example");
    let client = get(&alice).await?;
    assert!(client.contact_phone.is_empty() && client.contact_email.is_empty());
    let profile = alice
        .accounts()
        .get_my_profile(pb::Empty {})
        .await?
        .into_inner();
    assert_eq!(
        profile.identity.unwrap_or_default().email,
        demo::CLIENT_ADMIN
    );
    Ok(())
}
