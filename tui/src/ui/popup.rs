//! Popups sit above the screens and get keys first: help, confirmations,
//! one-time notices, pickers and small forms.

use std::path::Path;
use std::rc::Rc;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::form::{Field, FieldId, Form, FormEvent};
use super::{HelpLines, Nav, centered, moved};
use crate::action::Request;
use crate::keys::{Cmd, KeyMap};
use crate::local_files;
use crate::theme::Theme;

/// What answering a confirmation or picking an item does. The screen that
/// opens the popup says it, so popups know nothing of any screen.
#[derive(Debug, Clone)]
pub enum Then {
    /// Ask the server.
    Send(Box<Request>),
    /// Open another popup (a prompt or a confirmation for the choice).
    Open(Box<Popup>),
    Nav(Nav),
    /// Close the prompt under this confirmation too (its text is discarded).
    CloseBelow,
    /// Hand the choice back to the screen under the popup
    /// ([`super::Screen::on_answer`]).
    Answer(usize),
    /// Quit the app.
    Quit,
    /// Nothing more: the choice that leaves things as they are.
    Close,
}

impl Then {
    pub fn send(request: impl Into<Request>) -> Self {
        Then::Send(Box::new(request.into()))
    }
}

/// Makes a prompt's request from its form, or marks the form's errors and
/// makes none.
pub type MakeRequest = Rc<dyn Fn(&mut Form) -> Option<Request>>;

/// What Ctrl-S in a prompt does; the screen that opens the prompt says it.
#[derive(Clone)]
pub enum Submit {
    Send(MakeRequest),
    /// Hand the form to the screen under the prompt
    /// ([`super::Screen::on_form`]).
    ToScreen,
}

impl Submit {
    pub fn send<R: Into<Request>>(make: impl Fn(&mut Form) -> Option<R> + 'static) -> Self {
        Submit::Send(Rc::new(move |form| make(form).map(Into::into)))
    }
}

impl std::fmt::Debug for Submit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Submit::Send(_) => f.write_str("Submit::Send"),
            Submit::ToScreen => f.write_str("Submit::ToScreen"),
        }
    }
}

/// The fields of the small one-purpose prompts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PromptField {
    /// A post's text.
    Body,
    /// A file to attach, or where to save one.
    Path,
    /// A task's text.
    Text,
    /// Why a status changes.
    Note,
    Email,
    Message,
    /// A report's period.
    From,
    To,
    /// A rating's score (1–5) and comment.
    Score,
    Comment,
    /// An SSH public key, as pasted.
    PublicKey,
}

impl FieldId for PromptField {
    fn server_name(self) -> Option<&'static str> {
        match self {
            Self::Body => Some("body"),
            Self::Path => None,
            Self::Text => Some("text"),
            Self::Note => Some("note"),
            Self::Email => Some("email"),
            Self::Message => Some("message"),
            Self::From => Some("from"),
            Self::To => Some("to"),
            Self::Score => Some("score"),
            Self::Comment => Some("comment"),
            Self::PublicKey => Some("public_key"),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Popup {
    Help {
        title: String,
        lines: HelpLines,
        /// First line shown, when the help is taller than the screen.
        scroll: u16,
    },
    Confirm {
        title: String,
        text: String,
        then: Box<Then>,
    },
    Info {
        title: String,
        lines: Vec<String>,
    },
    /// Text to read, wrapped and scrolled (an article opened from a form).
    Read {
        title: String,
        lines: Vec<Line<'static>>,
        scroll: u16,
    },
    Pick {
        title: String,
        items: Vec<String>,
        state: ListState,
        /// What each item does, in the order of `items`.
        then: Vec<Then>,
    },
    Prompt(PromptPopup),
}

/// A small form with a purpose, kept open until the server accepts it so
/// nothing typed is lost.
#[derive(Debug, Clone)]
pub struct PromptPopup {
    pub title: String,
    pub hint: String,
    pub form: Form,
    pub submit: Submit,
    /// Tab completes the file path in the [`PromptField::Path`] field.
    pub complete_paths: bool,
    /// What the form sent, while its answer is awaited.
    pub sent: Option<Box<Request>>,
    pub error: Option<String>,
    pub width: u16,
}

impl PromptPopup {
    pub fn new(title: impl Into<String>, submit: Submit, fields: Vec<Field>) -> Self {
        Self {
            title: title.into(),
            hint: String::new(),
            form: Form::new(fields),
            submit,
            complete_paths: false,
            sent: None,
            error: None,
            width: 64,
        }
    }

    #[must_use]
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = hint.into();
        self
    }

    #[must_use]
    pub fn with_path_completion(mut self) -> Self {
        self.complete_paths = true;
        self
    }

    #[must_use]
    pub fn width(mut self, width: u16) -> Self {
        self.width = width;
        self
    }

    /// Enter sends a prompt of one one-line field; in a multi-line box it
    /// is a new line, elsewhere the next field.
    fn enter_sends(&self) -> bool {
        matches!(self.form.fields.as_slice(), [field] if !field.is_multi_line())
    }

    fn has_multi_line(&self) -> bool {
        self.form.fields.iter().any(Field::is_multi_line)
    }

    /// What Enter does in the focused field.
    fn enter_does(&self) -> &'static str {
        let focused = self.form.fields.get(self.form.focus);
        if focused.is_some_and(Field::is_multi_line) {
            "new line"
        } else if self.enter_sends() {
            "send"
        } else {
            "next field"
        }
    }

    fn footer(&self) -> String {
        if self.sent.is_some() {
            return " sending… ".to_owned();
        }
        format!(
            " Enter {} · Ctrl-S send · Esc cancel · F1 keys ",
            self.enter_does()
        )
    }

    fn keys_help(&self) -> HelpLines {
        let mut lines = vec![
            ("Ctrl-S".to_owned(), "send".to_owned()),
            ("Enter".to_owned(), {
                if self.has_multi_line() {
                    "new line in a text box".to_owned()
                } else if self.enter_sends() {
                    "send".to_owned()
                } else {
                    "next field".to_owned()
                }
            }),
        ];
        if self.form.fields.len() > 1 {
            lines.push(("Tab/Shift-Tab".to_owned(), "next/previous field".to_owned()));
        }
        if self.complete_paths {
            lines.push(("Tab".to_owned(), "complete the file path".to_owned()));
        }
        if self.has_multi_line() && local_files::check().is_ok() {
            lines.push(("Ctrl-E".to_owned(), "edit the text in $EDITOR".to_owned()));
        }
        lines.push((
            "Esc".to_owned(),
            "cancel (asks first if something was typed)".to_owned(),
        ));
        lines
    }

    fn height(&self) -> u16 {
        // The form's width inside the borders.
        let fields = self.form.height(self.width.saturating_sub(2));
        fields + 4 + u16::from(!self.hint.is_empty()) + u16::from(self.error.is_some())
    }
}

/// What the popup did with a key.
#[derive(Debug, Clone)]
pub enum Outcome {
    Keep,
    Close,
    /// The popup is answered: close it, then do this.
    Then(Then),
    Submitted,
    /// Ctrl-E in a multi-line field of a prompt.
    ExternalEdit(usize),
    /// Another popup on top of this one (asking before discarding).
    Open(Box<Popup>),
}

impl Popup {
    pub fn help(title: impl Into<String>, lines: HelpLines) -> Self {
        Popup::Help {
            title: title.into(),
            lines,
            scroll: 0,
        }
    }

    pub fn confirm(title: impl Into<String>, text: impl Into<String>, then: Then) -> Self {
        Popup::Confirm {
            title: title.into(),
            text: text.into(),
            then: Box::new(then),
        }
    }

    pub fn info(title: impl Into<String>, lines: Vec<String>) -> Self {
        Popup::Info {
            title: title.into(),
            lines,
        }
    }

    /// A list to choose from: each item's text and what choosing it does.
    pub fn pick(title: impl Into<String>, items: Vec<(String, Then)>) -> Self {
        let (items, then) = items.into_iter().unzip();
        Popup::Pick {
            title: title.into(),
            items,
            state: ListState::default().with_selected(Some(0)),
            then,
        }
    }

    /// A pick that opens on item `selected` (the current value).
    #[must_use]
    pub fn selecting(mut self, selected: usize) -> Self {
        if let Popup::Pick { items, state, .. } = &mut self {
            state.select(Some(selected.min(items.len().saturating_sub(1))));
        }
        self
    }

    pub fn handle_key(&mut self, key: &KeyEvent, keys: &KeyMap) -> Outcome {
        // F1 in any dialog but help itself: the dialog's keys.
        if key.code == KeyCode::F(1) && !matches!(self, Popup::Help { .. }) {
            let title = format!("Keys: {}", self.title());
            return Outcome::Open(Box::new(Popup::help(title, self.keys_help())));
        }
        match self {
            Popup::Help { scroll, .. } | Popup::Read { scroll, .. } => {
                if keys.is(Cmd::Down, key) {
                    *scroll = scroll.saturating_add(1);
                } else if keys.is(Cmd::Up, key) {
                    *scroll = scroll.saturating_sub(1);
                } else if keys.is(Cmd::PageDown, key) {
                    *scroll = scroll.saturating_add(10);
                } else if keys.is(Cmd::PageUp, key) {
                    *scroll = scroll.saturating_sub(10);
                } else {
                    return close_on(key);
                }
                Outcome::Keep
            }
            Popup::Info { .. } => close_on(key),
            Popup::Confirm { then, .. } => match key.code {
                KeyCode::Char('y' | 'Y') | KeyCode::Enter => Outcome::Then((**then).clone()),
                KeyCode::Char('n' | 'N' | 'q') | KeyCode::Esc => Outcome::Close,
                _ => Outcome::Keep,
            },
            Popup::Pick {
                items, state, then, ..
            } => match key.code {
                KeyCode::Esc | KeyCode::Char('q') => Outcome::Close,
                KeyCode::Enter => state
                    .selected()
                    .and_then(|i| then.get(i))
                    .map_or(Outcome::Keep, |t| Outcome::Then(t.clone())),
                _ => {
                    let selected = state.selected().unwrap_or(0);
                    if let Some(to) = moved(keys, key, selected, items.len(), 10) {
                        state.select(Some(to));
                    }
                    Outcome::Keep
                }
            },
            Popup::Prompt(prompt) => {
                if prompt.sent.is_some() {
                    return Outcome::Keep;
                }
                if prompt.complete_paths && key.code == KeyCode::Tab {
                    complete_path(prompt);
                    return Outcome::Keep;
                }
                match prompt.form.handle_key(key) {
                    FormEvent::Cancel if prompt.form.is_dirty() => {
                        Outcome::Open(Box::new(Popup::confirm(
                            "Discard what you typed?",
                            "It will be lost.",
                            Then::CloseBelow,
                        )))
                    }
                    FormEvent::Cancel => Outcome::Close,
                    FormEvent::Submit => Outcome::Submitted,
                    FormEvent::ExternalEdit(i) => Outcome::ExternalEdit(i),
                    FormEvent::Ignored | FormEvent::Handled => {
                        if key.code == KeyCode::Enter && prompt.enter_sends() {
                            Outcome::Submitted
                        } else {
                            Outcome::Keep
                        }
                    }
                }
            }
        }
    }

    fn title(&self) -> &str {
        match self {
            Popup::Help { title, .. }
            | Popup::Confirm { title, .. }
            | Popup::Info { title, .. }
            | Popup::Read { title, .. }
            | Popup::Pick { title, .. } => title,
            Popup::Prompt(prompt) => &prompt.title,
        }
    }

    /// The keys of this dialog, for F1.
    fn keys_help(&self) -> HelpLines {
        let line = |k: &str, what: &str| (k.to_owned(), what.to_owned());
        match self {
            Popup::Help { .. } | Popup::Info { .. } | Popup::Read { .. } => {
                vec![line("Enter/Esc", "close"), line("↑/↓", "scroll")]
            }
            Popup::Confirm { .. } => vec![line("y/Enter", "yes"), line("n/Esc", "no")],
            Popup::Pick { .. } => vec![
                line("↑/↓ j/k", "move"),
                line("g/G Home/End", "first/last"),
                line("Enter", "choose"),
                line("Esc", "cancel"),
            ],
            Popup::Prompt(prompt) => prompt.keys_help(),
        }
    }

    pub fn render(&mut self, frame: &mut Frame, theme: &Theme) {
        let area = frame.area();
        match self {
            Popup::Help {
                title,
                lines,
                scroll,
            } => {
                let key_width = lines
                    .iter()
                    .map(|(k, _)| k.chars().count())
                    .max()
                    .unwrap_or(0);
                // What a key does wraps under itself, never cut off.
                let width = 76.min(area.width);
                let room = usize::from(width.saturating_sub(2)).saturating_sub(key_width + 3);
                let text: Vec<Line> = lines
                    .iter()
                    .flat_map(|(k, what)| {
                        let mut parts = super::format::wrap(what, "", room);
                        if parts.is_empty() {
                            // A blank line between groups stays.
                            parts.push(String::new());
                        }
                        parts.into_iter().enumerate().map(move |(i, part)| {
                            let key = if i == 0 { k.as_str() } else { "" };
                            Line::from(vec![
                                Span::styled(format!(" {key:>key_width$}  "), theme.accent),
                                Span::styled(part, theme.text),
                            ])
                        })
                    })
                    .collect();
                let rect = centered(area, width, text.len() as u16 + 3);
                let visible = rect.height.saturating_sub(2);
                *scroll = (*scroll).min((text.len() as u16).saturating_sub(visible));
                let more = text.len() as u16 > visible;
                let footer = if more {
                    " ↑/↓ scroll · Esc closes "
                } else {
                    " Esc closes "
                };
                let block =
                    frame_block(title, theme).title_bottom(Line::styled(footer, theme.muted));
                frame.render_widget(Clear, rect);
                frame.render_widget(Paragraph::new(text).block(block).scroll((*scroll, 0)), rect);
            }
            Popup::Read {
                title,
                lines,
                scroll,
            } => render_read(frame, (title, lines, scroll), theme),
            Popup::Confirm { title, text, .. } => {
                let rect = centered(area, 52, 6);
                let body = vec![
                    Line::styled(text.clone(), theme.text),
                    Line::default(),
                    Line::from(vec![
                        Span::styled("y", theme.accent),
                        Span::raw("/"),
                        Span::styled("Enter", theme.accent),
                        Span::raw(" yes   "),
                        Span::styled("n", theme.accent),
                        Span::raw("/"),
                        Span::styled("Esc", theme.accent),
                        Span::raw(" no"),
                    ]),
                ];
                frame.render_widget(Clear, rect);
                frame.render_widget(
                    Paragraph::new(body)
                        .wrap(Wrap { trim: true })
                        .block(frame_block(title, theme)),
                    rect,
                );
            }
            Popup::Info { title, lines } => {
                let rect = centered(area, 60, lines.len() as u16 + 4);
                let mut body: Vec<Line> = lines
                    .iter()
                    .map(|l| Line::styled(l.clone(), theme.text))
                    .collect();
                body.push(Line::default());
                body.push(Line::styled("Enter or Esc closes", theme.muted));
                frame.render_widget(Clear, rect);
                frame.render_widget(
                    Paragraph::new(body)
                        .wrap(Wrap { trim: false })
                        .block(frame_block(title, theme)),
                    rect,
                );
            }
            Popup::Pick {
                title,
                items,
                state,
                ..
            } => {
                let width = items
                    .iter()
                    .map(|i| i.chars().count())
                    .max()
                    .unwrap_or(10)
                    .max(title.len() + 4) as u16
                    + 6;
                let footer = " Enter choose · Esc cancel ";
                let width = width.max(footer.chars().count() as u16 + 2);
                let rect = centered(area, width, items.len() as u16 + 2);
                let list = List::new(items.iter().map(|i| ListItem::new(i.clone())))
                    .highlight_style(theme.selected)
                    .highlight_symbol("› ")
                    .block(
                        frame_block(title, theme).title_bottom(Line::styled(footer, theme.muted)),
                    );
                frame.render_widget(Clear, rect);
                frame.render_stateful_widget(list, rect, state);
            }
            Popup::Prompt(prompt) => render_prompt(frame, area, prompt, theme),
        }
    }
}

/// Help and notices close on Esc, Enter, q or ?.
fn close_on(key: &KeyEvent) -> Outcome {
    match key.code {
        KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q' | '?') => Outcome::Close,
        _ => Outcome::Keep,
    }
}

/// A [`Popup::Read`]: its lines wrapped, scrolled no further than the end.
fn render_read(
    frame: &mut Frame,
    (title, lines, scroll): (&str, &[Line<'static>], &mut u16),
    theme: &Theme,
) {
    let area = frame.area();
    let rect = centered(area, 90, area.height.saturating_sub(2));
    let paragraph = Paragraph::new(lines.to_vec()).wrap(Wrap { trim: false });
    let visible = rect.height.saturating_sub(2);
    let height = paragraph.line_count(rect.width.saturating_sub(2)) as u16;
    *scroll = (*scroll).min(height.saturating_sub(visible));
    let footer = if height > visible {
        " ↑/↓ scroll · Esc closes "
    } else {
        " Esc closes "
    };
    let block = frame_block(title, theme).title_bottom(Line::styled(footer, theme.muted));
    frame.render_widget(Clear, rect);
    frame.render_widget(paragraph.block(block).scroll((*scroll, 0)), rect);
}

fn frame_block<'a>(title: &str, theme: &Theme) -> Block<'a> {
    Block::bordered()
        .border_style(theme.focus_border)
        .title(Line::styled(format!(" {title} "), theme.title))
}

fn render_prompt(frame: &mut Frame, area: Rect, prompt: &PromptPopup, theme: &Theme) {
    let rect = centered(area, prompt.width, prompt.height());
    let footer = prompt.footer();
    let block = frame_block(&prompt.title, theme).title_bottom(Line::styled(footer, theme.muted));
    let inner = block.inner(rect);
    frame.render_widget(Clear, rect);
    frame.render_widget(block, rect);
    let [hint, error, body] = Layout::vertical([
        Constraint::Length(u16::from(!prompt.hint.is_empty())),
        Constraint::Length(u16::from(prompt.error.is_some())),
        Constraint::Fill(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(Line::styled(prompt.hint.clone(), theme.muted)),
        hint,
    );
    if let Some(e) = &prompt.error {
        frame.render_widget(
            Paragraph::new(Line::styled(format!("✗ {e}"), theme.error)),
            error,
        );
    }
    let body = Rect {
        y: body.y + 1,
        height: body.height.saturating_sub(1),
        ..body
    };
    prompt.form.render(frame, body, theme, true);
}

/// Completes the path in the path field as far as it is unambiguous, and
/// lists the candidates in the hint.
fn complete_path(prompt: &mut PromptPopup) {
    if let Err(refused) = local_files::check() {
        prompt.hint = refused.to_string();
        return;
    }
    let typed = prompt.form.raw(PromptField::Path);
    let expanded = expand_home(&typed);
    let (dir, prefix) = match expanded.rfind('/') {
        Some(i) => (expanded[..=i].to_owned(), expanded[i + 1..].to_owned()),
        None => (String::new(), expanded.clone()),
    };
    let read_from = if dir.is_empty() {
        Path::new(".")
    } else {
        Path::new(&dir)
    };
    let Ok(entries) = std::fs::read_dir(read_from) else {
        "no such folder".clone_into(&mut prompt.hint);
        return;
    };
    let mut names: Vec<(String, bool)> = entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let is_dir = e.file_type().is_ok_and(|t| t.is_dir());
            (name.starts_with(&prefix) && (prefix.starts_with('.') || !name.starts_with('.')))
                .then_some((name, is_dir))
        })
        .collect();
    names.sort();
    let completed = match names.as_slice() {
        [] => {
            "no match".clone_into(&mut prompt.hint);
            return;
        }
        [(name, is_dir)] => {
            prompt.hint.clear();
            format!("{dir}{name}{}", if *is_dir { "/" } else { "" })
        }
        many => {
            let common = many.iter().skip(1).fold(many[0].0.clone(), |acc, (n, _)| {
                acc.chars()
                    .zip(n.chars())
                    .take_while(|(a, b)| a == b)
                    .map(|(a, _)| a)
                    .collect()
            });
            let shown: Vec<&str> = many.iter().take(6).map(|(n, _)| n.as_str()).collect();
            prompt.hint = format!(
                "{}{}",
                shown.join("  "),
                if many.len() > 6 { "  …" } else { "" }
            );
            format!("{dir}{common}")
        }
    };
    prompt.form.set_text(PromptField::Path, &completed);
}

/// `~/x` → `$HOME/x`.
pub fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/"), std::env::var("HOME")) {
        (Some(rest), Ok(home)) => format!("{home}/{rest}"),
        _ => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    /// The path prompt after `typed` and Tab: the path and the hint.
    fn tab_after(typed: &str) -> (String, String) {
        let mut popup = Popup::Prompt(
            PromptPopup::new(
                "Attach",
                Submit::ToScreen,
                vec![Field::line(PromptField::Path, "File", typed)],
            )
            .with_path_completion(),
        );
        popup.handle_key(
            &KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
            &KeyMap::default(),
        );
        let Popup::Prompt(p) = &popup else {
            panic!("prompt")
        };
        (p.form.raw(PromptField::Path), p.hint.clone())
    }

    #[test]
    fn tab_completes_paths() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("report-2026.txt"), "x").expect("write");
        std::fs::write(dir.path().join("report-2025.txt"), "x").expect("write");
        std::fs::create_dir(dir.path().join("photos")).expect("mkdir");
        let base = format!("{}/", dir.path().display());
        let (path, hint) = tab_after(&format!("{base}re"));
        assert_eq!(path, format!("{base}report-202"));
        assert!(hint.contains("report-2025.txt") && hint.contains("report-2026.txt"));
        let (path, _) = tab_after(&format!("{base}ph"));
        assert_eq!(path, format!("{base}photos/"));
    }
}
