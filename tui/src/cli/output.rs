//! Where results go: a table when stdout is a terminal (or nothing asked
//! otherwise), `--json` with the gRPC messages' own field names, `--csv`
//! where rows fit. Data goes to stdout; progress and prompts to stderr.

use std::io::{IsTerminal, Write};
use std::sync::OnceLock;

use chrono_tz::Tz;
use prost_reflect::{DescriptorPool, DynamicMessage, SerializeOptions};

use super::exit::Failure;

/// How a command prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Csv,
}

/// The output of one command.
pub struct Out {
    pub format: Format,
    /// Bold headers: stdout is a terminal and `NO_COLOR` is not set.
    color: bool,
    /// Cut long cells to the terminal's width (tables on a terminal only).
    width: Option<usize>,
    /// The provider's time zone, in which times are shown.
    pub tz: Tz,
    /// Buffered: a line at a time, a long list made one write a line
    /// (stdout is line-buffered even into a pipe). Commands that stream
    /// flush as they go; the rest is flushed when the command ends.
    stdout: std::io::BufWriter<std::io::StdoutLock<'static>>,
}

impl Out {
    pub fn new(format: Format) -> Self {
        let terminal = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let width = terminal
            .then(|| crossterm::terminal::size().ok())
            .flatten()
            .map(|(w, _)| usize::from(w));
        Self {
            format,
            color: terminal && !no_color,
            width,
            tz: Tz::UTC,
            stdout: std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock()),
        }
    }

    /// One line of data.
    pub fn line(&mut self, text: &str) -> Result<(), Failure> {
        writeln!(self.stdout, "{text}").map_err(broken)
    }

    /// Raw bytes of data (a downloaded file sent to stdout).
    pub fn bytes(&mut self, data: &[u8]) -> Result<(), Failure> {
        self.stdout.write_all(data).map_err(broken)
    }

    /// `message` as one JSON document on one line.
    pub fn json<M: prost::Message + prost::Name>(&mut self, message: &M) -> Result<(), Failure> {
        let text = to_json(message)?;
        self.line(&text)
    }

    pub fn flush(&mut self) -> Result<(), Failure> {
        self.stdout.flush().map_err(broken)
    }

    /// Rows under a header: aligned columns for a table, or CSV.
    pub fn rows(&mut self, header: &[&str], rows: &[Vec<String>]) -> Result<(), Failure> {
        match self.format {
            Format::Csv => self.csv(header, rows),
            Format::Table | Format::Json => self.table(header, rows),
        }
    }

    fn csv(&mut self, header: &[&str], rows: &[Vec<String>]) -> Result<(), Failure> {
        let head: Vec<String> = header.iter().map(|h| csv_cell(h)).collect();
        self.line(&head.join(","))?;
        for row in rows {
            let cells: Vec<String> = row.iter().map(|c| csv_cell(c)).collect();
            self.line(&cells.join(","))?;
        }
        Ok(())
    }

    fn table(&mut self, header: &[&str], rows: &[Vec<String>]) -> Result<(), Failure> {
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        // On a terminal the widest column gives way so a row fits a line.
        if let Some(limit) = self.width {
            let total: usize = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
            if total > limit
                && let Some(widest) = (0..widths.len()).max_by_key(|&i| widths[i])
            {
                widths[widest] = widths[widest].saturating_sub(total - limit).max(8);
            }
        }
        let head = join_cells(&widths, header.iter().copied());
        let head = if self.color {
            format!("\x1b[1m{head}\x1b[0m")
        } else {
            head
        };
        self.line(head.trim_end())?;
        for row in rows {
            let line = join_cells(&widths, row.iter().map(String::as_str));
            self.line(line.trim_end())?;
        }
        Ok(())
    }
}

/// Cells padded to their column, cut with `…` when too long.
fn join_cells<'a>(widths: &[usize], cells: impl Iterator<Item = &'a str>) -> String {
    let mut line = String::new();
    for (i, (cell, &width)) in cells.zip(widths).enumerate() {
        if i > 0 {
            line.push_str("  ");
        }
        let cell = cell.replace(['\n', '\r', '\t'], " ");
        let count = cell.chars().count();
        if count > width {
            line.extend(cell.chars().take(width.saturating_sub(1)));
            line.push('…');
        } else {
            line.push_str(&cell);
            line.extend(std::iter::repeat_n(' ', width - count));
        }
    }
    line
}

/// A CSV cell, quoted when it must be (RFC 4180).
fn csv_cell(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_owned()
    }
}

/// Writing stdout failed: most often the reader of a pipe went away.
#[allow(clippy::needless_pass_by_value, reason = "it is a map_err function")]
fn broken(e: std::io::Error) -> Failure {
    Failure::other(format!("cannot write the output: {e}"))
}

fn pool() -> Result<&'static DescriptorPool, Failure> {
    static POOL: OnceLock<Result<DescriptorPool, String>> = OnceLock::new();
    POOL.get_or_init(|| {
        DescriptorPool::decode(portal_proto::FILE_DESCRIPTOR_SET).map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| Failure::other(format!("the built-in message descriptions are broken: {e}")))
}

/// `message` in the JSON mapping of protobuf with the `.proto` field names,
/// every field present (defaults too), enums by name, 64-bit integers as
/// numbers and times as RFC 3339: the stable form docs/CLI.md describes.
pub fn to_json<M: prost::Message + prost::Name>(message: &M) -> Result<String, Failure> {
    let name = M::full_name();
    let descriptor = pool()?
        .get_message_by_name(&name)
        .ok_or_else(|| Failure::other(format!("no description of {name}")))?;
    let dynamic = DynamicMessage::decode(descriptor, message.encode_to_vec().as_slice())
        .map_err(|e| Failure::other(format!("{name}: {e}")))?;
    let options = SerializeOptions::new()
        .use_proto_field_name(true)
        .skip_default_fields(false)
        .stringify_64_bit_integers(false);
    let mut text = Vec::with_capacity(256);
    let mut serializer = serde_json::Serializer::new(&mut text);
    dynamic
        .serialize_with_options(&mut serializer, &options)
        .map_err(|e| Failure::other(format!("{name}: {e}")))?;
    String::from_utf8(text).map_err(|e| Failure::other(format!("{name}: {e}")))
}

#[cfg(test)]
mod tests {
    use portal_proto::pb;

    use super::*;

    #[test]
    fn json_uses_proto_field_names_enum_names_and_keeps_defaults() {
        let ticket = pb::Ticket {
            number: 1042,
            title: "Printer, \"jammed\"".into(),
            status: pb::TicketStatus::InProgress.into(),
            created_at: Some(prost_types::Timestamp {
                seconds: 1_700_000_000,
                nanos: 0,
            }),
            ..Default::default()
        };
        let json: serde_json::Value =
            serde_json::from_str(&to_json(&ticket).expect("json")).expect("valid");
        assert_eq!(json["number"], 1042);
        assert_eq!(json["status"], "TICKET_STATUS_IN_PROGRESS");
        assert_eq!(json["assigned_staff_id"], 0, "defaults are present");
        assert_eq!(json["created_at"], "2023-11-14T22:13:20Z");
    }

    #[test]
    fn cells_are_cut_and_csv_is_quoted() {
        assert_eq!(
            join_cells(&[3, 4], ["abcdef", "x"].into_iter()),
            "ab…  x   "
        );
        assert_eq!(csv_cell("a,\"b\""), "\"a,\"\"b\"\"\"");
        assert_eq!(csv_cell("plain"), "plain");
    }
}
