//! Accounts against the real server: My Account, users, company preferences,
//! companies and staff, the audit log — docs/ROLES.md's account rows for
//! every role, and company isolation for contacts.

#![allow(
    clippy::too_many_lines,
    reason = "each end-to-end scenario reads as one story; product code keeps the 120-line limit"
)]

use portal_e2e::{DEMO_PASSWORD, Session, TestServer, demo, expect_code};
use portal_proto::pb;
use tonic::Code;

async fn identity(server: &TestServer, email: &str) -> anyhow::Result<pb::Identity> {
    Ok(server
        .login(email, DEMO_PASSWORD)
        .await?
        .identity
        .expect("identity"))
}

fn details(first: &str, last: &str) -> pb::ContactDetails {
    pb::ContactDetails {
        first_name: first.into(),
        last_name: last.into(),
        ..Default::default()
    }
}

async fn all_contacts(s: &Session, company_id: i64) -> anyhow::Result<Vec<pb::Contact>> {
    let mut out = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = s
            .accounts()
            .list_users(pb::ListUsersRequest {
                company_id,
                include_inactive: true,
                page: Some(pb::PageRequest {
                    page_size: 2,
                    cursor,
                }),
                ..Default::default()
            })
            .await?
            .into_inner();
        out.extend(page.contacts);
        assert!(out.len() as u64 <= page.total);
        if page.next_cursor.is_empty() {
            assert_eq!(out.len() as u64, page.total);
            return Ok(out);
        }
        cursor = page.next_cursor;
    }
}

#[tokio::test]
async fn my_profile_reads_and_updates_with_checked_fields() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let uma = server.as_demo(demo::CLIENT_USER).await?;
    let profile = uma
        .accounts()
        .get_my_profile(pb::Empty {})
        .await?
        .into_inner();
    let contact = profile.contact.expect("contact");
    assert_eq!(contact.email, demo::CLIENT_USER);
    assert!(profile.company_address.is_some_and(|a| !a.city.is_empty()));
    assert!(profile.staff.is_none());

    let mut d = contact.details.clone().expect("details");
    d.title = "Front desk lead".into();
    d.phones = vec![
        pb::Phone {
            kind: pb::PhoneKind::Direct as i32,
            number: "+1 (312) 555-0100".into(),
            extension: "42".into(),
        },
        pb::Phone {
            kind: pb::PhoneKind::Mobile as i32,
            number: "312.555.0101".into(),
            extension: String::new(),
        },
    ];
    d.use_company_address = false;
    d.address = Some(pb::Address {
        line1: "1 Test Lane".into(),
        city: "Lakeside".into(),
        ..Default::default()
    });
    d.notifications = Some(pb::NotificationPreferences {
        ticket_created: false,
        staff_reply: true,
        ..Default::default()
    });
    let updated = uma
        .accounts()
        .update_my_profile(pb::UpdateMyProfileRequest {
            details: Some(d.clone()),
        })
        .await?
        .into_inner()
        .contact
        .expect("contact")
        .details
        .expect("details");
    assert_eq!(updated, d);

    let bad = |f: &dyn Fn(&mut pb::ContactDetails)| {
        let mut x = d.clone();
        f(&mut x);
        pb::UpdateMyProfileRequest { details: Some(x) }
    };
    let cases: Vec<(pb::UpdateMyProfileRequest, &str)> = vec![
        (
            bad(&|x| x.first_name = "x".repeat(101)),
            "details.first_name:",
        ),
        (bad(&|x| x.last_name = String::new()), "details.last_name:"),
        (
            bad(&|x| x.home_email = "not-an-email".into()),
            "details.home_email:",
        ),
        (
            bad(&|x| x.phones[1].kind = pb::PhoneKind::Direct as i32),
            "details.phones:",
        ),
        (
            bad(&|x| x.phones[0].number = "call me".into()),
            "details.phones:",
        ),
        (
            bad(&|x| x.phones[0].number = "1".repeat(41)),
            "details.phones:",
        ),
        (
            bad(&|x| x.phones[0].extension = "12345678901".into()),
            "details.phones:",
        ),
        (bad(&|x| x.phones[0].kind = 0), "details.phones:"),
        (
            bad(&|x| x.address.as_mut().expect("address").city = "x".repeat(201)),
            "details.address.city:",
        ),
        (pb::UpdateMyProfileRequest { details: None }, "details:"),
    ];
    for (request, field) in cases {
        let status = expect_code(
            uma.accounts().update_my_profile(request).await,
            Code::InvalidArgument,
        );
        assert!(
            status.message().starts_with(field),
            "{field}: {}",
            status.message()
        );
    }
    let after = uma
        .accounts()
        .get_my_profile(pb::Empty {})
        .await?
        .into_inner();
    assert_eq!(
        after.contact.and_then(|c| c.details),
        Some(d),
        "bad input changed nothing"
    );

    let tom = server.as_demo(demo::TECHNICIAN).await?;
    let profile = tom
        .accounts()
        .get_my_profile(pb::Empty {})
        .await?
        .into_inner();
    assert_eq!(
        profile.staff.map(|s| s.email).as_deref(),
        Some(demo::TECHNICIAN)
    );
    let renamed = tom
        .accounts()
        .update_my_profile(pb::UpdateMyProfileRequest {
            details: Some(details("Tomas", "Tech")),
        })
        .await?
        .into_inner();
    assert_eq!(
        renamed.identity.map(|i| i.display_name).as_deref(),
        Some("Tomas Tech")
    );
    Ok(())
}

#[tokio::test]
async fn a_user_sees_only_itself_and_changes_nothing_of_others() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let me = identity(&server, demo::CLIENT_USER).await?;
    let mark = identity(&server, demo::CLIENT_MANAGER).await?;
    let uma = server.as_demo(demo::CLIENT_USER).await?;
    let a = uma.accounts();

    let list = a
        .clone()
        .list_users(pb::ListUsersRequest::default())
        .await?
        .into_inner();
    assert_eq!(
        list.contacts.iter().map(|c| c.id).collect::<Vec<_>>(),
        [me.id]
    );
    assert_eq!(list.total, 1);
    a.clone()
        .get_user(pb::GetUserRequest { contact_id: me.id })
        .await?;
    expect_code(
        a.clone()
            .get_user(pb::GetUserRequest {
                contact_id: mark.id,
            })
            .await,
        Code::NotFound,
    );
    expect_code(
        a.clone()
            .update_user(pb::UpdateUserRequest {
                contact_id: me.id,
                details: Some(details("Uma", "Self")),
                email: String::new(),
            })
            .await,
        Code::PermissionDenied,
    );
    expect_code(
        a.clone()
            .add_user(pb::AddUserRequest {
                email: "x@harbor.example".into(),
                details: Some(details("X", "Y")),
                access: pb::AccessLevel::User as i32,
                ..Default::default()
            })
            .await,
        Code::PermissionDenied,
    );
    expect_code(
        a.clone()
            .set_access_level(pb::SetAccessLevelRequest {
                contact_id: me.id,
                access: pb::AccessLevel::Admin as i32,
            })
            .await,
        Code::PermissionDenied,
    );
    expect_code(
        a.clone()
            .reset_user_password(pb::ResetUserPasswordRequest {
                contact_id: mark.id,
            })
            .await,
        Code::NotFound,
    );
    let company = a
        .clone()
        .get_company(pb::GetCompanyRequest::default())
        .await?
        .into_inner();
    assert_eq!(company.id, me.company_id);
    expect_code(
        a.clone()
            .update_company_preferences(pb::UpdateCompanyPreferencesRequest {
                company_id: 0,
                preferences: Some(pb::CompanyPreferences::default()),
            })
            .await,
        Code::PermissionDenied,
    );
    expect_code(
        uma.staff()
            .list_companies(pb::ListCompaniesRequest::default())
            .await,
        Code::PermissionDenied,
    );
    expect_code(
        uma.staff()
            .list_staff(pb::ListStaffRequest::default())
            .await,
        Code::PermissionDenied,
    );
    Ok(())
}

#[tokio::test]
async fn a_manager_views_and_edits_details_but_manages_no_users() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let me = identity(&server, demo::CLIENT_MANAGER).await?;
    let uma = identity(&server, demo::CLIENT_USER).await?;
    let mark = server.as_demo(demo::CLIENT_MANAGER).await?;
    let a = mark.accounts();

    let contacts = all_contacts(&mark, 0).await?;
    assert!(contacts.len() > 3);
    assert!(contacts.iter().all(|c| c.company_id == me.company_id));
    let edited = a
        .clone()
        .update_user(pb::UpdateUserRequest {
            contact_id: uma.id,
            details: Some(details("Uma", "Renamed")),
            email: String::new(),
        })
        .await?
        .into_inner();
    assert_eq!(
        edited.details.map(|d| d.last_name).as_deref(),
        Some("Renamed")
    );
    expect_code(
        a.clone()
            .update_user(pb::UpdateUserRequest {
                contact_id: uma.id,
                details: Some(details("Uma", "Renamed")),
                email: "uma2@harbor.example".into(),
            })
            .await,
        Code::PermissionDenied,
    );
    // A Manager may not change security levels, not even its own.
    for (contact_id, access) in [
        (me.id, pb::AccessLevel::Admin),
        (uma.id, pb::AccessLevel::Manager),
    ] {
        expect_code(
            a.clone()
                .set_access_level(pb::SetAccessLevelRequest {
                    contact_id,
                    access: access as i32,
                })
                .await,
            Code::PermissionDenied,
        );
    }
    expect_code(
        a.clone()
            .set_user_active(pb::SetUserActiveRequest {
                contact_id: uma.id,
                active: false,
            })
            .await,
        Code::PermissionDenied,
    );
    expect_code(
        a.clone()
            .reset_user_password(pb::ResetUserPasswordRequest { contact_id: uma.id })
            .await,
        Code::PermissionDenied,
    );
    expect_code(
        a.clone()
            .add_user(pb::AddUserRequest {
                email: "x@harbor.example".into(),
                details: Some(details("X", "Y")),
                access: pb::AccessLevel::User as i32,
                ..Default::default()
            })
            .await,
        Code::PermissionDenied,
    );
    expect_code(
        a.clone()
            .update_company_preferences(pb::UpdateCompanyPreferencesRequest {
                company_id: 0,
                preferences: Some(pb::CompanyPreferences::default()),
            })
            .await,
        Code::PermissionDenied,
    );
    Ok(())
}

#[tokio::test]
async fn an_admin_manages_the_companys_users_but_not_itself() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let me = identity(&server, demo::CLIENT_ADMIN).await?;
    let uma_id = identity(&server, demo::CLIENT_USER).await?.id;
    let alice = server.as_demo(demo::CLIENT_ADMIN).await?;
    let a = alice.accounts();
    let uma = server.as_demo(demo::CLIENT_USER).await?;

    // Raising Uma to Manager takes effect on her live session.
    let raised = a
        .clone()
        .set_access_level(pb::SetAccessLevelRequest {
            contact_id: uma_id,
            access: pb::AccessLevel::Manager as i32,
        })
        .await?
        .into_inner();
    assert_eq!(raised.access(), pb::AccessLevel::Manager);
    assert!(
        uma.accounts()
            .list_users(pb::ListUsersRequest::default())
            .await?
            .into_inner()
            .total
            > 1
    );

    // Disabling ends her sessions and sign-ins; enabling restores sign-in.
    let disabled = a
        .clone()
        .set_user_active(pb::SetUserActiveRequest {
            contact_id: uma_id,
            active: false,
        })
        .await?
        .into_inner();
    assert!(!disabled.active);
    expect_code(
        uma.auth().who_am_i(pb::Empty {}).await,
        Code::Unauthenticated,
    );
    expect_code(
        server.login(demo::CLIENT_USER, DEMO_PASSWORD).await,
        Code::Unauthenticated,
    );
    a.clone()
        .set_user_active(pb::SetUserActiveRequest {
            contact_id: uma_id,
            active: true,
        })
        .await?;
    server.login(demo::CLIENT_USER, DEMO_PASSWORD).await?;

    let temporary = a
        .clone()
        .reset_user_password(pb::ResetUserPasswordRequest { contact_id: uma_id })
        .await?
        .into_inner()
        .temporary_password;
    let login = server.login(demo::CLIENT_USER, &temporary).await?;
    assert!(login.identity.is_some_and(|i| i.must_change_password));

    let moved = a
        .clone()
        .update_user(pb::UpdateUserRequest {
            contact_id: uma_id,
            details: Some(details("Uma", "Moved")),
            email: "uma.moved@harbor.example".into(),
        })
        .await?
        .into_inner();
    assert_eq!(moved.email, "uma.moved@harbor.example");
    server.login("UMA.MOVED@harbor.example", &temporary).await?;

    // Not itself: no demotion, no disabling.
    expect_code(
        a.clone()
            .set_access_level(pb::SetAccessLevelRequest {
                contact_id: me.id,
                access: pb::AccessLevel::Manager as i32,
            })
            .await,
        Code::PermissionDenied,
    );
    expect_code(
        a.clone()
            .set_user_active(pb::SetUserActiveRequest {
                contact_id: me.id,
                active: false,
            })
            .await,
        Code::PermissionDenied,
    );
    expect_code(
        a.clone()
            .set_access_level(pb::SetAccessLevelRequest {
                contact_id: uma_id,
                access: 0,
            })
            .await,
        Code::InvalidArgument,
    );

    // A contact without portal access: no password, cannot sign in.
    let added = a
        .clone()
        .add_user(pb::AddUserRequest {
            email: "supplier@harbor.example".into(),
            details: Some(details("Sue", "Plier")),
            access: pb::AccessLevel::None as i32,
            ..Default::default()
        })
        .await?
        .into_inner();
    assert!(added.temporary_password.is_empty());
    expect_code(
        a.clone()
            .reset_user_password(pb::ResetUserPasswordRequest {
                contact_id: added.contact.as_ref().map_or(0, |c| c.id),
            })
            .await,
        Code::FailedPrecondition,
    );

    // E-mails are unique across contacts and staff, ignoring case.
    let dup = expect_code(
        a.clone()
            .add_user(pb::AddUserRequest {
                email: "TOM@keystone.example".into(),
                details: Some(details("T", "D")),
                access: pb::AccessLevel::User as i32,
                ..Default::default()
            })
            .await,
        Code::AlreadyExists,
    );
    assert!(dup.message().starts_with("email:"), "{}", dup.message());
    expect_code(
        a.clone()
            .add_user(pb::AddUserRequest {
                email: "bad email".into(),
                details: Some(details("T", "D")),
                access: pb::AccessLevel::User as i32,
                ..Default::default()
            })
            .await,
        Code::InvalidArgument,
    );

    // Company preferences: default subscribers must be the company's contacts.
    let other = server.as_demo(demo::OTHER_USER).await?;
    let stranger = other.auth().who_am_i(pb::Empty {}).await?.into_inner().id;
    let prefs = pb::CompanyPreferences {
        require_po_number: true,
        users_see_all_tickets: true,
        default_subscriber_ids: vec![uma_id],
    };
    let company = a
        .clone()
        .update_company_preferences(pb::UpdateCompanyPreferencesRequest {
            company_id: 0,
            preferences: Some(prefs.clone()),
        })
        .await?
        .into_inner();
    assert_eq!(company.preferences, Some(prefs));
    let status = expect_code(
        a.clone()
            .update_company_preferences(pb::UpdateCompanyPreferencesRequest {
                company_id: 0,
                preferences: Some(pb::CompanyPreferences {
                    default_subscriber_ids: vec![stranger],
                    ..Default::default()
                }),
            })
            .await,
        Code::InvalidArgument,
    );
    assert!(
        status
            .message()
            .starts_with("preferences.default_subscriber_ids:")
    );

    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let log = paula
        .staff()
        .list_audit_log(pb::ListAuditLogRequest {
            company_id: me.company_id,
            ..Default::default()
        })
        .await?
        .into_inner()
        .entries;
    for action in [
        "role.change",
        "user.disabled",
        "user.enabled",
        "password.reset",
        "user.added",
        "company.updated",
    ] {
        assert!(
            log.iter()
                .any(|e| e.action == action && e.actor == demo::CLIENT_ADMIN),
            "{action}"
        );
    }
    assert!(log.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    Ok(())
}

#[tokio::test]
async fn company_isolation_every_contact_of_another_company_is_not_found() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let theirs = identity(&server, demo::OTHER_ADMIN).await?.company_id;
    let before = all_contacts(&paula, theirs).await?;
    let mut ids: Vec<i64> = before.iter().map(|c| c.id).collect();
    assert!(ids.len() >= 3);
    ids.push(987_654);

    for who in [demo::CLIENT_ADMIN, demo::CLIENT_MANAGER, demo::CLIENT_USER] {
        let s = server.as_demo(who).await?;
        let a = s.accounts();
        for &id in &ids {
            expect_code(
                a.clone()
                    .get_user(pb::GetUserRequest { contact_id: id })
                    .await,
                Code::NotFound,
            );
            expect_code(
                a.clone()
                    .update_user(pb::UpdateUserRequest {
                        contact_id: id,
                        details: Some(details("X", "Y")),
                        email: String::new(),
                    })
                    .await,
                Code::NotFound,
            );
            expect_code(
                a.clone()
                    .set_access_level(pb::SetAccessLevelRequest {
                        contact_id: id,
                        access: pb::AccessLevel::User as i32,
                    })
                    .await,
                Code::NotFound,
            );
            expect_code(
                a.clone()
                    .set_user_active(pb::SetUserActiveRequest {
                        contact_id: id,
                        active: false,
                    })
                    .await,
                Code::NotFound,
            );
            expect_code(
                a.clone()
                    .reset_user_password(pb::ResetUserPasswordRequest { contact_id: id })
                    .await,
                Code::NotFound,
            );
        }
        expect_code(
            a.clone()
                .get_company(pb::GetCompanyRequest { company_id: theirs })
                .await,
            Code::NotFound,
        );
        expect_code(
            a.clone()
                .list_users(pb::ListUsersRequest {
                    company_id: theirs,
                    ..Default::default()
                })
                .await,
            Code::NotFound,
        );
        expect_code(
            a.clone()
                .add_user(pb::AddUserRequest {
                    company_id: theirs,
                    email: "sneaky@harbor.example".into(),
                    details: Some(details("S", "N")),
                    access: pb::AccessLevel::Admin as i32,
                })
                .await,
            Code::NotFound,
        );
    }
    // Nothing of theirs changed, and no contact was added to them.
    assert_eq!(all_contacts(&paula, theirs).await?, before);
    Ok(())
}

#[tokio::test]
async fn technicians_and_dispatchers_view_contacts_and_companies_read_only() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let harbor = identity(&server, demo::CLIENT_ADMIN).await?;
    let uma = identity(&server, demo::CLIENT_USER).await?;
    for who in [demo::TECHNICIAN, demo::DISPATCHER] {
        let s = server.as_demo(who).await?;
        let a = s.accounts();
        assert!(!all_contacts(&s, harbor.company_id).await?.is_empty());
        a.clone()
            .get_user(pb::GetUserRequest { contact_id: uma.id })
            .await?;
        a.clone()
            .get_company(pb::GetCompanyRequest {
                company_id: harbor.company_id,
            })
            .await?;
        expect_code(
            a.clone().list_users(pb::ListUsersRequest::default()).await,
            Code::InvalidArgument,
        );
        expect_code(
            a.clone()
                .update_user(pb::UpdateUserRequest {
                    contact_id: uma.id,
                    details: Some(details("U", "V")),
                    email: String::new(),
                })
                .await,
            Code::PermissionDenied,
        );
        expect_code(
            a.clone()
                .add_user(pb::AddUserRequest {
                    company_id: harbor.company_id,
                    email: "x@harbor.example".into(),
                    details: Some(details("X", "Y")),
                    access: pb::AccessLevel::User as i32,
                })
                .await,
            Code::PermissionDenied,
        );
        expect_code(
            a.clone()
                .reset_user_password(pb::ResetUserPasswordRequest { contact_id: uma.id })
                .await,
            Code::PermissionDenied,
        );
        let st = s.staff();
        assert!(
            st.clone()
                .list_companies(pb::ListCompaniesRequest::default())
                .await?
                .into_inner()
                .total
                >= 3
        );
        assert!(
            !st.clone()
                .list_staff(pb::ListStaffRequest::default())
                .await?
                .into_inner()
                .staff
                .is_empty()
        );
        expect_code(
            st.clone()
                .create_company(pb::SaveCompanyRequest {
                    company: Some(pb::Company {
                        name: "Nope Ltd".into(),
                        ..Default::default()
                    }),
                })
                .await,
            Code::PermissionDenied,
        );
        expect_code(
            st.clone()
                .create_staff(pb::CreateStaffRequest {
                    first_name: "N".into(),
                    last_name: "O".into(),
                    email: "no@keystone.example".into(),
                    role: pb::StaffRole::Technician as i32,
                })
                .await,
            Code::PermissionDenied,
        );
        expect_code(
            st.clone()
                .list_audit_log(pb::ListAuditLogRequest::default())
                .await,
            Code::PermissionDenied,
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_provider_admin_runs_companies_staff_and_users_of_any_company() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let me = identity(&server, demo::PROVIDER_ADMIN).await?;
    let paula = server.as_demo(demo::PROVIDER_ADMIN).await?;
    let st = paula.staff();

    let created = st
        .clone()
        .create_company(pb::SaveCompanyRequest {
            company: Some(pb::Company {
                name: "Quarry Lane Bakery".into(),
                phone: "+1 555 0100".into(),
                payment_terms_days: 30,
                sites: vec![pb::Site {
                    id: 0,
                    name: "Shop".into(),
                    address: Some(pb::Address {
                        city: "Millbrook".into(),
                        ..Default::default()
                    }),
                }],
                active: true,
                ..Default::default()
            }),
        })
        .await?
        .into_inner();
    assert!(created.id > 0);
    assert_eq!(created.sites.len(), 1);
    let dup = expect_code(
        st.clone()
            .create_company(pb::SaveCompanyRequest {
                company: Some(pb::Company {
                    name: "quarry lane bakery".into(),
                    active: true,
                    ..Default::default()
                }),
            })
            .await,
        Code::AlreadyExists,
    );
    assert!(dup.message().starts_with("name:"), "{}", dup.message());
    let terms = expect_code(
        st.clone()
            .create_company(pb::SaveCompanyRequest {
                company: Some(pb::Company {
                    name: "Other Co".into(),
                    payment_terms_days: 400,
                    ..Default::default()
                }),
            })
            .await,
        Code::InvalidArgument,
    );
    assert!(terms.message().starts_with("company.payment_terms_days:"));

    let mut update = created.clone();
    update.sites[0].name = "Main shop".into();
    update.sites.push(pb::Site {
        id: 0,
        name: "Kiosk".into(),
        address: None,
    });
    update.payment_terms_days = 15;
    let updated = st
        .clone()
        .update_company(pb::SaveCompanyRequest {
            company: Some(update),
        })
        .await?
        .into_inner();
    let mut names: Vec<_> = updated.sites.iter().map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["Kiosk", "Main shop"]);
    assert_eq!(updated.payment_terms_days, 15);

    // Users of any company, added with a temporary password.
    let added = paula
        .accounts()
        .add_user(pb::AddUserRequest {
            company_id: created.id,
            email: "owner@quarrylane.example".into(),
            details: Some(details("Olive", "Owner")),
            access: pb::AccessLevel::Admin as i32,
        })
        .await?
        .into_inner();
    let login = server
        .login("owner@quarrylane.example", &added.temporary_password)
        .await?;
    assert!(
        login
            .identity
            .is_some_and(|i| i.must_change_password && i.company_id == created.id)
    );

    let found = st
        .clone()
        .list_companies(pb::ListCompaniesRequest {
            query: "quarry".into(),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(found.total, 1);

    // Staff.
    let hired = st
        .clone()
        .create_staff(pb::CreateStaffRequest {
            first_name: "Nina".into(),
            last_name: "New".into(),
            email: "nina@keystone.example".into(),
            role: pb::StaffRole::Technician as i32,
        })
        .await?
        .into_inner();
    let nina = hired.staff.expect("staff");
    let login = server
        .login("nina@keystone.example", &hired.temporary_password)
        .await?;
    assert!(
        login
            .identity
            .is_some_and(|i| i.staff && i.must_change_password)
    );
    expect_code(
        st.clone()
            .create_staff(pb::CreateStaffRequest {
                first_name: "A".into(),
                last_name: "B".into(),
                email: "Alice@Harbor.example".into(),
                role: pb::StaffRole::Technician as i32,
            })
            .await,
        Code::AlreadyExists,
    );
    let promoted = st
        .clone()
        .update_staff(pb::UpdateStaffRequest {
            staff_id: nina.id,
            first_name: "Nina".into(),
            last_name: "New".into(),
            role: pb::StaffRole::Dispatcher as i32,
            active: true,
        })
        .await?
        .into_inner();
    assert_eq!(promoted.role(), pb::StaffRole::Dispatcher);
    let dina = server.as_demo(demo::DISPATCHER).await?;
    st.clone()
        .update_staff(pb::UpdateStaffRequest {
            staff_id: nina.id,
            first_name: "Nina".into(),
            last_name: "New".into(),
            role: pb::StaffRole::Dispatcher as i32,
            active: false,
        })
        .await?;
    expect_code(
        server
            .login("nina@keystone.example", &hired.temporary_password)
            .await,
        Code::Unauthenticated,
    );
    // Other staff members' sessions go on.
    dina.auth().who_am_i(pb::Empty {}).await?;
    for (role, active) in [
        (pb::StaffRole::Technician, true),
        (pb::StaffRole::Admin, false),
    ] {
        expect_code(
            st.clone()
                .update_staff(pb::UpdateStaffRequest {
                    staff_id: me.id,
                    first_name: "Paula".into(),
                    last_name: "Admin".into(),
                    role: role as i32,
                    active,
                })
                .await,
            Code::PermissionDenied,
        );
    }

    // The audit log, newest first, paged.
    let first = st
        .clone()
        .list_audit_log(pb::ListAuditLogRequest {
            page: Some(pb::PageRequest {
                page_size: 3,
                cursor: String::new(),
            }),
            ..Default::default()
        })
        .await?
        .into_inner();
    assert_eq!(first.entries.len(), 3);
    assert!(first.entries.iter().any(|e| e.action == "staff.disabled"));
    let second = st
        .clone()
        .list_audit_log(pb::ListAuditLogRequest {
            page: Some(pb::PageRequest {
                page_size: 3,
                cursor: first.next_cursor.clone(),
            }),
            ..Default::default()
        })
        .await?
        .into_inner();
    let all = st
        .clone()
        .list_audit_log(pb::ListAuditLogRequest::default())
        .await?
        .into_inner()
        .entries;
    // The two pages are the newest six entries, in order.
    let ids = |entries: &[pb::AuditEntry]| entries.iter().map(|e| e.id).collect::<Vec<_>>();
    let paged = [ids(&first.entries), ids(&second.entries)].concat();
    assert_eq!(paged, ids(&all[..6.min(all.len())]));
    assert_eq!(paged.len(), 6);
    for action in [
        "company.created",
        "company.updated",
        "user.added",
        "staff.added",
        "role.change",
        "login.ok",
    ] {
        assert!(all.iter().any(|e| e.action == action), "{action}");
    }
    expect_code(
        st.clone()
            .list_audit_log(pb::ListAuditLogRequest {
                page: Some(pb::PageRequest {
                    page_size: 3,
                    cursor: "not-a-cursor".into(),
                }),
                ..Default::default()
            })
            .await,
        Code::InvalidArgument,
    );
    Ok(())
}

/// My Account's "last updated": who changed the profile last, and when.
#[tokio::test]
async fn my_profile_says_when_it_was_last_updated_and_by_whom() -> anyhow::Result<()> {
    let server = TestServer::demo().await?;
    let uma = server.as_demo(demo::CLIENT_USER).await?;
    let alice = server.as_demo(demo::CLIENT_ADMIN).await?;
    let profile = |s: &Session| {
        let mut a = s.accounts();
        async move { anyhow::Ok(a.get_my_profile(pb::Empty {}).await?.into_inner()) }
    };
    let before = profile(&uma).await?;
    let me = before.contact.clone().expect("contact");
    let mut d = me.details.clone().expect("details");
    d.title = "Front desk".into();
    uma.accounts()
        .update_my_profile(pb::UpdateMyProfileRequest {
            details: Some(d.clone()),
        })
        .await?;
    let mine = profile(&uma).await?;
    let name = mine.identity.clone().unwrap_or_default().display_name;
    assert!(mine.updated_at.is_some());
    assert_eq!(mine.updated_by, name);
    // Her Admin changes her details: the profile names the Admin.
    d.title = "Practice manager".into();
    alice
        .accounts()
        .update_user(pb::UpdateUserRequest {
            contact_id: me.id,
            details: Some(d),
            email: String::new(),
        })
        .await?;
    let after = profile(&uma).await?;
    let admin = profile(&alice).await?.identity.unwrap_or_default();
    assert_eq!(after.updated_by, admin.display_name);
    let seconds = |p: &pb::MyProfile| p.updated_at.as_ref().map(|t| t.seconds);
    assert!(seconds(&after) >= seconds(&mine));
    Ok(())
}
