//! Knowledge articles' Markdown as terminal text. pulldown-cmark (the
//! CommonMark parser prost-build already brings) reads it; the lines are
//! drawn here with the theme's styles, so an article looks like the rest of
//! the client. (tui-markdown, the ready-made renderer, needs ratatui 0.30.)
//! Headings, emphasis, code, lists, quotes and links are shown; images by
//! their text, HTML as it was typed.

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::theme::Theme;

/// The lines of `markdown`, to be drawn in a wrapping paragraph.
pub fn lines(markdown: &str, theme: &Theme) -> Vec<Line<'static>> {
    let mut r = Renderer {
        theme,
        lines: Vec::new(),
        line: Vec::new(),
        styles: vec![theme.text],
        lists: Vec::new(),
        quote: 0,
        in_code: false,
        link: None,
    };
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    for event in Parser::new_ext(markdown, options) {
        r.event(event);
    }
    r.flush();
    while r.lines.last().is_some_and(|l| l.spans.is_empty()) {
        r.lines.pop();
    }
    r.lines
}

struct Renderer<'t> {
    theme: &'t Theme,
    lines: Vec<Line<'static>>,
    /// The line being built.
    line: Vec<Span<'static>>,
    /// The style of text here: the innermost emphasis, heading or link.
    styles: Vec<Style>,
    /// Open lists: the next number of an ordered one, `None` for bullets.
    lists: Vec<Option<u64>>,
    quote: usize,
    in_code: bool,
    /// The target of the link being read, shown after its text.
    link: Option<String>,
}

impl Renderer<'_> {
    fn style(&self) -> Style {
        self.styles.last().copied().unwrap_or(self.theme.text)
    }

    fn push_style(&mut self, add: Style) {
        let style = self.style().patch(add);
        self.styles.push(style);
    }

    /// The margin of a new line: quote bars and list indentation.
    fn margin(&self) -> Vec<Span<'static>> {
        let mut spans = Vec::new();
        if self.quote > 0 {
            spans.push(Span::styled("│ ".repeat(self.quote), self.theme.muted));
        }
        if self.lists.len() > 1 {
            spans.push(Span::raw("  ".repeat(self.lists.len() - 1)));
        }
        spans
    }

    fn text(&mut self, text: &str) {
        if self.line.is_empty() {
            self.line = self.margin();
        }
        let style = self.style();
        self.line.push(Span::styled(text.to_owned(), style));
    }

    /// Ends the line being built, if any.
    fn flush(&mut self) {
        if !self.line.is_empty() {
            self.lines.push(Line::from(std::mem::take(&mut self.line)));
        }
    }

    /// One empty line between blocks (none at the top, never two).
    fn gap(&mut self) {
        self.flush();
        if self.lines.last().is_some_and(|l| !l.spans.is_empty()) {
            self.lines.push(Line::default());
        }
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(text) if self.in_code => {
                for (i, part) in text.split('\n').enumerate() {
                    if i > 0 {
                        self.flush();
                    }
                    if !part.is_empty() {
                        self.text(&format!("    {part}"));
                    }
                }
            }
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => self.text(&text),
            Event::Code(code) => {
                self.push_style(self.theme.accent);
                self.text(&code);
                self.styles.pop();
            }
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.flush(),
            Event::Rule => {
                self.gap();
                self.lines
                    .push(Line::styled("─".repeat(40), self.theme.muted));
            }
            Event::TaskListMarker(done) => self.text(if done { "[x] " } else { "[ ] " }),
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph if self.lists.is_empty() => self.gap(),
            Tag::Heading { level, .. } => {
                self.gap();
                let style = if level == HeadingLevel::H1 {
                    self.theme.title.add_modifier(Modifier::UNDERLINED)
                } else {
                    self.theme.title
                };
                self.push_style(style);
            }
            Tag::BlockQuote(_) => {
                self.gap();
                self.quote += 1;
            }
            Tag::CodeBlock(_) => {
                self.gap();
                self.in_code = true;
                self.push_style(self.theme.accent);
            }
            Tag::List(first) => {
                if self.lists.is_empty() {
                    self.gap();
                }
                self.flush();
                self.lists.push(first);
            }
            Tag::Item => {
                self.flush();
                let marker = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        *n += 1;
                        format!("{}. ", *n - 1)
                    }
                    _ => "• ".to_owned(),
                };
                self.line = self.margin();
                self.line.push(Span::styled(marker, self.theme.muted));
            }
            Tag::Emphasis => self.push_style(Style::new().add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.push_style(Style::new().add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => self.push_style(Style::new().add_modifier(Modifier::CROSSED_OUT)),
            Tag::Link { dest_url, .. } => {
                self.link = Some(dest_url.into_string());
                self.push_style(self.theme.accent.add_modifier(Modifier::UNDERLINED));
            }
            Tag::Image { .. } => self.push_style(self.theme.muted),
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::Item => self.flush(),
            TagEnd::Heading(_) => {
                self.styles.pop();
                self.flush();
            }
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.quote = self.quote.saturating_sub(1);
            }
            TagEnd::CodeBlock => {
                self.flush();
                self.in_code = false;
                self.styles.pop();
            }
            TagEnd::List(_) => {
                self.flush();
                self.lists.pop();
            }
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough | TagEnd::Image => {
                self.styles.pop();
            }
            TagEnd::Link => {
                self.styles.pop();
                // Shown after the text unless the text is the address.
                if let Some(url) = self.link.take()
                    && self.line.last().is_none_or(|s| s.content != url)
                {
                    let muted = self.theme.muted;
                    self.line.push(Span::styled(format!(" <{url}>"), muted));
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(markdown: &str) -> Vec<String> {
        lines(markdown, &Theme::default())
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn blocks_lists_code_and_links_read_as_text() {
        let md = "# Reset your password\n\nOpen **My Account** and press `p`.\n\n\
                  1. Sign in\n2. Choose *Password*\n   - twice\n\n\
                  > Note: it expires.\n\n```\nportal --help\n```\n\n\
                  See [the guide](https://example.com/guide) or <https://example.com>.";
        assert_eq!(
            plain(md),
            [
                "Reset your password",
                "",
                "Open My Account and press p.",
                "",
                "1. Sign in",
                "2. Choose Password",
                "  • twice",
                "",
                "│ Note: it expires.",
                "",
                "    portal --help",
                "",
                "See the guide <https://example.com/guide> or https://example.com.",
            ]
        );
    }

    #[test]
    fn nothing_gives_no_lines_and_html_is_kept_as_typed() {
        assert!(plain("").is_empty());
        assert_eq!(plain("a <b>c</b>"), ["a <b>c</b>"]);
    }
}
