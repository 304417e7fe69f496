//! A document as an A4 PDF in the built-in Helvetica (no font file is
//! embedded or fetched), its text extractable by any PDF reader. The
//! built-in fonts cover Windows-1252 (Western European text); a character
//! outside it is shown as "?" (the plain-text export keeps every character).

use printpdf::{
    BuiltinFont, CustomPdfConformance, IndirectFontRef, Mm, PdfConformance, PdfDocument,
    PdfDocumentReference, PdfLayerReference,
};

use super::RenderFailed;
use super::document::{Block, Document, wrap};

const PAGE_WIDTH: f32 = 210.0;
const PAGE_HEIGHT: f32 = 297.0;
const MARGIN: f32 = 20.0;
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
/// Where a field's value starts, right of its label.
const VALUE_AT: f32 = 38.0;
/// How far an entry's body is indented under its head.
const INDENT: f32 = 6.0;
const BODY: f32 = 10.0;
const LINE: f32 = 5.0;
const POINTS_PER_MM: f32 = 72.0 / 25.4;

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

/// Characters of Windows-1252 beyond Latin-1 (what the built-in fonts show).
const WIN_ANSI_EXTRA: &str = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ";

/// The character as the built-in font can show it.
fn printable(c: char) -> char {
    match c {
        '\t' => ' ',
        // Line breaks are kept for `wrap`, which starts a new line at each.
        '\n' | ' '..='~' | '\u{a0}'..='\u{ff}' => c,
        c if WIN_ANSI_EXTRA.contains(c) => c,
        _ => '?',
    }
}

/// The width of `c` in mm at `size` points, bold a little wider (bold
/// Helvetica runs about 6% wider; 10% keeps lines inside the margin).
fn width(c: char, size: f32, bold: bool) -> f32 {
    let units = u32::from(c)
        .checked_sub(32)
        .and_then(|i| ASCII_WIDTHS.get(i as usize))
        .map_or(1000.0, |w| f32::from(*w));
    let units = if bold { units * 1.1 } else { units };
    units / 1000.0 * size / POINTS_PER_MM
}

struct Fonts {
    regular: IndirectFontRef,
    bold: IndirectFontRef,
}

/// Writes lines top to bottom, starting a page when one is full.
struct Pages {
    doc: PdfDocumentReference,
    layer: PdfLayerReference,
    fonts: Fonts,
    /// The baseline of the next line, from the page's bottom.
    y: f32,
    page: u32,
    footer: String,
}

impl Pages {
    fn new(title: &str) -> Result<Self, RenderFailed> {
        let (doc, page, layer) = PdfDocument::new(title, Mm(PAGE_WIDTH), Mm(PAGE_HEIGHT), "text");
        // No ICC profile or XMP packet: a plain document, kept small.
        let doc = doc.with_conformance(PdfConformance::Custom(CustomPdfConformance {
            requires_icc_profile: false,
            requires_xmp_metadata: false,
            ..CustomPdfConformance::default()
        }));
        let font = |f| {
            doc.add_builtin_font(f)
                .map_err(|e| RenderFailed(e.to_string()))
        };
        let fonts = Fonts {
            regular: font(BuiltinFont::Helvetica)?,
            bold: font(BuiltinFont::HelveticaBold)?,
        };
        let layer = doc.get_page(page).get_layer(layer);
        let pages = Self {
            doc,
            layer,
            fonts,
            y: PAGE_HEIGHT - MARGIN,
            page: 1,
            footer: title.chars().map(printable).collect(),
        };
        pages.write_footer();
        Ok(pages)
    }

    fn write_footer(&self) {
        let text = format!("{}  -  page {}", self.footer, self.page);
        self.layer
            .use_text(text, 8.0, Mm(MARGIN), Mm(MARGIN / 2.0), &self.fonts.regular);
    }

    /// Room for `height` mm more on this page, or a new page.
    fn make_room(&mut self, height: f32) {
        if self.y - height >= MARGIN {
            return;
        }
        let (page, layer) = self.doc.add_page(Mm(PAGE_WIDTH), Mm(PAGE_HEIGHT), "text");
        self.layer = self.doc.get_page(page).get_layer(layer);
        self.page += 1;
        self.y = PAGE_HEIGHT - MARGIN;
        self.write_footer();
    }

    fn font(&self, bold: bool) -> &IndirectFontRef {
        if bold {
            &self.fonts.bold
        } else {
            &self.fonts.regular
        }
    }

    /// `text` wrapped into the column from `x` to the right margin.
    fn text(&mut self, text: &str, (size, bold): (f32, bool), x: f32, height: f32) {
        let text: String = text.chars().map(printable).collect();
        for line in wrap(&text, TEXT_WIDTH - x, |c| width(c, size, bold)) {
            self.make_room(height);
            self.y -= height;
            let font = self.font(bold);
            self.layer
                .use_text(line, size, Mm(MARGIN + x), Mm(self.y), font);
        }
    }

    /// A label in bold with its value beside it, each wrapped in its column.
    fn field(&mut self, label: &str, value: &str) {
        let column = |text: &str, max: f32, bold: bool| {
            let text: String = text.chars().map(printable).collect();
            wrap(&text, max, |c| width(c, BODY, bold))
        };
        let labels = column(label, VALUE_AT - 2.0, true);
        let values = column(value, TEXT_WIDTH - VALUE_AT, false);
        for row in 0..labels.len().max(values.len()) {
            self.make_room(LINE);
            self.y -= LINE;
            for (lines, x, bold) in [(&labels, 0.0, true), (&values, VALUE_AT, false)] {
                if let Some(line) = lines.get(row) {
                    let font = self.font(bold);
                    self.layer
                        .use_text(line.as_str(), BODY, Mm(MARGIN + x), Mm(self.y), font);
                }
            }
        }
    }
}

pub fn render(doc: &Document) -> Result<Vec<u8>, RenderFailed> {
    let mut pages = Pages::new(&doc.title)?;
    pages.text(&doc.title, (16.0, true), 0.0, 8.0);
    pages.text(&doc.subtitle, (9.0, false), 0.0, LINE);
    for block in &doc.blocks {
        match block {
            Block::Heading(h) => {
                // Keep a heading with the line after it.
                pages.make_room(6.0 + 4.0 + LINE);
                pages.y -= 4.0;
                pages.text(h, (12.0, true), 0.0, 6.0);
            }
            Block::Field(label, value) => pages.field(label, value),
            Block::Paragraph(text) => pages.text(text, (BODY, false), 0.0, LINE),
            Block::Entry { head, body } => {
                pages.make_room(2.0 + 2.0 * LINE);
                pages.y -= 2.0;
                pages.text(head, (BODY, true), 0.0, LINE);
                if !body.is_empty() {
                    pages.text(body, (BODY, false), INDENT, LINE);
                }
            }
        }
    }
    pages
        .doc
        .save_to_bytes()
        .map_err(|e| RenderFailed(e.to_string()))
}
