//! `EventService`: the live-update stream, a long-lived task that reconnects
//! by itself and resumes after the last event it saw.

use std::time::Duration;

use portal_proto::pb::{self, event_service_client::EventServiceClient};

use super::Client;
use crate::action::Action;

impl Client {
    /// Live updates for the full-screen client until signed out, as actions.
    pub(super) fn start_events(&self) {
        if !self.live {
            return;
        }
        let this = self.clone();
        let handle = tokio::spawn(async move {
            let tx = this.tx.clone();
            this.follow_events(|action| tx.send(action).is_ok()).await;
        });
        if let Some(old) = self.session().events.replace(handle) {
            old.abort();
        }
    }

    /// Follows the event stream, handing `sink` every event
    /// ([`Action::Event`]), each (re)connection and loss
    /// ([`Action::Connected`]) and, last, [`Action::SessionEnded`] when the
    /// server ended the session and it could not be renewed. Reconnects with
    /// a growing pause and resumes after the last event received, so none is
    /// lost or repeated (events.proto). Returns when `sink` says false or the
    /// session ended.
    pub async fn follow_events(&self, mut sink: impl FnMut(Action) -> bool) {
        let mut pause = Duration::from_millis(500);
        let mut after_id = 0;
        loop {
            let mut events = EventServiceClient::new(self.channel.clone());
            let request = pb::SubscribeRequest { after_id };
            let ended = match events.subscribe(self.authed(request)).await {
                Ok(response) => {
                    pause = Duration::from_millis(500);
                    if !sink(Action::Connected(true)) {
                        return;
                    }
                    let mut stream = response.into_inner();
                    loop {
                        match stream.message().await {
                            Ok(Some(event)) => {
                                after_id = event.id;
                                if !sink(Action::Event(event)) {
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
            let unauthenticated = ended.is_some_and(|s| s.code() == tonic::Code::Unauthenticated);
            if unauthenticated && !self.renew().await {
                sink(Action::SessionEnded);
                return;
            }
            if !sink(Action::Connected(false)) {
                return;
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(10));
        }
    }
}
