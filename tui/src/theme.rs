//! Colours by semantic role, with overrides from the config file and
//! `NO_COLOR` honoured (then only bold, dim and reverse are used).

use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

/// Every role the screens draw with.
#[derive(Debug, Clone)]
pub struct Theme {
    pub text: Style,
    pub muted: Style,
    pub accent: Style,
    pub title: Style,
    pub selected: Style,
    pub tab_active: Style,
    pub border: Style,
    pub focus_border: Style,
    pub error: Style,
    pub warn: Style,
    pub ok: Style,
    pub status_bar: Style,
    pub bar: Style,
}

impl Default for Theme {
    fn default() -> Self {
        Self {
            text: Style::new(),
            muted: Style::new().fg(Color::DarkGray),
            accent: Style::new().fg(Color::Cyan),
            title: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            selected: Style::new().bg(Color::Blue).fg(Color::White),
            tab_active: Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::DarkGray),
            focus_border: Style::new().fg(Color::Cyan),
            error: Style::new().fg(Color::Red),
            warn: Style::new().fg(Color::Yellow),
            ok: Style::new().fg(Color::Green),
            status_bar: Style::new().bg(Color::Rgb(40, 44, 52)).fg(Color::Gray),
            bar: Style::new().fg(Color::Cyan),
        }
    }
}

impl Theme {
    /// Without colour: emphasis only.
    pub fn monochrome() -> Self {
        let plain = Style::new();
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let reversed = Style::new().add_modifier(Modifier::REVERSED);
        Self {
            text: plain,
            muted: Style::new().add_modifier(Modifier::DIM),
            accent: bold,
            title: bold,
            selected: reversed,
            tab_active: reversed.add_modifier(Modifier::BOLD),
            border: plain,
            focus_border: bold,
            error: bold,
            warn: bold,
            ok: plain,
            status_bar: reversed,
            bar: plain,
        }
    }

    /// The theme for this environment: monochrome when `no_color`, else the
    /// defaults with `overrides` (role name → colour name or `#rrggbb`) applied
    /// to each role's foreground.
    pub fn build(no_color: bool, overrides: &BTreeMap<String, String>) -> Result<Self, String> {
        if no_color {
            return Ok(Self::monochrome());
        }
        let mut theme = Self::default();
        for (role, colour) in overrides {
            let colour = Color::from_str(colour)
                .map_err(|_| format!("theme.{role}: unknown colour {colour:?}"))?;
            let slot = match role.as_str() {
                "text" => &mut theme.text,
                "muted" => &mut theme.muted,
                "accent" => &mut theme.accent,
                "title" => &mut theme.title,
                "selected" => &mut theme.selected,
                "tab_active" => &mut theme.tab_active,
                "border" => &mut theme.border,
                "focus_border" => &mut theme.focus_border,
                "error" => &mut theme.error,
                "warn" => &mut theme.warn,
                "ok" => &mut theme.ok,
                "status_bar" => &mut theme.status_bar,
                "bar" => &mut theme.bar,
                _ => return Err(format!("theme: unknown role {role:?}")),
            };
            // Roles drawn on a background get the colour as background.
            if matches!(role.as_str(), "selected" | "tab_active" | "status_bar") {
                *slot = slot.bg(colour);
            } else {
                *slot = slot.fg(colour);
            }
        }
        Ok(theme)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_apply_and_unknown_roles_are_refused() {
        let mut o = BTreeMap::new();
        o.insert("accent".to_owned(), "magenta".to_owned());
        let t = Theme::build(false, &o).expect("valid");
        assert_eq!(t.accent.fg, Some(Color::Magenta));
        o.insert("nope".to_owned(), "red".to_owned());
        assert!(Theme::build(false, &o).is_err());
    }

    #[test]
    fn no_color_uses_no_colours() {
        let mut o = BTreeMap::new();
        o.insert("accent".to_owned(), "magenta".to_owned());
        let t = Theme::build(true, &o).expect("valid");
        for s in [
            t.text,
            t.accent,
            t.selected,
            t.error,
            t.status_bar,
            t.tab_active,
        ] {
            assert_eq!(s.fg, None);
            assert_eq!(s.bg, None);
        }
    }
}
