//! `?`: every key of the current screen, then the keys that work everywhere.

use super::popup::Popup;
use super::{HelpLines, TabId, help_line, plain_help};
use crate::keys::{Cmd, KeyMap};

pub fn popup(screen: &str, mut lines: HelpLines, keys: &KeyMap, tabs: &[TabId]) -> Popup {
    lines.push((String::new(), String::new()));
    let numbers = format!("1–{}", tabs.len());
    let names: Vec<&str> = tabs.iter().map(|t| t.title()).collect();
    lines.extend([
        plain_help(&numbers, &format!("go to {}", names.join(", "))),
        help_line(keys, Cmd::NextTab, "next tab"),
        help_line(keys, Cmd::PrevTab, "previous tab"),
        help_line(keys, Cmd::Help, "this help"),
        help_line(keys, Cmd::Logout, "sign out"),
        help_line(keys, Cmd::Quit, "quit (Esc closes popups first)"),
        plain_help("Ctrl-C", "quit from anywhere"),
    ]);
    Popup::help(format!("Keys: {screen}"), lines)
}
