//! `EventService`: the live-update stream, a long-lived task that reconnects
//! by itself.

use std::time::Duration;

use portal_proto::pb::{self, event_service_client::EventServiceClient};

use super::Client;
use crate::action::Action;

impl Client {
    /// Live updates until signed out: reconnects with a growing pause and
    /// says so through [`Action::Connected`]; a session the server ended is
    /// renewed if it can be, else reported as [`Action::SessionEnded`].
    pub(super) fn start_events(&self) {
        let this = self.clone();
        let handle = tokio::spawn(async move {
            let mut pause = Duration::from_millis(500);
            loop {
                let mut events = EventServiceClient::new(this.channel.clone());
                let ended = match events.subscribe(this.authed(pb::Empty {})).await {
                    Ok(response) => {
                        pause = Duration::from_millis(500);
                        let _ = this.tx.send(Action::Connected(true));
                        let mut stream = response.into_inner();
                        loop {
                            match stream.message().await {
                                Ok(Some(event)) => {
                                    if this.tx.send(Action::Event(event)).is_err() {
                                        return;
                                    }
                                }
                                Ok(None) => break None,
                                Err(status) => break Some(status),
                            }
                        }
                    }
                    Err(status) => Some(status),
                };
                let unauthenticated =
                    ended.is_some_and(|s| s.code() == tonic::Code::Unauthenticated);
                if unauthenticated && !this.renew().await {
                    let _ = this.tx.send(Action::SessionEnded);
                    return;
                }
                if this.tx.send(Action::Connected(false)).is_err() {
                    return;
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(10));
            }
        });
        if let Some(old) = self.session().events.replace(handle) {
            old.abort();
        }
    }
}
