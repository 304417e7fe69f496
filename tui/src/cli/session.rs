//! Signing in for one command, in the documented order: `--token` /
//! `PORTAL_TOKEN`, else the remembered session in the keyring (the one the
//! full-screen client uses), else "run `portal login`". `portal login` and
//! `portal logout` themselves.

use std::io::IsTerminal;

use portal_proto::pb;

use super::exit::{Done, Exit, Failure};
use super::text;
use crate::action::{AuthCall, Reply};
use crate::client::{self, Client};
use crate::ui::format;

/// Signs `client` in and says who it is.
pub async fn sign_in(client: &Client, token: Option<&str>) -> Result<pb::Identity, Failure> {
    if let Some(token) = token {
        client.use_token(token.to_owned());
        return client
            .auth()
            .who_am_i(client.authed(pb::Empty {}))
            .await
            .map(tonic::Response::into_inner)
            .map_err(|status| {
                let failure = Failure::from(status);
                if failure.exit == Exit::SignedOut {
                    Failure::new(
                        Exit::SignedOut,
                        "the token is not (or no longer) a valid session",
                    )
                } else {
                    failure
                }
            });
    }
    match client.request(AuthCall::Resume.into()).await? {
        Reply::SignedIn { identity, .. } if identity.must_change_password => Err(Failure::new(
            Exit::SignedOut,
            "your password must be changed first: run `portal` to change it",
        )),
        Reply::SignedIn { identity, .. } => Ok(identity),
        Reply::NotRemembered { note } => Err(Failure::new(
            Exit::SignedOut,
            note.unwrap_or_else(|| format!("not signed in to {}", client.target().url)),
        )),
        other => Err(Failure::other(format!("unexpected answer: {other:?}"))),
    }
}

/// `portal login`: asks for what was not given, signs in and remembers the
/// session in the keyring for later commands and the full-screen client.
pub async fn login(client: &Client, email: Option<String>, password_stdin: bool) -> Done {
    let terminal = std::io::stdin().is_terminal();
    let email = match email {
        Some(email) => email,
        None if terminal => text::prompt("E-mail")?,
        None => {
            return Err(Failure::usage(
                "--email is needed when stdin is not a terminal",
            ));
        }
    };
    let password = if password_stdin {
        text::stdin_line()?
    } else if terminal {
        text::secret("Password")?
    } else {
        return Err(Failure::usage(
            "give the password on stdin with --password-stdin",
        ));
    };
    let login = AuthCall::Login {
        email,
        password,
        remember: true,
    };
    let Reply::SignedIn {
        identity,
        remember_note,
    } = client.request(login.into()).await?
    else {
        return Err(Failure::other("unexpected answer to signing in"));
    };
    if let Some(note) = remember_note {
        return Err(Failure::other(format!(
            "signed in, but the session cannot be remembered: {note}; \
             scripts can use PORTAL_TOKEN instead"
        )));
    }
    eprintln!(
        "Signed in to {} as {} ({}).",
        client.target().url,
        identity.display_name,
        format::who(&identity)
    );
    if identity.must_change_password {
        eprintln!("Your password must be changed first: run `portal` to change it.");
    }
    Ok(())
}

/// `portal logout`: revokes the remembered session and forgets it here.
pub async fn logout(client: &Client) -> Done {
    let url = &client.target().url;
    if client::forget(client.target())
        .await
        .map_err(Failure::other)?
    {
        println!("Signed out of {url}.");
    } else {
        println!("Nobody is remembered for {url}.");
    }
    Ok(())
}
