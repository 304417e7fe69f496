//! EventService.

use portal_proto::pb;

use super::AppState;

pub struct Events {
    state: AppState,
}

impl Events {
    pub fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[tonic::async_trait]
impl pb::event_service_server::EventService for Events {
    type SubscribeStream = tokio_stream::wrappers::ReceiverStream<Result<pb::Event, tonic::Status>>;
    async fn subscribe(
        &self,
        _request: tonic::Request<pb::Empty>,
    ) -> std::result::Result<tonic::Response<Self::SubscribeStream>, tonic::Status> {
        Err(tonic::Status::unimplemented("not yet"))
    }
}

/// A change to a ticket, published by the handler that made it.
#[derive(Debug, Clone)]
pub struct TicketEvent {
    pub kind: pb::EventKind,
    pub ticket_number: i64,
    pub company_id: i64,
    pub at_ms: i64,
    pub actor_name: String,
    pub summary: String,
}

/// Fan-out of ticket events to subscribed clients.
#[derive(Clone)]
pub struct EventBus {
    tx: tokio::sync::broadcast::Sender<TicketEvent>,
}

impl Default for EventBus {
    fn default() -> Self {
        Self {
            tx: tokio::sync::broadcast::channel(1024).0,
        }
    }
}

impl EventBus {
    pub fn publish(&self, event: TicketEvent) {
        // No subscribers is fine.
        let _ = self.tx.send(event);
    }

    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<TicketEvent> {
        self.tx.subscribe()
    }
}
