//! A document as plain text, 78 columns wide.

use super::document::{Block, Document, wrap};

const WIDTH: usize = 78;
const LABEL: usize = 16;
const INDENT: &str = "    ";

fn lines(text: &str, width: usize) -> Vec<String> {
    wrap(text, width as f32, |_| 1.0)
}

pub fn render(doc: &Document) -> String {
    let mut out = String::new();
    let mut push = |line: &str| {
        out.push_str(line.trim_end());
        out.push('\n');
    };
    for line in lines(&doc.title, WIDTH) {
        push(&line);
    }
    push(&"=".repeat(WIDTH));
    push(&doc.subtitle);
    for block in &doc.blocks {
        match block {
            Block::Heading(h) => {
                push("");
                push(h);
                push(&"-".repeat(h.chars().count().min(WIDTH)));
            }
            Block::Field(label, value) => {
                let mut first = true;
                for line in lines(value, WIDTH - LABEL - 2) {
                    let label = if first { label.as_str() } else { "" };
                    push(&format!("{label:<LABEL$}  {line}"));
                    first = false;
                }
            }
            Block::Paragraph(text) => {
                for line in lines(text, WIDTH) {
                    push(&line);
                }
            }
            Block::Entry { head, body } => {
                push("");
                for line in lines(head, WIDTH) {
                    push(&line);
                }
                if !body.is_empty() {
                    for line in lines(body, WIDTH - INDENT.len()) {
                        push(&format!("{INDENT}{line}"));
                    }
                }
            }
        }
    }
    out
}
