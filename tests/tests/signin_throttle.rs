//! Sign-in throttling by source address, and the account lockout that an
//! attacker cannot use to keep a user out (docs/ROLES.md, "Signing in").
//! Clients come from several loopback addresses (127.0.0.x), as from
//! several machines.

use std::time::Duration;

use portal_e2e::{DEMO_PASSWORD, TestServer, demo, expect_code};
use tonic::Code;

/// The `retry-after` metadata of a refusal, in seconds.
fn retry_after(status: &tonic::Status) -> u64 {
    status
        .metadata()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no retry-after in {status:?}"))
}

#[tokio::test]
async fn failed_sign_ins_from_one_address_make_it_wait_and_leave_other_addresses_alone()
-> anyhow::Result<()> {
    const ATTACKER: &str = "127.0.0.2";
    // Three failures free, then waits of 1 s, 2 s, ... up to 3 s.
    let server = TestServer::demo_with(&[
        "--signin-address-failures",
        "3",
        "--signin-address-max-wait-minutes",
        "0.05",
    ])
    .await?;
    // Four failures on different accounts (one that does not exist): each
    // answered as usual, none locking an account.
    for email in [
        demo::CLIENT_USER,
        "ghost@harbor.example",
        demo::CLIENT_ADMIN,
        demo::DISPATCHER,
    ] {
        expect_code(
            server.login_from(ATTACKER, email, "Wrong-Pass-1").await,
            Code::Unauthenticated,
        );
    }
    // Now the address waits: even the right password is refused, with the
    // same answer for a known and an unknown e-mail.
    let right = expect_code(
        server
            .login_from(ATTACKER, demo::CLIENT_USER, DEMO_PASSWORD)
            .await,
        Code::ResourceExhausted,
    );
    assert!(
        right
            .message()
            .starts_with("too many failed sign-ins from your address; try again in 1 second"),
        "{right:?}"
    );
    assert_eq!(retry_after(&right), 1);
    let ghost = expect_code(
        server
            .login_from(ATTACKER, "ghost@harbor.example", "Wrong-Pass-1")
            .await,
        Code::ResourceExhausted,
    );
    assert_eq!(ghost.message(), right.message());

    // Another address is not held up, for the same account.
    server
        .login_from("127.0.0.3", demo::CLIENT_USER, DEMO_PASSWORD)
        .await?;

    // After the wait, one attempt; a success forgives nothing, so the next
    // failure waits twice as long.
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    server
        .login_from(ATTACKER, demo::PROVIDER_ADMIN, DEMO_PASSWORD)
        .await?;
    expect_code(
        server
            .login_from(ATTACKER, demo::PROVIDER_ADMIN, "Wrong-Pass-1")
            .await,
        Code::Unauthenticated,
    );
    let longer = expect_code(
        server
            .login_from(ATTACKER, demo::PROVIDER_ADMIN, DEMO_PASSWORD)
            .await,
        Code::ResourceExhausted,
    );
    assert_eq!(retry_after(&longer), 2, "{longer:?}");

    // Refusals during the wait do not count: once it is over, the right
    // password works.
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    server
        .login_from(ATTACKER, demo::PROVIDER_ADMIN, DEMO_PASSWORD)
        .await?;
    Ok(())
}

#[tokio::test]
async fn an_attacker_elsewhere_cannot_keep_a_user_out_from_their_usual_address()
-> anyhow::Result<()> {
    const HOME: &str = "127.0.0.4";
    const ATTACKER: &str = "127.0.0.5";
    const ELSEWHERE: &str = "127.0.0.6";
    // Accounts locked for 3 s after 5 failures (the default count).
    let server = TestServer::demo_with(&["--lockout-minutes", "0.05"]).await?;
    server
        .login_from(HOME, demo::CLIENT_USER, DEMO_PASSWORD)
        .await?;

    let lock = async || {
        for _ in 0..4 {
            expect_code(
                server
                    .login_from(ATTACKER, demo::CLIENT_USER, "Wrong-Pass-1")
                    .await,
                Code::Unauthenticated,
            );
        }
        expect_code(
            server
                .login_from(ATTACKER, demo::CLIENT_USER, "Wrong-Pass-1")
                .await,
            Code::ResourceExhausted,
        )
    };
    let locked = lock().await;
    assert!(locked.message().contains("account locked"), "{locked:?}");
    assert!((1..=3).contains(&retry_after(&locked)), "{locked:?}");
    // The lockout holds for every address the account has not signed in
    // from, even with the right password...
    expect_code(
        server
            .login_from(ELSEWHERE, demo::CLIENT_USER, DEMO_PASSWORD)
            .await,
        Code::ResourceExhausted,
    );
    // ...but not at home: a typo there gets the ordinary answer, and the
    // right password signs in (and clears the lockout).
    let typo = expect_code(
        server
            .login_from(HOME, demo::CLIENT_USER, "Wrong-Pass-1")
            .await,
        Code::Unauthenticated,
    );
    assert_eq!(typo.message(), "wrong e-mail or password");
    server
        .login_from(HOME, demo::CLIENT_USER, DEMO_PASSWORD)
        .await?;
    server
        .login_from(ELSEWHERE, demo::CLIENT_USER, DEMO_PASSWORD)
        .await?;

    // Locked again, the lockout ends by itself.
    lock().await;
    tokio::time::sleep(Duration::from_millis(3_200)).await;
    server
        .login_from("127.0.0.7", demo::CLIENT_USER, DEMO_PASSWORD)
        .await?;
    Ok(())
}
