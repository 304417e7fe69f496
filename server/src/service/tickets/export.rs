//! Save and print: a ticket or its sign-off form rendered on the server
//! and streamed (server stream), so every client gets the same file.

use portal_proto::pb;
use tonic::{Request, Status};

use super::{Tickets, validate, visible};
use crate::export::{self, Format};
use crate::policy;
use crate::service::authn::caller;
use crate::service::file_stream::{FileStream, file_stream};
use crate::store::{now_ms, ticket_record};

impl Tickets {
    pub(super) async fn export(
        &self,
        request: Request<pb::ExportTicketRequest>,
    ) -> Result<FileStream, Status> {
        let p = caller(&request)?.principal.clone();
        let req = request.into_inner();
        let number = validate::number(req.number)?;
        let format = match validate::known("format", req.format)? {
            pb::ExportFormat::Text => Format::Text,
            pb::ExportFormat::Unspecified | pb::ExportFormat::Pdf => Format::Pdf,
        };
        let sign_off = match validate::known("document", req.document)? {
            pb::ExportDocument::SignOff => true,
            pb::ExportDocument::Unspecified | pb::ExportDocument::Ticket => false,
        };
        let record = self
            .state
            .read(move |conn| {
                let facts = visible(conn, number, &p)?;
                policy::export_ticket(&p, &facts)?;
                Ok(ticket_record::load(conn, number)?)
            })
            .await?;
        let now = now_ms();
        let bytes = tokio::task::spawn_blocking(move || {
            let document = if sign_off {
                export::sign_off_form(&record, now)
            } else {
                export::ticket_document(&record, now)
            };
            export::render(&document, format)
        })
        .await
        .map_err(|e| Status::from(export::RenderFailed::from(e)))?;
        let name = if sign_off { "-sign-off" } else { "" };
        let file_name = format!("ticket-{number}{name}.{}", format.extension());
        Ok(file_stream(file_name, format, &bytes))
    }
}
