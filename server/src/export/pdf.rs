//! A document as an A4 PDF in the built-in Helvetica (no font file is
//! embedded or fetched), its text extractable by any PDF reader. The
//! built-in fonts cover Windows-1252 (Western European text); a character
//! outside it is shown as "?" (the plain-text export keeps every character).
//! The file is written straight out with pdf-writer, page by page, each
//! page's text deflated at the fastest level (a sixth of the size for a
//! fraction of a millisecond a page); building a whole object tree first
//! (printpdf) took most of the time (docs/BENCHMARKS.md).

use miniz_oxide::DataFormat;
use miniz_oxide::deflate::CompressionLevel;
use miniz_oxide::deflate::core::{CompressorOxide, TDEFLFlush, TDEFLStatus, compress_to_output};
use pdf_writer::{Content, Filter, Name, Pdf, Rect, Ref, Str, TextStr};

use super::document::{Block, Document, wrap};

const PAGE_WIDTH: f32 = 210.0;
const PAGE_HEIGHT: f32 = 297.0;
const MARGIN: f32 = 20.0;
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Where a field's value starts, right of its label.
const VALUE_AT: f32 = 38.0;
/// How far an entry's body is indented under its head.
const INDENT: f32 = 6.0;
const LINE: f32 = 5.0;
const POINTS_PER_MM: f32 = 72.0 / 25.4;

/// A size (points) of the regular or bold face.
#[derive(Clone, Copy, PartialEq)]
struct Font {
    size: f32,
    bold: bool,
}

impl Font {
    const fn new(size: f32, bold: bool) -> Self {
        Self { size, bold }
    }
}

const TITLE: Font = Font::new(16.0, true);
const SUBTITLE: Font = Font::new(9.0, false);
const HEADING: Font = Font::new(12.0, true);
const BODY: Font = Font::new(10.0, false);
const BODY_BOLD: Font = Font::new(10.0, true);
const FOOTER: Font = Font::new(8.0, false);

/// The objects written before the pages; page N (from 0) is object
/// `FIRST_PAGE + 2N`, its content stream the next one.
const CATALOG: Ref = Ref::new(1);
const PAGE_TREE: Ref = Ref::new(2);
const INFO: Ref = Ref::new(3);
const REGULAR: Ref = Ref::new(4);
const BOLD: Ref = Ref::new(5);
const FIRST_PAGE: i32 = 6;

/// Helvetica's advance widths (thousandths of the font size) of ' '..='~'.
const ASCII_WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
    278, // ' '..'/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584,
    556, // '0'..'?'
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722,
    778, // '@'..'O'
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469,
    556, // 'P'..'_'
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556,
    556, // '`'..'o'
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, // 'p'..'~'
];

/// Windows-1252 at 0x80..=0x9F, where it differs from Latin-1 (the rest of
/// it is Latin-1); '\0' where it has no character.
const WIN_ANSI_80: [char; 32] = [
    '€', '\0', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\0', 'Ž', '\0', //
    '\0', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\0', 'ž', 'Ÿ',
];

/// `c`'s code in WinAnsiEncoding, if the built-in fonts show it.
fn win_ansi(c: char) -> Option<u8> {
    match c {
        ' '..='~' | '\u{a0}'..='\u{ff}' => u8::try_from(c).ok(),
        '\0' => None,
        _ => WIN_ANSI_80
            .iter()
            .position(|&w| w == c)
            .map(|i| 0x80 + i as u8),
    }
}

/// The character as the built-in font can show it.
fn printable(c: char) -> char {
    match c {
        '\t' => ' ',
        // Line breaks are kept for `wrap`, which starts a new line at each.
        '\n' => c,
        c if win_ansi(c).is_some() => c,
        _ => '?',
    }
}

/// The width of `c` in mm in `font` (bold Helvetica runs about 6% wider;
/// 10% keeps lines inside the margin).
fn width(c: char, font: Font) -> f32 {
    let units = u32::from(c)
        .checked_sub(32)
        .and_then(|i| ASCII_WIDTHS.get(i as usize))
        .map_or(1000.0, |w| f32::from(*w));
    let units = if font.bold { units * 1.1 } else { units };
    units / 1000.0 * font.size / POINTS_PER_MM
}

/// `text` as the font shows it, wrapped into lines no wider than `max` mm.
fn lines(text: &str, max: f32, font: Font) -> Vec<String> {
    let text: String = text.chars().map(printable).collect();
    wrap(&text, max, |c| width(c, font))
}

/// `data` compressed for a FlateDecode stream.
fn deflate(compressor: &mut CompressorOxide, data: &[u8]) -> Vec<u8> {
    compressor.reset();
    let mut out = Vec::with_capacity(data.len() / 4);
    let (status, _) = compress_to_output(compressor, data, TDEFLFlush::Finish, |piece| {
        out.extend_from_slice(piece);
        true
    });
    // Into a growing Vec with Finish, compression always completes.
    debug_assert_eq!(status, TDEFLStatus::Done);
    out
}

/// Writes lines top to bottom, starting a page when one is full.
struct Pages {
    pdf: Pdf,
    /// The page being written, and the font it last set.
    content: Content,
    font: Option<Font>,
    /// The pages written before this one.
    done: Vec<Ref>,
    /// The baseline of the next line, from the page's bottom.
    y: f32,
    footer: String,
    /// A line in WinAnsiEncoding, kept to reuse its buffer.
    encoded: Vec<u8>,
    /// One compressor for every page: making one per page cost more than
    /// compressing the page.
    deflate: Box<CompressorOxide>,
}

impl Pages {
    fn new(title: &str) -> Self {
        let mut pdf = Pdf::new();
        pdf.document_info(INFO).title(TextStr(title));
        for (id, name) in [(REGULAR, "Helvetica"), (BOLD, "Helvetica-Bold")] {
            pdf.type1_font(id)
                .base_font(Name(name.as_bytes()))
                .encoding_predefined(Name(b"WinAnsiEncoding"));
        }
        let mut pages = Self {
            pdf,
            content: Content::new(),
            font: None,
            done: Vec::new(),
            y: 0.0,
            footer: title.chars().map(printable).collect(),
            encoded: Vec::new(),
            deflate: Box::new(CompressorOxide::with_format_and_level(
                DataFormat::Zlib,
                CompressionLevel::BestSpeed,
            )),
        };
        pages.start_page();
        pages
    }

    fn start_page(&mut self) {
        self.content.begin_text();
        self.font = None;
        self.y = PAGE_HEIGHT - MARGIN;
        let footer = format!("{}  -  page {}", self.footer, self.done.len() + 1);
        self.show(&footer, FOOTER, 0.0, MARGIN / 2.0);
    }

    fn end_page(&mut self) {
        let mut content = std::mem::replace(&mut self.content, Content::new());
        content.end_text();
        let page = Ref::new(FIRST_PAGE + 2 * self.done.len() as i32);
        let contents = Ref::new(page.get() + 1);
        self.pdf.page(page).parent(PAGE_TREE).contents(contents);
        let data = deflate(&mut self.deflate, &content.finish());
        self.pdf.stream(contents, &data).filter(Filter::FlateDecode);
        self.done.push(page);
    }

    /// One line of text at `x` mm right of the margin, `y` mm up from the
    /// page's bottom.
    fn show(&mut self, line: &str, font: Font, x: f32, y: f32) {
        if self.font != Some(font) {
            let name = if font.bold { b"F2" } else { b"F1" };
            self.content.set_font(Name(name), font.size);
            self.font = Some(font);
        }
        let (x, y) = ((MARGIN + x) * POINTS_PER_MM, y * POINTS_PER_MM);
        self.content.set_text_matrix([1.0, 0.0, 0.0, 1.0, x, y]);
        self.encoded.clear();
        self.encoded.extend(line.chars().filter_map(win_ansi));
        self.content.show(Str(&self.encoded));
    }

    /// Room for `height` mm more on this page, or a new page.
    fn make_room(&mut self, height: f32) {
        if self.y - height < MARGIN {
            self.end_page();
            self.start_page();
        }
    }

    /// `text` wrapped into the column from `x` to the right margin.
    fn text(&mut self, text: &str, font: Font, x: f32, height: f32) {
        for line in lines(text, TEXT_WIDTH - x, font) {
            self.make_room(height);
            self.y -= height;
            self.show(&line, font, x, self.y);
        }
    }

    /// A label in bold with its value beside it, each wrapped in its column.
    fn field(&mut self, label: &str, value: &str) {
        let labels = lines(label, VALUE_AT - 2.0, BODY_BOLD);
        let values = lines(value, TEXT_WIDTH - VALUE_AT, BODY);
        for row in 0..labels.len().max(values.len()) {
            self.make_room(LINE);
            self.y -= LINE;
            for (lines, x, font) in [(&labels, 0.0, BODY_BOLD), (&values, VALUE_AT, BODY)] {
                if let Some(line) = lines.get(row) {
                    self.show(line, font, x, self.y);
                }
            }
        }
    }

    /// The file: the last page ended, the page tree (its size and fonts,
    /// which every page inherits) and the catalog.
    fn finish(mut self) -> Vec<u8> {
        self.end_page();
        let mut tree = self.pdf.pages(PAGE_TREE);
        tree.kids(self.done.iter().copied())
            .count(self.done.len() as i32)
            .media_box(Rect::new(
                0.0,
                0.0,
                PAGE_WIDTH * POINTS_PER_MM,
                PAGE_HEIGHT * POINTS_PER_MM,
            ));
        tree.resources()
            .fonts()
            .pair(Name(b"F1"), REGULAR)
            .pair(Name(b"F2"), BOLD);
        drop(tree);
        self.pdf.catalog(CATALOG).pages(PAGE_TREE);
        self.pdf.finish()
    }
}

pub fn render(doc: &Document) -> Vec<u8> {
    let mut pages = Pages::new(&doc.title);
    pages.text(&doc.title, TITLE, 0.0, 8.0);
    pages.text(&doc.subtitle, SUBTITLE, 0.0, LINE);
    for block in &doc.blocks {
        match block {
            Block::Heading(h) => {
                // Keep a heading with the line after it.
                pages.make_room(6.0 + 4.0 + LINE);
                pages.y -= 4.0;
                pages.text(h, HEADING, 0.0, 6.0);
            }
            Block::Field(label, value) => pages.field(label, value),
            Block::Paragraph(text) => pages.text(text, BODY, 0.0, LINE),
            Block::Entry { head, body } => {
                pages.make_room(2.0 + 2.0 * LINE);
                pages.y -= 2.0;
                pages.text(head, BODY_BOLD, 0.0, LINE);
                if !body.is_empty() {
                    pages.text(body, BODY, INDENT, LINE);
                }
            }
        }
    }
    pages.finish()
}

#[cfg(test)]
mod tests {
    use super::{printable, win_ansi};

    #[test]
    fn windows_1252_is_encoded_and_anything_else_is_a_question_mark() {
        assert_eq!(win_ansi('A'), Some(b'A'));
        assert_eq!(win_ansi('é'), Some(0xE9));
        assert_eq!(win_ansi('€'), Some(0x80));
        assert_eq!(win_ansi('—'), Some(0x97));
        assert_eq!(win_ansi('Ÿ'), Some(0x9F));
        assert_eq!(win_ansi('\0'), None);
        assert_eq!(win_ansi('\u{81}'), None);
        let shown: String = "Zoë—€ 中\tΩ\n".chars().map(printable).collect();
        assert_eq!(shown, "Zoë—€ ? ?\n");
    }
}
