//! Save and print (docs/TICKETS.md, "Save and print"): a ticket, or its
//! sign-off form, as a document of blocks (`document`), rendered as plain
//! text (`text`) or PDF (`pdf`). The server renders it, so the client, a
//! script and any gRPC user get the same file.

pub mod document;
mod invoice;
mod pdf;
mod text;

pub use document::{Document, sign_off_form, ticket_document};
pub use invoice::invoice_document;

/// The file formats a document is rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Text,
}

impl Format {
    pub const fn extension(self) -> &'static str {
        match self {
            Self::Pdf => "pdf",
            Self::Text => "txt",
        }
    }

    pub const fn content_type(self) -> &'static str {
        match self {
            Self::Pdf => "application/pdf",
            Self::Text => "text/plain; charset=utf-8",
        }
    }
}

/// The document's bytes in `format`.
pub fn render(document: &Document, format: Format) -> Vec<u8> {
    match format {
        Format::Text => text::render(document).into_bytes(),
        Format::Pdf => pdf::render(document),
    }
}

/// The task rendering the document failed.
#[derive(Debug, thiserror::Error)]
#[error("the document could not be rendered: {0}")]
pub struct RenderFailed(String);

impl From<tokio::task::JoinError> for RenderFailed {
    fn from(e: tokio::task::JoinError) -> Self {
        Self(e.to_string())
    }
}
